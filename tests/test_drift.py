"""`atlas-compile drift` (compiler/drift) on the suite's PostgreSQL: projects of other domains (a
help desk, a marketplace) built into a database, then altered by hand one way per test. Each
alteration is reported under the right table (or the function's own group), classified as
verify classifies it (widens_access, missing, changed, extra), exit 1; an unaltered database
exits 0 and says how many objects it compared; a database at v1 with the spec at v2 shows v2's
additions as missing; JSON and GitHub shapes; every way drift cannot run is one line, exit 1."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.drift.command import run_drift
from compiler.migrate.runner import migrate
from compiler.pipeline import compile_with_hints, fresh_build
from compiler.postgres import clone_database, scratch_database
from compiler.verify.chain import apply_sql, released
from tests.helpers import CASES, ROOT, run_cli

HELPDESK = CASES / "verify" / "helpdesk"
V1, V2 = HELPDESK / "v1", HELPDESK / "v2"
MARKETPLACE = CASES / "verify" / "marketplace"
NO_BUILD = ROOT / "build-not-read-by-drift"   # drift holds the database to the spec, not the lock


@pytest.fixture(scope="module")
def built(pg_cluster):
    """Template databases with a fresh build of each helpdesk release applied; tests clone them."""
    made = {}
    for name, spec in (("v1", V1), ("v2", V2)):
        db = clone_database(pg_cluster, f"drift_{name}")
        with db.connect() as conn:
            apply_sql(conn, fresh_build(compile_with_hints(spec)[0]))
        db.close()
        made[name] = db
    yield made
    for db in made.values():
        db.drop()


@pytest.fixture
def live(pg_cluster, built):
    """A clone of the database built from v2, to alter by hand."""
    with scratch_database(pg_cluster, "drift_live", template=built["v2"].name) as db:
        yield db


def drift(db, capsys, spec: Path = V2, fmt: str = "json"):
    code = run_drift(spec, NO_BUILD, database_url=db.conninfo(), fmt=fmt)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, (json.loads(captured.out) if fmt == "json" else captured.out), captured.err


def found(report: dict) -> dict[tuple[str, str], dict]:
    """(group, object) -> the difference."""
    return {(g["table"], d["object"]): d for g in report["groups"] for d in g["differences"]}


def test_an_unaltered_database_has_no_drift_and_says_what_it_compared(live, capsys):
    code, out, _ = drift(live, capsys, fmt="text")
    assert code == 0, out
    (line,) = out.strip().splitlines()
    assert line.startswith("drift: none: the database matches the spec (")
    compared = int(line.split("(")[1].split()[0])
    assert compared > 100, line
    for words in ("columns", "indexes", "policies", "constraints", "triggers", "functions"):
        assert words in line


ALTERATIONS = {
    "extra_permissive_policy": (
        "CREATE POLICY tickets_open ON public.tickets FOR SELECT TO authenticated USING (true)",
        "public.tickets", "public.tickets.tickets_open", "widens_access", "extra"),
    "dropped_index": (
        "DROP INDEX public.idx_tickets_status_created_at",
        "public.tickets", "public.idx_tickets_status_created_at", "missing", "missing"),
    "changed_column_default": (
        "ALTER TABLE public.tickets ALTER COLUMN priority SET DEFAULT 5",
        "public.tickets", "public.tickets.priority", "changed", "changed"),
    "grant_to_anon": (
        "GRANT SELECT ON public.ticket_comments TO anon",
        "public.ticket_comments", "public.ticket_comments", "widens_access", "changed"),
    "extra_table": (
        "CREATE TABLE public.notes (id int); ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY; "
        "REVOKE ALL ON public.notes FROM anon, authenticated",
        "public.notes", "public.notes", "extra", "extra"),
    "extra_table_open_to_the_api": (
        "CREATE TABLE public.notes (id int)",
        "public.notes", "public.notes", "widens_access", "extra"),
    "changed_function_body": (
        "CREATE OR REPLACE FUNCTION public.update_updated_at_column() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN RETURN NEW; END $$",
        "public.update_updated_at_column()", "public.update_updated_at_column()", "changed", "changed"),
    "disabled_trigger": (
        "ALTER TABLE public.tickets DISABLE TRIGGER audit_tickets",
        "public.tickets", "public.tickets.audit_tickets", "changed", "changed"),
    "rls_off": (
        "ALTER TABLE public.tickets DISABLE ROW LEVEL SECURITY",
        "public.tickets", "public.tickets", "widens_access", "changed"),
    # The tenant fence (a restrictive policy): without it a member of one workspace reads another's rows.
    "fence_dropped": (
        "DROP POLICY tickets_tenant_fence ON public.tickets",
        "public.tickets", "public.tickets.tickets_tenant_fence", "widens_access", "missing"),
    "fence_opened": (
        "ALTER POLICY tickets_tenant_fence ON public.tickets USING (true) WITH CHECK (true)",
        "public.tickets", "public.tickets.tickets_tenant_fence", "widens_access", "changed"),
    "fence_for_other_roles": (
        "ALTER POLICY tickets_tenant_fence ON public.tickets TO anon",
        "public.tickets", "public.tickets.tickets_tenant_fence", "widens_access", "changed"),
    "fence_made_permissive": (
        "DROP POLICY tickets_tenant_fence ON public.tickets; CREATE POLICY tickets_tenant_fence ON public.tickets "
        "AS PERMISSIVE FOR ALL TO authenticated USING (false)",
        "public.tickets", "public.tickets.tickets_tenant_fence", "widens_access", "changed"),
    "fence_for_select_only": (
        "DROP POLICY tickets_tenant_fence ON public.tickets; CREATE POLICY tickets_tenant_fence ON public.tickets "
        "AS RESTRICTIVE FOR SELECT TO authenticated USING (false)",
        "public.tickets", "public.tickets.tickets_tenant_fence", "widens_access", "changed"),
    # A grant (permissive policy) dropped, or an extra fence, only narrow.
    "permissive_policy_dropped": (
        "DROP POLICY tickets_select ON public.tickets",
        "public.tickets", "public.tickets.tickets_select", "missing", "missing"),
    "extra_restrictive_policy": (
        "CREATE POLICY tickets_closed ON public.tickets AS RESTRICTIVE FOR UPDATE TO authenticated USING (false)",
        "public.tickets", "public.tickets.tickets_closed", "extra", "extra"),
    "permissive_policy_closed": (
        "ALTER POLICY tickets_update ON public.tickets USING (false) WITH CHECK (false)",
        "public.tickets", "public.tickets.tickets_update", "changed", "changed"),
    "runner_history_table": (
        "CREATE TABLE public.schema_migrations (version varchar(128) PRIMARY KEY)",
        "public.schema_migrations", "public.schema_migrations", "widens_access", "extra"),
}


@pytest.mark.parametrize("name", sorted(ALTERATIONS))
def test_each_alteration_is_reported_under_its_table(live, capsys, name):
    statement, table, obj, classification, status = ALTERATIONS[name]
    with live.connect() as conn:
        conn.execute(statement)
    code, report, _ = drift(live, capsys)
    assert code == 1
    assert report["ok"] is False
    differences = found(report)
    assert (table, obj) in differences, sorted(differences)
    difference = differences[(table, obj)]
    assert (difference["classification"], difference["status"]) == (classification, status)
    assert difference["widens_access"] is (classification == "widens_access")
    # Nothing else differs but the object itself and what it carries (an extra table's column).
    assert {group for group, _ in differences} == {table}


def _policy(db, name: str) -> dict:
    with db.connect() as conn:
        qual, check = conn.execute("select qual, with_check from pg_policies where policyname = %s", [name]).fetchone()
    return {"qual": qual, "with_check": check}


def test_policy_changes_say_which_way_access_goes(live, capsys):
    """A fence dropped and a conjunct dropped widen; `false` and "the spec's expression AND more"
    narrow; a rewrite the comparison cannot judge "may widen access" (classified widens_access)."""
    select = _policy(live, "tickets_select")["qual"]
    with live.connect() as conn:
        conn.execute("DROP POLICY tickets_tenant_fence ON public.tickets")
        conn.execute("ALTER POLICY tickets_update ON public.tickets USING (false) WITH CHECK (false)")
        conn.execute(f"ALTER POLICY tickets_select ON public.tickets USING (({select}) AND status <> 'solved')")
        conn.execute("ALTER POLICY tickets_delete ON public.tickets USING (deleted_at IS NULL)")   # a conjunct less
        conn.execute("ALTER POLICY agents_update ON public.agents USING (role IS NOT NULL)")
    code, out, _ = drift(live, capsys, fmt="text")
    assert code == 1
    text = out.splitlines()
    assert text[-1].startswith("drift: FOUND 5 differences in 2 groups (2 widens access, 1 may widen access, "
                               "2 changed); "), text[-1]
    (fence,) = [line for line in text if "policy tickets_tenant_fence:" in line]
    assert fence.startswith("  policy tickets_tenant_fence: missing from the database (the spec has restrictive policy "
                            "for ALL to authenticated using (")
    assert fence.endswith(" [widens access]")
    (closed,) = [line for line in text if "policy tickets_update:" in line]
    assert "→ false" in closed and closed.endswith(" [narrows access]"), closed
    (narrowed,) = [line for line in text if "policy tickets_select:" in line]
    assert narrowed.endswith(" [narrows access]"), narrowed
    (loosened,) = [line for line in text if "policy tickets_delete:" in line]
    assert loosened.endswith(" → (deleted_at IS NULL) [widens access]"), loosened
    (rewritten,) = [line for line in text if "policy agents_update:" in line]
    assert rewritten.endswith(" [may widen access]"), rewritten
    code, report, _ = drift(live, capsys)
    differences = found(report)
    assert {obj: (d["classification"], d["access"]) for (_, obj), d in differences.items()} == {
        "public.tickets.tickets_tenant_fence": ("widens_access", "wider"),
        "public.tickets.tickets_update": ("changed", "narrower"),
        "public.tickets.tickets_select": ("changed", "narrower"),
        "public.tickets.tickets_delete": ("widens_access", "wider"),
        "public.agents.agents_update": ("widens_access", "may widen")}


ROLE_CHANGES = (   # (statement, undo): role attributes are cluster-wide, each is put back
    ("ALTER ROLE authenticated BYPASSRLS", "ALTER ROLE authenticated NOBYPASSRLS"),
    ("ALTER ROLE anon SUPERUSER", "ALTER ROLE anon NOSUPERUSER"),
    ("GRANT service_role TO authenticated", "REVOKE service_role FROM authenticated"),
)


def test_an_api_role_that_skips_row_level_security_widens_access(live, capsys):
    """The live database's cluster is the suite's; drift's reference is a cluster of its own, so
    the roles altered here (and put back) differ from the reference's."""
    try:
        with live.connect() as conn:
            for statement, _ in ROLE_CHANGES:
                conn.execute(statement)
        code, out, err = drift(live, capsys, fmt="text")
        _, report, _ = drift(live, capsys)
    finally:
        with live.connect() as conn:
            for _, undo in ROLE_CHANGES:
                conn.execute(undo)
    assert code == 1
    lines = out.splitlines()
    assert lines and lines[0] == "roles (cluster-wide, held to the reference cluster)", (lines, err)
    assert lines[1] == ("  role anon: changed (reference cluster → database): SUPERUSER off → on: it skips row level "
                        "security and every privilege check [widens access]")
    assert lines[2] == ("  role authenticated: changed (reference cluster → database): BYPASSRLS off → on: it skips row "
                        "level security on every table; member of service_role (BYPASSRLS: skips row level security): "
                        "it may SET ROLE service_role [widens access]")
    assert lines[-1].startswith("drift: FOUND 2 differences in 1 group (2 widens access); ")
    (group,) = report["groups"]
    assert group["table"] == "roles" and group["file"] is None
    assert {d["object"]: d["classification"] for d in group["differences"]} == {
        "anon": "widens_access", "authenticated": "widens_access"}
    code, out, _ = drift(live, capsys, fmt="text")
    assert code == 0, out                   # put back: no drift


