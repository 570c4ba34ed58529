#!/usr/bin/env python3
"""Generated row level security, variant against variant: what lower/ emits is what measured better.

Not a test: prints figures and plans. The example spec (or --spec) is built into a temporary
folder in two tenancy modes (benchmarks/rls/spec.py), each applied to its own scratch database
of one throwaway PostgreSQL 15 and seeded alike (benchmarks/rls/seed.py). Then:

1. fence      the array fence (memberships: `t = ANY ((SELECT user_tenant_ids())::uuid[])`) against
              the scalar fence (claim: `t = (SELECT current_tenant_id())`), on the CRM queries, as
              `authenticated` signed in PostgREST's way, beside the floor (superuser, no RLS,
              hand-written tenant filter);
2. lookup     the lookup functions in plpgsql (as generated) and as sql, both definer with
              `SET search_path = ''`, one statement each; and a covering membership index
              (user, tenant) INCLUDE (role) for index-only lookups;
3. cursor     a keyset page `(created_at, id) < (...) order by created_at desc, id desc` on
              today's (tenant, created_at desc) index, then on (tenant, created_at desc, id desc);
4. declared   btree indexes on tenant tables that do not lead with the tenant column;
5. leakproof  which common operators PostgreSQL 15 marks leakproof, and what EXPLAIN shows for
              each as a user's condition under RLS (index condition, or a filter above the scan).
6. fixed      where the scalar lookup's fixed cost per statement goes: one call of each part
              (security definer, `SET search_path = ''`, auth.uid(), the claims' jsonb parse)
              many times in one statement, then one by id, insert and update server-side
              (EXPLAIN's planning and execution time) with the lookup as generated and with
              auth.uid() called inside it (today's Supabase auth.uid() is never inlined), and
              how many init plans each statement runs (USING and WITH CHECK never share one).

Every timed run is its own transaction, rolled back: the sign-in statement, then the query;
only the query is timed (client side, planning included). Medians of --repeat runs after
--warmup, variants interleaved so that a noisy neighbour hits both.

Usage:  .venv/bin/python benchmarks/rls_variants.py [--quick] [--rows N] [--orgs N] [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import psycopg  # noqa: E402
from rls.seed import Seeding, org_uuid, seed, user_uuid  # noqa: E402
from rls.spec import compile_mode, find_target, sign_in  # noqa: E402

from compiler.postgres import scratch_database, supabase_cluster  # noqa: E402
from compiler.verify.chain import apply_sql  # noqa: E402

MODES = ("memberships", "claim")
LEAKPROOF = ("enum_eq", "enum_lt", "texteq", "textne", "text_lt", "texticlike", "textlike", "textregexeq",
             "uuid_eq", "int4eq", "int4gt", "int8eq", "numeric_eq", "numeric_gt", "timestamptz_eq",
             "timestamptz_lt", "timestamptz_gt", "booleq", "jsonb_eq", "jsonb_contains", "jsonb_exists",
             "array_eq", "arraycontains", "similarity_op", "word_similarity_op")


def log(message: str = "") -> None:
    print(message, flush=True)


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", type=Path, default=ROOT / "schema", help="spec folder (default: the example)")
    ap.add_argument("--table", default="leads", help="tenant table to measure (default leads)")
    ap.add_argument("--quick", action="store_true", help="100,000 rows, 100 tenants, short runs")
    ap.add_argument("--rows", type=int, help="rows (default 1,000,000; --quick 100,000)")
    ap.add_argument("--orgs", type=int, help="tenants (default 1000; --quick 100)")
    ap.add_argument("--members", type=int, default=5, help="members per tenant (default 5)")
    ap.add_argument("--repeat", type=int, help="timed runs per variant (default 15; --quick 7)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--no-plans", action="store_true", help="leave the plans out")
    args = ap.parse_args()
    args.rows = args.rows or (100_000 if args.quick else 1_000_000)
    args.orgs = args.orgs or (100 if args.quick else 1000)
    args.repeat = args.repeat or (7 if args.quick else 15)
    return args


# ------------------------------------------------------------------------------------ timing
def run(conn: psycopg.Connection, sql: str, signin: str | None) -> float:
    with conn.transaction(force_rollback=True):
        if signin:
            conn.execute(signin)
        started = time.perf_counter()
        cur = conn.execute(sql)
        if cur.description:
            cur.fetchall()
        return (time.perf_counter() - started) * 1000.0


def compare(variants: dict[str, tuple], args, scale: int = 1) -> dict[str, float]:
    """Median ms of each (connection, sql, signin) variant, runs interleaved across variants (and
    databases) so that a noisy neighbour hits all alike; `scale` times as many runs for the
    sub-millisecond statements."""
    times = sampled(variants, args.warmup, args.repeat * scale)
    return {name: statistics.median(found) for name, found in times.items()}


def sampled(variants: dict[str, tuple], warmup: int, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(warmup + runs):
        for name, (conn, sql, signin) in (variants.items() if i % 2 else reversed(variants.items())):
            took = run(conn, sql, signin)
            if i >= warmup:
                times[name].append(took)
    return times


def buffers(conn: psycopg.Connection, sql: str, signin: str | None) -> int:
    """Shared buffers (hit + read) of one run: what the plan touches, free of the machine's noise."""
    with conn.transaction(force_rollback=True):
        if signin:
            conn.execute(signin)
        (doc,), = conn.execute(f"explain (analyze, buffers, format json) {sql}").fetchall()
    top = (json.loads(doc) if isinstance(doc, str) else doc)[0]["Plan"]
    return top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)


