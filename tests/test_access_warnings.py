"""Compile-time warnings about access rules that are slow or risky (W101..W106, issue 9 item 4).

Each warning fires on a spec that has the problem, at the line of the rule, policy or function
that has it, and not on the fixed form; the build still succeeds and writes the migration. The
claims behind W101 (a per-row call) and W105 (a definer body that relies on search_path) are
shown on the real PostgreSQL the suite starts.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import MIGRATION_CASES, ROOT, initial_up, run_cli

from compiler.codes import SPEC_WARNINGS, WARNINGS
from compiler.pipeline import compile_with_warnings
from compiler.postgres import scratch_database
from compiler.postgres.session import acting_as
from compiler.verify.chain import apply_sql

BASE = MIGRATION_CASES / "_base" / "schema"
# The migration cases' project, without the line that silences these warnings for the cases.
PROJECT = "".join(line for line in (BASE / "_project.yaml").read_text().splitlines(keepends=True)
                  if "warnings" not in line and "W101" not in line)
COLUMNS = """    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      title: {type: text, nullable: false}
      assignee: {type: uuid}
      status: {type: text, nullable: false, default: open}
"""


def project(tmp_path: Path, tasks: str, *, project_text: str = PROJECT, **files: str) -> Path:
    """The migration cases' organizations and auth_users (their access rules are complete), a
    project that silences nothing, and tasks.yaml (plus more files)."""
    schema = tmp_path / "schema"
    schema.mkdir(parents=True)
    for name in ("organizations.yaml", "auth_users.yaml"):
        shutil.copy(BASE / name, schema / name)
    (schema / "_project.yaml").write_text(project_text)
    (schema / "tasks.yaml").write_text(tasks)
    for name, text in files.items():
        (schema / f"{name}.yaml").write_text(text)
    return schema


def warned(schema: Path, code: str | None = None) -> list:
    found = compile_with_warnings(schema)[2]
    assert all(w.severity == "warning" and w.code in SPEC_WARNINGS for w in found), found
    return [w for w in found if code is None or w.code == code]


def line_of(path: Path, text: str) -> int:
    [number] = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return number


def only(schema: Path, code: str, at: str, file: str = "tasks.yaml"):
    """The one warning of `code`, located at the line of `at` in `file`."""
    [found] = warned(schema, code)
    assert Path(found.location.path).name == file, found.render()
    assert found.location.line == line_of(schema / file, at), found.render()
    return found


def table(body: str) -> str:
    return "tables:\n  tasks:\n" + COLUMNS + body


# --- W101 a per-row call ------------------------------------------------------------------------

W101_SPEC = table("""    access: {select: role:admin, insert: member, update: member, delete: member}
    indexes:
      - columns: [organization_id, assignee]
    policies:
      mine:
        for: select
        using: "auth.uid() = assignee and status <> lower('DONE')"
""")


def test_w101_a_row_independent_call_outside_a_subselect(tmp_path):
    found = only(project(tmp_path, W101_SPEC), "W101", "using: ")
    assert "auth.uid()" in found.message and "'mine' (using)" in found.message
    assert "(select auth.uid())" in found.hint
    assert "lower" not in found.message, "lower(constant) is folded by the planner: never per row"


@pytest.mark.parametrize("fixed", [
    "(select auth.uid()) = assignee",
    "assignee = any (array(select auth_id from public.auth_users))",
    "lower(title) = 'x'",     # a call over the row's own columns is per row by nature
])
def test_w101_not_on_the_fixed_forms(tmp_path, fixed):
    assert warned(project(tmp_path, W101_SPEC.replace("auth.uid() = assignee", fixed)), "W101") == []


def test_w101_never_on_generated_policies(tmp_path):
    """Every rule writes the signed-in user and the lookups as subselects."""
    spec = table("""    owner_column: assignee
    indexes: [{columns: [organization_id, assignee]}]
    access: {select: [member], insert: role:admin, update: [owner, role:coach], delete: [owner]}
