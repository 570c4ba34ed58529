"""golang-migrate: `migrations/<NNNNNN>_<slug>.up.sql` and `.down.sql` per unit (the version
zero-padded to 6 digits). golang-migrate sends a file as it is, one implicit transaction for a
file of several statements: transaction parts keep their BEGIN and COMMIT, and a statement that
refuses a transaction is alone in its file, its down too. Each down takes back its up alone
(compiler/unit_downs.py), so `migrate down 1` steps back one file at a time."""
from __future__ import annotations

from .base import Read, RunnerLayout


class GolangMigrate(RunnerLayout):
    name = "golang-migrate"
    folder = "migrations"
    width = 6
    per_statement = True
    wraps = False

    def pack(self, folder, stem, up, down, outside, down_outside):
        return [(f"{folder}/{stem}.up.sql", up), (f"{folder}/{stem}.down.sql", down)]

    def unit_files(self, folder, stem, exists):
        return [f"{folder}/{stem}.up.sql", f"{folder}/{stem}.down.sql"]

    def unpack(self, folder, stem, read: Read):
        return read(f"{folder}/{stem}.up.sql"), read(f"{folder}/{stem}.down.sql")


LAYOUT = GolangMigrate()
