"""The ``lookups`` probe: functions the API may call, probed differentially (compiler.isolation.lookups).

Every function anon or a member may execute is called as every role of A and as anon with
B's, A's and unknown identifiers, then again with tenant B removed: an output that changes
answers about B.  On the example everything passes; on the red team's tracker project
(tests/cases/verify/tracker) the count-by-id function of the spec leaks B's count, and the
hand breakages b09 (an extra definer function returning every issue title) and b12 (the spec's
``my_workspace_names`` rewritten to return every workspace's name) are caught, each naming the
function, the actor, the statement and both outputs.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import initial_up

from compiler.isolation import FAIL, PASS, PROBES, SKIP, seed_tenants
from compiler.isolation.lookup_calls import MAX_ARGUMENT_SETS
from compiler.isolation.prober import Prober
from compiler.isolation.probes import run_probes
from compiler.pipeline import compile_folder
from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.chain import apply_sql, migrate_up

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / "tests" / "cases" / "verify" / "tracker" / "schema"
LOOKUPS = tuple(p for p in PROBES if p.family == "lookups")
ROLES = ("owner", "maintainer", "reporter")   # the tracker's ws_role, most privileged first

# the red team's hand breakages (/tmp/redteam/live/breaks/tracker.b09*, b12*)
B09_EXTRA_DEFINER = """
create function public.all_issue_titles() returns setof text language sql security definer
  set search_path = '' as $$ select summary from public.issues $$;
grant execute on function public.all_issue_titles() to anon, authenticated;
"""
B12_DEFINER_BODY = """
create or replace function public.my_workspace_names() returns setof text language sql stable
  security definer set search_path = '' as $$ select w.name from public.workspaces w $$;
"""
# open_issue_count as it should be: counts only in the caller's workspaces
COUNT_FIXED = """
create or replace function public.open_issue_count(p_project_id uuid) returns bigint language sql stable
  security definer set search_path = '' as $$
  select count(*) from public.issues i where i.project_id = p_project_id and i.state <> 'closed'
    and i.workspace_id in (select m.workspace_id from public.workspace_members m where m.user_id = auth.uid())
$$;
"""


def lookups_report(conn, model):
    """Seed A and B and run the sign-in control and the lookups family only."""
    seed = seed_tenants(conn, model)
    report = run_probes(Prober(conn, seed, None), LOOKUPS)
    return SimpleNamespace(report=report, seed=seed, A=seed.tenants["A"], B=seed.tenants["B"])


def findings(report, function: str, probe: str = "lookup_other_tenant", status: str | None = None):
    return [f for f in report.findings if f.table == function and f.probe == probe
            and (status is None or f.status == status)]


@pytest.fixture(scope="module")
def tracker(pg_cluster, tmp_path_factory):
    """The tracker's initial migration, applied once; each test probes inside a transaction
    it rolls back (breakages and seed included)."""
    db = pg_cluster.create_database(pg_cluster.unique_database_name("lookups"), template=SUPABASE_TEMPLATE)
    try:
        conn = db.connect()
        apply_sql(conn, initial_up(TRACKER, tmp_path_factory.mktemp("tracker") / "build"))
        yield SimpleNamespace(conn=conn, model=compile_folder(TRACKER))
    finally:
        db.drop()


def probed_with(tracker, breakage: str = ""):
    with tracker.conn.transaction(force_rollback=True):
        if breakage:
            tracker.conn.execute(breakage)
        return lookups_report(tracker.conn, tracker.model)


# -- the example ---------------------------------------------------------------------------


def test_the_example_passes(fresh_db):
    conn = fresh_db.connect()
    migrate_up(conn, ROOT / "build")
    model = compile_folder(ROOT / "schema")
    probed = lookups_report(conn, model)
    report = probed.report
    lookups = [f for f in report.findings if f.probe.startswith("lookup")]
    assert lookups and not [f.line() for f in lookups if f.status != PASS]
    # every security definer function members may call got a PASS as every role of A
    definers = {name for (name,) in conn.execute(
        "select format('%s.%s', n.nspname, p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
        "where p.prosecdef and n.nspname in ('public', 'atlas_private') "
        "and p.prorettype <> 'trigger'::regtype and has_function_privilege('authenticated', p.oid, 'execute')")}
    assert {"atlas_private.user_tenant_ids", "atlas_private.user_membership_ids"} <= definers
    for name in definers:
        passed = {f.actor for f in findings(report, name, status=PASS)}
        assert passed == {f"A:{r}" for r in probed.A.users}, name
    # the fence's lookups answer about A's own user (positive control)
    own = {f.table for f in report.findings if f.probe == "lookup_answers_own" and f.passed}
    assert {"atlas_private.user_tenant_ids", "atlas_private.user_membership_ids"} <= own


# -- the tracker ---------------------------------------------------------------------------


def test_a_count_by_id_leaks_the_other_tenants_count(tracker):
    probed = probed_with(tracker)
    report = probed.report
    leaks = findings(report, "public.open_issue_count", status=FAIL)
    assert {f"A:{r}" for r in ROLES} <= {f.actor for f in leaks}
    leak = next(f for f in leaks if f.actor == "A:owner")
    assert "open_issue_count(B public.projects.id)" in leak.detail
    assert "before [\"1\"], after [\"0\"]" in leak.detail
    assert str(probed.B.rows["public.projects"]["id"]) in leak.statement
    # the spec's other lookup is sound, and answers about A's own workspace
    assert findings(report, "public.my_workspace_names") and not findings(report, "public.my_workspace_names",
                                                                           status=FAIL)
    own = findings(report, "public.my_workspace_names", "lookup_answers_own", PASS)
    assert own and probed.A.rows["public.workspaces"]["name"] in own[0].detail
    # nothing else fails: the matview's rows function and the fence's lookups hold
    assert {f.table for f in report.failures} == {"public.open_issue_count"}


def test_the_count_fixed_passes(tracker):
    report = probed_with(tracker, COUNT_FIXED).report
    assert not report.failures, "\n".join(f.line() for f in report.failures)
    passed = {f.actor for f in findings(report, "public.open_issue_count", status=PASS)}
    assert {f"A:{r}" for r in ROLES} <= passed


def test_b09_an_extra_definer_function_is_caught(tracker):
    report = probed_with(tracker, COUNT_FIXED + B09_EXTRA_DEFINER).report
    leaks = findings(report, "public.all_issue_titles", status=FAIL)
    assert {f.actor for f in leaks} == {*(f"A:{r}" for r in ROLES), "anon"}
    assert all("all_issue_titles()" in f.detail and "before [" in f.detail and "after [" in f.detail
               for f in leaks)
    assert all(f.statement and "all_issue_titles" in f.statement for f in leaks)
    assert {f.table for f in report.failures} == {"public.all_issue_titles"}


def test_b12_a_rewritten_definer_body_is_caught(tracker):
    probed = probed_with(tracker, COUNT_FIXED + B12_DEFINER_BODY)
    report = probed.report
    leaks = findings(report, "public.my_workspace_names", status=FAIL)
    assert {f"A:{r}" for r in ROLES} <= {f.actor for f in leaks}
    leak = next(f for f in leaks if f.actor == "A:owner")
    assert probed.B.rows["public.workspaces"]["name"] in leak.detail   # B's name, before
    assert {f.table for f in report.failures} == {"public.my_workspace_names"}


def test_an_error_that_tells_about_b_is_caught(tracker):
    """A function that raises only when B's project exists answers about B through its error."""
    raises = """
    create function public.check_project(p uuid) returns void language plpgsql security definer
      set search_path = '' as $$ begin
        if exists (select from public.projects where id = p) then raise exception 'project taken'; end if;
      end $$;
    grant execute on function public.check_project(uuid) to authenticated;
    """
    report = probed_with(tracker, COUNT_FIXED + raises).report
    leak = next(f for f in findings(report, "public.check_project", status=FAIL) if f.actor == "A:owner")
    assert "error P0001: project taken" in leak.detail and "after [\"\"]" in leak.detail


