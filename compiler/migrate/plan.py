"""What a migrate run will do: the released chain of build/ against the database's history. Refuses
a history that the chain does not explain (an applied migration edited, removed or out of order)
before anything runs. Pure: no database."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..migration_parts import Migration, split_migration
from ..released import migration_path, migration_text
from .history import Applied, checksum


class MigrateError(Exception):
    """A stop the user must act on; the message is one line naming the migration."""


@dataclass(frozen=True)
class Step:
    version: str
    direction: str            # "up" or "down"
    path: Path
    digest: str               # checksum of the migration's up file, as the history records it
    migration: Migration
    first_part: int = 1       # resumes a migration stopped half way


def check_history(out: Path, released: list[str], applied: list[Applied]) -> None:
    for index, row in enumerate(applied):
        if row.version not in released:
            raise MigrateError(f"migration {row.version} is applied to the database but is not released in {out}")
        if released[index] != row.version:
            raise MigrateError(f"migration {released[index]} is not applied but the later {row.version} is")
        digest = up_checksum(out, row.version)
        if digest != row.checksum:
            raise MigrateError(f"migration {row.version} was edited after it was applied "
                               f"(applied sha256 {row.checksum[:12]}, {up_path(out, row.version)} has {digest[:12]}): "
                               "released migrations are immutable; restore the file as it was applied")
        if not row.complete and index != len(applied) - 1:
            raise MigrateError(f"migration {row.version} stopped half way but later ones are applied")


def up_path(out: Path, version: str, direction: str = "up") -> Path:
    """The file to name for a migration's up (or down), in the build's layout."""
    return migration_path(out, version, direction)


def up_checksum(out: Path, version: str) -> str:
    """What the history records of a migration: the checksum of its canonical up (for the atlas
    layout, of the up file's bytes)."""
    return checksum(migration_text(out, version, "up").encode())


def resolve(released: list[str], version: str) -> int:
    """The index of a migration named in full or by its number (`0003`)."""
    hits = [i for i, name in enumerate(released) if name == version or name.split("_", 1)[0] == version]
    if len(hits) != 1:
        raise MigrateError(f"--to {version}: no released migration of that name or number")
    return hits[0]


def plan_steps(out: Path, released: list[str], applied: list[Applied], *, down: int | None = None,
               to: str | None = None) -> list[Step]:
    """Up: the unfinished migration resumed, then every pending one (through `to`). Down: the last
    `down` applied migrations, or those after `to`, newest first."""
    check_history(out, released, applied)
    if to is not None:
        target = resolve(released, to) + 1
        down = len(applied) - target if target < len(applied) else None
        if down is None:
            return _up(out, released[:target], applied)
    if down is None:
        return _up(out, released, applied)
    if down > len(applied):
        raise MigrateError(f"--down {down}: only {len(applied)} migration(s) are applied")
    steps = []
    for row in reversed(applied[len(applied) - down:]):
        if not row.complete:
            raise MigrateError(f"migration {row.version} stopped at part {row.parts_done + 1}/{row.parts_total}: "
                               "run migrate to finish it before rolling it back")
        steps.append(_step(out, row.version, "down", row.checksum))
    return steps


def _up(out: Path, wanted: list[str], applied: list[Applied]) -> list[Step]:
    steps = []
    if applied and not applied[-1].complete and applied[-1].version in wanted:
        row = applied[-1]
        steps.append(_step(out, row.version, "up", row.checksum, first_part=row.parts_done + 1))
    for version in wanted[len(applied):]:
        steps.append(_step(out, version, "up", up_checksum(out, version)))
    return steps


def _step(out: Path, version: str, direction: str, digest: str, first_part: int = 1) -> Step:
    path = up_path(out, version, direction)
    try:
        migration = split_migration(migration_text(out, version, direction))
    except ValueError as exc:
        raise MigrateError(f"migration {version} ({path}) cannot be read: {exc}") from None
    return Step(version, direction, path, digest, migration, first_part)
