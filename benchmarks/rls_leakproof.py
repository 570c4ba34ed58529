#!/usr/bin/env python3
"""Leakproof operators under row level security, and the remedies a team can choose, measured.

Under RLS PostgreSQL lets a query's own condition run below the policy's (as an index condition)
only when its operator function is leakproof: otherwise the condition could leak rows of other
tenants through an error or a side effect before the policy has filtered them. `enum_eq` is not
leakproof, nor are ILIKE and the trigram, jsonb and array operators; `texteq`, `uuid_eq`, the int,
bool and timestamptz comparisons are. This script (not a test; it prints figures, never asserts
them):

1. compiles the example `schema/` (or ``--spec``) in a temporary folder, once per tenancy mode
   (memberships, and claim: `project.tenancy.current_tenant: {claim: organization_id}`, via
   benchmarks/rls/spec.py), applies it to a scratch database of a throwaway PostgreSQL 15 with the
   Supabase emulation and seeds ``--rows`` leads over ``--orgs`` tenants (benchmarks/rls/seed.py);
2. prints which operators are leakproof (pg_proc) and where each lands as a member's condition:
   Index Cond or Filter (one EXPLAIN each, as superuser and as `authenticated`);
3. times the page "newest 50 new leads of my org" as `authenticated` (the claims set in the same
   statement that sets the role, as PostgREST does) against its floor (superuser, no RLS,
   hand-written tenant filter and `deleted_at is null`: the same rows) for: the enum
   `status = 'new'` (today), `in ('new')`, `= any('{new}')`, two values; the same column as `text`
   with a CHECK constraint (a copy of the table with the same btree indexes and policies); a
   partial index `where status = 'new' and deleted_at is null` (a predicate proof does not call
   the operator); and, for reference only, `enum_eq` marked LEAKPROOF (superuser only);
4. times a name search `full_name ILIKE '%...%'` with the trigram GIN index as the service role
   (BYPASSRLS), as `authenticated` with and without the tenant filter, and through a SECURITY
   DEFINER search function that applies the tenant fence itself.

Each timed run is its own transaction, rolled back; only the query is timed (client side,
planning included); variants of one table are timed in two passes (the second reversed), median.

Usage:  .venv/bin/python benchmarks/rls_leakproof.py [--quick] [--modes memberships,claim]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import psycopg  # noqa: E402
from rls.measure import trim  # noqa: E402
from rls.seed import Seeding, org_uuid, seed, user_uuid  # noqa: E402
from rls.spec import compile_mode, find_target, sign_in  # noqa: E402

from compiler.postgres import scratch_database, supabase_cluster  # noqa: E402
from compiler.verify.chain import apply_sql  # noqa: E402

TABLE, STATUS, NAME = "leads", "status", "full_name"
COPY = "leads_text_status"
SEARCH_OWNER = "leads_search_owner"
PAGE = 50
INDEX = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)")
SERVICE = ("select set_config('role', 'service_role', true), "
           "set_config('request.jwt.claims', '{\"role\": \"service_role\"}', true)")
# (operator, left type, right type) whose function's proleakproof decides where a condition runs
OPERATORS = [("=", "uuid", "uuid"), ("=", "text", "text"), ("=", "integer", "integer"), ("=", "bigint", "bigint"),
             ("=", "boolean", "boolean"), ("<", "timestamptz", "timestamptz"), ("=", "anyenum", "anyenum"),
             ("<", "anyenum", "anyenum"), ("~~", "text", "text"), ("~~*", "text", "text"), ("%", "text", "text"),
             ("@>", "jsonb", "jsonb"), ("?", "jsonb", "text"), ("@>", "anyarray", "anyarray"),
             ("&&", "anyarray", "anyarray"), ("=", "anyarray", "anyarray")]


def log(message: str = "") -> None:
    print(message, flush=True)


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", type=Path, default=ROOT / "schema", help="spec folder (default: the example schema/)")
    ap.add_argument("--modes", default="memberships,claim", help="tenancy modes, comma separated")
    ap.add_argument("--quick", action="store_true", help="100,000 rows, 100 tenants, fewer runs")
    ap.add_argument("--rows", type=int, help="leads (default 1,000,000; --quick 100,000)")
    ap.add_argument("--orgs", type=int, help="tenants (default 1000; --quick 100)")
    ap.add_argument("--repeat", type=int, help="timed runs per variant (default 30; --quick 10)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    ap.add_argument("--no-plans", action="store_true", help="leave the plans out")
    ap.add_argument("--shared-buffers", default="256MB")
    args = ap.parse_args()
    args.rows = args.rows or (100_000 if args.quick else 1_000_000)
    args.orgs = args.orgs or (100 if args.quick else 1000)
    args.repeat = args.repeat or (10 if args.quick else 30)
    return args


@dataclass
class Variant:
    label: str
    sql: str
    signin: str | None            # None: superuser, no RLS
    times: list[float] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    buffers: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def once(conn: psycopg.Connection, signin: str | None, sql: str) -> tuple[float, list[tuple]]:
    with conn.transaction(force_rollback=True):
        if signin:
            conn.execute(signin)
        started = time.perf_counter()
        rows = conn.execute(sql).fetchall()
        return (time.perf_counter() - started) * 1000.0, rows


def plan_of(conn: psycopg.Connection, signin: str | None, sql: str) -> tuple[list[str], int]:
    """`explain (analyze, buffers)` in text, and shared hit + read of the whole plan."""
    with conn.transaction(force_rollback=True):
        if signin:
            conn.execute(signin)
        doc = conn.execute(f"explain (analyze, buffers, format json) {sql}").fetchone()[0]
        text = [line for (line,) in conn.execute(f"explain (analyze, buffers) {sql}").fetchall()]
    top = (json.loads(doc) if isinstance(doc, str) else doc)[0]["Plan"]
    return trim(text), top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)


def measure(conn: psycopg.Connection, variants: list[Variant], args) -> None:
    variants = list({id(v): v for v in variants}.values())     # a floor shared by two rows: once
    for order in (variants, variants[::-1]):
        for v in order:
            for i in range(args.warmup + (args.repeat + 1) // 2):
                ms, v.rows = once(conn, v.signin, v.sql)
                if i >= args.warmup:
                    v.times.append(ms)
    for v in variants:
        v.plan, v.buffers = plan_of(conn, v.signin, v.sql)


def placement(plan: list[str], column: str) -> str:
    """Where `column`'s comparison sits in the plan's scans: an index condition, a filter above the
    scan, or settled by a partial index's predicate (not compared at all)."""
    where = []
    for line in plan:
        text = line.strip().removeprefix("->").strip()
        for key, name in (("Index Cond", "index cond"), ("Recheck Cond", "index cond"), ("Filter", "FILTER")):
            if text.startswith(key + ":") and column in text:
                where.append(name)
    return ", ".join(dict.fromkeys(where)) or "not compared"


