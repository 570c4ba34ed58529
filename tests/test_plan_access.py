"""`atlas-compile plan` says who gains or loses access: one line per table and command whose
rules change (old -> new, wider, narrower or changed), widenings first among the hazards,
hand-written policies by name, a new or dropped table in one line, and the same as data in
JSON. A help desk (agents with roles, tickets, comments) released once, then changed each way."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.plan_report import plan_data, plan_text

PROJECT = """\
project:
  name: help-desk-access
  postgres: 15
  target: supabase
  extensions: [pgcrypto]
  tenancy:
    table: organizations
    column: organization_id
    membership: {table: agents, user_column: user_id, role_column: role}
    current_user_id: auth.uid()
  defaults: {tenant: true, timestamps: true, soft_delete: false, audit: false}
enums:
  agent_role: [admin, supervisor, agent]
tables:
  organizations:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
    access: {select: member, insert: service, update: role:admin, delete: service}
  agents:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false, references: {table: auth.users, on_delete: cascade}}
      role: {type: agent_role, nullable: false, default: agent}
    unique: [[user_id]]
    access: {select: member, all: role:admin}
"""

TICKETS = {
    "select": "member",
    "insert": "member",
    "update": "[owner, role:admin]",
    "delete": "role:admin",
}
COMMENTS = {"select": "member", "insert": "member", "update": "owner", "delete": "[owner, role:admin]"}


def tables(tickets: dict | None = None, comments: dict | None = COMMENTS, policies: str = "",
           soft_delete: bool = False, tenant: bool = True, audit: bool = False, sensitive: bool = True) -> str:
    """The help desk's tickets and comments with the given access rules (None: no comments
    table; a rule left out falls back to member), tickets' settings and whether its
    requester_phone is sensitive (left out of its audit trail)."""
    tickets = TICKETS if tickets is None else tickets
    text = f"""\
tables:
  tickets:
    owner_column: assignee_id
    soft_delete: {str(soft_delete).lower()}
    tenant: {str(tenant).lower()}
    audit: {str(audit).lower()}
    columns:
      id: {{type: uuid, primary_key: true, default_sql: gen_random_uuid()}}
      subject: {{type: text, nullable: false}}
      requester_phone: {{type: text, sensitive: {str(sensitive).lower()}}}
      escalated: {{type: boolean, nullable: false, default: false}}
      assignee_id: {{type: uuid, references: {{table: agents, on_delete: set_null}}}}
    access: {{{', '.join(f'{c}: {r}' for c, r in tickets.items())}}}
    warnings: {{ignore: [W103, W104]}}
"""
    text += policies
    if comments is not None:
        text += f"""\
  comments:
    owner_column: author_id
    columns:
      id: {{type: uuid, primary_key: true, default_sql: gen_random_uuid()}}
      ticket_id: {{type: uuid, nullable: false, references: {{table: tickets, on_delete: cascade}}}}
      author_id: {{type: uuid, references: {{table: agents, on_delete: set_null}}}}
      body: {{type: text, nullable: false}}
    indexes:
      - columns: [body]
    access: {{{', '.join(f'{c}: {r}' for c, r in comments.items())}}}
"""
    return text


ESCALATED = """\
    policies:
      supervisors_see_escalated:
        for: select
        to: [authenticated]
        using: "escalated"
