"""A database built in an earlier month holds other partitions than a fresh build made today:
`verify --database-url` and `drift` hold a partitioned table to the spec through its parent and
its default partition, and each date-named partition to the shape of a fresh build's
(compiler.postgres.catalog_partitions), not by name. What one partition holds beyond that shape
(no fence, an index of its own) is still named; round trips keep comparing exactly.

Help desk spec: tests/cases/verify/partitioned_helpdesk/v1 (messages and ticket_events
partitioned by month, premake 6), applied, filled across months, then maintained as of six
months ago (partitions made for those months, the default's rows moved into them), as a
database that has been kept for months would be; its newest partition dropped (a database whose
maintenance lags behind the fresh build's).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from compiler.pipeline import compile_with_hints
from compiler.postgres import diff_catalogs
from compiler.postgres.scratch import scratch_database
from compiler.verify.catalog_checks import compare_catalogs, live_catalog, reference_catalog
from compiler.verify.chain import apply_sql, migrate_up, migration_text
from compiler.verify.evolution import live_catalog as round_trip_catalog
from compiler.verify.partition_checks import held_reference
from tests.helpers import CASES, run_cli
from tests.test_partition_isolation import fill

SPEC = CASES / "verify" / "partitioned_helpdesk" / "v1"
EARLIER = "now() - interval '6 months'"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("partition_drift")
    shutil.copytree(SPEC, folder / "schema")
    result = run_cli("build", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def model(project):
    return compile_with_hints(project / "schema")[0]


def parts(conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "select n.nspname || '.' || c.relname from pg_partition_tree(%s::regclass) t "
        "join pg_class c on c.oid = t.relid join pg_namespace n on n.oid = c.relnamespace where t.level > 0 order by 1",
        (table,)).fetchall()]


def kept_for_months(conn, build: Path) -> list[str]:
    """Applied, filled, maintained as of six months ago; its newest messages partition dropped.
    The partitions it holds that a build made today has not."""
    migrate_up(conn, build)
    today = set(parts(conn, "public.messages"))
    fill(conn)
    conn.execute(f"select atlas_private.maintain_partitions({EARLIER})")
    newest = max(p for p in today if p != "public.messages_default")
    conn.execute(f"DROP TABLE {newest}")
    earlier = sorted(set(parts(conn, "public.messages")) - today)
    assert len(earlier) == 6, earlier
    held = conn.execute("select count(distinct tableoid) from public.messages where tableoid = any(%s::regclass[])",
                        (earlier,)).fetchone()[0]
    assert held == 2, held          # the two months that were in the default moved into their own
    return earlier


@pytest.fixture
def kept(project, fresh_db):
    conn = fresh_db.connect()
    return SimpleNamespace(db=fresh_db, conn=conn, earlier=kept_for_months(conn, project / "build"))


def verify(project: Path, url: str) -> tuple[int, dict]:
    result = run_cli("verify", "--format", "json", "--database-url", url, cwd=project, timeout=900)
    assert result.stdout.strip(), result.stderr
    return result.returncode, json.loads(result.stdout)


def drift(project: Path, url: str) -> tuple[int, dict]:
    result = run_cli("drift", "--format", "json", "--database-url", url, cwd=project, timeout=900)
    assert result.stdout.strip(), result.stderr
    return result.returncode, json.loads(result.stdout)


def failing(report: dict) -> set[str]:
    return {f"{c['subject']} {c['check']}" for c in report["checks"] if c["status"] in ("fail", "error")}


def test_a_database_kept_for_months_verifies_and_has_no_drift(project, kept):
    url = kept.db.conninfo()
    code, report = verify(project, url)
    assert code == 0, "\n".join(sorted(failing(report)))
    fenced = {c["check"] for c in report["checks"] if c["status"] == "pass" and c["subject"] == "public.messages"}
    for part in kept.earlier:      # the months a build made today has not: their fences are checked
        assert {f"partition_rls_enabled[{part}]", f"partition_rls_forced[{part}]",
                f"partition_privileges[{part}]"} <= fenced, part
    code, found = drift(project, url)
    assert code == 0 and found["ok"], json.dumps(found["groups"], indent=1)[:4000]
    assert found["compared_by_category"]["indexes"] > 100     # the partitions' indexes were compared


def test_an_unfenced_partition_and_an_index_of_one_partition_are_reported(project, kept):
    conn = kept.conn
    moved = kept.earlier[-1]        # a partition the maintenance made by moving the default's rows
    conn.execute(f"CREATE INDEX messages_body_idx ON {moved} (body)")
    conn.execute("CREATE TABLE public.messages_p20200101 PARTITION OF public.messages "
                 "FOR VALUES FROM ('2020-01-01 00:00:00+00') TO ('2020-02-01 00:00:00+00')")
    conn.execute("GRANT SELECT ON public.messages_p20200101 TO authenticated")
    url = kept.db.conninfo()

    code, report = verify(project, url)
    assert code == 1
    named = failing(report)
    assert {"public.messages partition_rls_enabled[public.messages_p20200101]",
            "public.messages partition_rls_forced[public.messages_p20200101]",
            "public.messages partition_privileges[public.messages_p20200101]",
            "public.messages_p20200101 widens_access",       # held to a fresh build's partition
            "public.messages_body_idx extra"} <= named, named
    assert not {n for n in named if n.split()[0] in kept.earlier and "body" not in n}, named

    code, found = drift(project, url)
    assert code == 1
    groups = {g["table"]: g["differences"] for g in found["groups"]}
    assert set(groups) == {"public.messages_p20200101", moved}, set(groups)
    assert [(d["object"], d["status"]) for d in groups[moved]] == [("public.messages_body_idx", "extra")]
    [relation] = groups["public.messages_p20200101"]     # its columns, keys, indexes, triggers are right
    assert relation["object"] == "public.messages_p20200101" and relation["status"] == "changed", relation
    assert relation["widens_access"], relation          # row level security off, a grant to authenticated


def test_held_reference_is_the_reference_on_the_same_day(project, model, pg_cluster, fresh_db):
    """A database built today holds the reference's very partitions: nothing is rewritten."""
    schemas = model.managed_schemas()
    migrate_up(fresh_db.connect(), project / "build")
    with scratch_database(pg_cluster, "reference") as reference:
        migrate_up(reference.connect(), project / "build")
        ref = reference_catalog(reference, schemas)
    live = live_catalog(fresh_db.connect(), schemas)
    assert held_reference(live, ref, model) == ref
    assert any(key.startswith("public.messages_p2") for key in ref["relations"])


