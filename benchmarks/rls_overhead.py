#!/usr/bin/env python3
"""RLS overhead on a tenant table: the 1.3x budget of SPEC.md and issue 11, measured.

An org-scoped query run as a signed-in member under the generated row level security must stay
within 1.3x of the floor: the same query as superuser, no RLS, with a hand-written
``where <tenant> = ...``. This script (not a test; it prints figures, never asserts them):

1. compiles the spec (default the example ``schema/``; ``--spec DIR`` for another domain) from a
   copy in a temporary folder whose ``project.tenancy.current_tenant`` is set to ``--tenancy``
   (memberships | claim | setting | all: each mode in turn, then side by side), never build/;
2. starts a throwaway PostgreSQL 15 with the Supabase emulation, applies the build from nothing to
   a scratch database, seeds the tenant table with the most columns (or ``--table``) with
   ``--rows`` rows over ``--orgs`` tenants (benchmarks/rls/seed.py), and a copy of it under the
   seed's literal ``tenant IN (select ... from membership where user = ...)`` policy;
3. times, as member 1 of the middle tenant signed in as PostgREST does (each run one transaction,
   rolled back: ``select set_config('role', 'authenticated', true), set_config('request.jwt.claims',
   '<json>', true)``, then the query), a page by status and recency, the keyset next page, count
   by status, one row by id, insert and update, each against its floor (benchmarks/rls/queries.py
   lists the cases), and prints median ms, the ratio, PASS/FAIL vs 1.3x, whether RLS returned
   exactly the floor's rows, and ``explain (analyze, buffers)``; then the findings of the plans;
4. runs pgbench (8 clients, 30 s) with the same queries for the floor, the generated RLS of each
   mode and the seed pattern, a random tenant per transaction.

Usage:  .venv/bin/python benchmarks/rls_overhead.py [--quick] [--tenancy all] [--spec DIR]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import psycopg  # noqa: E402
from rls import pgbench, report  # noqa: E402
from rls.measure import measure, run  # noqa: E402
from rls.queries import Case, Queries  # noqa: E402
from rls.seed import Seeding, build_seed_copy, org_uuid, seed, user_uuid  # noqa: E402
from rls.spec import MODES, compile_mode, find_target, sign_in  # noqa: E402

from compiler.diagnostics import CompileError  # noqa: E402
from compiler.postgres import scratch_database, supabase_cluster  # noqa: E402
from compiler.verify.chain import apply_sql  # noqa: E402

log = report.log


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", type=Path, default=ROOT / "schema", help="spec folder (default: the example schema/)")
    ap.add_argument("--tenancy", choices=(*MODES, "all"), default="memberships",
                    help="project.tenancy.current_tenant to build with; all: each, side by side")
    ap.add_argument("--claim-key", help="claim mode's claim path (default: the tenant column)")
    ap.add_argument("--setting-name", default="app.current_tenant", help="setting mode's setting")
    ap.add_argument("--table", help="tenant table to measure (default: the one with the most columns)")
    ap.add_argument("--status", help="enum column the page filters and the count groups by (default: discovered)")
    ap.add_argument("--quick", action="store_true", help="100,000 rows, 100 tenants, short runs")
    ap.add_argument("--rows", type=int, help="rows of the measured table (default 1,000,000; --quick 100,000)")
    ap.add_argument("--orgs", type=int, help="tenants (default 1000; --quick 100)")
    ap.add_argument("--members", type=int, default=5, help="members per tenant (default 5)")
    ap.add_argument("--deleted-pct", type=int, default=2, help="percent of rows soft-deleted (default 2)")
    ap.add_argument("--repeat", type=int, help="timed runs per case (default 30; --quick 10)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    ap.add_argument("--pgbench-seconds", type=int, help="seconds per pgbench run (default 30; --quick 5)")
    ap.add_argument("--clients", type=int, default=8, help="pgbench clients (default 8)")
    ap.add_argument("--no-plans", action="store_true", help="leave the plans out of the output")
    ap.add_argument("--shared-buffers", default="256MB", help="PostgreSQL shared_buffers (default 256MB)")
    args = ap.parse_args()
    quick = args.quick
    args.rows = args.rows or (100_000 if quick else 1_000_000)
    args.orgs = args.orgs or (100 if quick else 1000)
    args.repeat = args.repeat or (10 if quick else 30)
    args.pgbench_seconds = args.pgbench_seconds or (5 if quick else 30)
    return args


def literal(value) -> str:
    if isinstance(value, int):
        return str(value)
    kind = "timestamptz" if hasattr(value, "tzinfo") else "uuid"
    return f"'{value}'::{kind}"


def prepare(conn: psycopg.Connection, model, up: str, args) -> tuple[Seeding, str]:
    apply_sql(conn, up)
    target = find_target(model, args.table, args.status)
    seeding = Seeding(model, target, args.orgs, args.deleted_pct)
    log(f"table {target.qualified}: tenant {target.tenant}, key {target.pk}, status {target.status}, "
        f"order by {target.recency}, soft delete {target.soft_delete}")
    seed(conn, seeding, args.rows, args.members, log)
    started = time.perf_counter()
    copy = build_seed_copy(conn, seeding)
    tenancy = model.tenancy
    conn.execute(f"vacuum (analyze) public.{tenancy.root}, public.{tenancy.membership}, {target.qualified}, public.{copy}")
    log(f"  seed-pattern copy {copy}, vacuum (analyze) in {time.perf_counter() - started:.1f}s")
    return seeding, copy


def queries_for(conn: psycopg.Connection, seeding: Seeding, org_no: int) -> Queries:
    """Literal queries for tenant `org_no`: its first page's cursor and a live row from the floor."""
    t = seeding.target
    org = f"'{org_uuid(org_no)}'::uuid"
    live = f" and {t.soft_delete} is null" if t.soft_delete else ""
    where = f"where {t.tenant} = {org}{live}"
    last = conn.execute(f"select {t.recency}, {t.pk} from {t.qualified} {where} order by {t.recency} desc, "
                        f"{t.pk} desc offset 49 limit 1").fetchone()
    mid = conn.execute(f"select {t.pk} from {t.qualified} {where} order by {t.pk} "
                       f"offset (select count(*) / 2 from {t.qualified} {where}) limit 1").fetchone()
    cursor = f"({literal(last[0])}, {literal(last[1])})" if last and t.recency != t.pk else None
    return Queries(t, seeding, org, str(org_no), cursor, literal(mid[0]) if mid else None)