""")
    assert warned(project(tmp_path, spec), "W101") == []


def test_w101_claim_a_bare_call_runs_per_row_a_subselect_once(pg_cluster, tmp_path):
    """Counted: a stable function that bumps a sequence, called by each form of the policy over
    50 rows, read by a staff member (the generated role:admin policy, ORed with it, is false)."""
    counted = """functions:
  counted_uid:
    returns: uuid
    language: plpgsql
    volatility: stable
    body: "begin perform nextval('public.ticks'); return auth.uid(); end"
"""
    calls = {}
    for form in ("counted_uid() = assignee", "(select counted_uid()) = assignee"):
        spec = W101_SPEC.replace("auth.uid() = assignee and status <> lower('DONE')", form)
        work = tmp_path / str(len(calls))
        schema = project(work, spec, counted=counted)
        assert bool(warned(schema, "W101")) == (not form.startswith("("))
        with scratch_database(pg_cluster, "w101") as db:
            calls[form] = _count_calls(db, initial_up(schema, work / "build"))
    # The bare call: once per row (and once more when the planner estimates the filter).
    assert calls["counted_uid() = assignee"] >= 50 and calls["(select counted_uid()) = assignee"] == 1, calls


def _count_calls(db, up: str) -> int:
    user, org = "0c000000-0000-4000-8000-000000000001", "0a000000-0000-4000-8000-000000000001"
    with db.connect() as conn:
        apply_sql(conn, up)
        conn.execute("create sequence public.ticks; grant usage on sequence public.ticks to authenticated")
        conn.execute("insert into public.organizations (id, name) values (%s, 'A')", [org])
        conn.execute("insert into public.auth_users (organization_id, auth_id, role, email) "
                     "values (%s, %s, 'staff', 'a@example.com')", [org, user])
        conn.execute("insert into public.tasks (organization_id, title, assignee) "
                     "select %s, 'task ' || i, %s from generate_series(1, 50) i", [org, user])
        conn.execute("analyze public.tasks")
        with acting_as(conn, user):
            seen = conn.execute("select count(*) from public.tasks").fetchone()[0]
        ticks = conn.execute("select last_value from public.ticks").fetchone()[0]
        assert seen == 50
        return ticks


# --- W102 a policy column without an index -------------------------------------------------------

def test_w102_owner_column_without_an_index_after_the_tenant_column(tmp_path):
    spec = table("""    owner_column: assignee
    access: {all: member, update: [owner, role:admin]}
""")
    found = only(project(tmp_path, spec), "W102", "owner_column:")
    assert "'assignee'" in found.message and "after organization_id" in found.message
    assert found.hint == "add {columns: [organization_id, assignee]} to tables.tasks.indexes"
    fixed = spec + "    indexes: [{columns: [organization_id, assignee, status]}]\n"
    assert warned(project(tmp_path / "fixed", fixed), "W102") == []


def test_w102_a_foreign_key_index_counts(tmp_path):
    """A reference to the membership table brings the index (organization_id, assignee)."""
    spec = table("""    owner_column: assignee
    access: {all: member, update: [owner, role:admin]}
""").replace("assignee: {type: uuid}", "assignee: {type: uuid, references: auth_users}")
    assert warned(project(tmp_path, spec), "W102") == []


def test_w102_raw_policy_columns_read_by_using_only(tmp_path):
    spec = table("""    access: {all: member}
    policies:
      open_ones:
        for: update
        using: "status = 'open'"
        with_check: "title <> ''"
      inserts:
        for: insert
        with_check: "assignee is not null"
""")
    found = only(project(tmp_path, spec), "W102", "using: \"status")
    assert "'status'" in found.message
    assert "add {columns: [organization_id, status]}" in found.hint
    fixed = spec.replace("    access:", "    indexes: [{columns: [organization_id, status]}]\n    access:")
    assert warned(project(tmp_path / "fixed", fixed), "W102") == []


def test_w102_partial_index_does_not_count_unless_it_is_the_live_row_filter(tmp_path):
    spec = table("""    owner_column: assignee
    access: {all: member, delete: owner}
    indexes: [{columns: [organization_id, assignee], where: "status = 'open'"}]
