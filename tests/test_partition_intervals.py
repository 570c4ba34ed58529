"""A partitioned table's interval changed after it holds partitions, and rows with extreme dates,
on the real server (redteam12_A F2, F3, F7).

- make_partitions never asks for an overlapping partition: after `interval: 1 month` ->
  `1 week` the weekly buckets fill only what the monthly partitions leave free (the first one
  cut at the last monthly bound), and maintain_partitions() keeps both tables of the help desk
  ahead; a table whose maintenance fails is rolled back alone, with a WARNING naming it.
- the down of "stop partitioning" after an interval change gives back exactly the archived
  partitions (catalog equal to before the up, every row kept), and `atlas-compile verify`
  passes on that chain (a chain keeps the old interval's partitions, the fresh build has the
  new one's: held to the shape of one partition).
- a row dated 0001-01-01 and one at -infinity in a table being partitioned: the history reaches
  back at most HISTORY_LIMIT intervals, those rows stay in the default partition."""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from test_partition_convert import ROWS, chain_and_fresh, seed, specs

from compiler.lower.partition_functions import HISTORY_LIMIT
from compiler.postgres import diff_catalogs
from compiler.verify.chain import apply_sql
from compiler.verify.evolution import live_catalog
from tests.helpers import CASES, run_cli

SPEC = CASES / "verify" / "partitioned_helpdesk" / "v1"
MONTHLY = "    partition: {by: range, column: created_at, interval: 1 month, premake: 6}\n"
WEEKLY = "    partition: {by: range, column: created_at, interval: 1 week, premake: 4}\n"
RANGES = """SELECT c.relname, lower_bound, upper_bound FROM pg_inherits AS i JOIN pg_class AS c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''(.*)''\\) TO'))[1]::timestamptz
                               AS lower_bound,
                               (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''(.*)''\\)'))[1]::timestamptz
                               AS upper_bound) AS b
    WHERE i.inhparent = %s::regclass AND c.relname NOT LIKE '%%default' ORDER BY lower_bound"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The help desk released three times: 0001 both tables monthly, 0002 messages weekly,
    0003 messages no longer partitioned."""
    root = tmp_path_factory.mktemp("intervals")
    shutil.copytree(SPEC, root / "schema")
    tables = root / "schema" / "tables.yaml"
    for edit in (None, (MONTHLY, WEEKLY), (WEEKLY, "")):
        if edit:
            text = tables.read_text(encoding="utf-8")
            assert text.count(edit[0]) == 1
            tables.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
        result = run_cli("build", cwd=root)
        assert result.returncode == 0, result.stderr
    migrations = sorted(p.name for p in (root / "build" / "migrations").glob("*.up.sql"))
    assert len(migrations) == 3, migrations
    return root


def migration(project: Path, number: int, direction: str = "up") -> str:
    return next((project / "build" / "migrations").glob(f"{number:04d}_*.{direction}.sql")).read_text()


def ranges(conn, table: str) -> list[tuple]:
    return conn.execute(RANGES, (table,)).fetchall()


def test_maintenance_after_an_interval_change_keeps_both_tables_ahead(project, fresh_db):
    with fresh_db.connect() as conn:
        apply_sql(conn, migration(project, 1))
        monthly = ranges(conn, "public.messages")
        apply_sql(conn, migration(project, 2))
        warnings = []
        conn.add_notice_handler(lambda d: warnings.append(d.message_primary) if d.severity == "WARNING" else None)
        conn.execute("SELECT atlas_private.maintain_partitions()")   # the hourly job
        # this week began before this month: only its free day(s) before the first monthly one
        gap = [r for r in ranges(conn, "public.messages") if r not in monthly]
        assert all(upper <= monthly[0][1] and (upper - lower).days < 7 for _, lower, upper in gap), gap
        monthly = [r for r in ranges(conn, "public.messages")]
        # a day past the last monthly partition: the weekly buckets start where it ends
        conn.execute("SELECT atlas_private.maintain_partitions(%s + interval '1 day')", (monthly[-1][2],))
        conn.execute("SELECT atlas_private.maintain_partitions(now() + interval '1 year')")
        assert warnings == []
        messages, events = ranges(conn, "public.messages"), ranges(conn, "public.ticket_events")
        assert messages[:len(monthly)] == monthly       # the monthly partitions stay
        weekly = messages[len(monthly):]
        assert monthly[-1][0].endswith("01") and (monthly[-1][2] - monthly[-1][1]).days >= 28
        assert weekly[0][1] == monthly[-1][2] and weekly[0][2].isoweekday() == 1   # cut up to a Monday
        assert all(a[2] <= b[1] for a, b in zip(messages, messages[1:]))          # no range overlaps
        assert all((upper - lower).days <= 7 for _, lower, upper in weekly)
        ahead = conn.execute("SELECT now() + interval '1 year' + interval '3 weeks'").fetchone()[0]
        assert messages[-1][2] > ahead and events[-1][2] > ahead   # both tables advanced a year
        # one table's maintenance failing does not stop the other's
        conn.execute("""
            CREATE FUNCTION public.refuse_events() RETURNS event_trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands()
                           WHERE object_identity LIKE 'public.ticket_events_p%') THEN
                    RAISE EXCEPTION 'no new partition of ticket_events today';
                END IF;
            END $$;
            CREATE EVENT TRIGGER refuse_events ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
                EXECUTE FUNCTION public.refuse_events();""")
        conn.execute("SELECT atlas_private.maintain_partitions(now() + interval '2 years')")
        assert len(warnings) == 1 and "public.ticket_events" in warnings[0], warnings
        assert "no new partition of ticket_events today" in warnings[0]
        assert ranges(conn, "public.ticket_events") == events            # rolled back alone
        assert len(ranges(conn, "public.messages")) > len(messages)       # the other one advanced
        conn.execute("DROP EVENT TRIGGER refuse_events")
        conn.execute("SELECT atlas_private.maintain_partitions(now() + interval '2 years')")
        assert len(ranges(conn, "public.ticket_events")) > len(events)