"""


@pytest.fixture
def released(tmp_path) -> Path:
    """The help desk built and released once (build/ written as `atlas-compile build` does)."""
    return release(tmp_path, tables(policies=ESCALATED))


def release(tmp_path: Path, spec: str) -> Path:
    """A help desk released once with ``spec`` as its tables."""
    (tmp_path / "schema").mkdir(parents=True)
    (tmp_path / "schema" / "_project.yaml").write_text(PROJECT)
    (tmp_path / "schema" / "desk.yaml").write_text(spec)
    result = next_migration(tmp_path / "schema", tmp_path / "build")
    write_files(tmp_path / "build", result.files)
    return tmp_path


def plan(project: Path, spec: str) -> tuple[str, dict]:
    """The plan's text and data after the spec's tables become ``spec``."""
    (project / "schema" / "desk.yaml").write_text(spec)
    result = next_migration(project / "schema", project / "build")
    assert result.files, "nothing changed"
    sides = {"previous": result.previous, "model": result.model, "hints": result.hints}
    return (plan_text(result.migration, result.operations, result.warnings, **sides),
            plan_data(result.migration, result.operations, result.warnings, **sides))


def hazards(text: str) -> list[str]:
    block = text[text.index("Hazards:\n") + len("Hazards:\n"):]
    return [line.strip() for line in block[:block.index("\n\n")].splitlines()]


def group(text: str, name: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(name) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")), len(lines))
    return [line.strip() for line in lines[start:end]]


def test_a_narrowed_rule_reads_old_to_new(released):
    text, data = plan(released, tables(dict(TICKETS, insert="[role:agent, role:admin]"), policies=ESCALATED))
    line = "tickets insert: member → role:admin, role:agent — narrower for member"
    assert hazards(text) == [f"AUTHZ_UPDATE                 {line}"]
    assert group(text, "tickets") == ["access insert: member → role:admin, role:agent — narrower for member"]
    assert "policy public.tickets.tickets_insert" not in text, "the policy rebuild is said in words"
    assert data["access"] == [{"table": "tickets", "command": "insert", "policy": None, "old": ["member"],
                               "new": ["role:admin", "role:agent"], "direction": "narrower",
                               "widens_for": [], "narrows_for": ["member"], "scope": None}]


def test_a_role_added_widens_and_comes_first(released):
    text, data = plan(released, tables(dict(TICKETS, insert="role:admin", delete="[role:admin, role:supervisor]"),
                                       policies=ESCALATED))
    assert hazards(text) == [
        "AUTHZ_UPDATE (wider)         tickets delete: role:admin → role:admin, role:supervisor — wider for role:supervisor",
        "AUTHZ_UPDATE                 tickets insert: member → role:admin — narrower for member",
    ]
    assert [(c["command"], c["direction"], c["widens_for"]) for c in data["access"]] == [
        ("delete", "wider", ["role:supervisor"]), ("insert", "narrower", [])]


def test_public_widens_for_anon(released):
    text, _ = plan(released, tables(dict(TICKETS, select="public"), policies=ESCALATED))
    assert hazards(text)[0] == "AUTHZ_UPDATE (wider)         tickets select: member → public — wider for public"


def test_a_removed_rule_falls_back_to_member_and_widens(released):
    rules = {c: r for c, r in TICKETS.items() if c != "update"}
    text, data = plan(released, tables(rules, policies=ESCALATED))
    assert hazards(text) == ["AUTHZ_UPDATE (wider)         tickets update: role:admin, owner → member — wider for member"]
    assert data["access"][0]["narrows_for"] == []


def test_owner_replaced_by_member_widens(released):
    text, _ = plan(released, tables(policies=ESCALATED, comments=dict(COMMENTS, update="member")))
    assert hazards(text) == ["AUTHZ_UPDATE (wider)         comments update: owner → member — wider for member"]


def test_service_to_a_rule_widens_and_back_narrows(released):
    """`service`: no generated policy (and the API roles lose the privilege, a grants change).
    The spec's side says `service` or `none` as the spec does; the lock's side, read back from
    policies where both leave none, says `service/none`."""
    text, data = plan(released, tables(dict(TICKETS, delete="service"), policies=ESCALATED))
    assert hazards(text) == ["AUTHZ_UPDATE                 tickets delete: role:admin → service — narrower for role:admin",
                             "AUTHZ_UPDATE                 tickets: set grants public.tickets"]
    assert data["access"][0]["new"] == ["service"]
    text, _ = plan(released, tables(dict(TICKETS, delete="none"), policies=ESCALATED))
    assert hazards(text)[0] == "AUTHZ_UPDATE                 tickets delete: role:admin → none — narrower for role:admin"
    result = next_migration(released / "schema", released / "build")
    write_files(released / "build", result.files)
    text, data = plan(released, tables(policies=ESCALATED))
    assert hazards(text)[0] == "AUTHZ_UPDATE (wider)         tickets delete: service/none → role:admin — wider for role:admin"
    assert data["access"][0]["old"] == ["service/none"]


def test_a_change_both_ways_says_for_whom(released):
    text, data = plan(released, tables(dict(TICKETS, update="[role:supervisor]"), policies=ESCALATED))
    assert hazards(text) == [
        "AUTHZ_UPDATE (wider)         tickets update: role:admin, owner → role:supervisor — changed: "
        "wider for role:supervisor, narrower for role:admin, owner"]
    change = data["access"][0]
    assert (change["direction"], change["widens_for"], change["narrows_for"]) == (
        "changed", ["role:supervisor"], ["role:admin", "owner"])


def test_hand_written_policies_by_name(released):
    """A new permissive policy widens, a removed one narrows; a changed expression whose
    direction the text does not tell is marked "may widen", right after the widenings."""
    added = ESCALATED + """\
      agents_see_unassigned:
        for: select
        to: [authenticated]
        using: "assignee_id is null"
