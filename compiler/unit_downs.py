"""The downs of a migration's files in the runner layouts that keep one down per file (dbmate,
flyway, golang-migrate). layouts/units.py cuts a canonical up into units: each transaction part,
and each outside statement (flyway: each outside part). The runner's one-step rollback (`dbmate
rollback`, `migrate down 1`, `flyway undo`) runs one file's down alone and forgets that file, so
unit j's down takes back unit j only: after it the catalog is what units 1..j-1 made (the rows
kept as the canonical down keeps them).

The downs make one canonical text, one part per unit, the last unit's first: the layouts cut it
as they cut the up (a transaction part is one unit; an outside part holds one statement at most
where the layout cuts per statement), and it reads back whole as the migration's down, for
`migrate` and verify. Each piece's undo is its operation's (Operation.undo, beside the form in
its kind's module); the main transaction's plain operations go back through their reverse in
plain forms, staged as the plain down stages them (a table comes back with its indexes)."""
from __future__ import annotations

import copy
import textwrap

import pglast

from .kinds import Drop
from .kinds.stages import MAIN, OUTSIDE, Undo
from .model import Model
from .ordering import staged
from .render import migration_header, part_text, render_operation


def render_unit_downs(name: str, operations: list, model: Model, per_statement: bool) -> str:
    """The down text of the up that `operations` (ordered) render to, one part per unit of the
    up cut `per_statement` (layouts/units.cut), in reverse order."""
    downs = list(reversed(_units(staged(operations), per_statement)))
    if not downs:
        return migration_header(name, "down", model, []) + "\n-- nothing to do"
    texts = [part_text(n, len(downs), outside, _blocks(undos)) for n, (outside, undos) in enumerate(downs, 1)]
    return migration_header(name, "down", model, [_parts_line(downs)]) + "\n" + "\n".join(texts)


def _units(placed: list, per_statement: bool) -> list[tuple[bool, list[Undo]]]:
    """(outside a transaction, the undos in the order they run) per unit of the up, in order."""
    swapped = {op.key for op, pieces in placed for piece in pieces if piece.form == "swap"}
    by_stage: dict[int, list] = {}
    for op, pieces in placed:
        for piece in pieces:
            by_stage.setdefault(piece.stage, []).append((op, piece))
        if not pieces and not (isinstance(op, Drop) and op.key in swapped):
            # an index its table's drop takes along (the main transaction): it comes back with it
            by_stage.setdefault(MAIN, []).append((op, None))
    units = []
    for stage, entries in sorted(by_stage.items()):
        per_entry = [_steps(op, piece) for op, piece in entries]
        steps = [step for found in per_entry for step in found]
        if stage not in OUTSIDE:
            units.append((False, [undo for found in reversed(per_entry) for step in reversed(found) for undo in step]))
        elif per_statement:
            units += [(True, list(step)) for step in steps]
        else:
            units.append((True, [undo for step in reversed(steps) for undo in step]))
    return units


def _steps(op, piece) -> tuple:
    """The undo of each statement of the piece (an outside piece: as many as it renders)."""
    if piece is None:
        return ((Undo(op.reverse()),),)
    steps = op.undo(piece)
    if piece.stage in OUTSIDE:
        rendered = [s for s in pglast.split(render_operation(op, piece)) if not s.upper().startswith("SET ")]
        if len(rendered) != len(steps):
            raise AssertionError(f"the {piece.form} piece of {op.describe()} runs {len(rendered)} statements "
                                 f"but its undo names {len(steps)}")
    label = f"{op.verb.replace('_', ' ')} {op.family.replace('_', ' ')} {op.describe()} ({piece.form.replace('_', ' ')})"
    return tuple(tuple(Undo(why=f"{label}: {u.why}") if u.why else u for u in step) for step in steps)


def _blocks(undos: list[Undo]) -> list[tuple[str | None, str]]:
    """(timeout class, text) of each undo: a note as comment lines, the operations in a row
    staged together in plain forms (their own piece where the undo names one)."""
    blocks, run = [], []
    for undo in [*undos, None]:
        if undo is not None and undo.op is not None:
            run.append(undo)
            continue
        # one operation may be undone twice in its own forms (a swap's build and rename): copies
        ops = [copy.copy(u.op) if u.piece is not None else u.op for u in run]
        chosen = {id(op): u.piece for op, u in zip(ops, run) if u.piece is not None}
        for op, pieces in staged(ops, online=False):
            pieces = (chosen[id(op)],) if id(op) in chosen else pieces
            blocks += [(piece.timeout, render_operation(op, piece, hazards=id(op) not in chosen)) for piece in pieces]
        run = []
        if undo is not None:
            blocks.append((None, "\n".join(textwrap.wrap(undo.why, 98, initial_indent="-- ",
                                                          subsequent_indent="-- ")) + "\n"))
    return blocks


def _parts_line(downs: list) -> str:
    inside = [str(n) for n, (outside, _) in enumerate(downs, 1) if not outside]
    outside = [str(n) for n, (outside, _) in enumerate(downs, 1) if outside]
    said = ([f"{_listed(inside)} in a transaction"] if inside else []) + \
        ([f"{_listed(outside)} outside a transaction"] if outside else [])
    return (f"-- {len(downs)} part(s), one per file of the up, its last file's first: {', '.join(said)}; "
            "each file's down runs its own.")


def _listed(numbers: list[str]) -> str:
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