def index_used(plan: list[str]) -> str:
    """The index names the plan's scans use (a function scan hides its own)."""
    found = [m.group(1) for line in plan for m in [INDEX.search(line)] if m]
    return "+".join(dict.fromkeys(found)) or ("(inside function)" if any("Function Scan" in p for p in plan) else "-")


def key_lines(plan: list[str], most: int = 6) -> list[str]:
    keys = ("Scan", "Index Cond:", "Recheck Cond:", "Filter:", "Rows Removed by Filter", "One-Time Filter")
    return [line for line in plan if any(k in line for k in keys)][:most]


def table(title: str, rows: list[tuple[Variant, Variant]], column: str, args) -> None:
    log(f"\n{title}")
    log(f"  {'variant':<44} {'RLS ms':>7} {'floor ms':>8} {'ratio':>5} {'RLS buf':>7} {'floor buf':>9} "
        f"{'rows':>4} same  {column + ' under RLS':<22} index (RLS) / index (floor)")
    for v, floor in rows:
        same = "yes" if sorted(v.rows) == sorted(floor.rows) else "NO"
        log(f"  {v.label:<44} {v.median:7.3f} {floor.median:8.3f} {v.median / floor.median:5.2f} {v.buffers:7,} "
            f"{floor.buffers:9,} {len(v.rows):4} {same:4}  {placement(v.plan, column):<22} "
            f"{index_used(v.plan)} / {index_used(floor.plan)}")
    if args.no_plans:
        return
    shown: set[int] = set()
    for v, floor in rows:
        log(f"  -- {v.label}: RLS" + ("" if id(floor) in shown else " / floor"))
        for line in key_lines(v.plan):
            log(f"     rls   {line}")
        for line in [] if id(floor) in shown else key_lines(floor.plan):
            log(f"     floor {line}")
        shown.add(id(floor))


