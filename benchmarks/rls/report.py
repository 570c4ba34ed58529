"""The printed tables: per query its cases against the floor with their plans, the findings the
plans show, the modes side by side, and pgbench's throughput."""
from __future__ import annotations

import statistics

from .measure import Result, estimate, placement, scans
from .pgbench import Bench
from .queries import CASES

TARGET = 1.3


def log(message: str = "") -> None:
    print(message, flush=True)


def ratio(results: dict, result: Result) -> float | None:
    base = results.get((result.case.query, result.case.base))
    return result.median / base.median if base else None


def verdict(results: dict, result: Result) -> str:
    r = ratio(results, result)
    if r is None:
        return "floor"
    return ("PASS" if r <= TARGET else "FAIL") if result.case.judged else "(info)"


def same_rows(results: dict, result: Result) -> str:
    """Does this case return exactly what its floor returns (the floor with the policy's own filter
    for generated RLS)? Writes compare the number of rows written."""
    case = result.case
    if not case.rls:
        return ""
    base = results.get((case.query, "floor_same")) if case.key.startswith("rls") else None
    base = base or results.get((case.query, case.base))
    if case.write:
        return "rows ok" if len(base.rows) == len(result.rows) else f"ROWS {len(result.rows)} vs {len(base.rows)}"
    return "rows ok" if base.rows == result.rows else f"ROWS DIFFER ({len(result.rows)} vs {len(base.rows)})"


def print_query(results: dict, query: str, plans: bool) -> None:
    mine = [r for (q, _), r in results.items() if q == query]
    log()
    log(f"== {query}: {mine[0].case.sql}")
    log(f"   {'case':10} {'description':46} {'median':>8} {'min':>8} {'ratio':>7} {'same':>6} {'verdict':7} "
        f"{'buffers':>7}  rows")
    for r in mine:
        x = ratio(results, r)
        same = results.get((query, "floor_same"))
        vs_same = f"{r.median / same.median:5.2f}x" if same and r.case.key.startswith("rls") else ""
        buffers = r.plan.get("Plan", {}).get("Shared Hit Blocks", 0) + r.plan.get("Plan", {}).get("Shared Read Blocks", 0)
        log(f"   {r.case.key:10} {CASES[r.case.key]:46} {r.median:8.3f} {min(r.times):8.3f} "
            f"{f'{x:6.2f}x' if x else '   1.00x':>7} {vs_same:>6} {verdict(results, r):7} {buffers:7d}  "
            f"{same_rows(results, r)}")
        if plans:
            if r.case.key != "floor":
                log(f"      {r.case.sql}")
            for line in r.plan_text:
                log(f"      | {line}")


def findings(results: dict, relations: set[str], tenant: str, status: str | None, facts: list[str]) -> None:
    log()
    log("findings (from the plans above): where the tenant and status comparisons sit, the table scan's estimate")
    log(f"   {'query':16} {'case':10} {'tenant column':24} {'status column':28} table scan")
    for (query, key), r in results.items():
        if r.case.write or key == "seed_floor":
            continue
        nodes = scans(r.plan, relations)
        log(f"   {query:16} {key:10} {placement(nodes, tenant):24} {placement(nodes, status):28} {estimate(nodes)}")
    generated = [(r, scans(r.plan, relations)) for r in results.values() if r.case.key.startswith("rls") and not r.case.write]
    for label, column in (("tenant", tenant), ("status", status)):
        if column and generated:
            where = [placement(nodes, column) for _, nodes in generated]
            log(f"   {label} column under generated RLS: index cond in {sum('index cond' in w for w in where)}, "
                f"FILTER in {sum('FILTER' in w for w in where)} of {len(where)} read plans")
    for r, nodes in generated:
        top = [n for n in nodes if "Relation Name" in n]
        if r.case.key == "rls" and top and "group by" in r.case.sql:
            est, act = top[0].get("Plan Rows", 0), top[0].get("Actual Rows", 0) * top[0].get("Actual Loops", 1)
            log(f"   the fence's estimate ({r.case.query}, no tenant filter): est={est} act={act:.0f} "
                f"({est / act if act else float('inf'):.1f}x the actual rows)")
    judged = [r for r in results.values() if r.case.judged]
    fails = [f"{r.case.query}/{r.case.key}" for r in judged if verdict(results, r) == "FAIL"]
    wrong = [f"{r.case.query}/{r.case.key}" for r in judged if same_rows(results, r) != "rows ok"]
    for fact in facts:
        log(f"   {fact}")
    log(f"   over {TARGET}x: {', '.join(fails) or 'none'}; rows differing from the floor: {', '.join(wrong) or 'none'}")


def side_by_side(by_mode: dict[str, dict]) -> None:
    modes = list(by_mode)
    log()
    log("== modes side by side: median ms (ratio to the floor, verdict)")
    log(f"   {'query':16} {'case':10} " + " ".join(f"{m:>24}" for m in modes))
    keys = [k for k in by_mode[modes[0]] if k[1] in ("floor", "floor_same", "rls", "rls_org")]
    for key in keys:
        cells = []
        for mode in modes:
            r = by_mode[mode].get(key)
            x = r and ratio(by_mode[mode], r)
            cells.append(f"{r.median:8.3f} ({x:5.2f}x {verdict(by_mode[mode], r)})" if x
                         else (f"{r.median:8.3f}" if r else "-"))
        log(f"   {key[0]:16} {key[1]:10} " + " ".join(f"{c:>24}" for c in cells))


def pgbench_table(benches: list[Bench], names: list[str], clients: int, seconds: int) -> None:
    log()
    log(f"== pgbench: {clients} clients, {seconds} s, one transaction = every query below, random tenant; "
        "per-statement latency in ms")
    log(f"   {'variant':22} {'tps':>9} {'latency':>9}  " + " ".join(f"{n[:10]:>10}" for n in names))
    floor = next((b.tps for b in benches if b.label == "floor"), None)
    for b in benches:
        if b.error:
            log(f"   {b.label:22} failed: {b.error}")
            continue
        per = [ms for ms, text in b.statements
               if text.split()[0].upper() not in ("BEGIN;", "ROLLBACK;") and "set_config('role'" not in text]
        share = f"  ({b.tps / floor:.2f}x floor tps)" if floor and b.label != "floor" else ""
        log(f"   {b.label:22} {b.tps:9.1f} {b.latency:9.3f}  " + " ".join(f"{ms:10.3f}" for ms in per) + share)


def fixed_costs(rows: list[tuple[str, list[float]]]) -> None:
    log("fixed cost per request: " + "; ".join(f"{label} {statistics.median(ms):.3f} ms" for label, ms in rows))
