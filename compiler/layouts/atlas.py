"""atlas: `<out>/migrations/NNNN_<slug>.up.sql` and `.down.sql`, the canonical texts as they are
(applied by `atlas-compile migrate` or psql). Its paths are relative to the build folder; it has
no versions of its own (the migration's number is its version)."""
from __future__ import annotations

from .base import Canonical, Read, Texts

MIGRATIONS = "migrations"


class Atlas:
    name = "atlas"
    folder = MIGRATIONS

    def write(self, migration: Canonical, first: str | None = None, folder: str = MIGRATIONS) -> list[tuple[str, str]]:
        return [(f"{folder}/{migration.name}.up.sql", migration.up),
                (f"{folder}/{migration.name}.down.sql", migration.down)]

    def files(self, name: str, first: str | None, folder: str, exists) -> list[str]:
        return [f"{folder}/{name}.up.sql", f"{folder}/{name}.down.sql"]

    def read(self, name: str, first: str | None, folder: str, read: Read, exists) -> Texts:
        up, down = self.files(name, first, folder, exists)
        return Texts([up, down], read(up), read(down), [])


LAYOUT = Atlas()
