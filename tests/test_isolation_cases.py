"""Tenant isolation beyond the example: every small spec of tests/cases/snapshots (access rules,
FK cycles, reserved and hostile names, long names, soft delete and audit, ...) is applied and
attacked by the same model-driven probes as the example."""
from pathlib import Path

import pytest

from compiler.build import plan_build
from compiler.pipeline import compile_folder
from compiler.testing.isolation import probe_isolation

CASES = Path(__file__).resolve().parent / "cases" / "snapshots"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "schema").is_dir()))
def test_no_tenant_leaks(fresh_db, tmp_path, case):
    schema = CASES / case / "schema"
    up = plan_build(schema, tmp_path / "build").files["migrations/0001_initial.up.sql"].decode()
    model = compile_folder(schema)
    with fresh_db.connect() as conn:
        with conn.transaction():
            conn.execute(up)
        report = probe_isolation(conn, model)
    tenant_tables = {f"{o.schema}.{o.name}" for o in model.objects if o.family == "table" and o.kind == "tenant"}
    assert tenant_tables and set(report.tables_probed) == tenant_tables
    assert report.findings, "no probe ran"
    assert not report.failures, "\n".join(f.line() for f in report.failures)
