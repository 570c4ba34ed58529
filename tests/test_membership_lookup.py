"""The membership lookups behind the tenant fence use an index (issue 6, item 7).

Every statement under row level security calls atlas_private.user_tenant_ids() (and owner
rules user_membership_ids()), which filter the membership table by the user column. The
generated index idx_<membership>_<user>_<tenant> leads with the user column; without it the
only candidate is unique (tenant, user), and the lookup reads the whole table. Proven with
EXPLAIN of the functions' own queries on a loaded, analyzed table, and shown to fail without
the index.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import SNAPSHOT_CASES, initial_up

from compiler.model import Function
from compiler.pipeline import compile_folder
from compiler.verify.chain import apply_sql

SCHEMA = SNAPSHOT_CASES / "soft_delete_audit" / "schema"
INDEX = "idx_auth_users_auth_id_organization_id"
MEMBERS = 20_000
USER = "0c000000-0000-4000-8000-000000000001"


def lookup_queries() -> dict[str, str]:
    """The query each generated lookup function runs, from the model itself."""
    model = compile_folder(SCHEMA)
    result = {}
    for f in model.objects:
        if isinstance(f, Function) and f.name in ("user_tenant_ids", "user_membership_ids"):
            query = re.search(r"RETURN \((.*)\);\s*END$", f.body, re.S).group(1)
            result[f.name] = query.replace("p_role", "NULL::public.member_role")
    assert set(result) == {"user_tenant_ids", "user_membership_ids"}
    return result


def test_the_generated_index_leads_with_the_user_column():
    model = compile_folder(SCHEMA)
    index = next(o for o in model.of("index") if o.name == INDEX)
    assert (index.table, [k.column for k in index.keys]) == ("auth_users", ["auth_id", "organization_id"])


def test_the_lookup_index_serves_a_foreign_key_on_the_user_column():
    """A membership user column that references auth.users needs no index of its own: the
    lookup index leads with it."""
    model = compile_folder(SCHEMA.parent.parent / "help_desk" / "schema")
    keys = [[k.column for k in o.keys] for o in model.of("index") if o.table == "agents"]
    assert ["user_id", "organization_id"] in keys and ["user_id"] not in keys
    assert any(c.kind == "foreign_key" and c.columns == ("user_id",)
               for t in model.of("table") if t.name == "agents" for c in t.constraints)


def test_example_spec_leaves_the_index_to_the_compiler():
    """schema/core/auth_users.yaml does not write the index by hand; the compiler generates it."""
    root = Path(__file__).resolve().parent.parent
    model = compile_folder(root / "schema")
    assert any(o.name == INDEX for o in model.of("index"))
    assert "indexes:" not in (root / "schema" / "core" / "auth_users.yaml").read_text(encoding="utf-8")


@pytest.fixture
def loaded(fresh_db, tmp_path):
    up = initial_up(SCHEMA, tmp_path / "build")
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        apply_sql(conn, f"""
            insert into public.organizations (id, name)
              select ('0a000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'org ' || i
              from generate_series(1, 2000) as i;
            insert into public.auth_users (organization_id, auth_id)
              select ('0a000000-0000-4000-8000-' || lpad((i % 2000 + 1)::text, 12, '0'))::uuid,
                     case when i = 1 then '{USER}'::uuid else gen_random_uuid() end
              from generate_series(1, {MEMBERS}) as i;
            analyze public.auth_users;
        """)
        yield conn


def plan(conn, query: str) -> str:
    """EXPLAIN ANALYZE of a lookup query as the signed-in user, with the buffers it read."""
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": USER, "role": "authenticated"}),))
        rows = conn.execute(f"explain (analyze, buffers, costs off, timing off, summary off) {query}").fetchall()
    return "\n".join(r[0] for r in rows)


def top_buffers(text: str) -> int:
    """Shared buffers (hit + read) of the plan's top node, which counts its children's."""
    line = next(line for line in text.splitlines() if "Buffers:" in line)
    return sum(int(n) for n in re.findall(r"(?:hit|read)=(\d+)", line))


def test_lookups_use_the_index(loaded):
    for name, query in lookup_queries().items():
        text = plan(loaded, query)
        assert f"Index Only Scan using {INDEX}" in text or f"Index Scan using {INDEX}" in text, f"{name}:\n{text}"
        # The user as auth.uid() reads it, written in place (lower/current_tenant.lookup_user).
        cond = next(line.strip() for line in text.splitlines() if "Index Cond:" in line)
        assert cond.startswith("Index Cond: (auth_id = ") and "request.jwt.claims" in cond, f"{name}:\n{text}"
        assert top_buffers(text) < 10, f"{name} reads more than the user's entries:\n{text}"
    # The lookup answers for the signed-in user, and finds them.
    with loaded.transaction(force_rollback=True):
        loaded.execute("select set_config('request.jwt.claims', %s, true)",
                       (json.dumps({"sub": USER, "role": "authenticated"}),))
        assert len(loaded.execute("select atlas_private.user_tenant_ids()").fetchone()[0]) == 1


def test_without_the_index_the_lookup_reads_the_whole_table(loaded):
    """The control: the same query with the index dropped reads every membership (the unique
    (organization_id, auth_id) can only be walked end to end)."""
    loaded.execute(f"drop index public.{INDEX}")
    text = plan(loaded, lookup_queries()["user_tenant_ids"])
    assert INDEX not in text and top_buffers(text) > 50, text