def operators_section(conn: psycopg.Connection, signin: str, org: str) -> None:
    log("\n== which operators are leakproof (pg_proc.proleakproof), and where a member's condition lands")
    for op, left, right in OPERATORS:
        found = conn.execute("select p.proname, p.proleakproof from pg_operator o join pg_proc p on p.oid = o.oprcode "
                             "where o.oprname = %s and o.oprleft = %s::regtype and o.oprright = %s::regtype",
                             (op, left, right)).fetchone()
        if found:
            log(f"  {f'{left} {op} {right}':<26} {found[0]:<16} leakproof: {'yes' if found[1] else 'NO'}")
    conditions = {"uuid = (owner_id)": ("owner_id", f"owner_id = '{user_uuid(1, 1)}'"),
                  "timestamptz > (created_at)": ("created_at", "created_at > timestamptz '2025-05-25'"),
                  "text = (campaign)": ("campaign", "campaign = 'x'"),
                  "enum = (status)": (STATUS, "status = 'new'"),
                  "text ILIKE (full_name, trigram GIN)": (NAME, "full_name ilike '%ful12345@%'")}
    log(f"  {'condition (with the tenant filter)':<38} {'superuser':<12} authenticated")
    for label, (column, cond) in conditions.items():
        sql = f"select id from public.{TABLE} where organization_id = '{org}' and {cond}"
        where = [placement(plan_of(conn, who, sql)[0], column) for who in (None, signin)]
        log(f"  {label:<38} {where[0]:<12} {where[1]}")


def page(rel: str, cond: str, org: str | None) -> str:
    tenant = f"organization_id = '{org}' and " if org else ""
    return (f"select id, {NAME}, {STATUS} from public.{rel} where {tenant}{cond} "
            f"order by created_at desc limit {PAGE}")


def floor_page(rel: str, cond: str, org: str) -> str:
    return page(rel, f"deleted_at is null and {cond}", org)


def copy_as_text(conn: psycopg.Connection, values: tuple[str, ...]) -> None:
    """COPY: leads with status as text + CHECK, the same rows in the same order, the same btree
    indexes and the same policies and grants (no triggers, no trigram index: not queried)."""
    t0 = time.perf_counter()
    conn.execute(f"create table public.{COPY} (like public.{TABLE} including defaults including constraints)")
    check = ", ".join(f"'{v}'" for v in values)
    conn.execute(f"alter table public.{COPY} alter column {STATUS} drop default, alter column {STATUS} type text, "
                 f"alter column {STATUS} set default '{values[0]}', "
                 f"add constraint {COPY}_status_check check ({STATUS} in ({check}))")
    conn.execute(f"insert into public.{COPY} select * from public.{TABLE}")
    indexes = conn.execute(
        "select c.relname, pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid "
        "join pg_am a on a.oid = c.relam where i.indrelid = %s::regclass and a.amname = 'btree'",
        (f"public.{TABLE}",)).fetchall()
    for name, ddl in indexes:
        conn.execute(ddl.replace(f"INDEX {name} ON public.{TABLE} ", f"INDEX {COPY}_{name} ON public.{COPY} ", 1))
    conn.execute(f"alter table public.{COPY} enable row level security")
    policies = conn.execute("select policyname, permissive, cmd, roles::text[], qual, with_check from pg_policies "
                            "where schemaname = 'public' and tablename = %s", (TABLE,)).fetchall()
    for name, permissive, cmd, roles, qual, check_ in policies:
        conn.execute(f"create policy {name} on public.{COPY} as {permissive} for {cmd} to {', '.join(roles)}"
                     + (f" using ({qual})" if qual else "") + (f" with check ({check_})" if check_ else ""))
    conn.execute(f"grant select, insert, update, delete on public.{COPY} to authenticated, service_role")
    conn.execute(f"vacuum (analyze) public.{COPY}")
    log(f"  copy {COPY} (status text + CHECK, {len(indexes)} btree indexes, {len(policies)} policies) "
        f"in {time.perf_counter() - t0:.1f}s")


