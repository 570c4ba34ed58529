"""`verify --database-url` (compiler/verify/live.py) on the example: its released migrations
applied to a scratch database as `migrate` applies them, held to a reference where a fresh build
of the lock's model was applied.  The intact database passes with the facts proven per table;
each database broken by hand is caught by the catalog check, naming the object; the probes run
in one rolled-back transaction and leave nothing behind; a non-superuser role can run it."""
from __future__ import annotations

import pytest
from helpers import ROOT
from psycopg import sql

from compiler.migrate.runner import migrate
from compiler.pipeline import fresh_build
from compiler.postgres import clone_database, scratch_database, supabase_cluster
from compiler.released import read_state
from compiler.verify.chain import apply_sql, released
from compiler.verify.checks import FAIL, PASS, SKIP, failures
from compiler.verify.live import catalog_checks, check_live

BUILD = ROOT / "build"
MODEL = read_state(BUILD).model
SCHEMAS = MODEL.managed_schemas()
FENCED = "public.leads"           # a tenant table with a fence
AUDIT = "public.leads_audit"      # an audit table


def _quiet(_line: str) -> None:
    pass


@pytest.fixture(scope="module")
def applied(pg_cluster):
    """A template database with every released migration applied by the migrate runner (so
    atlas_migrate.history is recorded); each test clones it."""
    db = clone_database(pg_cluster, "live_applied")
    with db.connect() as conn:
        migrate(conn, BUILD, released(BUILD), say=_quiet)
    db.close()
    yield db
    db.drop()


@pytest.fixture(scope="module")
def reference(pg_cluster):
    with scratch_database(pg_cluster, "live_reference") as db:
        with db.connect() as conn:
            apply_sql(conn, fresh_build(MODEL))
        yield db


@pytest.fixture
def reference_of(pg_cluster):
    """check_live's reference for any model: a scratch database with its fresh build applied."""
    made = []

    def build(model):
        db = clone_database(pg_cluster, "live_reference_of")
        made.append(db)
        with db.connect() as conn:
            apply_sql(conn, fresh_build(model))
        return db

    yield build
    for db in made:
        db.drop()


@pytest.fixture
def live(pg_cluster, applied):
    with scratch_database(pg_cluster, "live", template=applied.name) as db:
        yield db


def _catalog(db, reference):
    with db.connect() as conn:
        return catalog_checks(conn, MODEL, SCHEMAS, reference)


def _failed(checks):
    return {(c.subject, c.check) for c in failures(checks)}


def fence_function() -> str:
    """The membership lookup the tenant fence calls, read from the model."""
    fence = next(p for p in MODEL.of("policy") if f"{p.schema}.{p.table}" == FENCED and not p.permissive)
    (_, schema, name), = [need for need in fence.needs if need[0] == "function"]
    return f"{schema}.{name}"


def test_the_intact_database_matches_the_reference_with_facts_per_table(live, reference):
    checks = _catalog(live, reference)
    assert failures(checks) == []
    proven = {(c.subject, c.check) for c in checks if c.status == PASS}
    for table in MODEL.of("table"):
        key = f"{table.schema}.{table.name}"
        for fact in ("rls_enabled", "rls_forced", "fence_present", "policies_match", "grants_match"):
            assert (key, fact) in proven, (key, fact)
    assert any(s.startswith(fence_function() + "(") and c == "definer_unchanged" for s, c in proven)


BREAKAGES = {
    "rls_disabled": (f"ALTER TABLE {FENCED} DISABLE ROW LEVEL SECURITY", (FENCED, "widens_access")),
    "rls_not_forced": (f"ALTER TABLE {FENCED} NO FORCE ROW LEVEL SECURITY", (FENCED, "widens_access")),
    # A missing fence lets one tenant read another's rows: a widening, with or without a reference.
    "fence_dropped": (f"DROP POLICY leads_tenant_fence ON {FENCED}", (f"{FENCED}.leads_tenant_fence", "widens_access")),
    "permissive_dropped": (f"DROP POLICY leads_select ON {FENCED}", (f"{FENCED}.leads_select", "missing")),
    "permissive_true": (f"CREATE POLICY leads_open ON {FENCED} FOR SELECT TO authenticated USING (true)",
                        (f"{FENCED}.leads_open", "widens_access")),
    "audit_grant_to_anon": (f"GRANT SELECT ON {AUDIT} TO anon", (AUDIT, "widens_access")),
}


