"""plpgsql_check (postgresql-15-plpgsql-check) over every plpgsql function a build generates:
CREATE FUNCTION checks only a plpgsql body's syntax, so a wrong column, a type mismatch or a
dead statement would show only when the function runs. Each function is checked as it runs:
a trigger function against every table whose trigger calls it (NEW and OLD are that table's
rows), any other one alone. Errors and warnings fail; performance hints are printed only."""
from __future__ import annotations

import pytest
from helpers import ROOT, SNAPSHOT_CASES, initial_up, snapshot_cases

from compiler.verify.chain import apply_sql

GENERATED = ("public", "atlas_private", "atlas_archive")
CHECKED = """
SELECT p.oid::regprocedure::text, coalesce(t.tgrelid::regclass::text, ''), r.level, r.message,
       coalesce(r.statement, ''), coalesce(r.lineno, 0)
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace AND n.nspname = ANY (%s)
LEFT JOIN LATERAL (SELECT DISTINCT tgrelid FROM pg_catalog.pg_trigger WHERE tgfoid = p.oid) AS t ON true
CROSS JOIN LATERAL plpgsql_check_function_tb(p.oid, coalesce(t.tgrelid, 0), fatal_errors => false,
    extra_warnings => true, performance_warnings => true, security_warnings => true) AS r
ORDER BY 1, 2, r.lineno
"""
COUNTED = """
SELECT count(*) FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace AND n.nspname = ANY (%s)
"""
# The example and every small spec: the generated functions of each feature (audit, soft delete,
# the scalar tenant modes, refresh, partition maintenance, ...) appear in one of them.
SPECS = {"example": ROOT / "schema", **{case: SNAPSHOT_CASES / case / "schema" for case in snapshot_cases()}}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_generated_plpgsql_passes_plpgsql_check(fresh_db, tmp_path, name):
    with fresh_db.connect() as conn:
        apply_sql(conn, initial_up(SPECS[name], tmp_path / "build"))
        conn.execute("CREATE EXTENSION plpgsql_check")
        assert conn.execute(COUNTED, (list(GENERATED),)).fetchone()[0] > 0, "no plpgsql function to check"
        findings = conn.execute(CHECKED, (list(GENERATED),)).fetchall()
    for finding in findings:
        print(*finding, sep=" | ")   # pytest -s: the hints too
    failed = [f for f in findings if f[2] in ("error", "warning")]
    assert not failed, "\n".join(" | ".join(map(str, f)) for f in failed)