def test_a_runners_history_table_says_what_it_is_and_how_to_move_it(live, capsys):
    with live.connect() as conn:
        conn.execute("CREATE TABLE public.schema_migrations (version varchar(128) PRIMARY KEY)")
        conn.execute("CREATE TABLE public.flyway_schema_history (installed_rank int PRIMARY KEY)")
    code, out, _ = drift(live, capsys, fmt="text")
    assert code == 1
    text = out.replace("\n      ", " ")
    assert ("table public.schema_migrations: in the database only, not in the spec: table, row level security off, "
            "privileges anon ALL, authenticated ALL [widens access] this is the migration history of dbmate or "
            "golang-migrate") in text
    assert ("CREATE SCHEMA dbmate; ALTER TABLE public.schema_migrations SET SCHEMA dbmate; then run dbmate with "
            "--migrations-table dbmate.schema_migrations") in text
    assert "x-migrations-table=\"dbmate\".\"schema_migrations\"&x-migrations-table-quoted=1" in text
    assert ("this is Flyway's migration history, which it creates in the default schema; keep it out of the API's "
            "schemas: CREATE SCHEMA flyway; ALTER TABLE public.flyway_schema_history SET SCHEMA flyway; then set "
            "defaultSchema=flyway") in text


def test_the_words_say_what_differs_old_to_new(live, capsys):
    with live.connect() as conn:
        conn.execute("ALTER TABLE public.tickets ALTER COLUMN priority SET DEFAULT 5")
        conn.execute("ALTER TABLE public.tickets DISABLE TRIGGER audit_tickets")
        conn.execute("CREATE POLICY tickets_open ON public.tickets FOR SELECT TO authenticated USING (true)")
        conn.execute("GRANT INSERT ON public.ticket_comments TO anon")
        conn.execute("ALTER FUNCTION public.update_updated_at_column() SET search_path = public")
        conn.execute("DROP INDEX public.idx_tickets_status_created_at")
    code, out, _ = drift(live, capsys, fmt="text")
    assert code == 1
    lines = out.splitlines()
    assert lines[-1] == ("drift: FOUND 6 differences in 3 groups (2 widens access, 1 missing, 3 changed); "
                         f"{lines[-1].split('; ')[1]}")
    assert lines[-1].endswith("objects compared")
    tickets = lines.index(next(line for line in lines if line.startswith("public.tickets (table, ")))
    assert "tests/cases/verify/helpdesk/v2/tables.yaml:" in lines[tickets]
    text = "\n".join(lines)
    assert "  column priority: changed (spec → database): default 3 → 5\n" in text
    assert "  trigger audit_tickets: changed (spec → database): enabled → disabled\n" in text
    assert ("  policy tickets_open: in the database only, not in the spec: permissive policy for SELECT to "
            "authenticated using (true) [widens access]\n") in text
    assert ("  index public.idx_tickets_status_created_at: missing from the database (the spec has CREATE INDEX "
            "idx_tickets_status_created_at ON public.tickets USING btree (workspace_id, status, created_at DESC))") in text
    assert ("  table public.ticket_comments: changed (spec → database): privileges: anon gains INSERT "
            "[widens access]") in text
    assert "function public.update_updated_at_column(): changed (spec → database): definition differs" in text
    assert "      - SET search_path TO ''\n      + SET search_path TO 'public'\n" in text