def status_section(conn: psycopg.Connection, signin: str, org: str, args) -> None:
    log(f"\n== 1. the page 'newest {PAGE} new leads of my org' (tenant filter sent; floor adds deleted_at is null)")
    conds = {"enum  status = 'new'  (today)": (TABLE, "status = 'new'"),
             "enum  status in ('new')": (TABLE, "status in ('new')"),
             "enum  status = any('{new}')": (TABLE, "status = any('{new}')"),
             "enum  status in ('new', 'contacted')": (TABLE, "status in ('new', 'contacted')"),
             "text+CHECK  status = 'new'": (COPY, "status = 'new'"),
             "text+CHECK  status in ('new', 'contacted')": (COPY, "status in ('new', 'contacted')"),
             "text+CHECK  status = 'new', no tenant filter": (COPY, "status = 'new'")}
    pairs = []
    for label, (rel, cond) in conds.items():
        sql = page(rel, cond, None if "no tenant filter" in label else org)
        pairs.append((Variant(label, sql, signin), Variant(label + " floor", floor_page(rel, cond, org), None)))
    pairs.insert(4, (Variant("enum  status = 'new', no tenant filter", page(TABLE, "status = 'new'", None), signin),
                     pairs[0][1]))
    measure(conn, [v for pair in pairs for v in pair], args)
    table("  today's enum and the text column:", pairs, STATUS, args)

    log("\n  partial index idx_leads_new (organization_id, created_at desc) where status = 'new' and deleted_at is null")
    conn.execute(f"create index idx_leads_new on public.{TABLE} (organization_id, created_at desc) "
                 "where status = 'new' and deleted_at is null")
    conn.execute(f"analyze public.{TABLE}")
    partial = [(Variant("enum + partial index, status = 'new'", page(TABLE, "status = 'new'", org), signin),
                Variant("floor", floor_page(TABLE, "status = 'new'", org), None)),
               (Variant("enum + partial index, no tenant filter", page(TABLE, "status = 'new'", None), signin),
                Variant("floor", floor_page(TABLE, "status = 'new'", org), None))]
    measure(conn, [v for pair in partial for v in pair], args)
    table("  one partial index per value the app filters by:", partial, STATUS, args)
    conn.execute("drop index public.idx_leads_new")

    conn.execute("alter function pg_catalog.enum_eq(anyenum, anyenum) leakproof")
    try:
        marked = [(Variant("enum_eq LEAKPROOF (superuser only)", page(TABLE, "status = 'new'", org), signin),
                   Variant("floor", floor_page(TABLE, "status = 'new'", org), None))]
        measure(conn, [v for pair in marked for v in pair], args)
        table("  reference only: enum_eq marked LEAKPROOF (a superuser's catalog change; not on hosted Supabase):",
              marked, STATUS, args)
    finally:
        conn.execute("alter function pg_catalog.enum_eq(anyenum, anyenum) not leakproof")


def search_function(conn: psycopg.Connection) -> str:
    """public.search_leads(pattern): SECURITY DEFINER owned by a BYPASSRLS role, so no RLS inside;
    it applies the generated tenant fence (the restrictive policy's own expression) and the select
    policy's `deleted_at is null` itself, so a member still sees only their tenant's live rows."""
    (fence,) = conn.execute("select qual from pg_policies where schemaname = 'public' and tablename = %s and "
                            "permissive = 'RESTRICTIVE' and cmd in ('ALL', 'SELECT')", (TABLE,)).fetchone()
    conn.execute(f"""
        create function public.search_leads(p_pattern text, p_limit integer default {PAGE})
        returns table (id uuid, {NAME} text, {STATUS} public.lead_status)
        language sql stable security definer set search_path = ''
        as $$
          select l.id, l.{NAME}, l.{STATUS} from public.{TABLE} as l
          where ({fence.replace('organization_id', 'l.organization_id')}) and l.deleted_at is null
            and l.{NAME} ilike p_pattern
          order by l.created_at desc limit p_limit
        $$""")
    conn.execute("revoke all on function public.search_leads(text, integer) from public, anon")
    conn.execute("grant execute on function public.search_leads(text, integer) to authenticated")
    # leads is FORCE ROW LEVEL SECURITY: a plain owner would be filtered too. The owner is a
    # NOLOGIN role with BYPASSRLS (on Supabase the postgres role) that may read leads, nothing more.
    conn.execute(f"do $$ begin create role {SEARCH_OWNER} nologin bypassrls; "
                 "exception when duplicate_object then null; end $$")
    conn.execute(f"grant usage on schema atlas_private to {SEARCH_OWNER}")
    conn.execute(f"grant execute on all functions in schema atlas_private to {SEARCH_OWNER}")
    conn.execute(f"grant select on public.{TABLE} to {SEARCH_OWNER}")
    conn.execute(f"alter function public.search_leads(text, integer) owner to {SEARCH_OWNER}")
    return fence


def org_no_other(org: str) -> int:
    """Row g of the seed belongs to tenant ((g - 1) % orgs) + 1: g = tenant number + 1 is always
    another tenant's lead (its name is 'ful<g>@...')."""
    return int(org.rsplit("-", 1)[1], 16) + 1