def _lookup_for_anyone() -> str:
    """The fence's lookup replaced by one that returns every tenant, for anyone."""
    name = fence_function()
    function = next(f for f in MODEL.of("function") if f"{f.schema}.{f.name}" == name)
    args = ", ".join(f"{a.name} {a.type}" + (f" DEFAULT {a.default}" if a.default else "") for a in function.arguments)
    tenancy = MODEL.tenancy
    return (f"CREATE OR REPLACE FUNCTION {name}({args}) RETURNS {function.returns} LANGUAGE plpgsql STABLE "
            f"SECURITY DEFINER SET search_path = '' AS $$ BEGIN RETURN (SELECT coalesce(array_agg(o.{tenancy.root_key}), "
            f"'{{}}') FROM public.{tenancy.root} AS o); END $$")


BREAKAGES["lookup_answers_for_anyone"] = (_lookup_for_anyone(), (fence_function(), "widens_access"))


def _caught(failed: set, subject: str, check: str) -> bool:
    """A function's subject carries its arguments in the reference comparison."""
    return any((s == subject or s.startswith(subject + "(")) and c == check for s, c in failed)


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_each_breakage_is_caught_by_the_catalog_check(live, reference, breakage):
    statement, (subject, check) = BREAKAGES[breakage]
    with live.connect() as conn:
        conn.execute(statement)
    for ref in (reference, None):
        failed = _failed(_catalog(live, ref))
        assert _caught(failed, subject, check), (ref, failed)


def test_policy_changes_are_classified_by_the_way_access_goes(live, reference):
    """The classifier drift shares: a fence opened widens; a grant closed (`false`) or narrowed
    (its expression AND more) is `changed`, "(narrower)"; a rewrite it cannot judge stays
    widens_access, "may widen access"."""
    with live.connect() as conn:
        conn.execute(f"ALTER POLICY leads_tenant_fence ON {FENCED} USING (true) WITH CHECK (true)")
        conn.execute(f"ALTER POLICY leads_delete ON {FENCED} USING (false)")
        conn.execute(f"ALTER POLICY leads_select ON {FENCED} USING ((deleted_at IS NULL) AND owner_id IS NOT NULL)")
        conn.execute(f"ALTER POLICY leads_update ON {FENCED} USING (owner_id IS NOT NULL)")
    failed = {c.subject: c for c in failures(_catalog(live, reference))}
    assert {subject: c.check for subject, c in failed.items()} == {
        f"{FENCED}.leads_tenant_fence": "widens_access", f"{FENCED}.leads_delete": "changed",
        f"{FENCED}.leads_select": "changed", f"{FENCED}.leads_update": "widens_access"}
    assert failed[f"{FENCED}.leads_delete"].detail.endswith(" (narrower)")
    assert failed[f"{FENCED}.leads_select"].detail.endswith(" (narrower)")
    assert "may widen access" in failed[f"{FENCED}.leads_update"].detail
    assert "may widen" not in failed[f"{FENCED}.leads_tenant_fence"].detail


@pytest.fixture(scope="module")
def reference_elsewhere(pg_cluster):
    """The reference in a cluster of its own, as verify --database-url builds it: roles are
    cluster-wide, so a role altered in the suite's cluster differs from this one's."""
    with supabase_cluster() as other, scratch_database(other, "live_reference_elsewhere") as db:
        with db.connect() as conn:
            apply_sql(conn, fresh_build(MODEL))
        yield db


ROLE_CHANGES = {   # statement, undo (the suite's cluster is shared by the tests: put back in a finally)
    "bypassrls": ("ALTER ROLE authenticated BYPASSRLS", "ALTER ROLE authenticated NOBYPASSRLS", "authenticated"),
    "superuser": ("ALTER ROLE anon SUPERUSER", "ALTER ROLE anon NOSUPERUSER", "anon"),
    "member_of_service_role": ("GRANT service_role TO authenticated", "REVOKE service_role FROM authenticated",
                               "authenticated"),
    "member_of_postgres": ("GRANT postgres TO anon", "REVOKE postgres FROM anon", "anon"),
}


@pytest.mark.parametrize("change", ROLE_CHANGES)
def test_an_api_role_that_skips_row_level_security_widens_access(live, reference_elsewhere, change):
    statement, undo, role = ROLE_CHANGES[change]
    try:
        with live.connect() as conn:
            conn.execute(statement)
        held = {"reference elsewhere": _catalog(live, reference_elsewhere), "no reference": _catalog(live, None)}
    finally:
        with live.connect() as conn:
            conn.execute(undo)
    for ref, checks in held.items():
        (failed,) = failures(checks)
        assert (failed.subject, failed.check) == (role, "widens_access"), (ref, failed.line())
        assert failed.detail.startswith(f"role {role}: ")
    proven = {(c.subject, c.check) for c in _catalog(live, reference_elsewhere) if c.status == PASS}
    assert {("anon", "role_unchanged"), ("authenticated", "role_unchanged")} <= proven


