"""Renders ordered operations to SQL through one Jinja template per operation kind.

Templates lay SQL out; every name and decision comes from the model and the operations (an
operation whose statements depend on its data names them in `statements`, in order, and the
template lays out each). A template sees the operation as `op`, for Create and Drop the model
object as `obj`, and the `form` of the piece it lays out (kinds/stages.py: `plain`, or an
online form such as `concurrently`), the piece itself as `piece` (None: plain). Identifiers
pass the `ident` filter, literals the `literal` filter; expressions arrive normalized by the
parser.

A migration file (README.md, "Zero-downtime migrations") is a preamble, then one part per stage that
holds anything, in stage order, each under its marker line: a transaction part between BEGIN
and COMMIT with SET LOCAL timeouts, an outside part with session timeouts. ordering.staged
decides what runs where; this module only lays it out.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .kinds import Create, Drop
from .kinds.indexes import swap_name
from .kinds.stages import CATALOG, LOCK_TIMEOUT, OUTSIDE, OUTSIDE_BECAUSE, PLAIN, ROWS, STATEMENT_TIMEOUTS, Piece
from .model import ARCHIVE, Model
from .names import identity_sequence_name
from .ordering import staged
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
                       qualified=qualified, action=lambda a: ACTIONS[a], signature=signature, swap_name=swap_name,
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


def render_operation(op, piece: Piece | None = None, hazards: bool = True) -> str:
    """One operation's piece (its plain form by default): a comment naming it (and its hazards,
    on the piece they belong to), then its statements."""
    form = piece.form if piece else PLAIN
    template = environment().get_template(op.template)
    names = {"op": op, "obj": op.obj} if isinstance(op, (Create, Drop)) else {"op": op}
    sql = template.render(form=form, piece=piece, **names).strip()
    how = "" if form in (PLAIN, "heading") else f" ({form.replace('_', ' ')})"
    lines = [f"-- {op.verb.replace('_', ' ')} {op.family.replace('_', ' ')} {op.describe()}{how}"]
    lines += [f"-- hazard: {h}" for h in op.hazards] if hazards else []
    lines += [f"-- {line}" for line in piece.note] if piece else []
    return "\n".join(lines) + "\n" + sql + "\n"


def render_migration(name: str, direction: str, operations: list, model: Model) -> str:
    parts = _parts(staged(operations))
    texts = [_render_part(number, len(parts), stage, pieces) for number, (stage, pieces) in enumerate(parts, 1)]
    header = migration_header(name, direction, model, [_parts_line(parts)] if parts else [])
    if not parts:
        return header + "\n-- nothing to do"
    return header + "\n" + "\n".join(texts)


def migration_header(name: str, direction: str, model: Model, parts_line: list[str]) -> str:
    """The comment lines that open a migration text (`parts_line`: what it says of its parts),
    then its session search_path."""
    search_path = "public, extensions" if model.target == "supabase" else "public"
    return "\n".join([
        f"-- atlas-compile migration {name} ({direction})",
        f"-- project: {model.project}; target: {model.target}; PostgreSQL {model.postgres}",
        "-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).",
        *parts_line,
        "-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must",
        "-- bypass row level security (a superuser, or Supabase's postgres role).",
        "",
        f"SET search_path = {search_path};",
        "",
    ])


def _parts(placed: list) -> list[tuple[int, list]]:
    """(stage, [(op, piece)]) for every stage that holds a piece, in stage order."""
    by_stage: dict[int, list] = {}
    for op, pieces in placed:
        for piece in pieces:
            # An online form's hazards go on the pieces that read the rows.
            hazards = len(pieces) == 1 or piece.timeout == ROWS
            by_stage.setdefault(piece.stage, []).append((op, piece, hazards))
    return sorted(by_stage.items())


def _render_part(number: int, total: int, stage: int, pieces: list) -> str:
    blocks = [(piece.timeout, render_operation(op, piece, hazards)) for op, piece, hazards in pieces]
    return part_text(number, total, stage in OUTSIDE, blocks)


def part_text(number: int, total: int, outside: bool, blocks: list[tuple[str | None, str]]) -> str:
    """One part under its marker: BEGIN and COMMIT around a transaction part, the timeouts first,
    then each (timeout class, text) block; a class of None keeps the one before (a comment)."""
    marker = f"-- atlas-compile part {number}/{total}: {'outside a transaction' if outside else 'transaction'}"
    set_ = "SET" if outside else "SET LOCAL"
    texts, timeout = [], next((t for t, _ in blocks if t), CATALOG)
    lines = [marker, *([] if outside else ["BEGIN;"]), f"{set_} lock_timeout = '{LOCK_TIMEOUT}';",
             f"{set_} statement_timeout = '{STATEMENT_TIMEOUTS[timeout]}';", "", ""]
    for kind, block in blocks:
        if kind and kind != timeout:   # repeated only when it changes
            timeout = kind
            block = f"{set_} statement_timeout = '{STATEMENT_TIMEOUTS[timeout]}';\n" + block
        texts.append(block)
    return "\n".join(lines) + "\n".join(texts) + ("" if outside else "COMMIT;\n")


def _parts_line(parts: list) -> str:
    """What the header says of the parts: how many, and which run outside a transaction (and why)."""
    inside = [str(n) for n, (stage, _) in enumerate(parts, 1) if stage not in OUTSIDE]
    outside = [(str(n), stage) for n, (stage, _) in enumerate(parts, 1) if stage in OUTSIDE]
    said = [f"{_listed(inside)} in a transaction"] if inside else []
    if outside:
        why = ", ".join(dict.fromkeys(_outside_because(stage, parts[int(n) - 1][1]) for n, stage in outside))
        said.append(f"{_listed([n for n, _ in outside])} outside a transaction ({why})")
    if len(parts) == 1:
        return f"-- 1 part, {said[0].split(' ', 1)[1]}."
    return f"-- {len(parts)} parts: {', '.join(said)}."


def _outside_because(stage: int, pieces: list) -> str:
    """Why a part runs outside a transaction: its concurrent index statements, or a backfill
    whose batches commit one by one."""
    forms = {piece.form for _, piece, _ in pieces}
    reasons = (["a batched backfill"] if "backfill" in forms else []) + \
        ([OUTSIDE_BECAUSE[stage]] if forms - {"backfill"} else [])
    return ", ".join(reasons)


def _listed(numbers: list[str]) -> str:
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
