"""The backfills of one table, run as one (the column kind's Kind.gather): one batched UPDATE, and
one trigger that fills the application's writes while the UPDATE runs.

One UPDATE: the columns of one table that a migration backfills are filled by one batched UPDATE
when one of them is NOT NULL: its check, added NOT VALID in the main transaction, holds every row
version written afterwards, so a backfill of another column alone would be refused (23514).

One trigger: that check holds the application's writes too. Until the backfill reaches a row, an
ordinary `UPDATE t SET other = ... WHERE id = ...` of it (an UPDATE applies no default) writes a
version whose new column is still NULL, and an INSERT by an application that does not know a
backfill_sql column gives it nothing: both would be refused for as long as the backfill runs
(minutes on a big table). So the main transaction also creates, as online schema tools do, a
BEFORE INSERT OR UPDATE row trigger that fills a row not filled yet as the backfill would: each
column from its backfill_sql with the row's columns read from NEW, or from its volatile default.
The checks then refuse nothing the application writes. The batched UPDATE still fills the rows
nobody writes (with row triggers off for a superuser: it sets every column itself), and the last
transaction drops the trigger and its function once NOT NULL holds; a down drops them if they are
still there (a down after a failed finish). The trigger is `backfill_<table>`, its function
`atlas_private.backfill_<table>()`. PostgreSQL fires the triggers of one event in name order, so
it runs before `update_<table>_updated_at`: a backfill_sql reading updated_at sees the row's own
value, as the batched UPDATE does, and updated_at is set as always. It changes NEW only: the audit
trigger (AFTER) records the application's write, nothing of its own."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..expressions import read_from_row
from ..model import PRIVATE
from ..names import backfill_trigger_name
from ..sqltext import ident, qualified


@dataclass(frozen=True)
class FillTrigger:
    """The trigger that fills the backfilled columns of one table on every write."""

    schema: str
    table: str
    columns: tuple = ()   # the AddColumn operations it fills, in order (a down drops it by name alone)

    @property
    def name(self) -> str:
        return backfill_trigger_name(self.table)

    @property
    def function(self) -> str:
        return qualified(PRIVATE, self.name)

    @property
    def pending(self) -> tuple[str, ...]:
        """The columns whose NULL in NEW marks a row not filled yet: the NOT NULL ones (as the
        batched UPDATE chooses its rows; a nullable one's value may be null)."""
        return tuple(op.column.name for op in self.columns if not op.column.nullable)

    @property
    def assignments(self) -> tuple[tuple[str, str], ...]:
        """(column, value) the trigger sets on a row not filled yet: the backfill_sql read from
        NEW, else the default. Filling several, what the write gives a column is kept (an
        application that already writes one of them)."""
        found = []
        for op in self.columns:
            value = read_from_row(op.backfill, self.schema, self.table) if op.backfill else op.column.default
            if len(self.columns) > 1:
                value = f"COALESCE(new.{ident(op.column.name)}, {value})"
            found.append((op.column.name, value))
        return tuple(found)

    @property
    def comment(self) -> str:
        return (f"Fills {_listed([op.column.name for op in self.columns])} on writes while a migration backfills them; "
                "its last part drops it (atlas-compile).")


def gather_backfills(placed: list) -> list:
    if not any(op.family == "column" for op, _ in placed):   # a build from nothing adds none
        return placed
    return _with_fill_triggers(_fill_together(placed))


def _fill_together(placed: list) -> list:
    """The backfills of one table as one, run by the first column's piece (the others keep their
    main transaction, validation and NOT NULL pieces), when one of the columns is NOT NULL: see
    the module's docstring. Nullable columns alone are checked by nothing and are filled one by
    one, as a single column is."""
    result = list(placed)
    for first, *rest in _by_table(placed, "backfill").values():
        ops = [placed[position][0] for position in (first, *rest)]
        if not rest or all(op.column.nullable for op in ops):
            continue
        note = (f"fills {_listed([op.column.name for op in ops])} in one UPDATE: a backfill of one column alone",
                "would write rows that fail the other NOT NULL columns' checks (NOT VALID: checked on every write)")
        result[first] = (ops[0], tuple(replace(piece, together=tuple(ops[1:]), note=piece.note + note)
                                       if piece.form == "backfill" else piece for piece in placed[first][1]))
        for position in rest:
            op, pieces = placed[position]
            result[position] = (op, tuple(piece for piece in pieces if piece.form != "backfill"))
    return result


def _with_fill_triggers(placed: list) -> list:
    """The trigger of each table whose backfilled columns include a NOT NULL one: created by the
    main transaction piece of its last column, dropped by the last NOT NULL piece of the last
    transaction. In a down (or a file's down), the first column dropped of such a table drops
    the trigger and its function if they are still there."""
    result = list(placed)
    for (schema, table), positions in _by_table(placed, "add_for_backfill").items():
        ops = [placed[position][0] for position in positions]
        if all(op.column.nullable for op in ops):
            continue
        trigger = FillTrigger(schema, table, tuple(ops))
        finishing = [position for position in positions if _has(placed[position][1], "finish_not_null")]
        checks = "check refuses" if len(trigger.pending) == 1 else "checks refuse"
        _carry(result, positions[-1], "add_for_backfill", trigger, (
            f"and the trigger {trigger.name}: a write to a row the backfill has not reached yet fills "
            f"{_listed([op.column.name for op in ops])}",
            f"as the backfill would, so the NOT VALID {checks} none of the application's writes"))
        _carry(result, finishing[-1] if finishing else positions[-1], "finish_not_null", trigger, (
            f"and drops the trigger {trigger.name} and its function: NOT NULL holds every row now",))
    for (schema, table), positions in _by_table(placed, None).items():
        if any(not placed[position][0].column.nullable for position in positions):
            _carry(result, positions[0], "plain", FillTrigger(schema, table), (
                f"and the trigger {backfill_trigger_name(table)} and its function, if the up left them "
                "(its last part drops them)",))
    return result


def _by_table(placed: list, form: str | None) -> dict:
    """(schema, table) -> positions of the columns added with a piece of this form; None: the
    columns dropped whose adding would be backfilled (by a trigger, when one is NOT NULL)."""
    found: dict = {}
    for position, (op, pieces) in enumerate(placed):
        if op.family != "column":
            continue
        if form is None:
            chosen = op.verb == "drop" and _has(op.reverse().online() or (), "add_for_backfill")
        else:
            chosen = op.verb == "add" and _has(pieces, form)
        if chosen:
            found.setdefault((op.schema, op.table), []).append(position)
    return found


def _has(pieces, form: str) -> bool:
    return any(piece.form == form for piece in pieces)


def _carry(result: list, position: int, form: str, trigger: FillTrigger, note: tuple[str, ...]) -> None:
    op, pieces = result[position]
    result[position] = (op, tuple(replace(piece, fill_trigger=trigger, note=piece.note + note)
                                  if piece.form == form else piece for piece in pieces))


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