def test_the_catalog_compare_sees_a_month_of_partitions_and_whose_fence_breaks(project, model, pg_cluster, kept):
    """In process: the held comparison passes on the kept database, then names a partition
    whose row level security is switched off as widening access."""
    schemas = model.managed_schemas()
    with scratch_database(pg_cluster, "reference") as reference:
        migrate_up(reference.connect(), project / "build")
        ref = reference_catalog(reference, schemas)
    assert not [c for c in compare_catalogs(live_catalog(kept.conn, schemas),
                                            held_reference(live_catalog(kept.conn, schemas), ref, model), model)
                if c.status == "fail"]
    kept.conn.execute(f"ALTER TABLE {kept.earlier[0]} DISABLE ROW LEVEL SECURITY")
    live = live_catalog(kept.conn, schemas)
    failed = [(c.subject, c.check) for c in compare_catalogs(live, held_reference(live, ref, model), model)
              if c.status == "fail"]
    assert failed == [(kept.earlier[0], "widens_access")], failed


def test_round_trips_still_compare_partitions_by_name(project, fresh_db):
    """The round trip's comparison is exact: partitions made on another day differ from today's,
    and a partition up made that down failed to remove is seen."""
    conn = fresh_db.connect()
    start = round_trip_catalog(conn)
    migrate_up(conn, project / "build")
    after_up = round_trip_catalog(conn)
    conn.execute(f"select atlas_private.maintain_partitions({EARLIER})")
    made = diff_catalogs(after_up, round_trip_catalog(conn), ("today", "earlier"))
    assert any(line.startswith("relations: public.messages_p") and line.endswith("only in earlier")
               for line in made), made

    # a partition taken out of the table (as a faulty down might leave one): down leaves it behind
    left = parts(conn, "public.messages")[-1]
    conn.execute(f"ALTER TABLE public.messages DETACH PARTITION {left}")
    for (name,) in conn.execute("select conname from pg_constraint where conrelid = %s::regclass and contype = 'f'",
                                (left,)).fetchall():
        conn.execute(f"ALTER TABLE {left} DROP CONSTRAINT {name}")
    apply_sql(conn, migration_text(project / "build", "0001_initial", "down"))
    lines = diff_catalogs(round_trip_catalog(conn), start, ("down", "start"))
    assert f"relations: {left}: only in down" in lines, lines
