"""Supabase: `supabase/migrations/<YYYYMMDDHHMMSS>_<slug>.sql`, one file per unit, each run by the
Supabase CLI in a transaction of its own (so no BEGIN or COMMIT in it, and a statement that
refuses a transaction, CREATE INDEX CONCURRENTLY, alone in its file). The downs, which the CLI
has no notion of, stay beside in `supabase/rollbacks/<first version>_<slug>.down.sql`: the
canonical down as it is (psql-runnable, part markers kept), one per migration. The CLI lifts only
CONCURRENTLY statements (and a few others) out of its transaction, not a DO block: a batched
backfill's own COMMITs are commented, so its batches commit together."""
from __future__ import annotations

import posixpath

from . import versions
from .base import Canonical, Read, RunnerLayout


class Supabase(RunnerLayout):
    name = "supabase"
    folder = "supabase/migrations"
    clock = versions.TIMESTAMP
    per_statement = True
    wraps = True
    unit_downs = False
    commits = False           # the CLI runs even a lone DO block in a transaction (tests/test_layout_runners.py)

    def pack(self, folder, stem, up, down, outside, down_outside):
        return [(f"{folder}/{stem}.sql", up)]

    def unit_files(self, folder, stem, exists):
        return [f"{folder}/{stem}.sql"]

    def unpack(self, folder, stem, read: Read):
        return read(f"{folder}/{stem}.sql"), ""

    def rollbacks(self, folder: str) -> str:
        return posixpath.join(posixpath.dirname(folder), "rollbacks")

    def extra(self, folder, migration: Canonical, stems):
        return [(f"{self.rollbacks(folder)}/{stems[0]}.down.sql", migration.down)]

    def extra_files(self, folder, stems):
        return [f"{self.rollbacks(folder)}/{stems[0]}.down.sql"]

    def read_extra(self, folder, stems, read: Read):
        return read(self.extra_files(folder, stems)[0])

    def watched(self, folder):
        return [folder, self.rollbacks(folder)]


LAYOUT = Supabase()
