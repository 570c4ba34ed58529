"""Which released migrations a live database has applied, read from ``atlas_migrate.history``
(as `atlas-compile migrate` records it) against the lock, and so the model the database is held
to: the model right after its last applied migration.  Without the history table the database
is held to the lock's model, and a SKIP says so."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .. import released
from ..migrate import history
from ..model import Model
from .checks import ERROR, FAIL, PASS, SKIP, Check

SUBJECT = history.TABLE
RUN_MIGRATE = "run atlas-compile migrate"


@dataclass
class Position:
    """What the history says: checks, and the model to hold the database to (None: unknown)."""

    checks: list[Check] = field(default_factory=list)
    model: Model | None = None
    at_lock: bool = True      # the held model is the lock's (every released migration applied)
    last: str | None = None   # the last applied released migration


def applied_position(conn, out: Path) -> Position:
    steps = released.model_history(out)
    names = [name for name, _ in steps]
    lock_model = steps[-1][1] if steps else None
    if not history.exists(conn):
        if lock_model is not None and not _any_table_exists(conn, lock_model):
            # an empty database (or the wrong one): one failure, not one per missing object
            return Position([Check("chain", "database", "applied_migrations", FAIL,
                                   f"none of the spec's {len(lock_model.of('table'))} tables exists and "
                                   f"{history.TABLE} is absent: no migration is applied (wrong database?); "
                                   f"{RUN_MIGRATE}")], None, False, None)
        return Position([Check("chain", SUBJECT, "applied_migrations", SKIP,
                               f"{history.TABLE} is absent (the migrations were not applied by atlas-compile "
                               "migrate): which migrations are applied is not known; the database is held to "
                               "the lock's model")], lock_model, True, names[-1] if names else None)
    try:
        rows = history.read(conn)
    except psycopg.errors.InsufficientPrivilege as exc:
        return Position([Check("chain", SUBJECT, "applied_migrations", ERROR,
                               f"cannot read {history.TABLE} ({exc.diag.message_primary}): grant USAGE on schema "
                               f"{history.SCHEMA} and SELECT on {history.TABLE} to this role; the database is "
                               "held to the lock's model")], lock_model, True, names[-1] if names else None)
    checks = [_applied_check(row, names, out) for row in rows]
    applied = {row.version for row in rows if row.version in names}
    pending = [name for name in names if name not in applied]
    checks += [Check("chain", name, "pending_migration", FAIL, f"released in {out} but not applied: {RUN_MIGRATE}")
               for name in pending]
    done = [i for i, name in enumerate(names) if name in applied]
    last = done[-1] if done else None
    if not [c for c in checks if c.failed]:
        checks.append(Check("chain", SUBJECT, "applied_migrations", PASS,
                            f"all {len(names)} released migrations applied, the last {names[-1]}"))
    if last is None:
        return Position(checks, None, False, None)
    return Position(checks, steps[last][1], last == len(names) - 1, names[last])


def _any_table_exists(conn, model: Model) -> bool:
    names = [".".join('"' + part.replace('"', '""') + '"' for part in (t.schema, t.name)) for t in model.of("table")]
    return bool(conn.execute("select count(*) from unnest(%s::text[]) as n where to_regclass(n) is not null",
                             [names]).fetchone()[0])


def _applied_check(row: history.Applied, names: list[str], out: Path) -> Check:
    if row.version not in names:
        return Check("chain", row.version, "unknown_migration", FAIL,
                     f"applied to the database but not released in {out}")
    digest = history.checksum(released.migration_text(out, row.version, "up").encode())
    if digest != row.checksum:
        return Check("chain", row.version, "edited_migration", FAIL,
                     f"applied with sha256 {row.checksum[:12]}, the released file has {digest[:12]}")
    if not row.complete:
        return Check("chain", row.version, "partial_migration", FAIL,
                     f"stopped half way ({row.parts_done}/{row.parts_total} parts done): {RUN_MIGRATE}")
    return Check("chain", row.version, "applied", PASS, f"applied {row.applied_at:%Y-%m-%d %H:%M:%S %Z}".strip())
