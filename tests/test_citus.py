"""target citus: the example CRM (schema/) distributed, proven on the plain PostgreSQL 15 the
suite starts (Citus is not installable here).

The copy of schema/ with `target: citus` is first refused, each refusal a located E413 at the
line Citus would refuse; adjusted only there (set_null keys that include organization_id,
the root's global unique slug), it compiles, applies with a notice per distribution call, and
the catalog read back holds every rule Citus enforces: keys and uniques include the
distribution column, foreign keys between distributed tables hold it at the same place on both
sides and set nothing on it, no reference table points at a distributed one, no policy holds a
subquery (pg_policy parsed with pglast), and every table with triggers was warned about (W107).
The tenant isolation probes pass with the call-form fence."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, SNAPSHOT_CASES
from pglast import parse_sql

from compiler.diagnostics import CompileError
from compiler.isolation import probe_isolation
from compiler.lower.policy_sql import has_subquery
from compiler.model import Distribution, Table
from compiler.output import write_files
from compiler.pipeline import compile_with_warnings, next_migration
from compiler.policy_rules import table_rules
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.postgres.scratch import scratch_database
from compiler.verify.chain import apply_sql

USER_SETTING = "nullif(current_setting('app.user_id', true), '')::uuid"
SET_NULL = re.compile(r"on_delete: set_null")
ENCRYPTED = re.compile(r"^\s*encrypted: true\b")   # E414: the key table would be local to the coordinator
LOCAL_NOTICE = re.compile(r"^citus is not installed: (\S+) stays a local table$")


def citus_copy(tmp_path: Path, adjusted: bool) -> Path:
    """schema/ with target citus and the user read from a setting (target citus is not Supabase:
    there is no auth.uid()); `adjusted`: with the edits the refusals ask for."""
    schema = tmp_path / "schema"
    shutil.copytree(ROOT / "schema", schema)
    project = schema / "_project.yaml"
    text = project.read_text()
    text = re.sub(r"(?m)^  target: \w+$", "  target: citus", text)
    text = re.sub(r"(?m)^    current_user_id: .*$", f'    current_user_id: "{USER_SETTING}"', text)
    project.write_text(text)
    if adjusted:
        for path in schema.rglob("*.yaml"):
            text = SET_NULL.sub("on_delete: no_action", path.read_text())
            path.write_text("".join(line for line in text.splitlines(keepends=True) if not ENCRYPTED.match(line)))
        root = schema / "core" / "organizations.yaml"
        lines = root.read_text().splitlines(keepends=True)
        slug = next(i for i, line in enumerate(lines) if line.strip() == "slug:")
        unique = next(i for i in range(slug, len(lines)) if lines[i].strip() == "unique: true")
        root.write_text("".join(lines[:unique] + lines[unique + 1:]))
    return schema


def expected_refusals(schema: Path) -> set[tuple[str, int]]:
    """Where Citus refuses the example: every set_null key (all its tables are tenant tables, so
    each such key includes organization_id), the root's global unique slug, and (E414) every
    encrypted column."""
    found = set()
    for path in sorted(schema.rglob("*.yaml")):
        rel = str(path.relative_to(schema.parent))
        lines = path.read_text().splitlines()
        found |= {(rel, n) for n, line in enumerate(lines, 1) if SET_NULL.search(line) or ENCRYPTED.match(line)}
        if path.name == "organizations.yaml":
            slug = next(n for n, line in enumerate(lines, 1) if line.strip() == "slug:")
            found.add((rel, next(n for n in range(slug, len(lines) + 1) if lines[n - 1].strip() == "unique: true")))
    return found


def test_the_example_is_refused_where_citus_would_refuse_it(tmp_path, monkeypatch):
    schema = citus_copy(tmp_path, adjusted=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CompileError) as caught:
        compile_with_warnings(Path("schema"))
    diagnostics = caught.value.diagnostics
    assert {d.code for d in diagnostics} == {"E413", "E414"}
    assert sum(d.code == "E414" for d in diagnostics) == 1   # members.emergency_contact (0009)
    assert {(d.location.path, d.location.line) for d in diagnostics} == expected_refusals(schema)
    assert len(diagnostics) == len(expected_refusals(schema)) >= 12


@pytest.fixture(scope="module")
def crm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("citus_crm")
    schema = citus_copy(tmp, adjusted=True)
    result = next_migration(schema, tmp / "build")
    files = {rel: data.decode() for rel, data in result.files.items()}
    return schema, result, files["migrations/0001_initial.up.sql"], files["migrations/0001_initial.down.sql"]


def distributions(model) -> list[Distribution]:
    return list(model.of("distribution"))


def test_every_table_is_distributed_in_an_order_citus_accepts(crm):
    _, result, up, _ = crm
    model = result.model
    tables = {t.name: t for t in model.of("table") if t.schema == "public"}
    found = {d.table: d for d in distributions(model)}
    assert set(found) == set(tables)
    root = model.tenancy.root
    for name, d in found.items():
        kind = tables[name].kind
        if name == root:
            assert (d.method, d.column, d.colocate_with) == ("hash", "id", None)
        elif kind in ("tenant", "audit"):
            assert (d.method, d.column, d.colocate_with) == ("hash", "organization_id", root)
        else:
            assert d.method == "reference"
    # in the migration: the root first (no shared table here), each table after what it references
    calls = re.findall(r"create_(?:distributed|reference)_table\('public\.(\w+)'", up)
    assert calls[0] == root and sorted(calls) == sorted(found)
    for name, table in tables.items():
        for c in table.constraints:
            if c.kind == "foreign_key" and c.ref_table != name:
                assert calls.index(c.ref_table) < calls.index(name), (name, c.ref_table)
    # a foreign key that closes a cycle is added once both its tables are distributed
    for fk in model.of("foreign_key"):
        added = up.index(f"ADD CONSTRAINT {fk.constraint.name} ")
        for table in (fk.table, fk.constraint.ref_table):
            assert up.index(f"create_distributed_table('public.{table}'") < added


def test_generated_policies_hold_no_subquery_and_read_back_as_declared(crm):
    _, result, up, _ = crm
    model = result.model
    policies = model.of("policy")
    assert policies
    for p in policies:
        for text in (p.using, p.with_check):
            if text is not None:
                assert not has_subquery(parse_sql(f"SELECT {text}")[0].stmt.targetList), (p.name, text)
    assert "organization_id = ANY (atlas_private.user_tenant_ids())" in up
    # the rules read back from the call-form policies are the rules the spec declared
    declared = result.hints.access
    for table in model.of("table"):
        if f"public.{table.name}" in declared and table.kind != "audit":
            read = table_rules(model, table)
            wanted = table_rules(model, table, declared[f"public.{table.name}"])
            # (`public` is read back from the fence: off Supabase it admits a request with no user)
            assert {c: _granted(r) for c, r in read.items()} == {c: _granted(r) for c, r in wanted.items()}, \
                table.name


def _granted(rules) -> tuple:
    r = rules.canonical()
    return r.member, r.roles, r.owners, r.public


def test_tables_with_triggers_are_warned_about(crm):
    _, result, _, _ = crm
    warned = {re.match(r"table '(\w+)'", w.message).group(1) for w in result.warnings if w.code == "W107"}
    with_triggers = {t.table for t in result.model.of("trigger")}
    assert warned == with_triggers and "leads" in warned
    assert not [w for w in result.warnings if w.code == "W101"]


def test_applies_on_plain_postgres_with_notices_and_reverts(fresh_db, crm):
    _, result, up, down = crm
    notices: list[str] = []
    with fresh_db.connect() as conn:
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        local = [m.group(1) for n in notices if (m := LOCAL_NOTICE.match(n))]
        assert local == [f"public.{t}" for t in re.findall(r"create_(?:distributed|reference)_table\('public\.(\w+)'", up)]
        assert len(local) == len(distributions(result.model))
        built = snapshot_catalog(conn)
        apply_sql(conn, down)
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_sql(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []


def test_catalog_holds_every_citus_rule(fresh_db, crm):
    _, result, up, _ = crm
    model = result.model
    by_table = {d.table: d for d in distributions(model)}
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        columns = _distribution_attnums(conn, by_table)
        _keys_include_the_distribution_column(conn, by_table, columns)
        _foreign_keys_citus_accepts(conn, by_table, columns)
        _policies_without_subqueries(conn)
        triggered = {r[0] for r in conn.execute(
            "select distinct c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not t.tgisinternal and not c.relispartition")}
        warned = {re.match(r"table '(\w+)'", w.message).group(1) for w in result.warnings if w.code == "W107"}
        assert triggered == warned


def _distribution_attnums(conn, by_table) -> dict[str, int]:
    result = {}
    for name, d in by_table.items():
        if d.method == "hash":
            result[name] = conn.execute(
                "select attnum from pg_attribute where attrelid = %s::regclass and attname = %s",
                (f"public.{name}", d.column)).fetchone()[0]
    return result


# Partitions (the example's workflow_executions) carry their parent's keys, triggers and foreign
# keys as clones: the rules are held on the tables the spec declares.
def _keys_include_the_distribution_column(conn, by_table, columns) -> None:
    rows = conn.execute(
        "select c.relname, k.conname, k.conkey from pg_constraint k join pg_class c on c.oid = k.conrelid "
        "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and k.contype in ('p', 'u', 'x') and not c.relispartition"
    ).fetchall()
    assert rows
    for table, name, key in rows:
        if table in columns:
            assert columns[table] in key, f"{table}.{name} {key} lacks the distribution column"
    for table, name, key in conn.execute(
            "select c.relname, i.relname, i2.indkey::int2[] from pg_index i2 join pg_class i on i.oid = i2.indexrelid "
            "join pg_class c on c.oid = i2.indrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and i2.indisunique and not c.relispartition").fetchall():
        if table in columns:
            assert columns[table] in key, f"unique index {name} of {table} lacks the distribution column"


def _foreign_keys_citus_accepts(conn, by_table, columns) -> None:
    rows = conn.execute(
        "select c.relname, r.relname, rn.nspname, k.conname, k.conkey, k.confkey, k.confdeltype, k.confupdtype "
        "from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace "
        "join pg_class r on r.oid = k.confrelid join pg_namespace rn on rn.oid = r.relnamespace "
        "where n.nspname = 'public' and k.contype = 'f' and not c.relispartition").fetchall()
    assert len(rows) > 30
    for table, target, target_schema, name, key, ref_key, on_delete, on_update in rows:
        assert target_schema == "public" and target in by_table, f"{name}: {table} -> a local table {target}"
        source, dest = by_table[table], by_table[target]
        assert not (source.method == "reference" and dest.method == "hash"), f"{name}: reference -> distributed"
        if source.method == "hash" and dest.method == "hash" and table != target:
            assert columns[table] in key and columns[target] in ref_key, name
            assert key.index(columns[table]) == ref_key.index(columns[target]), f"{name}: not at the same place"
        if table in columns and columns[table] in key:
            assert on_delete not in ("n", "d"), f"{name}: ON DELETE SET NULL/DEFAULT on the distribution column"
            assert on_update not in ("n", "d", "c"), f"{name}: ON UPDATE action on the distribution column"


def _policies_without_subqueries(conn) -> None:
    rows = conn.execute(
        "select c.relname, p.polname, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid) "
        "from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = 'public'").fetchall()
    assert len(rows) > 50
    for table, name, using, check in rows:
        for text in (using, check):
            if text is not None:
                assert not has_subquery(parse_sql(f"SELECT {text}")[0].stmt.targetList), f"{table}.{name}: {text}"


def test_tenant_isolation_holds_with_the_call_form_fence(fresh_db, crm):
    schema, result, up, _ = crm
    conn = fresh_db.connect()
    apply_sql(conn, up)
    report = probe_isolation(conn, result.model, access=result.hints.access)
    tenant = {f"public.{t.name}" for t in result.model.of("table") if t.kind == "tenant"}
    assert set(report.tables_probed) == tenant
    # Off Supabase a `public` rule opens the tenant fence to a request with no signed-in user
    # (reads only): anon reads those tables' rows of every tenant, and nothing else fails.
    public = {f"public.{name}" for name, entry in _spec_tables(schema).items()
              if (entry.get("access") or {}).get("select") == "public"}
    assert public == {"public.classes", "public.class_sessions"}
    seen = {f.table for f in report.findings if f.probe == "access_rules" and f.actor == "anon" and f.passed
            and f.detail.startswith("select [public]: anon sees")}
    assert seen == public
    assert not report.failures, "\n".join(f.line() for f in report.failures)
    visible = {f.table for f in report.findings if f.probe == "own_rows_visible" and f.passed}
    assert tenant <= visible


def _spec_tables(schema: Path) -> dict:
    tables = {}
    for path in schema.rglob("*.yaml"):
        tables.update((yaml.safe_load(path.read_text()) or {}).get("tables") or {})
    return tables


def test_other_targets_keep_their_init_plans():
    """Only target citus takes the call form: the other targets' policies are unchanged."""
    model, _, _ = compile_with_warnings(ROOT / "tests" / "cases" / "snapshots" / "target_postgres" / "schema")
    fences = [p.using for p in model.of("policy") if p.name.endswith("_tenant_fence")]
    assert fences and all("(SELECT atlas_private.user_tenant_ids())" in f for f in fences)
    assert not model.of("distribution")
    assert all(isinstance(t, Table) for t in model.of("table"))