"""
    text, data = plan(released, tables(dict(TICKETS, delete="role:supervisor"),
                                       policies=added.replace('using: "escalated"', 'using: "not escalated"')))
    assert hazards(text) == [
        "AUTHZ_UPDATE (wider)         tickets delete: role:admin → role:supervisor — changed: "
        "wider for role:supervisor, narrower for role:admin",
        "AUTHZ_UPDATE (wider)         tickets select: policy agents_see_unassigned: none → "
        "permissive to authenticated using (assignee_id IS NULL) — wider",
        "AUTHZ_UPDATE (may widen)     tickets select: policy supervisors_see_escalated: using (escalated) → "
        "using (NOT escalated) — changed, direction unknown: may widen",
    ]
    assert [(c["policy"], c["direction"]) for c in data["access"]] == [
        (None, "changed"), ("agents_see_unassigned", "wider"), ("supervisors_see_escalated", "unknown")]
    data["access"].pop(0)
    assert data["access"][0]["old"] is None and data["access"][0]["new"]["using"] == "assignee_id IS NULL"
    text, _ = plan(released, tables())
    assert hazards(text) == ["AUTHZ_UPDATE                 tickets select: policy supervisors_see_escalated: "
                             "permissive to authenticated using (escalated) → none — narrower"]


def test_soft_delete_turned_on_narrows_to_live_rows(released):
    """soft_delete rewrites every policy of the table with `deleted_at IS NULL`: members read,
    change and delete live rows only, a narrowing of what they reach (not of who). An insert
    leaves a row live either way, so its rebuild stays a plain operation."""
    text, data = plan(released, tables(policies=ESCALATED, soft_delete=True))
    assert hazards(text)[:3] == [
        "AUTHZ_UPDATE                 tickets select: member, policy supervisors_see_escalated (all rows) → "
        "member, policy supervisors_see_escalated (live rows) — narrower: soft-deleted rows hidden",
        "AUTHZ_UPDATE                 tickets update: role:admin, owner (all rows) → role:admin, owner (live rows) "
        "— narrower: soft-deleted rows hidden",
        "AUTHZ_UPDATE                 tickets delete: role:admin (all rows) → role:admin (live rows) "
        "— narrower: soft-deleted rows hidden"]
    assert [(c["command"], c["direction"], c["narrows_for"], c["scope"]) for c in data["access"]] == [
        (command, "narrower", ["soft-deleted rows"], {"old": ["all rows"], "new": ["live rows"]})
        for command in ("select", "update", "delete")]
    assert "rebuild policy public.tickets.tickets_insert" in group(text, "tickets")
    assert "rebuild policy public.tickets.supervisors_see_escalated" not in text, "the select line says it"


def test_soft_delete_turned_off_widens_first(tmp_path):
    """Turning soft_delete off drops `deleted_at IS NULL`: every row members had deleted is
    theirs again to read, change and delete. A widening, first among the hazards."""
    project = release(tmp_path, tables(policies=ESCALATED, soft_delete=True))
    text, data = plan(project, tables(policies=ESCALATED))
    assert hazards(text)[:3] == [
        "AUTHZ_UPDATE (wider)         tickets select: member, policy supervisors_see_escalated (live rows) → "
        "member, policy supervisors_see_escalated (all rows) — wider: soft-deleted rows reappear",
        "AUTHZ_UPDATE (wider)         tickets update: role:admin, owner (live rows) → role:admin, owner (all rows) "
        "— wider: soft-deleted rows reappear",
        "AUTHZ_UPDATE (wider)         tickets delete: role:admin (live rows) → role:admin (all rows) "
        "— wider: soft-deleted rows reappear"]
    assert [(c["command"], c["direction"], c["widens_for"]) for c in data["access"]] == [
        (command, "wider", ["soft-deleted rows"]) for command in ("select", "update", "delete")]
    lines = github(project)
    assert lines[0] == ("::warning file=schema/desk.yaml,line=2,col=3,title=AUTHZ_UPDATE (wider)::tickets select: "
                        "member, policy supervisors_see_escalated (live rows) → member, policy "
                        "supervisors_see_escalated (all rows) — wider: soft-deleted rows reappear")


def test_a_tenant_table_made_shared_widens_to_every_tenant_first(released):
    """`tenant: false` drops the tenant fence: every member of every tenant reaches every row
    (the rules alone read the same: `role:admin` becomes an admin of any tenant). Each
    command is a widening for members of other tenants, first among the hazards."""
    text, data = plan(released, tables(policies=ESCALATED, tenant=False))
    assert hazards(text)[:4] == [
        "AUTHZ_UPDATE (wider)         tickets select: member, policy supervisors_see_escalated (row's tenant) → "
        "member, policy supervisors_see_escalated (any tenant) — wider for members of other tenants, "
        "any signed-in user",
        "AUTHZ_UPDATE (wider)         tickets insert: member (row's tenant) → member (any tenant) — wider for "
        "members of other tenants, any signed-in user",
        "AUTHZ_UPDATE (wider)         tickets update: role:admin, owner (row's tenant) → role:admin, owner "
        "(any tenant) — wider for members of other tenants",
        "AUTHZ_UPDATE (wider)         tickets delete: role:admin (row's tenant) → role:admin (any tenant) — wider "
        "for members of other tenants"]
    assert "tenant_fence" not in text, "the lines say the fence goes"
    assert data["access"][0]["widens_for"] == ["members of other tenants", "any signed-in user"]
    update = next(c for c in data["access"] if c["command"] == "update")
    assert update == {"table": "tickets", "command": "update", "policy": None, "old": ["role:admin", "owner"],
                      "new": ["role:admin", "owner"], "direction": "wider",
                      "widens_for": ["members of other tenants"], "narrows_for": [],
                      "scope": {"old": ["row's tenant"], "new": ["any tenant"]}}
    lines = github(released)
    assert lines[3] == ("::warning file=schema/desk.yaml,line=2,col=3,title=AUTHZ_UPDATE (wider)::tickets delete: "
                        "role:admin (row's tenant) → role:admin (any tenant) — wider for members of other tenants")


def test_a_shared_table_made_tenant_narrows(tmp_path):
    project = release(tmp_path, tables(policies=ESCALATED, tenant=False))
    text, data = plan(project, tables(policies=ESCALATED))
    assert "(wider)" not in text
    assert "AUTHZ_UPDATE                 tickets delete: role:admin (any tenant) → role:admin (row's tenant) — " \
           "narrower for members of other tenants" in hazards(text)
    assert {c["direction"] for c in data["access"]} == {"narrower"}


def test_every_role_of_a_not_null_role_column_is_member(released):
    """`member` and every value of the role enum (the membership's role column is NOT NULL)
    admit the same people: equivalent, not narrower; a role short of all is narrower."""
    text, data = plan(released, tables(dict(TICKETS, select="[role:admin, role:supervisor, role:agent]"),
                                       policies=ESCALATED))
    assert hazards(text) == ["AUTHZ_UPDATE                 tickets select: member → role:admin, role:agent, "
                             "role:supervisor — equivalent: every member holds one of these roles (role is NOT NULL)"]
    assert [(c["direction"], c["widens_for"], c["narrows_for"]) for c in data["access"]] == [("equivalent", [], [])]
    text, _ = plan(released, tables(dict(TICKETS, select="[role:admin, role:agent]"), policies=ESCALATED))
    assert hazards(text) == ["AUTHZ_UPDATE                 tickets select: member → role:admin, role:agent — "
                             "narrower for member"]


def test_a_hand_written_condition_made_true_or_ored_widens(released):
    """A condition that becomes `true`, or ORs something onto the old one, admits more rows:
    wider. ANDing something on narrows; other rewrites are "may widen", after the widenings."""
    text, data = plan(released, tables(policies=ESCALATED.replace('using: "escalated"', 'using: "true"')))
    assert hazards(text) == ["AUTHZ_UPDATE (wider)         tickets select: policy supervisors_see_escalated: "
                             "using (escalated) → using (TRUE) — wider"]
    assert data["access"][0]["widens_for"] == ["policy supervisors_see_escalated"]
    ored = ESCALATED.replace('using: "escalated"', 'using: "escalated or subject = \'urgent\'"')
    text, _ = plan(released, tables(policies=ored))
    assert hazards(text)[0].startswith("AUTHZ_UPDATE (wider)         tickets select: policy supervisors_see_escalated")
    anded = ESCALATED.replace('using: "escalated"', 'using: "escalated and subject <> \'\'"')
    text, _ = plan(released, tables(dict(TICKETS, delete="[role:admin, role:supervisor]"), policies=anded))
    assert [line.split(" — ")[-1] for line in hazards(text)] == ["wider for role:supervisor", "narrower"]
    other = ESCALATED.replace('using: "escalated"', 'using: "subject <> \'\'"')
    text, _ = plan(released, tables(dict(TICKETS, insert="role:admin", delete="[role:admin, role:supervisor]"),
                                    policies=other))
    assert hazards(text) == [
        "AUTHZ_UPDATE (wider)         tickets delete: role:admin → role:admin, role:supervisor — wider for "
        "role:supervisor",
        "AUTHZ_UPDATE (may widen)     tickets select: policy supervisors_see_escalated: using (escalated) → "
        "using (subject <> '') — changed, direction unknown: may widen",
        "AUTHZ_UPDATE                 tickets insert: member → role:admin — narrower for member"]


def test_a_dropped_table_is_one_hazard_and_one_line(released):
    text, data = plan(released, tables(policies=ESCALATED, comments=None))
    assert [line for line in hazards(text) if "comments" in line] == [
        "DELETES_DATA                 comments: drop table comments (rows archived in atlas_archive), "
        "with its 5 indexes, 5 policies, 1 trigger"]
    assert "AUTHZ_UPDATE" not in text
    assert group(text, "comments") == [
        "drop table comments (rows archived in atlas_archive), with its 5 indexes, 5 policies, 1 trigger"]
    assert [c for c in data["access"] if c["table"] == "comments"] == [
        {"table": "comments", "command": None, "policy": None,
         "old": {"select": ["member"], "insert": ["member"], "update": ["owner"], "delete": ["role:admin", "owner"]},
         "new": None, "direction": "dropped", "widens_for": [], "narrows_for": [], "scope": None}]
    dropped = [op for op in data["operations"] if op["group"] == "comments"]
    assert len(dropped) == 12, "the JSON keeps every operation"


def test_a_renamed_table_is_compared_with_itself(released):
    spec = tables(policies=ESCALATED, comments=dict(COMMENTS, delete="role:admin"))
    text, data = plan(released, spec.replace("  comments:\n", "  replies:\n    renamed_from: comments\n"))
    assert hazards(text) == ["AUTHZ_UPDATE                 replies delete: role:admin, owner → role:admin — narrower for owner"]
    assert "comments" not in [line for line in text.splitlines() if not line.startswith(" ")]
    assert [c["table"] for c in data["access"]] == ["replies"]


def test_a_new_table_is_one_line(released):
    spec = tables(policies=ESCALATED) + """\
  macros:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      body: {type: text, nullable: false}
    access: {select: public, insert: member, update: none, delete: role:admin}
"""
    text, data = plan(released, spec)
    assert hazards(text)[0] == ("AUTHZ_UPDATE (wider)         macros: new table: select public; insert member; "
                                "update none; delete role:admin — wider for public")
    macros = group(text, "macros")
    assert macros[0] == "access: new table: select public; insert member; update none; delete role:admin — wider for public"
    assert not any("policy" in line for line in macros[1:]), macros
    (change,) = [c for c in data["access"] if c["table"] == "macros"]
    assert change["direction"] == "new" and change["new"]["select"] == ["public"]
    assert change["new"]["update"] == ["none"], "the spec's word, not `service`"


def test_without_the_models_plan_reads_as_before(released):
    """Callers that pass no models get the operations alone (and no access data)."""
    (released / "schema" / "desk.yaml").write_text(tables(dict(TICKETS, select="public"), policies=ESCALATED))
    result = next_migration(released / "schema", released / "build")
    assert plan_data(result.migration, result.operations, result.warnings)["access"] == []
    assert "rebuild policy public.tickets.tickets_select" in plan_text(result.migration, result.operations, [])


def cli(*args, cwd):
    return run_cli(*args, cwd=cwd, env={"PATH": "/usr/bin:/bin"})


def github(project: Path) -> list[str]:
    """`plan --format github`'s annotation lines."""
    result = cli("plan", "--format", "github", cwd=project)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("::")]


