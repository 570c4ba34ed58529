"""dbmate: `db/migrations/<YYYYMMDDHHMMSS>_<slug>.sql`, one file per unit holding both
directions: `-- migrate:up` (`-- migrate:up transaction:false` for a statement that refuses a
transaction, alone in its file) and `-- migrate:down` (`transaction:false` likewise). dbmate runs
each section in a transaction of its own unless told otherwise, so the files hold no BEGIN or
COMMIT. Each file's down takes back that file alone (compiler/unit_downs.py), so `dbmate
rollback` steps back one file at a time."""
from __future__ import annotations

import re

from . import versions
from .base import Read, RunnerLayout

UP, DOWN, OUTSIDE = "-- migrate:up", "-- migrate:down", " transaction:false"
_DOWN = re.compile(f"\n{DOWN}(?:{OUTSIDE})?\n")


class Dbmate(RunnerLayout):
    name = "dbmate"
    folder = "db/migrations"
    clock = versions.TIMESTAMP
    per_statement = True
    wraps = True

    def pack(self, folder, stem, up, down, outside, down_outside):
        # The newline before the down directive is the format's, not the up's: unpack drops it.
        flags = [OUTSIDE if outside else "", OUTSIDE if down_outside else ""]
        return [(f"{folder}/{stem}.sql", f"{UP}{flags[0]}\n{up}\n{DOWN}{flags[1]}\n{down}")]

    def unit_files(self, folder, stem, exists):
        return [f"{folder}/{stem}.sql"]

    def unpack(self, folder, stem, read: Read):
        path = f"{folder}/{stem}.sql"
        first, _, rest = read(path).partition("\n")
        sections = _DOWN.split(rest, maxsplit=1)
        if first not in (UP, UP + OUTSIDE) or len(sections) != 2:
            raise ValueError(f"{path} does not hold a {UP} and a {DOWN} section")
        return sections[0], sections[1]


LAYOUT = Dbmate()
