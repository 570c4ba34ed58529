"""Throughput under concurrency: the same queries as a pgbench script, one transaction per
request with a random tenant (and its member 1) per transaction, rolled back at the end so the
writes measure the same thing throughout. pgbench runs as a subprocess against the throwaway
cluster's unix socket.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from compiler.postgres import PostgresCluster

from .queries import Queries
from .seed import org_uuid_sql, row_uuid_sql, user_uuid_sql


def pgbench_queries(base: Queries, rows: int, orgs: int) -> tuple[str, Queries]:
    """The `\\set` lines and the queries written with pgbench's variables: tenant :o, row :g of it."""
    t = base.target
    per_org = max(1, rows // orgs)
    sets = (f"\\set o random(1, {orgs})\n\\set k random(1, {per_org})\n\\set g (:k - 1) * {orgs} + :o\n")
    row = ":g" if t.pk_generated else row_uuid_sql(base.seeding.tags[t.table], ":g")
    high = "2147483647" if t.pk_generated else "'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid"
    cursor = f"(timestamptz '2024-06-01', {high})" if base.cursor else None
    return sets, Queries(t, base.seeding, org_uuid_sql(":o"), ":o", cursor, row)


def script(sets: str, signin: str | None, statements: list[str]) -> str:
    body = [sets.rstrip("\n"), "BEGIN;"] + ([signin + ";"] if signin else [])
    return "\n".join(body + [s + ";" for s in statements] + ["ROLLBACK;"]) + "\n"


def signin_sql(signin) -> str:
    return signin.statement_sql(user_uuid_sql(":o", "1"), org_uuid_sql(":o"))


@dataclass
class Bench:
    label: str
    tps: float = 0.0
    latency: float = 0.0
    statements: list[tuple[float, str]] = field(default_factory=list)   # (ms, statement)
    error: str | None = None


def run(cluster: PostgresCluster, database: str, label: str, text: str, clients: int, seconds: int) -> Bench:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(text)
    path = Path(fh.name)
    path.chmod(0o644)
    cmd = [str(cluster.bindir / "pgbench"), "-n", "-r", "-c", str(clients), "-j", str(min(clients, 2)),
           "-T", str(seconds), "-f", str(path), "-h", str(cluster.socket_dir), "-p", str(cluster.port),
           "-U", "postgres", database]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
    finally:
        path.unlink()
    return parse(label, done.stdout, done.stderr if done.returncode else None)


def parse(label: str, out: str, error: str | None) -> Bench:
    bench = Bench(label, error=error.strip().splitlines()[-1] if error else None)
    if found := re.search(r"tps = ([\d.]+)", out):
        bench.tps = float(found.group(1))
    if found := re.search(r"latency average = ([\d.]+) ms", out):
        bench.latency = float(found.group(1))
    listing = out.split("statement latencies in milliseconds", 1)[-1].splitlines()[1:]
    for line in listing:
        if found := re.match(r"\s+([\d.]+)\s+(?:\d+\s+)?(.*)", line):
            if not found.group(2).startswith("\\set"):
                bench.statements.append((float(found.group(1)), found.group(2)))
    return bench