def test_the_example_plan(tmp_path):
    """The example's own plan is "no changes"; a copy whose tags change access says who gains."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "build", tmp_path / "build")
    assert cli("plan", cwd=tmp_path).stdout.strip() == "No changes: the spec matches build/schema.lock.json."
    tags = tmp_path / "schema" / "crm" / "tags.yaml"
    old = "      all: member          # any staff member keeps the tag list\n"
    assert old in tags.read_text()
    tags.write_text(tags.read_text().replace(old, "      all: member\n      select: public\n"
                                                  "      insert: [role:coach, role:admin]\n"))
    result = cli("plan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert hazards(result.stdout)[:2] == [
        "AUTHZ_UPDATE (wider)         tags select: member → public — wider for public",
        "AUTHZ_UPDATE                 tags insert: member → role:admin, role:coach — narrower for member"]
    data = json.loads(cli("plan", "--format", "json", cwd=tmp_path).stdout)
    assert [(c["table"], c["command"], c["direction"]) for c in data["access"]] == [
        ("tags", "select", "wider"), ("tags", "insert", "narrower")]


def test_sensitive_turned_off_says_where_the_values_go(tmp_path):
    """`sensitive` keeps a column out of the audit trail: turned off, its values are recorded
    there from now on, where the trail's readers see them; without a trail nothing changes."""
    project = release(tmp_path / "audited", tables(policies=ESCALATED, audit=True))
    text, data = plan(project, tables(policies=ESCALATED, audit=True, sensitive=False))
    assert "alter column requester_phone: no longer sensitive (now recorded in tickets_audit, which member may read)" \
        in group(text, "tickets")
    (change,) = [op for op in data["operations"] if op["family"] == "column"]
    assert change["summary"].endswith("(now recorded in tickets_audit, which member may read)")
    text, _ = plan(project, tables(policies=ESCALATED, audit=True, sensitive=True).replace(
        "      subject: {type: text, nullable: false}\n", "      subject: {type: text, nullable: false, sensitive: true}\n"))
    assert "alter column subject: sensitive (left out of tickets_audit from now on)" in group(text, "tickets")
    project = release(tmp_path / "plain", tables(policies=ESCALATED))
    text, _ = plan(project, tables(policies=ESCALATED, sensitive=False))
    assert group(text, "tickets") == [
        "alter column requester_phone: no longer sensitive (the table keeps no audit trail: nothing else changes)"]


