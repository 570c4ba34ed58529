"""Flyway: `sql/V<n>__<slug>.sql` per unit with its undo `sql/U<n>__<slug>.sql`, and
`sql/V<n>__<slug>.sql.conf` saying `executeInTransaction=false` for a part that runs outside a
transaction (Flyway runs such a file statement by statement, so an outside part stays one unit,
its session SETs included). Flyway runs every other file in a transaction of its own, so the
files hold no BEGIN or COMMIT. Each undo takes back its V file alone (compiler/unit_downs.py),
so `flyway undo` steps back one file at a time; an undo that runs outside a transaction has its
own `sql/U<n>__<slug>.sql.conf`."""
from __future__ import annotations

import re

from .base import Read, RunnerLayout

CONF = "executeInTransaction=false\n"


class Flyway(RunnerLayout):
    name = "flyway"
    folder = "sql"
    per_statement = False
    wraps = True
    version_pattern = re.compile(r"^[VU](\d+)(?:[._]\d+)*__")   # V1.2__ counts as 1: ours is above it

    def stem(self, version, slug, number):
        return f"{version}__{slug}" + (f"_part{number}" if number > 1 else "")

    def pack(self, folder, stem, up, down, outside, down_outside):
        files = [(f"{folder}/V{stem}.sql", up)]
        files += [(f"{folder}/V{stem}.sql.conf", CONF)] if outside else []
        files += [(f"{folder}/U{stem}.sql", down)]
        return files + ([(f"{folder}/U{stem}.sql.conf", CONF)] if down_outside else [])

    def unit_files(self, folder, stem, exists):
        files = []
        for script in (f"{folder}/V{stem}.sql", f"{folder}/U{stem}.sql"):
            files += [script, *([f"{script}.conf"] if exists(f"{script}.conf") else [])]
        return files

    def unpack(self, folder, stem, read: Read):
        return read(f"{folder}/V{stem}.sql"), read(f"{folder}/U{stem}.sql")


LAYOUT = Flyway()