NEW_TABLES = """tables:
  notes:
    owner_column: author_id
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      company_id: {type: uuid, nullable: false, references: {table: companies, on_delete: cascade}}
      author_id: {type: uuid, references: members}
      body: {type: text, nullable: false}
      topic_code: {type: text, references: topics}
    access: {select: member, insert: member, update: owner, delete: owner}
  topics:
    tenant: false
    soft_delete: false
    audit: false
    columns:
      code: {type: text, primary_key: true}
    access: {select: member, all: service}
"""


def test_a_later_migration_distributes_new_tables_like_a_fresh_build(pg_cluster, tmp_path):
    """citus_crm released, then two tables added (a tenant table and the reference table it
    points at): the chain of two migrations gives the catalog a fresh build gives, and its
    down takes the new tables' distributions back first."""
    first = tmp_path / "spec1"
    shutil.copytree(SNAPSHOT_CASES / "citus_crm" / "schema", first)
    second = tmp_path / "spec2"
    shutil.copytree(first, second)
    (second / "notes.yaml").write_text(NEW_TABLES)
    out = tmp_path / "build"
    ups, downs = [], []
    for spec in (first, second):
        result = next_migration(spec, out)
        write_files(out, result.files)
        (name,) = result.migrations
        ups.append(result.files[f"migrations/{name}.up.sql"].decode())
        downs.append(result.files[f"migrations/{name}.down.sql"].decode())
    assert "create_reference_table('public.topics')" in ups[1]
    assert "create_distributed_table('public.notes', 'workspace_id', colocate_with => 'public.workspaces')" in ups[1]
    assert ups[1].index("create_reference_table('public.topics')") < ups[1].index("create_distributed_table('public.notes'")
    fresh = next_migration(second, tmp_path / "fresh").files["migrations/0001_initial.up.sql"].decode()
    with scratch_database(pg_cluster, "chain") as chain, scratch_database(pg_cluster, "fresh") as built:
        with chain.connect() as a, built.connect() as b:
            apply_sql(a, ups[0])
            released = snapshot_catalog(a)
            apply_sql(a, ups[1])
            apply_sql(b, fresh)
            assert diff_catalogs(snapshot_catalog(b), snapshot_catalog(a)) == []
            apply_sql(a, downs[1])
            assert diff_catalogs(released, snapshot_catalog(a)) == []