def by_shape(conn: psycopg.Connection, table: str, match, shapes: dict[str, str], variants: dict[str, tuple],
             args, scale: int = 1, rounds: int = 3) -> dict[str, dict[str, tuple[float, int]]]:
    """(median ms, buffers) of each variant with each index shape in turn (the table's indexes
    that `match` dropped meanwhile): `rounds` rounds, the shapes in alternating order, so that
    drift in the machine's load does not favour the shape measured last."""
    times: dict[str, dict[str, list[float]]] = {shape: {} for shape in shapes}
    used: dict[str, dict[str, int]] = {}
    with without_indexes(conn, table, match):
        for r in range(rounds):
            for shape, columns in (list(shapes.items()) if r % 2 == 0 else list(shapes.items())[::-1]):
                conn.execute(f"create index bench_shape on {table} {columns}")
                conn.execute(f"analyze {table}")
                for name, found in sampled(variants, args.warmup, max(3, args.repeat * scale // rounds)).items():
                    times[shape].setdefault(name, []).extend(found)
                used[shape] = {name: buffers(c, sql, signin) for name, (c, sql, signin) in variants.items()}
                if r == rounds - 1 and not args.no_plans:
                    for name, (c, sql, signin) in variants.items():
                        show(f"{name}, {shape} {columns}:", plan(c, sql, signin, 10), args)
                conn.execute("drop index bench_shape")
    return {shape: {name: (statistics.median(found), used[shape][name]) for name, found in kinds.items()}
            for shape, kinds in times.items()}


def print_shapes(found: dict, label: str = "") -> None:
    for shape, kinds in found.items():
        log(f"   {label}{shape:44} " + "  ".join(f"{name} {ms:.3f} ms / {b} buf" for name, (ms, b) in kinds.items()))


def plan(conn: psycopg.Connection, sql: str, signin: str | None, most: int = 14) -> list[str]:
    with conn.transaction(force_rollback=True):
        if signin:
            conn.execute(signin)
        lines = [line for (line,) in conn.execute(f"explain (analyze, buffers, costs off, timing off) {sql}")]
    kept = [line for line in lines if not line.startswith(("Planning", "  Buffers: shared hit=", "Execution"))
            and line.strip() != "Heap Fetches: 0"]
    kept = [line for i, line in enumerate(kept) if not (line.strip().startswith("Buffers") and i > 1 and
                                                        "Planning" in kept[i - 1])]
    return kept[:most] + (["  ..."] if len(kept) > most else [])


def show(title: str, lines: list[str], args) -> None:
    if not args.no_plans:
        log(f"      {title}")
        for line in lines:
            log(f"      | {line[:150]}")


# ------------------------------------------------------------------------------------ setup
def prepare(conn: psycopg.Connection, model, up: str, args) -> Seeding:
    apply_sql(conn, up)
    target = find_target(model, args.table)
    seeding = Seeding(model, target, args.orgs, 2)
    seed(conn, seeding, args.rows, args.members, log)
    tenancy = model.tenancy
    conn.execute(f"vacuum (analyze) public.{tenancy.root}, public.{tenancy.membership}, {target.qualified}")
    return seeding


def literal(value) -> str:
    return f"'{value}'::{'timestamptz' if hasattr(value, 'tzinfo') else 'uuid'}"


def queries(conn: psycopg.Connection, seeding: Seeding, org: str) -> dict[str, tuple[str, bool]]:
    """name -> (SQL with {w} for the conditions after the tenant filter, tenant filter allowed)."""
    t = seeding.target
    live = f" and {t.soft_delete} is null" if t.soft_delete else ""
    where = f"where {t.tenant} = '{org}'{live}"
    last = conn.execute(f"select {t.recency}, {t.pk} from {t.qualified} {where} order by {t.recency} desc, {t.pk} desc "
                        "offset 499 limit 1").fetchone()
    row = conn.execute(f"select {t.pk} from {t.qualified} {where} order by {t.pk} limit 1 offset 5").fetchone()
    pairs = seeding.values(t.table_obj, "1000000001", str(args_org_no(org, seeding)), insert=True)
    cols = ", ".join(t.shown)
    status, other = f"{t.status} = '{t.status_values[0]}'", f"{t.status} = '{t.status_values[1]}'"
    return {
        "page by status": (f"select {cols} from {t.qualified} where {{w}}{status} order by {t.recency} desc limit 50", True),
        "count by status": (f"select {t.status}, count(*) from {t.qualified} {{where}} group by 1 order by 1", True),
        "next page": (f"select {cols} from {t.qualified} where {{w}}({t.recency}, {t.pk}) < ({literal(last[0])}, "
                      f"{literal(last[1])}) order by {t.recency} desc, {t.pk} desc limit 50", True),
        "one by id": (f"select * from {t.qualified} where {{w}}{t.pk} = {literal(row[0])}", True),
        "insert": (f"insert into {t.qualified} ({', '.join(c for c, _ in pairs)}) "
                   f"select {', '.join(v for _, v in pairs)} returning {t.pk}", False),
        "update": (f"update {t.qualified} set {other} where {{w}}{t.pk} = {literal(row[0])} returning {t.pk}", True),
    }


def args_org_no(org: str, seeding: Seeding) -> int:
    return int(org.rsplit("-", 1)[1], 16)


def texts(sql: str, org_filter: str | None) -> str:
    """The query with the tenant filter (org_filter) or without it."""
    w = f"{org_filter} and " if org_filter else ""
    return sql.replace("{w}", w).replace("{where}", f"where {org_filter}" if org_filter else "")


# ------------------------------------------------------------------------------------ sections
def fence_section(conns: dict, seedings: dict, signins: dict, org: str, args) -> None:
    log("\n== 1. the array fence (memberships) against the scalar fence (claim): median ms (ratio to the floor)"
        " / shared buffers")
    t = seedings["memberships"].target
    tenant = f"{t.tenant} = '{org}'"
    floor_filter = tenant + (f" and {t.soft_delete} is null" if t.soft_delete else "")
    log(f"   {'query':16} {'floor':>16} | {'array':>22} {'array + org':>22} | {'scalar':>22} {'scalar + org':>22}")
    for name, (sql, filtered) in queries(conns["memberships"], seedings["memberships"], org).items():
        variants = {"floor": (conns["memberships"], texts(sql, floor_filter), None)}
        for mode in MODES:
            variants[mode] = (conns[mode], texts(sql, None), signins[mode])
            if filtered:
                variants[f"{mode}+org"] = (conns[mode], texts(sql, tenant), signins[mode])
        found = compare(variants, args)
        used = {key: buffers(*variant) for key, variant in variants.items()}
        floor = found["floor"]
        cells = [f"{found[k]:7.3f} {found[k] / floor:5.2f}x {used[k]:6d}" if k in found else f"{'-':>22}"
                 for k in ("memberships", "memberships+org", "claim", "claim+org")]
        log(f"   {name:16} {floor:7.3f} {used['floor']:8d} | {cells[0]} {cells[1]} | {cells[2]} {cells[3]}")
        if name in ("page by status", "next page"):
            for mode in MODES:
                show(f"{name}, {mode}, no tenant filter:", plan(conns[mode], texts(sql, None), signins[mode]), args)


def lookup_section(conns: dict, model, signins: dict, org: str, args) -> None:
    log("\n== 2. lookup functions: plpgsql (generated) vs sql, one statement each: median ms / shared buffers")
    tenancy = model.tenancy
    membership, user, tenant = f"public.{tenancy.membership}", tenancy.user_column, tenancy.column
    variants = {}
    for mode, fn in (("memberships", "user_tenant_ids"), ("claim", "current_tenant_id")):
        conns[mode].execute(sql_form(conns[mode], fn))
        variants.update({f"select 1 ({mode})": (conns[mode], "select 1", signins[mode]),
                         f"{fn}() plpgsql": (conns[mode], f"select atlas_private.{fn}()", signins[mode]),
                         f"{fn}() sql": (conns[mode], f"select atlas_private.{fn}_sql()", signins[mode])})
    found = compare(variants, args, 10)
    for name, ms in found.items():
        log(f"   {name:32} {ms:.3f} ms / {buffers(*variants[name])} buf")
    conn, role = conns["claim"], model_role(model)
    lookup = (f"select m.{tenant} from {membership} as m where m.{user} = auth.uid() and m.{tenant} = '{org}' "
              f"and m.{tenancy.role_column} = '{role}' limit 1")
    as_owner = signins["claim"].replace("'role', 'authenticated'", "'role', 'postgres'")
    calls = {f"current_tenant_id('{role}')": (conn, f"select atlas_private.current_tenant_id('{role}')", signins["claim"]),
             f"user_tenant_ids('{role}')": (conn, f"select atlas_private.user_tenant_ids('{role}')", signins["claim"]),
             "the lookup's query": (conn, lookup, as_owner)}
    shapes = {"(user, tenant) [today]": f"({user}, {tenant})",
              "(user, tenant) INCLUDE (role)": f"({user}, {tenant}) include ({tenancy.role_column})",
              "(user, tenant, role)": f"({user}, {tenant}, {tenancy.role_column})"}
    conn.execute(f"vacuum (analyze) {membership}")   # index-only scans need the visibility map
    log("   membership lookup index:")
    print_shapes(by_shape(conn, membership, lambda cols: cols[:2] == [user, tenant], shapes, calls, args, 10))


class without_indexes:
    """The table's indexes whose key columns `match` dropped for the block, then rebuilt."""

    def __init__(self, conn: psycopg.Connection, table: str, match):
        self.conn, self.table, self.match = conn, table, match

    def __enter__(self):
        rows = self.conn.execute(
            "select c.relname, pg_get_indexdef(i.indexrelid), array(select a.attname::text from unnest(i.indkey) "
            "with ordinality as k(n, o) join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.n order by k.o) "
            "from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = %s::regclass "
            "and not exists (select from pg_constraint x where x.conindid = i.indexrelid)", (self.table,)).fetchall()
        self.dropped = [(name, ddl) for name, ddl, cols in rows if self.match(list(cols))]
        for name, _ in self.dropped:
            self.conn.execute(f"drop index public.{name}")
        return self

    def __exit__(self, *exc):
        for _, ddl in self.dropped:
            self.conn.execute(ddl)
        self.conn.execute(f"analyze {self.table}")


def model_role(model) -> str:
    role = next(e for e in model.of("enum") if e.name == (model.tenancy.role_enum or "").split(".")[-1])
    return role.values[1 % len(role.values)]


def sql_form(conn: psycopg.Connection, fn: str) -> str:
    """CREATE FUNCTION <fn>_sql: the same lookup as one SQL query (definer, search_path '')."""
    args, result, body = conn.execute(
        "select pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.prosrc from pg_proc p "
        "join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'atlas_private' and p.proname = %s",
        (fn,)).fetchone()
    claims = "nullif(current_setting('request.jwt.claims', true), '')::jsonb"   # claim mode's `claims` variable
    body = body.replace("claims ->> ", f"{claims} ->> ").replace("(claims #>> ", f"({claims} #>> ")
    query = body.split("RETURN (", 1)[1].rsplit(");", 1)[0]
    if "requested" in body:   # the scalar lookup: the request's value, NULL unless a uuid
        read = body.split("requested text := ", 1)[1].split(";\n", 1)[0]
        check = body.split("requested !~ ", 1)[1].split(" THEN", 1)[0]
        query = query.replace("requested::uuid", f"(SELECT CASE WHEN r.v ~ {check} THEN r.v::uuid END "
                                                  f"FROM (SELECT {read} AS v) AS r)")
    return (f"create function atlas_private.{fn}_sql({args}) returns {result} language sql stable security definer "
            f"set search_path = '' as $q${query}$q$; grant execute on function atlas_private.{fn}_sql to authenticated")


def cursor_section(conns: dict, seedings: dict, signins: dict, org: str, args) -> None:
    t = seedings["memberships"].target
    log(f"\n== 3. keyset page: ({t.tenant}, {t.recency} desc) [today] vs ({t.tenant}, {t.recency} desc, {t.pk} desc)")
    sql = queries(conns["claim"], seedings["claim"], org)["next page"][0]
    tenant = f"{t.tenant} = '{org}'"
    shapes = {"today": f"({t.tenant}, {t.recency} desc)", "cursor": f"({t.tenant}, {t.recency} desc, {t.pk} desc)"}
    for mode in MODES:
        conn = conns[mode]
        variants = {"floor": (conn, texts(sql, tenant + (f" and {t.soft_delete} is null" if t.soft_delete else "")), None),
                    "rls": (conn, texts(sql, None), signins[mode]), "rls+org": (conn, texts(sql, tenant), signins[mode])}
        found = by_shape(conn, t.qualified, lambda cols: cols[:2] == [t.tenant, t.recency], shapes, variants, args, 3)
        print_shapes({f"{shape} {shapes[shape]}": kinds for shape, kinds in found.items()}, f"{mode:12} ")


def declared_section(conn: psycopg.Connection, model, seeding: Seeding, signin: str, org: str, args) -> None:
    log("\n== 4. btree indexes on tenant tables that do not lead with the tenant column")
    tenancy, t = model.tenancy, seeding.target
    tenant_tables = {x.name for x in model.of("table") if x.kind == "tenant"}
    found = [i for i in model.of("index") if i.table in tenant_tables and i.method == "btree"
             and i.keys and i.keys[0].column != tenancy.column]
    for index in found:
        log(f"   {index.table}.{index.name} ({', '.join(k.column for k in index.keys)})")
    log(f"   {len(found)} of {sum(i.table in tenant_tables for i in model.of('index'))} indexes on tenant tables")
    column = next((c.name for c in t.table_obj.columns if c.type == "text" and c.nullable and not c.sensitive
                   and any(k.keys[-1].column == c.name for k in model.of("index") if k.table == t.table)), None)
    if column is None:
        return
    value = conn.execute(f"select {column} from {t.qualified} where {column} is not null limit 1").fetchone()[0]
    sql = f"select {t.pk} from {t.qualified} where {{w}}{column} = '{value}' limit 50"
    tenant = f"{t.tenant} = '{org}'"
    variants = {"rls": (conn, texts(sql, None), signin), "rls+org": (conn, texts(sql, tenant), signin)}
    shapes = {f"declared as written ({column})": f"({column})",
              f"tenant column first ({t.tenant}, {column})": f"({t.tenant}, {column})"}
    log(f"   {column} = '{value}', a page of 50:")
    print_shapes(by_shape(conn, t.qualified, lambda cols: column in cols, shapes, variants, args))


def leakproof_section(conn: psycopg.Connection, seeding: Seeding, signin: str, org: str, args) -> None:
    log("\n== 5. leakproof operators (pg_proc.proleakproof) and where a user's condition lands under RLS")
    rows = conn.execute("select proname, bool_or(proleakproof) from pg_proc where proname = any(%s) group by 1 order by 1",
                        (list(LEAKPROOF),)).fetchall()
    log("   " + ", ".join(f"{name} {'yes' if leak else 'NO'}" for name, leak in rows))
    t = seeding.target
    indexes = conn.execute("select indexname, indexdef from pg_indexes where schemaname = 'public' and tablename = %s",
                           (t.table,)).fetchall()
    text = next((c.name for c in t.table_obj.columns if c.name == "full_name"), None)
    conditions = {f"{t.status} (enum =)": f"{t.status} = '{t.status_values[0]}'",
                  f"{t.recency} (timestamptz >)": f"{t.recency} > now() - interval '1 day'"}
    if text:
        conditions[f"{text} (ILIKE, trigram GIN)"] = f"{text} ilike '%ead 12345%'"
    for label, condition in conditions.items():
        sql = f"select {t.pk} from {t.qualified} where {t.tenant} = '{org}' and {condition}"
        as_user, as_owner = plan(conn, sql, signin, 10), plan(conn, sql, None, 10)
        log(f"   {label}: index condition as authenticated: {any(condition.split(' ')[0] in line and 'Index Cond' in line for line in as_user)}; "
            f"as superuser: {any(condition.split(' ')[0] in line and 'Index Cond' in line for line in as_owner)}")
        show("authenticated:", as_user, args)
        show("superuser:", as_owner, args)
    log(f"   ({len(indexes)} indexes on {t.table}: {', '.join(n for n, _ in indexes)})")


# ------------------------------------------------------------------------------------ 6. fixed cost
INLINE_UID = re.compile(r"coalesce\(nullif\(current_setting\('request\.jwt\.claim\.sub', true\), ''\), .*? ->> 'sub'\)::uuid")
PARTS = {"plpgsql, invoker": "language plpgsql stable as $q$BEGIN RETURN 1; END$q$",
         "plpgsql, definer": "language plpgsql stable security definer as $q$BEGIN RETURN 1; END$q$",
         "plpgsql, definer, SET search_path = ''": "language plpgsql stable security definer set search_path = '' "
                                                   "as $q$BEGIN RETURN 1; END$q$"}


def server_ms(conn: psycopg.Connection, sql: str, signin: str | None, runs: int) -> tuple[float, float]:
    """Median (planning, execution) ms that EXPLAIN ANALYZE reports: the server's share, free of
    the client's round trip."""
    planning, execution = [], []
    for _ in range(runs):
        with conn.transaction(force_rollback=True):
            if signin:
                conn.execute(signin)
            (doc,), = conn.execute(f"explain (analyze, timing off, summary on, format json) {sql}").fetchall()
        top = (json.loads(doc) if isinstance(doc, str) else doc)[0]
        planning.append(top["Planning Time"])
        execution.append(top["Execution Time"])
    return statistics.median(planning), statistics.median(execution)


def init_plans(conn: psycopg.Connection, sql: str, signin: str) -> int:
    return sum("InitPlan" in line for line in plan(conn, sql, signin, 200))


def lookup_forms(conn: psycopg.Connection) -> dict[str, list[str]]:
    """CREATE OR REPLACE of the scalar lookups as generated, and with auth.uid() called inside."""
    rows = conn.execute("select pg_get_functiondef(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                        "where n.nspname = 'atlas_private' and p.proname in ('current_tenant_id', "
                        "'current_membership_id')").fetchall()
    generated = [ddl for (ddl,) in rows]
    called = [INLINE_UID.sub("auth.uid()", ddl).replace("  claims jsonb := nullif(current_setting('request.jwt.claims', "
                                                       "true), '')::jsonb;\n", "").replace(
        "(claims #>> ", "(nullif(current_setting('request.jwt.claims', true), '')::jsonb #>> ") for ddl in generated]
    return {"generated": generated, "auth.uid() inside": called}


def fixed_section(conn: psycopg.Connection, seeding: Seeding, signin: str, org: str, args) -> None:
    calls = 2_000 if args.quick else 20_000
    log(f"\n== 6. the scalar lookup's fixed cost: each part called {calls:,} times in one statement, us per call")
    for name, body in PARTS.items():
        conn.execute(f"create function atlas_private.bench_part() returns int {body}; "
                     "grant execute on function atlas_private.bench_part() to authenticated")
        parts = {"the loop alone": "1", name: "atlas_private.bench_part()"}
        timed = {k: server_ms(conn, f"select count({e}) from generate_series(1, {calls})", signin, args.repeat)[1]
                 for k, e in parts.items()}
        log(f"   {name:44} {(timed[name] - timed['the loop alone']) * 1000 / calls:6.2f}")
        conn.execute("drop function atlas_private.bench_part()")
    forms = lookup_forms(conn)
    others = {"auth.uid() (sql, SET search_path: not inlined)": "auth.uid()",
              "request.jwt.claims parsed as jsonb": "nullif(current_setting('request.jwt.claims', true), '')::jsonb",
              "current_tenant_id()": "atlas_private.current_tenant_id()"}
    for form, ddls in forms.items():
        for ddl in ddls:
            conn.execute(ddl)
        base = server_ms(conn, f"select count(1) from generate_series(1, {calls})", signin, args.repeat)[1]
        for name, expr in others.items():
            if name.startswith("current_tenant_id") or form == "generated":
                took = server_ms(conn, f"select count({expr}) from generate_series(1, {calls})", signin, args.repeat)[1]
                label = f"{name} [{form}]" if name.startswith("current_tenant_id") else name
                log(f"   {label:44} {(took - base) * 1000 / calls:6.2f}")
    t = seeding.target
    floor = f"{t.tenant} = '{org}'" + (f" and {t.soft_delete} is null" if t.soft_delete else "")
    log("   whole statements, server ms (planning + execution), init plans run (USING and WITH CHECK apart):")
    found: dict[str, dict[str, tuple]] = {}
    statements = {name: sql for name, (sql, _) in queries(conn, seeding, org).items()
                  if name in ("one by id", "insert", "update")}
    for r in range(4):
        for form in (list(forms) if r % 2 == 0 else list(forms)[::-1]):
            for ddl in forms[form]:
                conn.execute(ddl)
            for name, sql in statements.items():
                cell = found.setdefault(name, {})
                cell.setdefault("floor", []).append(server_ms(conn, texts(sql, floor), None, args.repeat))
                cell.setdefault(form, []).append(server_ms(conn, texts(sql, None), signin, args.repeat))
                cell[f"{form} plans"] = init_plans(conn, texts(sql, None), signin)
    for ddl in forms["generated"]:
        conn.execute(ddl)
    for name, cell in found.items():
        line = []
        for key in ("floor", *forms):
            p, e = (statistics.median(x[i] for x in cell[key]) for i in (0, 1))
            plans = f", {cell[key + ' plans']} init plans" if key != "floor" else ""
            line.append(f"{key} {p:.3f} + {e:.3f} = {p + e:.3f}{plans}")
        log(f"   {name:10} " + " | ".join(line))


def main() -> int:
    args = arguments()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rls-variants-") as work, supabase_cluster({"shared_buffers": "256MB"}) as cluster, \
            ExitStack() as stack:
        conns, seedings, signins, models = {}, {}, {}, {}
        org_no = max(1, args.orgs // 2)
        org, user = org_uuid(org_no), user_uuid(org_no, 1)
        for mode in MODES:
            model, up = compile_mode(args.spec, Path(work), mode, None)
            db = stack.enter_context(scratch_database(cluster, f"variants_{mode}"))
            conn = stack.enter_context(db.connect(prepare_threshold=None))
            log(f"-- {mode}: {args.rows:,} rows, {args.orgs:,} tenants, {args.members} members each")
            seedings[mode], conns[mode], models[mode] = prepare(conn, model, up, args), conn, model
            signins[mode] = sign_in(model).statement(user, org)
        log(f"signed in as member 1 of tenant #{org_no}: {signins['claim']}")
        fence_section(conns, seedings, signins, org, args)
        lookup_section(conns, models["claim"], signins, org, args)
        cursor_section(conns, seedings, signins, org, args)
        declared_section(conns["claim"], models["claim"], seedings["claim"], signins["claim"], org, args)
        leakproof_section(conns["claim"], seedings["claim"], signins["claim"], org, args)
        fixed_section(conns["claim"], seedings["claim"], signins["claim"], org, args)
    log(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
