"""Every small spec of tests/cases/snapshots (one feature each, plus hostile names: reserved
words, quotes, `$body$` in a function body, `; drop table` in strings) applied to a real
PostgreSQL: up, down back to the exact catalog, up again."""

import pytest
from helpers import SNAPSHOT_CASES as CASES
from helpers import snapshot_cases

from compiler.pipeline import next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.verify.chain import apply_sql


@pytest.mark.parametrize("case", snapshot_cases())
def test_case_applies_and_reverts(fresh_db, tmp_path, case):
    """In a database pg_cron cannot be created in (matview_refresh: a notice, no job);
    tests/test_cron_anywhere.py applies that case in the cron database too."""
    files = next_migration(CASES / case / "schema", tmp_path / "build").files
    up = files["migrations/0001_initial.up.sql"].decode()
    down = files["migrations/0001_initial.down.sql"].decode()
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        built = snapshot_catalog(conn)
        apply_sql(conn, down)
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []
