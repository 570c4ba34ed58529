"""Renders ordered operations to SQL through one Jinja template per operation kind.

Templates lay SQL out; every name and decision comes from the model and the operations (an
operation whose statements depend on its data names them in `statements`, in order, and the
template lays out each). A template sees the operation as `op` and, for Create and Drop, the
model object as `obj`. Identifiers pass the `ident` filter, literals the `literal` filter;
expressions arrive normalized by the parser.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .kinds import Create, Drop
from .model import ARCHIVE, Model
from .names import identity_sequence_name
from .sqltext import dollar_quote, ident, literal, qualified

# Marks an extension a migration installed, so that only such an extension is dropped by down.
EXTENSION_MARKER = "installed by atlas-compile"
TEMPLATES = Path(__file__).parent / "templates"
ACTIONS = {"cascade": "CASCADE", "restrict": "RESTRICT", "set_null": "SET NULL", "set_default": "SET DEFAULT",
           "no_action": "NO ACTION"}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )
    # `render`: operations inside an operation (the enum rebuild `down` runs, enum/restore).
    env.filters.update(ident=ident, literal=literal, dollar_quote=dollar_quote, render=render_operation,
                       generated=generated)
    env.globals.update(sequence_name=identity_sequence_name, marker=EXTENSION_MARKER, archive_schema=ARCHIVE,
                       qualified=qualified, action=lambda a: ACTIONS[a], signature=signature,
                       idents=lambda names: ", ".join(map(ident, names)))
    return env


def generated(identity: str) -> str:
    """An identity column's kind as GENERATED ... spells it."""
    return "ALWAYS" if identity == "always" else "BY DEFAULT"


def signature(function, with_defaults: bool = False) -> str:
    """schema.name(arg type, ...): defaults only where the function is created."""
    args = []
    for a in function.arguments:
        text = f"{ident(a.name)} {a.type}"
        if with_defaults and a.default is not None:
            text += f" DEFAULT {a.default}"
        args.append(text)
    return f"{qualified(function.schema, function.name)}({', '.join(args)})"


def render_operation(op) -> str:
    template = environment().get_template(op.template)
    names = {"op": op, "obj": op.obj} if isinstance(op, (Create, Drop)) else {"op": op}
    sql = template.render(**names).strip()
    lines = [f"-- {op.verb.replace('_', ' ')} {op.family.replace('_', ' ')} {op.describe()}"]
    lines += [f"-- hazard: {h}" for h in op.hazards]
    return "\n".join(lines) + "\n" + sql + "\n"


def render_migration(name: str, direction: str, operations: list, model: Model) -> str:
    search_path = "public, extensions" if model.target == "supabase" else "public"
    header = [
        f"-- atlas-compile migration {name} ({direction})",
        f"-- project: {model.project}; target: {model.target}; PostgreSQL {model.postgres}",
        "-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).",
        "-- Apply in one transaction; the migration role must bypass row level security",
        "-- (a superuser, or Supabase's postgres role).",
        "",
        f"SET search_path = {search_path};",
        "",
        "",
    ]
    if not operations:
        header.append("-- nothing to do")
    body = "\n".join(render_operation(op) for op in operations)
    return "\n".join(header) + body