""")
    assert len(warned(project(tmp_path, spec), "W102")) == 1
    live = spec.replace("status = 'open'", "deleted_at is null").replace("    owner_column", "    soft_delete: true\n"
                                                                         "    owner_column")
    assert warned(project(tmp_path / "live", live), "W102") == []


def test_w102_shared_table_wants_the_column_alone(tmp_path):
    spec = table("""    tenant: false
    owner_column: assignee
    access: {all: owner}
""")
    found = only(project(tmp_path, spec), "W102", "owner_column:")
    assert found.hint == "add {columns: [assignee]} to tables.tasks.indexes"


# --- W103 more than one permissive policy ------------------------------------------------------

W103_SPEC = table("""    indexes: [{columns: [organization_id, assignee]}]
    access: {all: member}
    policies:
      claim:
        for: update
        using: "assignee is null"
        with_check: "assignee is not null"
""")


def test_w103_a_raw_policy_beside_a_generated_one(tmp_path):
    found = only(project(tmp_path, W103_SPEC), "W103", "claim:")
    assert "for authenticated on update of 'tasks' (with tasks_update)" in found.message


def test_w103_two_raw_policies_and_all(tmp_path):
    spec = W103_SPEC.replace("access: {all: member}", "access: {all: service}") + """      everything:
        for: all
        using: "assignee = (select auth.uid())"
"""
    [found] = warned(project(tmp_path, spec), "W103")
    assert found.location.line == line_of(tmp_path / "schema" / "tasks.yaml", "everything:")
    assert "on update of 'tasks' (with claim)" in found.message


def test_w103_not_when_the_command_has_one_policy(tmp_path):
    fixed = W103_SPEC.replace("access: {all: member}", "access: {select: member, insert: member, update: service, "
                                                       "delete: member}")
    assert warned(project(tmp_path, fixed), "W103") == []


def test_warnings_are_silenced_where_the_choice_is_made(tmp_path):
    on_table = W103_SPEC.replace("    access:", "    warnings: {ignore: [W103]}\n    access:")
    assert warned(project(tmp_path / "table", on_table)) == []
    everywhere = PROJECT.replace("enums:", "  warnings: {ignore: [W103, W104]}\nenums:")
    spec = W103_SPEC.replace("access: {all: member}", "access: {select: member}")
    assert warned(project(tmp_path / "plain", spec), "W104")
    assert warned(project(tmp_path / "project", spec, project_text=everywhere)) == []


def test_only_spec_warning_codes_can_be_silenced(tmp_path):
    spec = W103_SPEC.replace("    access:", "    warnings: {ignore: [W001]}\n    access:")
    result = run_cli("build", cwd=project(tmp_path, spec).parent)
    assert result.returncode == 1 and "error[E201]" in result.stderr, result.stderr


# --- W104 a write command left to member ----------------------------------------------------------

def test_w104_no_access_at_all(tmp_path):
    found = only(project(tmp_path, table("")), "W104", "  tasks:")
    assert "insert, update, delete fall back to member" in found.message
    assert "every member of the row's tenant" in found.message


def test_w104_once_per_table_listing_the_commands(tmp_path):
    found = only(project(tmp_path, table("    access: {select: member, insert: role:admin}\n")), "W104", "access:")
    assert "no access rule for update, delete: update, delete fall back to member" in found.message


def test_w104_one_command_left_falls_back(tmp_path):
    spec = table("    access: {select: member, insert: role:admin, update: role:admin}\n")
    found = only(project(tmp_path, spec), "W104", "access:")
    assert "no access rule for delete: delete falls back to member, so every member" in found.message


def test_w104_shared_table_says_every_signed_in_user(tmp_path):
    found = only(project(tmp_path, table("    tenant: false\n    access: {select: member}\n")), "W104", "access:")
    assert "every signed-in user" in found.message


@pytest.mark.parametrize("access", ["{all: member}", "{select: member, all: role:admin}",
                                    "{select: member, insert: member, update: member, delete: none}"])
def test_w104_not_when_every_write_is_said(tmp_path, access):
    assert warned(project(tmp_path, table(f"    access: {access}\n")), "W104") == []


# --- W105 a security definer body relying on search_path -------------------------------------------

def definer(language: str, body: str) -> str:
    return f"""functions:
  close_task:
    returns: integer
    language: {language}
    security: definer
    arguments: [{{name: p_id, type: uuid}}]
    body: |
{''.join('      ' + line + chr(10) for line in body.splitlines())}"""


PLPGSQL = """declare n integer;
begin
  update tasks set status = 'done' where id = p_id;
  get diagnostics n = row_count;
  return n;