def test_an_audit_trails_access_change_is_located_at_its_table(tmp_path):
    """The audit trail has no spec entry of its own: its access change is annotated at the
    table whose `audit: true` makes it, not at the lock."""
    project = release(tmp_path, tables(policies=ESCALATED, audit=True))
    text, _ = plan(project, tables(dict(TICKETS, select="role:admin"), policies=ESCALATED, audit=True))
    assert "AUTHZ_UPDATE                 tickets_audit select: member → role:admin — narrower for member" in hazards(text)
    lines = [line for line in github(project) if "tickets_audit select" in line]
    assert lines == ["::warning file=schema/desk.yaml,line=2,col=3,title=AUTHZ_UPDATE::tickets_audit select: "
                     "member → role:admin — narrower for member"]


def test_switching_how_the_tenant_is_known_says_who_loses_and_gains(released):
    """memberships -> claim rebuilds every policy with the same rules read back; the fence line
    says what changes: narrower for users of several tenants and for requests naming none, and
    wider again on the way back."""
    spec = tables(policies=ESCALATED)
    (released / "schema" / "_project.yaml").write_text(
        PROJECT.replace("current_user_id: auth.uid()", "current_user_id: auth.uid()\n    current_tenant: {claim: org}"))
    text, data = plan(released, spec)
    who = "users of several tenants (one tenant per request), requests that name no tenant (nothing)"
    line = ("tenant tables fence: every tenant of the user (memberships) → the one tenant the request names "
            f"(claim org) — narrower for {who}")
    assert f"AUTHZ_UPDATE                 {line}" in hazards(text)
    fence = [c for c in data["access"] if c["command"] == "fence"]
    assert [(c["direction"], c["narrows_for"]) for c in fence] == [("narrower", who.split(", "))]
    write_files(released / "build", next_migration(released / "schema", released / "build").files)
    (released / "schema" / "_project.yaml").write_text(PROJECT)
    text, _ = plan(released, spec)
    first = hazards(text)[0]   # a widening comes first
    assert first.startswith("AUTHZ_UPDATE (wider)") and "tenant tables fence" in first and f"wider for {who}" in first