def test_a_runners_history_table_is_named_with_how_to_move_it(live, reference):
    with live.connect() as conn:
        conn.execute("CREATE TABLE public.schema_migrations (version varchar(128) PRIMARY KEY)")
    failed = {(c.subject, c.check): c for c in failures(_catalog(live, reference))}
    table = failed[("public.schema_migrations", "widens_access")]
    assert "(the migration history of dbmate or golang-migrate" in table.detail
    assert "--migrations-table dbmate.schema_migrations" in table.detail


def test_without_a_reference_the_intact_database_passes_and_says_what_was_not_compared(live):
    checks = _catalog(live, None)
    assert failures(checks) == []
    assert [c.check for c in checks if c.status == SKIP] == ["expressions_compared"]
    proven = {(c.subject, c.check) for c in checks if c.status == PASS}
    assert (FENCED, "fence_present") in proven and (fence_function(), "definer_unchanged") in proven


def test_a_pending_migration_fails_and_names_it(live, reference_of):
    with live.connect() as conn:
        migrate(conn, BUILD, released(BUILD), down=1, say=_quiet)
        checks = check_live(conn, BUILD, reference_of, _quiet)
    last = released(BUILD)[-1]
    assert _failed(checks) == {(last, "pending_migration")}, "held to its own migration, nothing else fails"
    assert "run atlas-compile migrate" in next(c.detail for c in checks if c.subject == last)
    assert any(c.check == "policies_match" and c.status == PASS for c in checks)


def test_a_database_behind_the_lock_is_held_to_its_own_migration(live, reference_of):
    """Two migrations behind, a policy widened by hand is still caught: the reference is a fresh
    build of the model after the database's last applied migration (the lock's history)."""
    with live.connect() as conn:
        migrate(conn, BUILD, released(BUILD), down=2, say=_quiet)
        conn.execute("alter policy leads_delete on public.leads using (true)")
        checks = check_live(conn, BUILD, reference_of, _quiet)
    failed = _failed(checks)
    assert {name for name, check in failed if check == "pending_migration"} == set(released(BUILD)[-2:])
    assert any(subject.startswith(FENCED) and "leads_delete" in detail
               for subject, detail in ((c.subject, c.detail) for c in failures(checks) if c.area == "catalog")), \
        "\n".join(c.line() for c in failures(checks))


def test_an_unknown_applied_migration_fails(live, reference):
    with live.connect() as conn:
        conn.execute("INSERT INTO atlas_migrate.history (version, checksum, parts_done, parts_total) "
                     "VALUES ('9999_hand_made', 'x', 1, 1)")
        checks = check_live(conn, BUILD, lambda _model: reference, _quiet)
    assert ("9999_hand_made", "unknown_migration") in _failed(checks)


def _counts_and_sequences(conn) -> tuple:
    counts = [conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(*t))).fetchone()[0]
              for t in conn.execute("select schemaname, tablename from pg_tables where schemaname = any(%s) "
                                    "or (schemaname, tablename) = ('auth', 'users') order by 1, 2",
                                    [SCHEMAS]).fetchall()]
    sequences = conn.execute("select schemaname, sequencename, last_value from pg_sequences order by 1, 2").fetchall()
    return counts, sequences


def test_a_full_run_passes_and_leaves_nothing_behind(live, reference):
    with live.connect() as conn:
        before = _counts_and_sequences(conn)
        checks = check_live(conn, BUILD, lambda _model: reference, _quiet)
        after = _counts_and_sequences(conn)
    assert failures(checks) == [], "\n".join(c.line() for c in failures(checks))
    assert before == after
    left = next(c for c in checks if c.check == "nothing_left_behind")
    assert left.status == PASS
    assert {c.area for c in checks} == {"chain", "catalog", "isolation"}


def test_the_probes_catch_the_lookup_answering_for_anyone(live, reference):
    statement = _lookup_for_anyone()
    with live.connect() as conn:
        conn.execute(statement)
        checks = check_live(conn, BUILD, lambda _model: reference, _quiet)
    leaks = {c.check for c in checks if c.area == "isolation" and c.status == FAIL}
    assert "select_other_tenant" in leaks, "\n".join(c.line() for c in failures(checks))
    assert next(c for c in checks if c.check == "nothing_left_behind").status == PASS


