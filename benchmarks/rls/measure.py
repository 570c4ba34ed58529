"""Timing a case the way PostgREST runs a request, its plan, and what the plans show.

Each run is its own transaction, rolled back (so a write measures the same thing every time):
the sign-in statement (RLS cases), then the query; only the query is timed (client side,
planning included). The plan is `explain (analyze, buffers)` in the same kind of transaction.
"""
from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from .queries import Case


@dataclass
class Result:
    case: Case
    times: list[float]
    rows: list[tuple]
    plan_text: list[str] = field(default_factory=list)
    plan: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def run(conn: psycopg.Connection, case: Case, signin: str, runs: int) -> tuple[list[float], list[tuple]]:
    times, rows = [], []
    for _ in range(runs):
        with conn.transaction(force_rollback=True):
            if case.rls:
                conn.execute(signin)
            started = time.perf_counter()
            cur = conn.execute(case.sql)
            rows = cur.fetchall() if cur.description else []
            times.append((time.perf_counter() - started) * 1000.0)
    return times, rows


def explain(conn: psycopg.Connection, case: Case, signin: str, form: str) -> Any:
    with conn.transaction(force_rollback=True):
        if case.rls:
            conn.execute(signin)
        found = conn.execute(f"explain (analyze, buffers{form}) {case.sql}").fetchall()
    return found


def measure(conn: psycopg.Connection, cases: list[Case], signin: str, runs) -> dict:
    """Every case timed in two passes, the second in reverse order (so drift on a shared machine
    and the warmth a neighbour leaves cancel out), `runs(case)` = (warm-up, timed) runs per pass;
    then its plan, once in text and once as JSON (what the findings read)."""
    times: dict[tuple[str, str], list[float]] = {}
    rows: dict[tuple[str, str], list[tuple]] = {}
    for order in (cases, cases[::-1]):
        for case in order:
            warmup, timed = runs(case)
            try:
                found, rows[(case.query, case.key)] = run(conn, case, signin, warmup + timed)
            except psycopg.Error as exc:   # a generated value another domain's checks refuse
                print(f"  {case.query}/{case.key} failed, left out: {str(exc).splitlines()[0]}", flush=True)
                cases = [c for c in cases if c is not case]
                continue
            times.setdefault((case.query, case.key), []).extend(found[warmup:])
    results = {}
    for case in cases:
        key = (case.query, case.key)
        doc = explain(conn, case, signin, ", format json")[0][0]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        text = [line for (line,) in explain(conn, case, signin, "")]
        results[key] = Result(case, times[key], rows[key], trim(text), doc[0])
    return results


def trim(lines: list[str], most: int = 26, width: int = 150) -> list[str]:
    """The plan's lines without the planner's own buffer counts and empty heap fetches, at most
    `most` lines, each cut at `width`."""
    kept, skip = [], False
    for line in lines:
        if line.startswith("Planning:"):
            skip = True
            continue
        if skip and line.startswith("  "):
            continue
        skip = False
        if line.strip() == "Heap Fetches: 0":
            continue
        kept.append(line if len(line) <= width else line[: width - 3] + "...")
    if len(kept) > most:
        kept = kept[: most - 3] + ["  ..."] + kept[-2:]
    return kept


def scans(plan: dict[str, Any], relations: set[str]) -> list[dict[str, Any]]:
    """The scan nodes (with their bitmap index children) that read one of `relations` (tables and
    their index names), outside InitPlans and SubPlans."""
    found = []

    def walk(node: dict[str, Any], inside: bool) -> None:
        inside = inside or node.get("Parent Relationship") in ("InitPlan", "SubPlan")
        if not inside and (node.get("Relation Name") in relations or node.get("Index Name") in relations):
            found.append(node)
        for kid in node.get("Plans", []):
            walk(kid, inside)

    walk(plan["Plan"], False)
    return found


def placement(nodes: list[dict[str, Any]], column: str | None) -> str:
    """Where `column`'s comparison sits in these scans: index condition, filter, or nowhere."""
    if not column:
        return "-"
    where = []
    for node in nodes:
        if column in node.get("Index Cond", ""):
            where.append("index cond")
        if column in node.get("Filter", ""):
            removed = node.get("Rows Removed by Filter", 0)
            where.append(f"FILTER (removed {removed:,})" if removed else "FILTER")
        if column in node.get("Recheck Cond", "") and not any(column in n.get("Index Cond", "") for n in nodes):
            where.append("recheck")
    if not where and any("SubPlan" in node.get("Filter", "") for node in nodes):
        where.append("FILTER (SubPlan)")
    return ", ".join(dict.fromkeys(where)) or "not compared"


def estimate(nodes: list[dict[str, Any]]) -> str:
    """Estimate vs actual rows of the outermost scan of the table (the fence's estimate)."""
    tops = [n for n in nodes if "Relation Name" in n] or nodes
    if not tops:
        return "-"
    node = tops[0]
    actual = round(node.get("Actual Rows", 0) * node.get("Actual Loops", 1))
    return f"{node['Node Type']} est={node.get('Plan Rows')} act={actual}"