end"""


def test_w105_plpgsql_names_a_table_unqualified(tmp_path):
    schema = project(tmp_path, table("    access: {all: member}\n"), functions=definer("plpgsql", PLPGSQL))
    found = only(schema, "W105", "body: |", file="functions.yaml")
    assert "names tasks without a schema" in found.message and found.hint == "qualify them: public.tasks"
    fixed = definer("plpgsql", PLPGSQL.replace("update tasks", "update public.tasks"))
    assert warned(project(tmp_path / "fixed", table("    access: {all: member}\n"), functions=fixed), "W105") == []


def test_w105_a_body_that_sets_search_path(tmp_path):
    body = PLPGSQL.replace("begin\n", "begin\n  perform set_config('search_path', 'public', true);\n")
    body = body.replace("update tasks", "update public.tasks")
    schema = project(tmp_path, table("    access: {all: member}\n"), functions=definer("plpgsql", body))
    found = only(schema, "W105", "body: |", file="functions.yaml")
    assert "sets search_path" in found.message


def test_w105_sql_body_calls_a_spec_function_unqualified(tmp_path):
    functions = definer("sql", "select public.helper(p_id) + helper(p_id)") + """  helper:
    returns: integer
    language: sql
    arguments: [{name: p_id, type: uuid}]
    body: select 1
"""
    schema = project(tmp_path, table("    access: {all: member}\n"), functions=functions)
    found = only(schema, "W105", "body: |", file="functions.yaml")
    assert "names helper() without a schema" in found.message


def test_w105_invoker_functions_are_not_its_business(tmp_path):
    functions = definer("plpgsql", PLPGSQL).replace("security: definer", "security: invoker")
    assert warned(project(tmp_path, table("    access: {all: member}\n"), functions=functions), "W105") == []


def test_w105_claim_the_unqualified_table_is_not_found_when_it_runs(fresh_db, tmp_path):
    schema = project(tmp_path, table("    access: {all: member}\n"), functions=definer("plpgsql", PLPGSQL))
    with fresh_db.connect() as conn:
        apply_sql(conn, initial_up(schema, tmp_path / "out"))
        with pytest.raises(Exception, match='relation "tasks" does not exist'):
            conn.execute("select public.close_task(gen_random_uuid())")


# --- the command line and the example ------------------------------------------------------------

# --- W106 an index API roles can never use ---------------------------------------------------------
W106_INDEXES = """    indexes:
      - {columns: [title], method: gin, opclass: gin_trgm_ops}
      - {columns: [tags], method: gin}
      - {columns: [organization_id, status]}
