"""The released state in the build folder: migrations in order, the lock's model and history
(the model after each released migration), and the checksums that keep released files
immutable."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import checksums, lockfile
from .diagnostics import CompileError, Diagnostic, Location
from .model import Model
from .source.loader import display_path

LOCK = "schema.lock.json"
SUM = "migrations.sum"
MIGRATIONS = "migrations"
_MIGRATION = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$")


@dataclass
class BuildState:
    """The released state in build/: migrations in order, the lock's model and history."""

    migrations: list[str]
    model: Model | None
    history: list[lockfile.HistoryEntry] = field(default_factory=list)


def read_state(out: Path) -> BuildState:
    lock_path = out / LOCK
    sum_path = out / SUM
    if not lock_path.exists():
        released = sorted((out / MIGRATIONS).glob("*.sql")) if (out / MIGRATIONS).is_dir() else []
        if released or sum_path.exists():
            raise CompileError([Diagnostic("E902", f"{LOCK} is missing but {out} holds released migrations",
                                           Location(display_path(lock_path)), "restore it from version control")])
        return BuildState([], None)
    shown = display_path(lock_path)
    lock = lockfile.load_lock(lock_path.read_bytes(), shown)
    verify_sum(out, lock.migrations)
    return BuildState(lock.migrations, lock.model, lock.history)


def model_history(out: Path) -> list[tuple[str, Model | None]]:
    """Every released migration in order with the model right after it: the lock's model for the
    last, and for each build the history records, the model before it for the migration just
    before that build. None where unknown: before history was recorded (a lock of format 1
    written without it), and between the two migrations of a build that wrote two. The model
    before the first migration is empty (not listed). The sum is verified, as for a build."""
    state = read_state(out)
    if state.model is None:
        return []
    known = {state.migrations[-1]: state.model}
    model = state.model
    for entry in reversed(state.history):   # lockfile.check_history proved the chain has no gaps
        model = lockfile.model_before(model, entry)
        start = state.migrations.index(entry.first or entry.after)
        known[state.migrations[start - 1]] = model
    return [(name, known.get(name)) for name in state.migrations]


def released_files(out: Path, migrations: list[str]) -> list[tuple[str, bytes]]:
    files = []
    for name in migrations:
        for direction in ("up", "down"):
            rel = f"{MIGRATIONS}/{name}.{direction}.sql"
            path = out / rel
            if not path.exists():
                raise _sum_error(out, f"released migration {rel} is missing")
            files.append((rel, path.read_bytes()))
    files.append((LOCK, (out / LOCK).read_bytes()))
    return files


def verify_sum(out: Path, migrations: list[str]) -> None:
    sum_path = out / SUM
    if not sum_path.exists():
        raise _sum_error(out, f"{SUM} is missing next to {LOCK}")
    try:
        recorded = checksums.parse(sum_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise _sum_error(out, f"{SUM} is unreadable: {exc}") from None
    names = [name for name, _ in recorded]
    expected = [rel for rel, _ in released_files(out, migrations)]
    if names != expected:
        if sorted(names) == sorted(expected):
            raise _sum_error(out, "released migrations were reordered")
        missing = [n for n in names if n not in expected]
        if missing:
            raise _sum_error(out, f"released migration {missing[0]} was removed")
        unlisted = [n for n in expected if n not in names]
        raise _sum_error(out, f"{unlisted[0]} is released in {LOCK} but not recorded in {SUM}")
    differs = checksums.first_difference(recorded, checksums.compute(released_files(out, migrations)))
    if differs:
        raise _sum_error(out, f"released file {differs} was edited after it was released", path=out / differs)
    on_disk = sorted(p.name for p in (out / MIGRATIONS).glob("*.sql")) if (out / MIGRATIONS).exists() else []
    listed = {Path(n).name for n in names}
    for name in on_disk:
        match = _MIGRATION.match(name)
        stem = f"{match[1]}_{match[2]}" if match else None
        if name not in listed and (stem is None or stem < (migrations[-1] if migrations else "")):
            raise _sum_error(out, f"{MIGRATIONS}/{name} is not a released migration of {SUM}",
                             path=out / MIGRATIONS / name)


def _sum_error(out: Path, message: str, path: Path | None = None) -> CompileError:
    where = Location(display_path(path or out / SUM))
    return CompileError([Diagnostic("E901", message, where,
                                    "released migrations are immutable: restore them from version control "
                                    "and change the spec instead")])


def table_place(table: str, hints, schema: Path, out: Path) -> Location:
    """A table's definition in the spec; a removed table's entry in the lock, where it was."""
    place = hints.places.get(("tables", table))
    if place is None:
        lock = out / LOCK
        place = lockfile.place_of(lock.read_text(encoding="utf-8"), display_path(lock), "table", table)
    return place or Location(display_path(schema))