def test_stop_partitioning_after_an_interval_change_goes_back_exactly(project, fresh_db):
    with fresh_db.connect() as conn:
        apply_sql(conn, migration(project, 1))
        apply_sql(conn, migration(project, 2))
        conn.execute("SELECT atlas_private.maintain_partitions(now() + interval '2 months')")   # weekly ones too
        conn.execute("""
            INSERT INTO public.workspaces (id, name) VALUES ('0a000000-0000-4000-8000-000000000001', 'acme');
            INSERT INTO public.tickets (workspace_id, subject) VALUES ('0a000000-0000-4000-8000-000000000001', 'hi');
            INSERT INTO public.messages (workspace_id, ticket_id, body, created_at)
            SELECT '0a000000-0000-4000-8000-000000000001', 1, 'message ' || i, now() + make_interval(days => i - 200)
            FROM generate_series(1, 400) AS i;""")
        start = live_catalog(conn)
        rows = "SELECT id::text, body, created_at::text FROM public.messages ORDER BY id"
        before = conn.execute(rows).fetchall()
        apply_sql(conn, migration(project, 3))
        assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.messages'::regclass").fetchone() == ("r",)
        assert conn.execute(rows).fetchall() == before
        conn.execute("INSERT INTO public.messages (workspace_id, ticket_id, body) VALUES "
                     "('0a000000-0000-4000-8000-000000000001', 1, 'after up')")
        expected = conn.execute(rows).fetchall()
        apply_sql(conn, migration(project, 3, "down"))
        assert conn.execute(rows).fetchall() == expected
        assert diff_catalogs(live_catalog(conn), start, ("down", "start")) == []


def test_verify_passes_on_an_interval_change_and_its_unpartitioning(project):
    result = run_cli("verify", "--format", "json", cwd=project, timeout=900)
    report = json.loads(result.stdout)
    failing = sorted(f"{c['subject']} {c['check']}: {c.get('detail', '')[:300]}" for c in report["checks"]
                     if c["status"] in ("fail", "error"))
    assert result.returncode == 0, "\n".join(failing)
    passed = {(c["subject"], c["check"]) for c in report["checks"] if c["status"] == "pass"}
    names = sorted(p.name[:-len(".up.sql")] for p in (project / "build" / "migrations").glob("*.up.sql"))
    for name in names:
        assert (name, "up_matches_fresh_build") in passed, name
        assert (name, "down_restores_catalog") in passed, name


def test_rows_dated_year_one_and_minus_infinity_do_not_block_partitioning(pg_cluster, tmp_path):
    plain, partitioned = specs(tmp_path)
    with chain_and_fresh(pg_cluster, tmp_path, plain, partitioned) as (first_up, up, down, *_, chain, _fresh), \
            chain.connect() as conn:
        apply_sql(conn, first_up)
        seed(conn, 2_000)
        for when in ("0001-01-01", "-infinity", "infinity"):   # as any member may write them
            conn.execute("INSERT INTO public.messages (organization_id, channel_id, body, created_at) VALUES "
                         "('0a000000-0000-4000-8000-000000000001', '0c000000-0000-4000-8000-000000000001', %s, %s)",
                         (f"dated {when}", when))
        rows = conn.execute(ROWS).fetchall()
        started = time.perf_counter()
        apply_sql(conn, up)
        print(f"up with {HISTORY_LIMIT} months of history: {time.perf_counter() - started:.1f} s")
        assert conn.execute(ROWS).fetchall() == rows
        made = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.messages'::regclass").fetchone()[0]
        assert made == HISTORY_LIMIT + 1 + 3 + 1   # the history limit, now, premake 3, the default
        kept = conn.execute("SELECT body FROM public.messages_default ORDER BY body").fetchall()
        assert [b for (b,) in kept] == ["dated -infinity", "dated 0001-01-01", "dated infinity"]
        # called directly with a bound that is not finite: nothing older than the limit
        assert conn.execute("SELECT atlas_private.make_partitions('public.messages', 'month', 1, 3, "
                            "'-infinity')").fetchone()[0] >= 0
        conn.execute("SELECT atlas_private.make_partitions('public.messages', 'month', 1, 3, 'infinity')")
        apply_sql(conn, down)
        assert conn.execute(ROWS).fetchall() == rows
