"""The access_rules, owner and soft_delete probe families on specs of other domains (a
marketplace on Supabase, a clinic on plain PostgreSQL), each shown to fail on a database broken
by hand; the statement every finding carries; consume_sequences=False leaves every sequence as
it was; check_isolation maps the findings to verify's checks."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from helpers import CASES, ROOT, SNAPSHOT_CASES, initial_up, snapshot_cases

from compiler.isolation import FAIL, PASS, SKIP, probe_isolation, seed_tenants, sequence_states
from compiler.model import Model
from compiler.pipeline import compile_with_hints, fresh_build
from compiler.policy_rules import table_rules
from compiler.postgres import scratch_database
from compiler.verify.chain import apply_sql
from compiler.verify.checks import Check
from compiler.verify.probing import check_isolation

MARKETPLACE = {
    "_project.yaml": """
project:
  name: marketplace
  postgres: 15
  target: supabase
  extensions: [pgcrypto]
  tenancy:
    table: shops
    column: shop_id
    membership: {table: sellers, user_column: user_id, role_column: role}
    current_user_id: auth.uid()
  defaults: {tenant: true, timestamps: true, soft_delete: false, audit: false}
enums:
  seller_role: [owner, manager, clerk]
""",
    "tables.yaml": """
tables:
  shops:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
    access: {select: member, insert: service, update: role:owner, delete: none}
  sellers:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false, references: {table: auth.users, on_delete: cascade}}
      role: {type: seller_role, nullable: false, default: clerk}
    unique: [[user_id]]
    access: {select: member, all: role:owner}
  categories:
    tenant: false
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false, unique: true}
    access: {select: public, insert: service, update: service, delete: service}
  listings:
    soft_delete: true
    owner_column: seller_id
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      title: {type: text, nullable: false}
      price_cents: {type: integer, nullable: false, check: "price_cents >= 0"}
      category_id: {type: uuid, references: categories}
      seller_id: {type: uuid, references: {table: sellers, on_delete: set_null}}
    access:
      select: [public, member]
      insert: [role:owner, role:manager, owner]
      update: [owner, role:owner]
      delete: [owner, role:manager]
  orders:
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      listing_id: {type: uuid, nullable: false, references: listings}
      total_cents: {type: integer, nullable: false}
    access: {select: [role:owner, role:manager], insert: member, update: service, delete: none}
""",
}

CLINIC = {
    "_project.yaml": """
project:
  name: clinic
  postgres: 15
  target: postgres
  tenancy:
    table: clinics
    column: clinic_id
    membership: {table: staff, user_column: user_id, role_column: role}
    current_user_id: "current_setting('app.user_id', true)::uuid"
  defaults: {tenant: true, timestamps: false, soft_delete: false, audit: false}
enums:
  staff_role: [doctor, nurse, reception]
""",
    "tables.yaml": """
tables:
  clinics:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
  staff:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      user_id: {type: uuid, nullable: false}
      role: {type: staff_role, nullable: false}
    unique: [[user_id]]
    access: {select: member, all: role:doctor}
  patients:
    soft_delete: true
    audit: true
    columns:
      id: {type: bigint, primary_key: true, identity: by_default}
      name: {type: text, nullable: false}
    access: {select: member, insert: [role:doctor, role:reception], update: role:doctor, delete: role:doctor}
  notes:
    owner_column: author
    columns:
      id: {type: bigint, primary_key: true, identity: always}
      patient_id: {type: bigint, nullable: false, references: {table: patients, on_delete: cascade}}
      author: {type: uuid, default_sql: "nullif(current_setting('app.user_id', true), '')::uuid"}
      body: {type: text, nullable: false}
    access: {select: [role:doctor, role:nurse], insert: [role:doctor, role:nurse], update: owner, delete: owner}