def test_invoker_functions_and_random_outputs_do_not_fail(tracker):
    extra = """
    create function public.project_names() returns setof text language sql stable
      as $$ select name from public.projects $$;
    create function public.dice(p uuid) returns double precision language sql security definer
      set search_path = '' as $$ select random() $$;
    grant execute on function public.dice(uuid) to authenticated;
    """
    report = probed_with(tracker, COUNT_FIXED + extra).report
    assert not report.failures, "\n".join(f.line() for f in report.failures)
    assert findings(report, "public.project_names", status=PASS)            # row level security holds
    assert {f.status for f in findings(report, "public.dice") if f.actor.startswith("A:")} == {SKIP}


def test_argument_sets_are_capped(tracker):
    wide = """
    create function public.pair_count(a uuid, b uuid, c uuid) returns bigint language sql security definer
      set search_path = '' as $$ select count(*) from public.projects where id in (a, b, c) $$;
    grant execute on function public.pair_count(uuid, uuid, uuid) to authenticated;
    """
    report = probed_with(tracker, COUNT_FIXED + wide).report
    leak = next(f for f in findings(report, "public.pair_count", status=FAIL) if f.actor == "A:owner")
    assert f"the first {MAX_ARGUMENT_SETS} of " in leak.detail


def test_a_bypassrls_verifier_removes_b_without_replica_mode(tracker):
    """verify --database-url as a non-superuser (BYPASSRLS, member of the API roles, the table
    privileges of compiler.verify.live_rights): no replica mode, so tenant B is removed
    children first, audit rows last; the leak is caught all the same."""
    conn = tracker.conn
    with conn.transaction(force_rollback=True):
        for statement in (
            "create role lookups_verifier nosuperuser bypassrls",
            "grant anon, authenticated to lookups_verifier",
            "grant usage on schema public, atlas_private, auth to lookups_verifier",
            "grant select, insert, update, delete on all tables in schema public, atlas_private to lookups_verifier",
            "grant select, insert, update, delete on auth.users to lookups_verifier",
            "grant select, update on all sequences in schema public, atlas_private to lookups_verifier",
            "alter materialized view atlas_private.issue_stats owner to lookups_verifier",
            "set local role lookups_verifier",
        ):
            conn.execute(statement)
        report = lookups_report(conn, tracker.model).report
    assert not report.errors, "\n".join(f.line() for f in report.errors)
    assert {f.table for f in report.failures} == {"public.open_issue_count"}
    assert {f"A:{r}" for r in ROLES} <= {f.actor for f in findings(report, "public.open_issue_count", status=FAIL)}
    assert findings(report, "public.my_workspace_names", status=PASS)