"""


def test_w106_trigram_and_gin_container_indexes(tmp_path):
    tasks = table("      tags: {type: \"text[]\"}\n    access: {all: member}\n" + W106_INDEXES)
    schema = project(tmp_path, tasks,
                     project_text=PROJECT.replace("extensions: [pgcrypto]", "extensions: [pgcrypto, pg_trgm]"))
    found = warned(schema, "W106")
    assert [w.location.line for w in found] == [line_of(schema / "tasks.yaml", "gin_trgm_ops"),
                                                line_of(schema / "tasks.yaml", "[tags], method: gin")]
    assert "idx_tasks_title (gin_trgm_ops on title)" in found[0].message, found[0].render()


def test_w106_named_opclasses_without_a_leakproof_operator(tmp_path):
    """jsonb_path_ops (@>, @?, @@) warns like the default jsonb opclass; a btree on text does not."""
    tasks = table("      meta: {type: jsonb}\n    access: {all: member}\n    indexes:\n"
                  "      - {columns: [meta], method: gin, opclass: jsonb_path_ops}\n"
                  "      - {columns: [title]}\n")
    schema = project(tmp_path, tasks)
    found = warned(schema, "W106")
    assert [w.location.line for w in found] == [line_of(schema / "tasks.yaml", "jsonb_path_ops")]


def test_w106_claim_ilike_is_an_index_condition_only_when_row_level_security_is_bypassed(pg_cluster, tmp_path):
    """The claim behind W106, on PostgreSQL: the same ILIKE is an index condition on the trigram
    index for the superuser and a filter after the fence for a signed-in member."""
    tasks = table("    access: {all: member}\n" + W106_INDEXES.replace("      - {columns: [tags], method: gin}\n", ""))
    schema = project(tmp_path, tasks,
                     project_text=PROJECT.replace("extensions: [pgcrypto]", "extensions: [pgcrypto, pg_trgm]"))
    org, user = "0a000000-0000-4000-8000-000000000001", "0c000000-0000-4000-8000-000000000001"
    with scratch_database(pg_cluster, "w106") as db, db.connect() as conn:
        apply_sql(conn, initial_up(schema, tmp_path / "build"))
        apply_sql(conn, (MIGRATION_CASES / "_base" / "seed.sql").read_text())
        conn.execute("insert into public.tasks (organization_id, title) select %s, 'task ' || g "
                     "from generate_series(1, 2000) as g", (org,))
        conn.execute("analyze public.tasks")
        query = "explain (costs off) select id from public.tasks where title ilike '%sk 12%'"
        with conn.transaction(force_rollback=True):
            conn.execute("set local enable_seqscan = off")
            as_superuser = "\n".join(line for (line,) in conn.execute(query))
        with acting_as(conn, user) as session:
            session.execute("set local enable_seqscan = off")
            as_member = "\n".join(line for (line,) in session.execute(query))
    assert "Index Cond: (title ~~* '%sk 12%'::text)" in as_superuser, as_superuser
    assert "Index Cond: (title ~~*" not in as_member and "Filter: " in as_member, as_member


def test_build_prints_them_located_exits_0_and_writes_the_migration(tmp_path):
    schema = project(tmp_path, W101_SPEC)
    result = run_cli("build", cwd=schema.parent)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build" / "migrations" / "0001_initial.up.sql").exists()
    line = line_of(schema / "tasks.yaml", "using: ")
    assert f"schema/tasks.yaml:{line}:9: warning[W101]: policy 'mine' (using) calls auth.uid()" in result.stderr
    again = run_cli("build", "--check", cwd=schema.parent)
    assert again.returncode == 0 and "warning[W101]" in again.stderr, again.stderr
    plan = run_cli("plan", cwd=schema.parent)
    assert plan.stdout.startswith("No changes") and "warning[W101]" in plan.stdout, plan.stdout
    data = json.loads(run_cli("plan", "--format", "json", cwd=schema.parent).stdout)
    assert "warning[W101]" in [w.split(": ")[1] for w in data["warnings"]]


def test_the_example_prints_no_access_warning():
    """The example says what it means: explicit `all: member` where every member may write, and
    W103 silenced on leads, whose claim_unassigned_leads widens leads_update on purpose."""
    assert warned(ROOT / "schema") == []


def test_every_code_is_documented_and_the_schema_lists_them():
    assert set(SPEC_WARNINGS) == {"W101", "W102", "W103", "W104", "W105", "W106", "W107", "W108"}
    assert all(WARNINGS[code] == text for code, text in SPEC_WARNINGS.items())
    schema = json.loads((ROOT / "spec.schema.json").read_text())
    assert schema["$defs"]["warnings"]["properties"]["ignore"]["items"]["enum"] == sorted(SPEC_WARNINGS)
