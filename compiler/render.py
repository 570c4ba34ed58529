"""Renders ordered operations to SQL through one Jinja template per operation kind, or its
plain-Python layout (sql_forms.py) for the kinds a build writes by the thousand.

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
from typing import TYPE_CHECKING

from .kinds import Create, Drop
from .kinds.schedules import ONE_DATABASE
from .kinds.stages import CATALOG, LOCK_TIMEOUT, OUTSIDE, OUTSIDE_BECAUSE, PLAIN, ROWS, STATEMENT_TIMEOUTS, Piece
from .model import ARCHIVE, Model
from .names import identity_sequence_name
from .ordering import staged
from .sql_forms import FORMS, GLOBALS, generated
from .sqltext import dollar_quote, ident, literal, qualified

if TYPE_CHECKING:
    import jinja2

# Marks an extension a migration installed, so that only such an extension is dropped by down.
EXTENSION_MARKER = "installed by atlas-compile"
TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    # Imported here: a build from nothing renders only sql_forms' kinds and never loads Jinja.
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        auto_reload=False,   # the templates are the package's: no stat of the file per render
    )
    # `render`: operations inside an operation (the enum rebuild `down` runs, enum/restore).
    env.filters.update(ident=ident, literal=literal, dollar_quote=dollar_quote, render=render_operation,
                       generated=generated)
    env.globals.update(sequence_name=identity_sequence_name, marker=EXTENSION_MARKER, archive_schema=ARCHIVE,
                       one_database=ONE_DATABASE,
                       qualified=qualified, **GLOBALS)
    return env


@lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    return environment().get_template(name)


@lru_cache(maxsize=1)
def _globals() -> dict:
    return dict(environment().globals)


def _render(name: str, **variables) -> str:
    """Template.render, without its per-call costs (a migration renders tens of thousands of
    operations): the globals are copied from a plain dict, and a context that adds no globals
    of its own lets `{% from ... import %}` reuse each imported template's module."""
    template = _template(name)
    env = template.environment
    context = env.context_class(env, {**_globals(), **variables}, name, template.blocks)
    try:
        return "".join(template.root_render_func(context))
    except Exception:
        env.handle_exception()


def render_operation(op, piece: Piece | None = None, hazards: bool = True) -> str:
    """One operation's piece (its plain form by default): a comment naming it (and its hazards,
    on the piece they belong to), then its statements."""
    form = piece.form if piece else PLAIN
    template = op.template
    layout = FORMS.get(template)
    if layout is not None:
        sql = layout(op, form).strip()
    else:
        names = {"op": op, "obj": op.obj} if isinstance(op, (Create, Drop)) else {"op": op}
        sql = _render(template, form=form, piece=piece, **names).strip()
    opening, how = _heading(op.verb, op.family, form)
    text = f"{opening}{op.describe()}{how}\n"
    if hazards:
        for hazard in op.hazards:
            text += f"-- hazard: {hazard}\n"
    if piece:
        for line in piece.note:
            text += f"-- {line}\n"
    return text + sql + "\n"


@lru_cache(maxsize=None)
def _heading(verb: str, family: str, form: str) -> tuple[str, str]:
    """What a heading line says around the operation's name: its verb and family, then its form
    (nothing for the plain one); the same few dozen for every operation of a migration."""
    how = "" if form in (PLAIN, "heading") else f" ({form.replace('_', ' ')})"
    return f"-- {verb.replace('_', ' ')} {family.replace('_', ' ')} ", how


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


# Forms whose batches commit one by one (a backfill, encrypted columns: kinds/encryption.py).
# Forms whose batches commit one by one, and how the part's heading names them.
BATCHED = {"backfill": "a batched backfill", "encrypt_rows": "batched encryption",
           "decrypt_rows": "batched decryption", "copy": "a batched copy"}


def _outside_because(stage: int, pieces: list) -> str:
    """Why a part runs outside a transaction: its concurrent index statements, or a backfill
    whose batches commit one by one."""
    forms = {piece.form for _, piece, _ in pieces}
    batched = sorted(dict.fromkeys(BATCHED[form] for form in forms if form in BATCHED))
    reasons = batched + ([OUTSIDE_BECAUSE[stage]] if forms - BATCHED.keys() else [])
    return ", ".join(reasons)


def _listed(numbers: list[str]) -> str:
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