def test_a_database_at_v1_with_the_spec_at_v2_reports_the_additions_as_missing(pg_cluster, built, capsys):
    with scratch_database(pg_cluster, "drift_at_v1", template=built["v1"].name) as db:
        code, report, _ = drift(db, capsys)
    assert code == 1
    differences = found(report)
    missing = {obj for (_, obj), d in differences.items() if d["status"] == "missing"}
    assert {"public.tickets.title", "public.tickets.priority", "public.ticket_comments.author_id",
            "public.idx_ticket_comments_author_id"} <= missing
    assert any(obj.startswith("public.tickets.") and "priority" in obj
               for obj in missing if obj != "public.tickets.priority"), "the priority check is missing"
    assert differences[("public.tickets", "public.tickets.subject")]["status"] == "extra"
    assert differences[("public.ticket_comments", "public.ticket_comments.author_id")]["classification"] == "missing"


def test_a_database_migrated_to_the_lock_while_the_spec_moved_on_shows_the_difference(pg_cluster, tmp_path,
                                                                                         capsys):
    """The marketplace released at v1 and migrated with the runner; the spec then moves to v2
    (not built): drift compares with the spec, so v2's changes show; once v2 is released and
    migrated, nothing does."""
    at_v1, at_v2 = _release(tmp_path / "at_v1", ["v1"]), _release(tmp_path / "at_v2", ["v1", "v2"])
    with scratch_database(pg_cluster, "drift_marketplace") as db:
        with db.connect() as conn:
            migrate(conn, at_v1, released(at_v1), say=_quiet)
        code, report, _ = drift(db, capsys, spec=MARKETPLACE / "v2")
        assert code == 1 and report["groups"], report
        with db.connect() as conn:
            migrate(conn, at_v2, released(at_v2), say=_quiet)
        code, report, _ = drift(db, capsys, spec=MARKETPLACE / "v2")
    assert code == 0, json.dumps(report["groups"], indent=1)
    assert report["ok"] is True and report["groups"] == [] and report["compared"] > 100


