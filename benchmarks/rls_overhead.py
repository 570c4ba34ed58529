#!/usr/bin/env python3
"""RLS overhead on a tenant table: the SPEC's 1.3x budget, measured.

SPEC.md ("What a tenant table gets"): an org-scoped query run under row level
security must stay within 1.3x of the same query with a hand-written
``where organization_id = ...`` and no RLS, on a million rows.

This script (not a test; it prints figures):

1. starts a throwaway PostgreSQL 15 with the Supabase emulation (compiler.postgres.scratch)
   and applies every migration of build/ in order to a scratch database;
2. seeds ``--orgs`` organizations, ``--members`` auth_users rows per
   organization and ``--rows`` leads (INSERT ... SELECT from generate_series as
   superuser, triggers and FK checks off via session_replication_role, the
   non-constraint indexes of leads dropped during the load and rebuilt from
   their own definitions), then VACUUM (ANALYZE);
3. builds ``leads_seed_pattern``: a copy of leads with the same btree indexes
   and only the seed's literal policy
   ``organization_id IN (SELECT organization_id FROM auth_users WHERE auth_id = auth.uid())``
   (permissive, FOR SELECT, TO authenticated);
4. for a staff member of one organization, times two queries

   list:  select id, email, status from <t> [where organization_id = <org> and]
          status = 'new' order by created_at desc limit 50
   count: select count(*) from <t> [where organization_id = <org>]

   in these cases (each timed run is its own transaction, like a PostgREST
   request; each query/case runs --warmup untimed then --repeat timed runs
   back to back, so every case is measured with warm caches):

   A   superuser, no RLS, hand-written org filter (the baseline)
   A'  as A plus ``deleted_at is null``: the exact rows leads_select lets through (info)
   B   authenticated under RLS, no org filter (the fence alone scopes the query)
   C   authenticated under RLS, with the org filter too (what an app sends)
   S0  superuser on leads_seed_pattern with the org filter (baseline for S1/S2)
   S1  authenticated on leads_seed_pattern, seed policy, no org filter
   S2  authenticated on leads_seed_pattern, seed policy, with the org filter

   and prints, per case: median wall-clock ms (client side, planning
   included), the ratio vs its baseline, PASS/FAIL against 1.3x, the median
   server execution time and the plan (top node, scans, index used) and
   shared buffers hit/read from EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON).

Usage:  python benchmarks/rls_overhead.py [--rows 1000000] [--orgs 1000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from compiler.postgres import acting_as, execute_script, scratch_database, supabase_cluster  # noqa: E402
from compiler.verify.chain import migrate_up  # noqa: E402

BUILD = ROOT / "build"
TARGET = 1.3


def log(msg: str) -> None:
    print(msg, flush=True)


def org_uuid_sql(expr: str) -> str:
    """SQL for the deterministic uuid of organization number <expr> (1-based)."""
    return f"('00000000-0000-4000-8000-' || lpad(to_hex({expr}), 12, '0'))::uuid"


def org_uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012x}"


def user_uuid(org: int, member: int) -> str:
    return f"00000000-0000-4000-9{member:03x}-{org:012x}"


# --------------------------------------------------------------------------- seeding
def seed(conn: psycopg.Connection, rows: int, orgs: int, members: int, deleted_pct: int) -> None:
    t0 = time.perf_counter()
    # Non-constraint indexes of leads: drop for the load, rebuild afterwards.
    idx = conn.execute(
        """
        select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        from pg_index i
        where i.indrelid = 'public.leads'::regclass
          and not exists (select from pg_constraint c where c.conindid = i.indexrelid)
        """
    ).fetchall()
    roles = "array['owner','admin','coach','staff']::public.member_role[]"
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")  # no triggers, no FK checks
        for name, _ in idx:
            conn.execute(f"drop index {name}")
        conn.execute(
            f"""
            insert into public.organizations (id, name, slug)
            select {org_uuid_sql('g')}, 'Gym ' || g, 'gym-' || g
            from generate_series(1, {orgs}) as g
            """
        )
        # members per org: member 1 is the owner, the others cycle admin/coach/staff.
        conn.execute(
            f"""
            insert into public.auth_users (organization_id, auth_id, role, email, full_name)
            select {org_uuid_sql('o')},
                   ('00000000-0000-4000-9' || lpad(to_hex(m), 3, '0') || '-' || lpad(to_hex(o), 12, '0'))::uuid,
                   case when m = 1 then 'owner'::public.member_role else ({roles})[2 + (m % 3)] end,
                   'staff' || m || '@gym' || o || '.example',
                   'Staff ' || m || ' of gym ' || o
            from generate_series(1, {orgs}) as o, generate_series(1, {members}) as m
            """
        )
        # Leads interleaved across organizations (g % orgs), as if captured over
        # time: each org's rows are spread over the whole heap (the hard case).
        conn.execute(
            f"""
            insert into public.leads (organization_id, email, full_name, phone, status, score,
                                      campaign, created_at, updated_at, deleted_at)
            select {org_uuid_sql('(g % ' + str(orgs) + ') + 1')},
                   'lead' || g || '@example.com',
                   'Lead ' || g,
                   '+4477' || lpad((g % 100000000)::text, 8, '0'),
                   (enum_range(null::public.lead_status))[1 + abs(hashint4(g)) % 5],
                   abs(hashint4(g + 1)) % 101,
                   case when g % 3 = 0 then 'spring-' || (g % 7) end,
                   ts, ts,
                   case when abs(hashint4(g + 2)) % 100 < {deleted_pct} then ts + interval '3 days' end
            from generate_series(1, {rows}) as g,
                 lateral (select timestamptz '2025-06-01' - (abs(hashint4(g + 3)) % 63072000) * interval '1 second') as t(ts)
            """
        )
    t1 = time.perf_counter()
    log(f"  inserted {orgs} orgs, {orgs * members} auth_users, {rows} leads in {t1 - t0:.1f}s")
    conn.execute("set maintenance_work_mem = '512MB'")
    for name, ddl in idx:
        conn.execute(ddl)
    t2 = time.perf_counter()
    log(f"  rebuilt {len(idx)} leads indexes ({', '.join(n for n, _ in idx)}) in {t2 - t1:.1f}s")

    # Copy of leads with only the seed's literal policy.
    conn.execute(
        "create table public.leads_seed_pattern "
        "(like public.leads including defaults including constraints)"
    )
    conn.execute("insert into public.leads_seed_pattern select * from public.leads")
    btree = conn.execute(
        """
        select c.relname, pg_get_indexdef(i.indexrelid)
        from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am a on a.oid = c.relam
        where i.indrelid = 'public.leads'::regclass and a.amname = 'btree'
        """
    ).fetchall()
    for name, ddl in btree:
        ddl = ddl.replace(f"INDEX {name} ON public.leads ", f"INDEX sp_{name} ON public.leads_seed_pattern ", 1)
        assert "leads_seed_pattern" in ddl, ddl
        conn.execute(ddl)
    execute_script(
        conn,
        """
        alter table public.leads_seed_pattern enable row level security;
        revoke all on table public.leads_seed_pattern from anon, authenticated;
        grant select on table public.leads_seed_pattern to authenticated;
        create policy seed_pattern_select on public.leads_seed_pattern
            as permissive for select to authenticated
            using (organization_id in (select organization_id from public.auth_users where auth_id = auth.uid()));
        """,
    )
    t3 = time.perf_counter()
    log(f"  built leads_seed_pattern ({len(btree)} btree indexes) in {t3 - t2:.1f}s")
    conn.execute("vacuum (analyze) public.organizations, public.auth_users, public.leads, public.leads_seed_pattern")
    log(f"  vacuum (analyze) in {time.perf_counter() - t3:.1f}s")


# --------------------------------------------------------------------------- plans
def plan_summary(plan: dict[str, Any]) -> str:
    """'Limit > Sort > Bitmap Heap Scan | scans: ... | init: ...'."""
    chain = []
    node = plan
    while node is not None:
        label = node["Node Type"]
        if node["Node Type"] == "Aggregate":
            label = f"{node.get('Strategy', '')} Aggregate".strip()
        chain.append(label)
        kids = [k for k in node.get("Plans", []) if k.get("Parent Relationship") not in ("InitPlan", "SubPlan")]
        node = kids[0] if kids else None

    scans: list[str] = []
    extras: list[str] = []

    def walk(n: dict[str, Any]) -> None:
        rel = n.get("Relation Name")
        if n.get("Parent Relationship") in ("InitPlan", "SubPlan"):
            extras.append(f"{n.get('Subplan Name', n['Parent Relationship'])}:{n['Node Type']}")
        rows = f" est={n.get('Plan Rows')} act={round(n.get('Actual Rows', 0) * n.get('Actual Loops', 1))}"
        removed = n.get("Rows Removed by Filter")
        removed_s = f" removed={removed}" if removed else ""
        if "Index Name" in n:
            cond = n.get("Index Cond", "")
            filt = f" filter[{short(n['Filter'], 50)}]" if "Filter" in n else ""
            scans.append(f"{n['Node Type']} {n['Index Name']}" + (f" cond[{short(cond)}]" if cond else "")
                         + filt + rows + removed_s)
        elif rel:
            filt = f" filter[{short(n['Filter'], 50)}]" if "Filter" in n else ""
            scans.append(f"{n['Node Type']} {rel}{filt}{rows}{removed_s}")
        for k in n.get("Plans", []):
            walk(k)

    walk(plan)
    out = " > ".join(chain) + " | " + "; ".join(scans)
    if extras:
        out += " | " + ", ".join(extras)
    return out


def short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def org_index_cond(plan: dict[str, Any], table: str) -> bool:
    """True when some index scan on <table> has organization_id in its Index Cond."""
    found = False

    def walk(n: dict[str, Any]) -> None:
        nonlocal found
        if n.get("Relation Name", table) == table and "organization_id" in n.get("Index Cond", ""):
            found = True
        for k in n.get("Plans", []):
            walk(k)

    walk(plan)
    return found


def index_used(plan: dict[str, Any]) -> str:
    names: list[str] = []

    def walk(n: dict[str, Any]) -> None:
        if "Index Name" in n and n["Index Name"] not in names:
            names.append(n["Index Name"])
        for k in n.get("Plans", []):
            walk(k)

    walk(plan)
    return ",".join(names) if names else "NONE (seq scan)"


# --------------------------------------------------------------------------- cases
LIST = ("select id, email, status from {t} where {f}status = 'new' "
        "order by created_at desc limit 50")
COUNT = "select count(*) from {t}{w}"


def queries(table: str, org: str | None) -> dict[str, str]:
    lit = f"organization_id = '{org}'::uuid" if org else None
    return {
        "list": LIST.format(t=table, f=f"{lit} and " if lit else ""),
        "count": COUNT.format(t=table, w=f" where {lit}" if lit else ""),
    }


def build_cases(org: str) -> list[dict[str, Any]]:
    a_prime = {
        "list": LIST.format(t="public.leads", f=f"organization_id = '{org}'::uuid and deleted_at is null and "),
        "count": f"select count(*) from public.leads where organization_id = '{org}'::uuid and deleted_at is null",
    }
    return [
        {"key": "A", "desc": "superuser, no RLS, org filter (baseline)", "rls": False, "q": queries("public.leads", org), "base": None},
        {"key": "A'", "desc": "superuser, no RLS, org filter + deleted_at is null", "rls": False, "q": a_prime, "base": "A", "info": True},
        {"key": "B", "desc": "RLS (fence), no org filter", "rls": True, "q": queries("public.leads", None), "base": "A"},
        {"key": "C", "desc": "RLS (fence), with org filter", "rls": True, "q": queries("public.leads", org), "base": "A"},
        {"key": "S0", "desc": "superuser on seed copy, org filter (baseline)", "rls": False, "q": queries("public.leads_seed_pattern", org), "base": None},
        {"key": "S1", "desc": "seed IN-subquery policy, no org filter", "rls": True, "q": queries("public.leads_seed_pattern", None), "base": "S0"},
        {"key": "S2", "desc": "seed IN-subquery policy, with org filter", "rls": True, "q": queries("public.leads_seed_pattern", org), "base": "S0"},
    ]


def run_once(conn: psycopg.Connection, case: dict[str, Any], sql: str, user: str) -> tuple[float, list[tuple]]:
    ctx = acting_as(conn, user) if case["rls"] else conn.transaction(force_rollback=True)
    with ctx:
        t0 = time.perf_counter()
        rows = conn.execute(sql).fetchall()
        return (time.perf_counter() - t0) * 1000.0, rows


def explain(conn: psycopg.Connection, case: dict[str, Any], sql: str, user: str) -> dict[str, Any]:
    ctx = acting_as(conn, user) if case["rls"] else nullcontext()
    with ctx:
        doc = conn.execute(f"explain (analyze, buffers, format json) {sql}").fetchone()[0]
    if isinstance(doc, str):
        doc = json.loads(doc)
    return doc[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="leads rows (default 1,000,000)")
    ap.add_argument("--orgs", type=int, default=1000, help="organizations (default 1000)")
    ap.add_argument("--repeat", type=int, default=30, help="timed runs per query and case (default 30)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    ap.add_argument("--members", type=int, default=5, help="auth_users rows per organization (default 5)")
    ap.add_argument("--deleted-pct", type=int, default=2, help="percent of leads soft-deleted (default 2)")
    ap.add_argument("--shared-buffers", default="256MB", help="PostgreSQL shared_buffers (default 256MB)")
    args = ap.parse_args()

    started = time.perf_counter()
    with supabase_cluster({"shared_buffers": args.shared_buffers}) as cluster, \
            scratch_database(cluster, "bench") as db:
        with db.connect() as conn:
            version = conn.execute("show server_version").fetchone()[0]
            log(f"PostgreSQL {version}, shared_buffers={args.shared_buffers}; "
                f"{args.rows:,} leads / {args.orgs:,} orgs / {args.members} members per org")
            migrate_up(conn, BUILD)
            seed(conn, args.rows, args.orgs, args.members, args.deleted_pct)

        org_no = max(1, args.orgs // 2)
        org = org_uuid(org_no)
        member_no = args.members if args.members > 1 else 1  # a staff/coach/admin member, the owner if only one
        user = user_uuid(org_no, member_no)

        # prepare_threshold=None: plan every execution (no cached generic plans).
        with db.connect(prepare_threshold=None) as conn:
            conn.execute("set search_path = public, extensions")
            n_org = conn.execute("select count(*) from public.leads where organization_id = %s", (org,)).fetchone()[0]
            role = conn.execute("select role from public.auth_users where auth_id = %s", (user,)).fetchone()[0]
            log(f"user {user} ({role} of org #{org_no} {org}, {n_org} leads in that org)")

            cases = build_cases(org)
            # Sanity: RLS cases return the rows their baseline returns (modulo soft-deleted ones).
            for case in cases:
                for qname, sql in case["q"].items():
                    case.setdefault("rows", {})[qname] = run_once(conn, case, sql, user)[1]
            same_list = cases[2]["rows"]["list"] == cases[3]["rows"]["list"] == cases[1]["rows"]["list"]
            same_count = cases[2]["rows"]["count"] == cases[3]["rows"]["count"] == cases[1]["rows"]["count"]
            seed_ok = (cases[5]["rows"]["list"] == cases[6]["rows"]["list"] == cases[4]["rows"]["list"]
                       and cases[5]["rows"]["count"] == cases[6]["rows"]["count"] == cases[4]["rows"]["count"])
            log(f"results: B == C == A' (list, count): {same_list}, {same_count}; S1 == S2 == S0: {seed_ok}; "
                f"counts A={cases[0]['rows']['count'][0][0]} A'={cases[1]['rows']['count'][0][0]} "
                f"B={cases[2]['rows']['count'][0][0]} S1={cases[5]['rows']['count'][0][0]}")

            # Fixed per-statement cost of the fence: the tenant lookup itself.
            fence_sql = "select atlas_private.user_tenant_ids()"
            fence_ms = []
            for _ in range(args.warmup + args.repeat):
                with acting_as(conn, user):
                    t0 = time.perf_counter()
                    conn.execute(fence_sql).fetchone()
                    fence_ms.append((time.perf_counter() - t0) * 1000.0)
            fence_ms = fence_ms[args.warmup:]
            fence_doc = [explain(conn, {"rls": True}, fence_sql, user) for _ in range(5)]
            one_ms = []
            for _ in range(args.warmup + args.repeat):
                with acting_as(conn, user):
                    t0 = time.perf_counter()
                    conn.execute("select 1").fetchone()
                    one_ms.append((time.perf_counter() - t0) * 1000.0)
            one_ms = one_ms[args.warmup:]
            log(f"fixed cost: '{fence_sql}' median wall {statistics.median(fence_ms):.3f} ms "
                f"(server {statistics.median(d['Execution Time'] + d['Planning Time'] for d in fence_doc):.3f} ms); "
                f"'select 1' round trip {statistics.median(one_ms):.3f} ms")

            # Timed runs: each query/case as one block (warm-up, then --repeat
            # runs back to back).  Interleaving cases run by run was tried and
            # rejected: a case that follows a 250k-row scan starts with cold CPU
            # caches, which inflated a 0.6 ms baseline to 3 ms and made the
            # ratios depend on case order rather than on the plans.
            times: dict[tuple[str, str], list[float]] = {}
            for case in cases:
                for qname, sql in case["q"].items():
                    for rnd in range(args.warmup + args.repeat):
                        ms, _ = run_once(conn, case, sql, user)
                        if rnd >= args.warmup:
                            times.setdefault((case["key"], qname), []).append(ms)

            plans: dict[tuple[str, str], dict[str, Any]] = {}
            plan_ms: dict[tuple[str, str], float] = {}
            exec_ms: dict[tuple[str, str], float] = {}
            for case in cases:
                for qname, sql in case["q"].items():
                    docs = [explain(conn, case, sql, user) for _ in range(5)]
                    plans[(case["key"], qname)] = docs[-1]
                    plan_ms[(case["key"], qname)] = statistics.median(d.get("Planning Time", 0.0) for d in docs)
                    exec_ms[(case["key"], qname)] = statistics.median(d["Execution Time"] for d in docs)

            # Diagnostic: case B/list again with the generated idx_leads_created_at
            # (created_at desc, no tenant column) dropped inside a rolled-back
            # transaction -- is that index what the fence's plan falls into?
            diag_sql = cases[2]["q"]["list"]
            diag_ms: list[float] = []
            with conn.transaction(force_rollback=True):
                conn.execute("drop index public.idx_leads_created_at")
                for rnd in range(args.warmup + args.repeat):
                    with acting_as(conn, user):
                        t0 = time.perf_counter()
                        conn.execute(diag_sql).fetchall()
                        ms = (time.perf_counter() - t0) * 1000.0
                    if rnd >= args.warmup:
                        diag_ms.append(ms)
                diag_doc = explain(conn, {"rls": True}, diag_sql, user)

        # ------------------------------------------------------------------ report
        log("")
        log(f"median of {args.repeat} runs after {args.warmup} warm-up. wall/min = client-side ms "
            f"(planning included); plan/exec = EXPLAIN (ANALYZE, BUFFERS) ms, median of 5; hit/read = shared "
            f"buffers; verdict: wall ratio vs baseline <= {TARGET}")
        fails = 0
        for qname in ("list", "count"):
            log("")
            log(f"== {qname}: {cases[0]['q'][qname]}")
            log(f"{'case':4} {'description':52} {'wall':>8} {'min':>8} {'ratio':>8} {'verdict':8} {'plan':>6} "
                f"{'exec':>8} {'hit':>7} {'read':>5}  index used")
            for case in cases:
                key = (case["key"], qname)
                med = statistics.median(times[key])
                plan = plans[key]["Plan"]
                if case["base"] is None:
                    ratio_s, verdict = "1.00", "baseline"
                else:
                    ratio = med / statistics.median(times[(case["base"], qname)])
                    ratio_s = f"{ratio:.2f}"
                    if case.get("info"):
                        verdict = "(info)"
                    else:
                        verdict = "PASS" if ratio <= TARGET else "FAIL"
                        fails += verdict == "FAIL"
                jit = " JIT" if "JIT" in plans[key] else ""
                log(f"{case['key']:4} {case['desc']:52} {med:8.3f} {min(times[key]):8.3f} {ratio_s:>7}x "
                    f"{verdict:8} {plan_ms[key]:6.3f} {exec_ms[key]:8.3f} "
                    f"{plan.get('Shared Hit Blocks', 0):7d} {plan.get('Shared Read Blocks', 0):5d}  "
                    f"{index_used(plan)}{jit}")
                log(f"     {plan_summary(plan)}")
        log("")
        d_plan = diag_doc["Plan"]
        log(f"diagnostic B/list with idx_leads_created_at dropped: wall {statistics.median(diag_ms):.3f} ms "
            f"({statistics.median(diag_ms) / statistics.median(times[('A', 'list')]):.2f}x A), "
            f"hit {d_plan.get('Shared Hit Blocks', 0)}; {plan_summary(d_plan)}")
        log("organization_id used as an index condition: "
            + ", ".join(f"{k}/{q}={'yes' if org_index_cond(plans[(k, q)]['Plan'], tbl) else 'NO (filter only)'}"
                        for k, tbl in (("B", "leads"), ("C", "leads"), ("S1", "leads_seed_pattern"),
                                       ("S2", "leads_seed_pattern"))
                        for q in ("list", "count")))
        log(f"overall (B, C, S1, S2 vs {TARGET}x): "
            f"{'PASS' if fails == 0 else f'FAIL ({fails} of 8 over budget)'}; "
            f"total runtime {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