""",
}

NEW_FAMILIES = ("access_rules", "owner_select_other", "owner_update_other", "soft_deleted_hidden",
                "undelete_by_update", "soft_delete_by_update", "soft_delete_marks")


def applied(db, files: dict[str, str], tmp_path: Path):
    schema = tmp_path / "schema"
    schema.mkdir()
    for name, text in files.items():
        (schema / name).write_text(text.lstrip(), encoding="utf-8")
    conn = db.connect()
    apply_sql(conn, initial_up(schema, tmp_path / "build"))
    model, hints = compile_with_hints(schema)
    return conn, model, hints.access


def verdicts(report, table: str, command: str) -> dict[str, str]:
    """actor -> "allowed" / "kept out" for one table and command of the access_rules family."""
    return {f.actor: ("allowed" if "allowed" in f.detail else "kept out") for f in report.findings
            if f.table == table and f.probe == "access_rules" and f.subject == command and f.actor != "anon"}


@pytest.fixture(params=["marketplace", "clinic"])
def domain(request, fresh_db, tmp_path):
    files = MARKETPLACE if request.param == "marketplace" else CLINIC
    conn, model, access = applied(fresh_db, files, tmp_path)
    return request.param, conn, model, access


def test_every_rule_grants_what_it_says(domain):
    name, conn, model, access = domain
    report = probe_isolation(conn, model, access=access)
    assert report.ok, report.format()
    assert {f.probe for f in report.findings} >= set(NEW_FAMILIES)
    assert all(f.statement for f in report.findings if f.probe in NEW_FAMILIES)
    if name == "marketplace":
        # listings.update [owner, role:owner]: the fresh row belongs to the clerk
        assert verdicts(report, "public.listings", "update") == {
            "A:owner": "allowed", "A:manager": "kept out", "A:clerk": "allowed", "signed-in non-member": "kept out"}
        assert verdicts(report, "public.listings", "delete") == {
            "A:owner": "kept out", "A:manager": "allowed", "A:clerk": "allowed", "signed-in non-member": "kept out"}
        assert set(verdicts(report, "public.orders", "update").values()) == {"kept out"}   # service
        assert verdicts(report, "public.orders", "select")["A:clerk"] == "kept out"
        assert verdicts(report, "public.categories", "select")["signed-in non-member"] == "allowed"   # shared
        anon = [f for f in report.findings if f.probe == "access_rules" and f.actor == "anon"]
        assert {f.table for f in anon} == {"public.listings", "public.categories"} and all(f.passed for f in anon)
    else:
        # notes.update [owner]: the fresh note is the nurse's (reception, who may not read
        # notes, could not find it by a WHERE even as its owner)
        assert verdicts(report, "public.notes", "update") == {
            "A:doctor": "kept out", "A:nurse": "allowed", "A:reception": "kept out",
            "signed-in non-member": "kept out"}
        assert verdicts(report, "public.patients", "insert") == {
            "A:doctor": "allowed", "A:nurse": "kept out", "A:reception": "allowed", "signed-in non-member": "kept out"}
        marks = [f for f in report.findings if f.probe == "soft_delete_marks"]
        assert [f.actor for f in marks] == ["A:doctor"] and marks[0].passed


def failures(report, probe: str) -> set[tuple[str, str, str]]:
    return {(f.table, f.actor, f.subject or "") for f in report.failures if f.probe == probe}


def test_a_widened_access_policy_is_caught(fresh_db, tmp_path):
    conn, model, access = applied(fresh_db, MARKETPLACE, tmp_path)
    conn.execute("alter policy listings_update on public.listings using (deleted_at is null) "
                 "with check (deleted_at is null)")
    report = probe_isolation(conn, model, access=access)
    assert failures(report, "access_rules") == {("public.listings", "A:manager", "update")}
    bad = next(f for f in report.failures if f.probe == "access_rules")
    assert "allowed, though the rule does not grant it" in bad.detail
    assert bad.statement.startswith("update \"public\".\"listings\"") and "%s" not in bad.statement
    assert "statement: update" in bad.line()


def test_a_policy_the_compiler_wrote_wrong_is_caught_by_the_declared_rules(fresh_db, tmp_path):
    """The probes judge by the spec's rules, not by the model: a generated policy that grants
    more than its rule (as a lowering bug would write it) fails, though the database matches the
    model exactly.  Read back from that model, the rules would agree with the bug."""
    _, model, access = applied(fresh_db, MARKETPLACE, tmp_path)
    wrong = next(o for o in model.objects if o.family == "policy" and o.name == "listings_update")
    widened = replace(wrong, using="deleted_at IS NULL", with_check="deleted_at IS NULL")
    buggy = Model(model.target, model.postgres, tuple(widened if o is wrong else o for o in model.objects),
                  model.project, model.tenancy)
    with scratch_database(fresh_db.cluster, "buggy") as db, db.connect() as conn:
        apply_sql(conn, fresh_build(buggy))
        judged = probe_isolation(conn, buggy, access=access)
        assert failures(judged, "access_rules") == {("public.listings", "A:manager", "update")}
        read_back = probe_isolation(conn, buggy)
        assert not failures(read_back, "access_rules"), "the model's own policies cannot show its bug"


def test_a_narrowed_access_policy_is_caught(fresh_db, tmp_path):
    """No more and no less: a rule that grants what the database refuses fails too."""
    conn, model, access = applied(fresh_db, CLINIC, tmp_path)
    conn.execute("alter policy patients_insert on public.patients with check (false)")
    report = probe_isolation(conn, model, access=access)
    assert failures(report, "access_rules") == {("public.patients", "A:doctor", "insert"),
                                                ("public.patients", "A:reception", "insert")}


def test_row_level_security_not_forced_is_caught(fresh_db, tmp_path):
    conn, model, access = applied(fresh_db, MARKETPLACE, tmp_path)
    conn.execute("alter table public.listings no force row level security")
    report = probe_isolation(conn, model, access=access)
    assert {t for t, _, _ in failures(report, "owner_select_other")} == {"public.listings"}
    assert {t for t, _, _ in failures(report, "owner_update_other")} == {"public.listings"}
    assert report.failures and {f.table for f in report.failures} == {"public.listings"}


def test_the_owner_family_skips_without_a_superuser(fresh_db, tmp_path):
    conn, model, access = applied(fresh_db, MARKETPLACE, tmp_path)
    conn.execute("create role probe_runner nosuperuser bypassrls")
    seed = seed_tenants(conn, model)
    conn.execute("grant postgres to probe_runner")   # may act as every role, as the runner must
    conn.execute("set role probe_runner")
    report = probe_isolation(conn, model, seed=seed)
    owner = [f for f in report.findings if f.probe.startswith("owner")]
    assert owner and all(f.status == SKIP and f.detail.startswith("skipped:") for f in owner)


@pytest.mark.parametrize("breakage, probe", [
    ("alter policy listings_select on public.listings using (true)", "soft_deleted_hidden"),
    ("drop trigger soft_delete_listings on public.listings", "soft_delete_marks"),
    # an UPDATE reads through the select policy too: un-deleting needs both widened
    ("alter policy listings_select on public.listings using (true); "
     "alter policy listings_update on public.listings using (true) with check (true)", "undelete_by_update"),
])
def test_soft_delete_breakages_are_caught(fresh_db, tmp_path, breakage, probe):
    conn, model, access = applied(fresh_db, MARKETPLACE, tmp_path)
    conn.execute(breakage)
    report = probe_isolation(conn, model, access=access)
    assert {t for t, _, _ in failures(report, probe)} == {"public.listings"}, report.format()


def test_probing_in_a_rolled_back_transaction_draws_no_sequence(fresh_db, tmp_path):
    conn, model, access = applied(fresh_db, CLINIC, tmp_path)   # identity keys, and an audited table
    before = sequence_states(conn)
    assert len(before) >= 3
    with conn.transaction(force_rollback=True):
        report = probe_isolation(conn, model, consume_sequences=False)
    assert report.ok, report.format()
    assert sequence_states(conn) == before
    # what the option prevents: the ordinary seed draws from every sequence it fills
    with conn.transaction(force_rollback=True):
        seed_tenants(conn, model)
    moved = {name for name, state in sequence_states(conn).items() if state != before[name]}
    assert {"public.patients_id_seq", "public.notes_id_seq"} <= moved


def test_check_isolation_maps_findings_to_checks(fresh_db, tmp_path):
    conn, model, access = applied(fresh_db, MARKETPLACE, tmp_path)
    conn.execute("alter table public.listings no force row level security")
    lines = []
    checks = check_isolation(conn, model, lines.append)
    assert checks and all(isinstance(c, Check) and c.area == "isolation" for c in checks)
    assert any("access_rules" in line for line in lines)
    bad = [c for c in checks if c.status == FAIL]
    assert bad and {c.subject for c in bad} == {"public.listings"}
    assert all(c.statement and c.actor for c in bad)
    assert any(c.check == "access_rules[select]" and c.status == PASS for c in checks)


SPEC_FOLDERS = [ROOT / "schema", *(SNAPSHOT_CASES / case / "schema" for case in snapshot_cases()),
                *sorted(p for p in (CASES / "verify").glob("*/v*") if p.is_dir())]


@pytest.mark.parametrize("folder", SPEC_FOLDERS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_rules_read_back_from_a_model_equal_the_declared_rules(folder):
    """verify --database-url on a database behind the lock has only the model of its migration
    (no spec of that step): its rules, read back from the generated policies, must be the ones
    the spec declared, for every table and command of every spec we have."""
    model, hints = compile_with_hints(folder)
    tables = {(t.schema, t.name): t for t in model.of("table")}
    assert hints.access, "no declared rules"
    for qualified, declared in hints.access.items():
        table = tables[(declared.schema, declared.table)]
        read_back, spec = table_rules(model, table), table_rules(model, table, declared)
        assert {c: r.canonical() for c, r in read_back.items()} == {c: r.canonical() for c, r in spec.items()}, qualified


def test_a_shared_table_role_rule_is_read_back(tmp_path):
    """A role rule on a shared table is `cardinality(<the user's tenants with the role>) > 0`."""
    files = dict(MARKETPLACE)
    files["tables.yaml"] = files["tables.yaml"].replace(
        "access: {select: public, insert: service, update: service, delete: service}",
        "access: {select: public, insert: role:manager, update: service, delete: service}")
    schema = tmp_path / "schema"
    schema.mkdir()
    for name, text in files.items():
        (schema / name).write_text(text.lstrip(), encoding="utf-8")
    model, hints = compile_with_hints(schema)
    categories = next(t for t in model.of("table") if t.name == "categories")
    read_back = table_rules(model, categories)["insert"]
    assert read_back.roles == {"manager"} and not read_back.unknown and not read_back.raw
    assert read_back == table_rules(model, categories, hints.access["public.categories"])["insert"]