def fixed_costs(conn: psycopg.Connection, statement: str, mode: str, runs: int) -> None:
    probe = Case("", "rls", "select 1", False)
    rows = [("sign-in statement", timed(conn, statement, runs)), ("'select 1'", run(conn, probe, statement, runs)[0])]
    lookup = "select atlas_private.user_tenant_ids()" if mode == "memberships" else \
        "select atlas_private.current_tenant_id()"
    try:
        rows.append((f"'{lookup}'", run(conn, Case("", "rls", lookup, False), statement, runs)[0]))
    except psycopg.Error as exc:
        log(f"  ({lookup} failed: {str(exc).splitlines()[0]})")
    report.fixed_costs(rows)


def timed(conn: psycopg.Connection, sql: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with conn.transaction(force_rollback=True):
            started = time.perf_counter()
            conn.execute(sql).fetchall()
            times.append((time.perf_counter() - started) * 1000.0)
    return times


def measure_mode(db, model, seeding: Seeding, copy: str, args) -> dict:
    org_no = max(1, args.orgs // 2)
    user, org = user_uuid(org_no, 1), org_uuid(org_no)
    signin = sign_in(model)
    statement = signin.statement(user, org)
    target = seeding.target
    results = {}
    with db.connect(prepare_threshold=None) as conn:
        role = model.tenancy.role_column
        who = conn.execute(f"select {role or '1'} from public.{model.tenancy.membership} where "
                           f"{model.tenancy.user_column} = %s", (user,)).fetchone()
        log(f"signed in as {user} (member 1{f', {who[0]}' if role else ''} of tenant #{org_no} {org}): {statement}")
        fixed_costs(conn, statement, signin.mode, args.warmup + args.repeat)
        queries = queries_for(conn, seeding, org_no)
        slow = max(2, args.repeat // 10)     # the seed pattern's reads scan the table: fewer runs

        def runs(case: Case) -> tuple[int, int]:
            if case.key in ("seed", "seed_org"):
                return 1, slow
            return args.warmup, (args.repeat + 1) // 2

        results = measure(conn, queries.cases(copy), statement, runs)
        relations = {target.table, copy} | {name for (name,) in conn.execute(
            "select indexname::text from pg_indexes where schemaname = 'public' and tablename in (%s, %s)",
            (target.table, copy)).fetchall()}
        facts = []
        if target.status:
            leak = conn.execute("select p.proname, p.proleakproof from pg_operator o join pg_proc p on p.oid = o.oprcode "
                                "where o.oprname = '=' and o.oprleft in (%s::regtype, 'anyenum'::regtype) and o.oprright = o.oprleft "
                                "order by o.oprleft = 'anyenum'::regtype limit 1",
                                (target.table_obj.column(target.status).type,)).fetchone()
            facts.append(f"{target.status} = (operator function {leak[0]}) is leakproof: {leak[1]} -- a comparison "
                         "that is not leakproof is never pushed below a policy's quals, so it is a Filter under RLS")
    log()
    log(f"median of {args.repeat} runs in two passes (the second in reverse order) each after {args.warmup} warm-up "
        f"(seed-pattern policy cases: 2 x {max(2, args.repeat // 10)} after 1), client-side ms of the query alone (planning included); ratio vs the case's floor, 'same' vs "
        f"the floor with the policy's own filter; buffers = shared hit + read of the plan; verdict vs {report.TARGET}x")
    for query in dict.fromkeys(q for q, _ in results):
        report.print_query(results, query, not args.no_plans)
    report.findings(results, relations, target.tenant, target.status, facts)
    return {"results": results, "queries": queries, "signin": signin}


def bench_mode(cluster, db, measured: dict, mode: str, first: bool, args) -> list[pgbench.Bench]:
    queries: Queries = measured["queries"]
    sets, varied = pgbench.pgbench_queries(queries, args.rows, args.orgs)
    cases = varied.cases(f"{queries.target.table}_seed_pattern")
    signin = pgbench.signin_sql(measured["signin"])
    variants = ([("floor", "floor", None)] if first else []) + [(f"rls {mode}", "rls", signin)] + \
        ([("seed IN (select ...)", "seed", signin)] if first else [])
    benches = []
    for label, key, sign in variants:
        text = pgbench.script(sets, sign, [c.sql for c in cases if c.key == key])
        benches.append(pgbench.run(cluster, db.name, label, text, args.clients, args.pgbench_seconds))
        log(f"  pgbench {label}: {benches[-1].tps:.1f} tps" + (f" ({benches[-1].error})" if benches[-1].error else ""))
    return benches


def main() -> int:
    args = arguments()
    started = time.perf_counter()
    modes = MODES if args.tenancy == "all" else (args.tenancy,)
    by_mode, benches, names = {}, [], []
    with tempfile.TemporaryDirectory(prefix="rls-bench-") as work, \
            supabase_cluster({"shared_buffers": args.shared_buffers}) as cluster:
        for mode in modes:
            log(f"\n######## tenancy.current_tenant: {mode}")
            try:
                model, up = compile_mode(args.spec, Path(work), mode,
                                         args.setting_name if mode == "setting" else args.claim_key)
            except CompileError as exc:
                log(f"skipped: the spec does not compile in {mode} mode: {str(exc).splitlines()[0]}")
                continue
            with scratch_database(cluster, "bench") as db:
                with db.connect() as conn:
                    log(f"PostgreSQL {conn.execute('show server_version').fetchone()[0]}, shared_buffers="
                        f"{args.shared_buffers}; {args.rows:,} rows / {args.orgs:,} tenants / {args.members} members")
                    seeding, copy = prepare(conn, model, up, args)
                measured = measure_mode(db, model, seeding, copy, args)
                by_mode[mode] = measured["results"]
                names = list(dict.fromkeys(c.query for c in measured["queries"].cases(None)))
                benches += bench_mode(cluster, db, measured, mode, not benches, args)
    if len(by_mode) > 1:
        report.side_by_side(by_mode)
    if benches:
        report.pgbench_table(benches, names, args.clients, args.pgbench_seconds)
    log(f"\ntotal runtime {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