VERIFIER = "atlas_verifier"


def _non_superuser(conn) -> None:
    """The rights live_rights documents, granted to a login role that is not a superuser."""
    conn.execute(f"DO $$ BEGIN CREATE ROLE {VERIFIER} LOGIN BYPASSRLS; "
                 "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    conn.execute(f"GRANT anon, authenticated TO {VERIFIER}")
    conn.execute(f"GRANT USAGE ON SCHEMA atlas_migrate TO {VERIFIER}")
    conn.execute(f"GRANT SELECT ON atlas_migrate.history TO {VERIFIER}")
    schemas = sql.SQL(", ").join(map(sql.Identifier, [*SCHEMAS, "auth"]))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schemas, sql.Identifier(VERIFIER)))
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}")
                 .format(schemas, sql.Identifier(VERIFIER)))
    conn.execute(sql.SQL("GRANT SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schemas, sql.Identifier(VERIFIER)))


VIEW_OWNER = "atlas_view_owner"


def _materialized_views_owned_by_a_group(conn) -> None:
    """REFRESH MATERIALIZED VIEW (the probes refresh them) takes ownership: as on Supabase, where
    `postgres` owns everything without being a superuser, the views' owner is a role the verifier
    is a member of, which reads the tables the views read (with BYPASSRLS: their RLS is forced)."""
    conn.execute(f"DO $$ BEGIN CREATE ROLE {VIEW_OWNER} NOLOGIN BYPASSRLS; "
                 "EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    schemas = sql.SQL(", ").join(map(sql.Identifier, SCHEMAS))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schemas, sql.Identifier(VIEW_OWNER)))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schemas, sql.Identifier(VIEW_OWNER)))
    for view in MODEL.of("view"):
        if view.materialized:
            conn.execute(sql.SQL("ALTER MATERIALIZED VIEW {} OWNER TO {}").format(
                sql.Identifier(view.schema, view.name), sql.Identifier(VIEW_OWNER)))


def test_a_non_superuser_role_with_the_documented_rights_runs_it(pg_cluster, live, reference):
    reference.close()
    with scratch_database(pg_cluster, "live_reference_owned", template=reference.name) as owned:
        for db in (owned, live):
            with db.connect() as conn:
                _materialized_views_owned_by_a_group(conn)
        with live.connect() as conn:
            _non_superuser(conn)
            conn.execute(f"GRANT {VIEW_OWNER} TO {VERIFIER}")
        with live.connect(user=VERIFIER) as conn:
            checks = check_live(conn, BUILD, lambda _model: owned, _quiet)
    assert failures(checks) == [], "\n".join(c.line() for c in failures(checks))
    rights = next(c for c in checks if c.check == "connection_rights")
    assert rights.status == PASS and rights.subject == VERIFIER
    assert next(c for c in checks if c.check == "nothing_left_behind").status == PASS


def test_a_non_superuser_without_bypassrls_is_told_what_it_lacks(live, reference):
    with live.connect() as conn:
        _non_superuser(conn)
        conn.execute(f"ALTER ROLE {VERIFIER} NOBYPASSRLS")
    try:
        with live.connect(user=VERIFIER) as conn:
            checks = check_live(conn, BUILD, lambda _model: reference, _quiet)
    finally:
        with live.connect() as conn:
            conn.execute(f"ALTER ROLE {VERIFIER} BYPASSRLS")
    rights = next(c for c in checks if c.check == "connection_rights")
    assert rights.failed and "BYPASSRLS" in rights.detail
    assert not [c for c in checks if c.area == "catalog" and c.failed]


def test_managed_schemas_leave_the_platform_out():
    assert "public" in SCHEMAS and "atlas_private" in SCHEMAS
    assert not {"auth", "extensions", "storage", "atlas_archive"} & set(SCHEMAS)


def test_an_empty_database_is_one_failure(pg_cluster, reference_of):
    with scratch_database(pg_cluster, "live_empty") as db, db.connect() as conn:
        checks = check_live(conn, BUILD, reference_of, _quiet)
    assert [(c.subject, c.check) for c in failures(checks)] == [("database", "applied_migrations")]
    assert "no migration is applied" in failures(checks)[0].detail
    assert {c.status for c in checks if c.check == "held_to_model"} == {SKIP}
