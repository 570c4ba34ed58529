"""W108: a materialized view over a soft-delete table that never reads deleted_at counts the
soft-deleted rows (found by the issue 12 red team: a shop's sales kept counting deleted orders).
The claim is shown on the real server first: the view is filled past row level security, so a
soft-deleted row is counted until the query filters it; then the warning's place and silence."""
from __future__ import annotations

import shutil
from pathlib import Path

from helpers import MIGRATION_CASES, initial_up, run_cli

from compiler.pipeline import compile_with_warnings
from compiler.postgres import scratch_database
from compiler.verify.chain import apply_sql

BASE = MIGRATION_CASES / "_base" / "schema"
ORDERS = """tables:
  orders:
    soft_delete: true
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      amount: {type: integer, nullable: false}
    access: {all: member}
views:
  order_totals:
    materialized: true
    query: |
      select organization_id, sum(amount) as total from orders WHERE_CLAUSE group by organization_id
    indexes:
      - {columns: [organization_id], unique: true}
"""


def schema(tmp_path: Path, where: str = "", warnings: str = "") -> Path:
    folder = tmp_path / "schema"
    shutil.copytree(BASE, folder)
    (folder / "orders.yaml").write_text(ORDERS.replace("WHERE_CLAUSE", where) + warnings)
    return folder


def w108(folder: Path) -> list:
    return [w for w in compile_with_warnings(folder)[2] if w.code == "W108"]


def test_the_view_counts_soft_deleted_rows_until_it_filters_them(tmp_path, pg_cluster):
    plain, filtered = schema(tmp_path / "plain"), schema(tmp_path / "filtered", "where deleted_at is null")
    for folder, expected in ((plain, 5), (filtered, 3)):
        with scratch_database(pg_cluster, "w108") as db:
            conn = db.connect()
            apply_sql(conn, initial_up(folder, tmp_path / f"out_{folder.parent.name}"))
            org = conn.execute("insert into organizations (name) values ('A') returning id").fetchone()[0]
            conn.execute("insert into orders (organization_id, amount) values (%s, 3), (%s, 2)", (org, org))
            conn.execute("update orders set deleted_at = now() where amount = 2")   # soft-deleted
            conn.execute("refresh materialized view atlas_private.order_totals")
            total = conn.execute("select total from atlas_private.order_totals").fetchone()[0]
            assert total == expected, (folder, total)


def test_w108_at_the_query_and_not_on_the_filtered_or_silenced_forms(tmp_path):
    plain = schema(tmp_path / "plain")
    [warning] = w108(plain)
    query_line = next(i for i, line in enumerate(ORDERS.splitlines(), 1) if line.strip() == "query: |")
    assert warning.location.line == query_line and "orders" in warning.message and "deleted_at" in warning.message
    assert w108(schema(tmp_path / "filtered", "where deleted_at is null")) == []
    assert w108(schema(tmp_path / "silenced", warnings="    warnings: {ignore: [W108]}\n")) == []
    result = run_cli("build", "--schema", str(plain), "--out", str(tmp_path / "out"))
    assert result.returncode == 0 and "warning[W108]" in result.stderr, result.stderr
