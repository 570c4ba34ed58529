"""Applies a build folder's released migrations in order (up) or in reverse (down), part by part
exactly as `atlas-compile migrate` does (compiler.migrate.apply), read through the build's layout."""
from __future__ import annotations

import json
from pathlib import Path

from ..migrate.apply import apply_text
from ..released import LOCK, migration_text


def released(build: Path) -> list[str]:
    """Migration names in release order, as the lock file records them."""
    return list(json.loads((build / LOCK).read_text(encoding="utf-8"))["migrations"])


def apply_sql(conn, sql: str) -> None:
    """One migration's text (or a seed: text without part markers is one transaction) on an
    autocommit connection, as the runner applies it."""
    apply_text(conn, sql)


def apply_file(conn, path: Path) -> None:
    apply_sql(conn, path.read_text(encoding="utf-8"))


def migrate_up(conn, build: Path, names: list[str] | None = None) -> list[str]:
    names = released(build) if names is None else names
    for name in names:
        apply_sql(conn, migration_text(build, name, "up"))
    return names


def migrate_down(conn, build: Path, names: list[str]) -> None:
    """Reverts `names` (released earlier) newest first."""
    for name in reversed(names):
        apply_sql(conn, migration_text(build, name, "down"))