def search_section(conn: psycopg.Connection, signin: str, org: str, pattern: str, args) -> None:
    log(f"\n== 2. name search {NAME} ILIKE '{pattern}' (trigram GIN idx_leads_full_name), newest {PAGE}")
    fence = search_function(conn)
    log(f"  search_leads(pattern): security definer, search_path '', where {fence} and deleted_at is null")
    cond = f"{NAME} ilike '{pattern}'"
    floor = Variant("floor", floor_page(TABLE, cond, org), None)
    rows = [(Variant("service_role (BYPASSRLS), tenant filter", floor_page(TABLE, cond, org), SERVICE), floor),
            (Variant("authenticated, tenant filter", page(TABLE, cond, org), signin), floor),
            (Variant("authenticated, no tenant filter", page(TABLE, cond, None), signin), floor),
            (Variant("authenticated, search_leads() definer", f"select * from public.search_leads('{pattern}')", signin),
             floor)]
    with conn.transaction(force_rollback=True):
        conn.execute(signin)
        (mine,), (via,), (other,) = (conn.execute(q).fetchone() for q in (
            f"select count(*) from public.{TABLE}", "select count(*) from public.search_leads('%', 100000000)",
            f"select count(*) from public.search_leads('%ul{org_no_other(org)}@%', 100000000)"))
    log(f"  isolation: the member sees {mine:,} leads under RLS and {via:,} through search_leads('%'); "
        f"a lead of another tenant by its exact name: {other} rows")
    measure(conn, [floor] + [v for v, _ in rows], args)
    table("  ILIKE under RLS and the definer remedy:", rows, NAME, args)
    if not args.no_plans:
        with conn.transaction(force_rollback=True):
            sql = (f"select l.id from public.{TABLE} l where ({fence.replace('organization_id', 'l.organization_id')}) "
                   f"and l.deleted_at is null and l.{NAME} ilike '{pattern}' order by l.created_at desc limit {PAGE}")
            conn.execute(signin)
            conn.execute(f"set local role {SEARCH_OWNER}")   # the claims stay; RLS bypassed as inside
            log(f"  -- inside search_leads() (its query as {SEARCH_OWNER}, the fence read from the claims):")
            for line in key_lines(trim([r for (r,) in conn.execute(f"explain (analyze, buffers) {sql}")]), 8):
                log(f"     definer {line}")


def prepare(conn: psycopg.Connection, model, up: str, args) -> Seeding:
    apply_sql(conn, up)
    target = find_target(model, TABLE, STATUS)
    seeding = Seeding(model, target, args.orgs, 2)
    seed(conn, seeding, args.rows, 5, log)
    tenancy = model.tenancy
    conn.execute(f"vacuum (analyze) public.{tenancy.root}, public.{tenancy.membership}, public.{TABLE}")
    return seeding


def run_mode(cluster, work: Path, mode: str, args) -> None:
    log(f"\n######## tenancy.current_tenant: {mode}")
    model, up = compile_mode(args.spec, work, mode, None)
    org_no = max(1, args.orgs // 2)
    org, user = org_uuid(org_no), user_uuid(org_no, 1)
    signin = sign_in(model).statement(user, org)
    with scratch_database(cluster, "leakproof") as db, db.connect(autocommit=True, prepare_threshold=None) as conn:
        log(f"PostgreSQL {conn.execute('show server_version').fetchone()[0]}; {args.rows:,} leads / {args.orgs:,} "
            f"tenants; as member 1 of tenant #{org_no}: {signin}")
        seeding = prepare(conn, model, up, args)
        copy_as_text(conn, seeding.target.status_values)
        operators_section(conn, signin, org)
        status_section(conn, signin, org, args)
        live = f"from public.{TABLE} where organization_id = %s and deleted_at is null"
        name = conn.execute(f"select {NAME} {live} order by id offset (select count(*) / 2 {live}) limit 1",
                            (org, org)).fetchone()[0]
        pattern = "%" + name.split("@")[0][1:] + "@%"     # one lead's name, without its first letter
        search_section(conn, signin, org, pattern, args)


def main() -> int:
    args = arguments()
    started = time.perf_counter()
    log(f"median of {args.repeat} runs (two passes, the second reversed, each after {args.warmup} warm-up), client ms "
        "of the query alone; ratio vs floor (superuser, no RLS, tenant filter + deleted_at is null); buffers = "
        "shared hit + read of the plan; 'same' = RLS returned the floor's rows")
    with tempfile.TemporaryDirectory(prefix="rls-leakproof-") as work, \
            supabase_cluster({"shared_buffers": args.shared_buffers}) as cluster:
        for mode in args.modes.split(","):
            run_mode(cluster, Path(work), mode.strip(), args)
    log(f"\ntotal runtime {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