def _release(folder: Path, versions: list[str]) -> Path:
    """The marketplace built by the CLI release by release; its build folder."""
    for version in versions:
        shutil.rmtree(folder / "schema", ignore_errors=True)
        shutil.copytree(MARKETPLACE / version, folder / "schema")
        result = run_cli("build", cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder / "build"


def _quiet(_line: str) -> None:
    pass


def test_json_shape(live, capsys):
    with live.connect() as conn:
        conn.execute("ALTER TABLE public.tickets DISABLE ROW LEVEL SECURITY")
    code, report, _ = drift(live, capsys)
    assert code == 1
    assert set(report) >= {"ok", "compared", "groups"}
    assert isinstance(report["compared"], int) and report["compared"] > 100
    (group,) = report["groups"]
    assert group["table"] == "public.tickets" and group["kind"] == "table"
    assert group["file"].endswith("helpdesk/v2/tables.yaml") and group["line"] > 1
    (difference,) = group["differences"]
    assert difference == {
        "object": "public.tickets", "kind": "table", "category": "relations", "status": "changed",
        "classification": "widens_access", "widens_access": True, "access": "wider",
        "what": "changed (spec → database): row level security on → off", "lines": [],
        "changes": [{"field": "rowsecurity", "spec": True, "database": False}]}


def test_github_annotations_at_the_tables_spec_line(live, capsys):
    with live.connect() as conn:
        conn.execute("ALTER TABLE public.tickets DISABLE ROW LEVEL SECURITY")
        conn.execute("CREATE OR REPLACE FUNCTION public.update_updated_at_column() RETURNS trigger LANGUAGE plpgsql "
                     "AS $$ BEGIN RETURN NEW; END $$")
    code, out, _ = drift(live, capsys, fmt="github")
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[-1].startswith("drift: FOUND 2 differences in 2 groups")
    (tickets,) = [a for a in lines[:-1] if "public.tickets" in a]
    (function,) = [a for a in lines[:-1] if "update_updated_at_column" in a]
    line = _spec_line(V2 / "tables.yaml", "  tickets:")
    assert tickets.startswith(f"::error file=tests/cases/verify/helpdesk/v2/tables.yaml,line={line},col=")
    assert ",title=drift%3A widens access::public.tickets: table public.tickets: changed" in tickets
    assert tickets.endswith("row level security on → off (widens access)")
    # The trigger function is generated, not the spec's: annotated on the run, not a file.
    assert function.startswith("::error title=drift%3A changed::public.update_updated_at_column(): function ")
    assert "%0A" in function   # the differing body lines ride along in the message


def _spec_line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def test_an_unreachable_database_is_one_line(tmp_path, capsys):
    code = run_drift(V2, NO_BUILD, database_url=f"postgresql:///x?host={tmp_path}&port=1", fmt="text")
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("atlas-compile: drift stopped: cannot connect to the database: ")
    assert err.count("\n") == 1


def test_no_server_binaries_is_one_line(live, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_PG_BINDIR", str(tmp_path))
    code = run_drift(V2, NO_BUILD, database_url=live.conninfo(), fmt="text")
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("atlas-compile: drift stopped: drift needs the PostgreSQL server binaries")
    assert err.count("\n") == 1


def test_a_bad_spec_stops_before_touching_a_database(tmp_path, capsys):
    shutil.copytree(V2, tmp_path / "schema")
    tables = tmp_path / "schema" / "tables.yaml"
    tables.write_text(tables.read_text().replace("type: ticket_status", "type: no_such_type"))
    code = run_drift(tmp_path / "schema", NO_BUILD, database_url="postgresql:///never-used", fmt="text")
    err = capsys.readouterr().err
    assert code == 1
    assert "error[" in err and "Traceback" not in err
    assert err.splitlines()[-1] == "atlas-compile: drift stopped: the spec does not compile"


def test_a_stop_in_json_is_one_object(tmp_path, capsys):
    code = run_drift(V2, NO_BUILD, database_url=f"postgresql:///x?host={tmp_path}&port=1", fmt="json")
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["ok"] is False and report["compared"] == 0 and report["groups"] == []
    assert report["error"].startswith("atlas-compile: drift stopped: cannot connect to the database: ")


def test_the_command_line(live, tmp_path):
    """`atlas-compile drift` as users run it: clean, then altered by hand."""
    args = ("drift", "--schema", str(V2), "--out", str(tmp_path / "build"), "--database-url", live.conninfo())
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("drift: none: the database matches the spec (")
    with live.connect() as conn:
        conn.execute("GRANT SELECT ON public.tickets_audit TO anon")
    result = run_cli(*args, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    (group,) = json.loads(result.stdout)["groups"]
    assert group["table"] == "public.tickets_audit" and group["differences"][0]["widens_access"] is True


def test_without_psycopg_the_message_verify_gives(tmp_path):
    """psycopg missing (the `verify` extra not installed): one line naming the extra, exit 1."""
    script = ("import sys; sys.modules['psycopg'] = None\nfrom compiler.cli import main\n"
              f"main(['drift', '--schema', {str(V2)!r}, '--database-url', 'postgresql:///x'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stderr == "atlas-compile: drift needs psycopg: pip install 'atlas-compile[verify]'\n"
