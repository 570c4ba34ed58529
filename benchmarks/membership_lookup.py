#!/usr/bin/env python3
"""The membership lookup with many members: before and after its index.

Every statement under row level security asks atlas_private.user_tenant_ids() which tenants
the signed-in user belongs to; it filters the membership table by the user column. This
script (not a test; it prints figures):

1. starts a throwaway PostgreSQL 15 with the Supabase emulation (compiler.postgres.scratch)
   and applies a fresh build of the example spec (schema/), written to a temporary folder,
   never to build/, to a scratch database;
2. loads ``--members`` auth_users rows (``--per-org`` per organization) and a few leads in
   the measured user's organization, then VACUUM (ANALYZE);
3. as a staff member of one organization (PostgREST's way: role and JWT claims set in the
   transaction), times

   lookup:  select atlas_private.user_tenant_ids()
   select:  select id, email, status from public.leads order by created_at desc limit 20

   first "before", with the generated index idx_auth_users_auth_id_organization_id
   dropped (the only other index on the user column is unique (organization_id, auth_id)),
   then "after", with it rebuilt from its own definition, and prints the median
   (client side, planning included) of ``--repeat`` runs after ``--warmup`` untimed ones,
   and the plan of the lookup's own query with the buffers it read.

Usage:  python benchmarks/membership_lookup.py [--members 200000] [--per-org 10] [--repeat 50]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from compiler.pipeline import next_migration  # noqa: E402
from compiler.postgres import acting_as, scratch_database, supabase_cluster  # noqa: E402
from compiler.verify.chain import apply_sql  # noqa: E402

INDEX = "idx_auth_users_auth_id_organization_id"
USER = "00000000-0000-4000-9001-000000000001"   # staff member number 1 of organization 1
LOOKUP = "select atlas_private.user_tenant_ids()"
SELECT = "select id, email, status from public.leads order by created_at desc limit 20"
# The query inside user_tenant_ids (support.membership_functions), without the role argument.
LOOKUP_QUERY = ("select coalesce(array_agg(distinct m.organization_id), '{}') from public.auth_users as m "
                "where m.auth_id = auth.uid()")


def log(message: str) -> None:
    print(message, flush=True)


def seed(conn: psycopg.Connection, members: int, per_org: int) -> None:
    orgs = (members + per_org - 1) // per_org
    org = "('00000000-0000-4000-8000-' || lpad(to_hex({}), 12, '0'))::uuid"
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")   # no triggers during the load
        conn.execute(f"insert into public.organizations (id, name, slug) select {org.format('o')}, "
                     f"'Gym ' || o, 'gym-' || o from generate_series(1, {orgs}) as o")
        conn.execute(
            f"""insert into public.auth_users (organization_id, auth_id, role, email)
                select {org.format('(n - 1) / ' + str(per_org) + ' + 1')},
                       ('00000000-0000-4000-9' || lpad(to_hex((n - 1) % {per_org} + 1), 3, '0') || '-'
                        || lpad(to_hex((n - 1) / {per_org} + 1), 12, '0'))::uuid,
                       'staff', 'member' || n || '@example.com'
                from generate_series(1, {members}) as n""")
        conn.execute(f"insert into public.leads (organization_id, email, full_name, status) "
                     f"select {org.format('1')}, 'lead' || g || '@example.com', 'Lead ' || g, 'new' "
                     f"from generate_series(1, 200) as g")
    conn.execute("vacuum (analyze) public.organizations, public.auth_users, public.leads")
    log(f"  loaded {orgs} organizations, {members} auth_users, 200 leads")


def median_ms(conn: psycopg.Connection, sql: str, repeat: int, warmup: int) -> float:
    times = []
    for i in range(warmup + repeat):
        with acting_as(conn, USER):
            started = time.perf_counter()
            conn.execute(sql).fetchall()
            if i >= warmup:
                times.append((time.perf_counter() - started) * 1000.0)
    return statistics.median(times)


def lookup_plan(conn: psycopg.Connection) -> str:
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": USER, "role": "authenticated"}),))
        doc = conn.execute(f"explain (analyze, buffers, format json) {LOOKUP_QUERY}").fetchone()[0]
    plan = (json.loads(doc) if isinstance(doc, str) else doc)[0]["Plan"]
    scan = plan["Plans"][0]
    where = scan.get("Index Name", scan.get("Relation Name"))
    buffers = scan.get("Shared Hit Blocks", 0) + scan.get("Shared Read Blocks", 0)
    return f"{scan['Node Type']} {where}, {buffers} buffers, {scan.get('Actual Total Time', 0):.2f} ms"


def measure(conn: psycopg.Connection, label: str, repeat: int, warmup: int) -> dict:
    result = {"lookup": median_ms(conn, LOOKUP, repeat, warmup), "select": median_ms(conn, SELECT, repeat, warmup),
              "plan": lookup_plan(conn)}
    log(f"  {label:<7} lookup {result['lookup']:7.2f} ms   member select {result['select']:7.2f} ms   "
        f"[{result['plan']}]")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200_000, help="auth_users rows (default 200,000)")
    parser.add_argument("--per-org", type=int, default=10, help="members per organization (default 10)")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per query (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        up = next_migration(ROOT / "schema", Path(folder) / "build").files["migrations/0001_initial.up.sql"].decode()
    with supabase_cluster() as cluster, scratch_database(cluster, "bench") as db:
        with db.connect() as conn:
            apply_sql(conn, up)
            definition = conn.execute("select pg_get_indexdef(%s::regclass)", (f"public.{INDEX}",)).fetchone()[0]
            seed(conn, args.members, args.per_org)
            log(f"PostgreSQL {conn.execute('show server_version').fetchone()[0]}; median of {args.repeat} runs")
            conn.execute(f"drop index public.{INDEX}")
            before = measure(conn, "before", args.repeat, args.warmup)
            conn.execute(definition)
            conn.execute("analyze public.auth_users")
            after = measure(conn, "after", args.repeat, args.warmup)
            log(f"  lookup {before['lookup'] / after['lookup']:.1f}x faster, "
                f"member select {before['select'] / after['select']:.1f}x faster with {INDEX}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
