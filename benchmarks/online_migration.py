#!/usr/bin/env python3
"""Write stalls of a schema change on a live tenant table: plain DDL vs atlas-compile's migration.

Issue 8, item 6 (not a test; it prints figures).  The script:

1. writes a small tenant project of its own (``before``: organizations, the membership table
   ``members`` and ``leads`` with a few columns; ``after``: the PR that adds an index, a unique,
   a check, a foreign-key column, a not-null column with a constant default, and ``not null`` on
   a filled column), and builds three folders with ``atlas-compile build``: ``before`` (0001),
   ``after`` (``before``'s 0001 plus the generated next migration) and ``fresh`` (``after`` built
   from nothing, the reference catalog);
2. starts a throwaway PostgreSQL 15 with the Supabase emulation (compiler.postgres.scratch),
   applies ``before`` to a database and loads ``--rows`` leads over ``--orgs`` organizations
   (INSERT ... SELECT from generate_series, triggers off), then VACUUM (ANALYZE);
3. for each of ``--repeat`` rounds and each method, on a fresh copy of the loaded database
   (CREATE DATABASE ... TEMPLATE): starts ``--writers`` threads, each with its own psycopg
   connection, looping over one small transaction (insert a lead, update a random lead's score)
   with a ``--sleep-ms`` pause, recording each transaction's start, end and failure; after
   ``--warmup`` seconds applies the change, keeps writing ``--tail`` seconds, stops the writers;
   the methods:

   plain    the one-transaction DDL a naive tool writes (NAIVE_DDL below), ``psql -f``;
   compiled the migration atlas-compile generated, applied with ``atlas-compile migrate``
            (``psql -v ON_ERROR_STOP=1 -f`` per pending file while ``migrate`` does not exist);

4. checks the schema afterwards: the catalog (public, atlas_private) must equal the fresh build
   of ``after`` (compiler.postgres snapshot_catalog / diff_catalogs), and leads must hold the
   loaded rows plus every insert that committed;
5. prints, per run: the longest write transaction and the longest gap between two write
   completions while the change ran (from its start to ``--tail`` after its end), the same two
   before the change (the noise floor of the machine), failed write transactions, the change's
   wall-clock duration (a subprocess: process start included) and the schema verdict.

Usage:  python benchmarks/online_migration.py [--rows 1000000] [--orgs 1000] [--writers 4] [--repeat 1]
        python benchmarks/online_migration.py --rows 20000      # a quick run
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from compiler.postgres import Database, PostgresCluster, diff_catalogs, snapshot_catalog, supabase_cluster  # noqa: E402
from compiler.postgres.scratch import SUPABASE_TEMPLATE  # noqa: E402

LIVE_SCHEMAS = ("public", "atlas_private")

# --------------------------------------------------------------------------- the project
PROJECT = """\
project:
  name: online-benchmark
  postgres: 15
  target: supabase
  extensions: [pgcrypto]
  tenancy:
    table: organizations
    column: organization_id
    membership: {table: members, user_column: auth_id, role_column: role}
    current_user_id: auth.uid()
  defaults: {tenant: true, timestamps: true, soft_delete: false, audit: false}
enums:
  member_role: [owner, admin, staff]
tables:
  organizations:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      name: {type: text, nullable: false}
    access: {select: member, insert: service, update: role:owner, delete: service}
  members:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      auth_id: {type: uuid, nullable: false}
      role: {type: member_role, nullable: false, default: staff}
      email: {type: text, nullable: false}
    unique: [[auth_id]]
    access: {select: member, insert: role:admin, update: role:admin, delete: role:admin}
"""

LEADS_BEFORE = """\
  leads:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      email: {type: text, nullable: false}
      full_name: {type: text}
      status: {type: text, nullable: false, default: new}
      score: {type: integer, nullable: false, default: 0}
      campaign: {type: text}
    access: {select: member, insert: member, update: member, delete: role:admin}
"""

# The PR: not null on a filled column (full_name), a check (score), a foreign-key column
# (owner_id), a not-null column with a constant default (priority), a unique (email, per
# tenant) and an index (campaign).
LEADS_AFTER = """\
  leads:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      email: {type: text, nullable: false}
      full_name: {type: text, nullable: false}
      status: {type: text, nullable: false, default: new}
      score: {type: integer, nullable: false, default: 0, check: "score between 0 and 100"}
      campaign: {type: text}
      owner_id: {type: uuid, references: {table: members, on_delete: set_null}}
      priority: {type: integer, nullable: false, default: 0}
    unique: [[email]]
    indexes:
      - columns: [campaign]
    access: {select: member, insert: member, update: member, delete: role:admin}
"""

# ---- NAIVE DDL: what a plain tool writes for the same PR, one transaction, no timeouts. ----
# Object names are the compiler's, so the result is checked against the same fresh build.
NAIVE_DDL = """\
BEGIN;
ALTER TABLE public.leads ADD COLUMN priority integer NOT NULL DEFAULT 0;
CREATE INDEX idx_leads_campaign ON public.leads (campaign);
ALTER TABLE public.leads ADD CONSTRAINT leads_email_key UNIQUE (organization_id, email);
ALTER TABLE public.leads ADD CONSTRAINT leads_score_check CHECK (score BETWEEN 0 AND 100);
ALTER TABLE public.leads ADD COLUMN owner_id uuid;
ALTER TABLE public.leads ADD CONSTRAINT leads_owner_id_fkey FOREIGN KEY (organization_id, owner_id)
    REFERENCES public.members (organization_id, id) ON DELETE SET NULL (owner_id);
CREATE INDEX idx_leads_owner_id ON public.leads (organization_id, owner_id);
ALTER TABLE public.leads ALTER COLUMN full_name SET NOT NULL;
COMMIT;
"""


def log(msg: str) -> None:
    print(msg, flush=True)


def atlas_compile() -> list[str]:
    """The atlas-compile command of this venv (beside the interpreter), else the one on PATH."""
    beside = Path(sys.executable).parent / "atlas-compile"
    return [str(beside)] if beside.exists() else [shutil.which("atlas-compile") or "atlas-compile"]


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kwargs)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed (exit {res.returncode}):\n{res.stdout}{res.stderr}")
    return res


def migrate_available() -> bool:
    res = subprocess.run([*atlas_compile(), "migrate", "--help"], capture_output=True, text=True)
    return res.returncode == 0


# --------------------------------------------------------------------------- builds
@dataclass
class Builds:
    before: Path      # 0001 of before
    after: Path       # before's 0001 + the generated next migration(s)
    fresh: Path       # after, built from nothing
    pending: list[Path]   # the up files of the next migration(s), in order


def build_all(work: Path) -> Builds:
    for side, leads in (("before", LEADS_BEFORE), ("after", LEADS_AFTER)):
        (work / "spec" / side).mkdir(parents=True)
        (work / "spec" / side / "project.yaml").write_text(PROJECT + leads, encoding="utf-8")
    builds = Builds(work / "build-before", work / "build-after", work / "build-fresh", [])
    cli = atlas_compile()
    run([*cli, "build", "--schema", str(work / "spec/before"), "--out", str(builds.before)])
    shutil.copytree(builds.before, builds.after)
    run([*cli, "build", "--schema", str(work / "spec/after"), "--out", str(builds.after)])
    run([*cli, "build", "--schema", str(work / "spec/after"), "--out", str(builds.fresh)])
    known = {p.name for p in (builds.before / "migrations").glob("*.up.sql")}
    builds.pending = sorted(p for p in (builds.after / "migrations").glob("*.up.sql") if p.name not in known)
    return builds


def database_url(db: Database) -> str:
    c = db.cluster
    return (f"postgresql://postgres@/{quote(db.name)}"
            f"?host={quote(str(c.socket_dir), safe='')}&port={c.port}")


def psql_file(db: Database, path: Path) -> None:
    """psql -f; a file with neither part markers nor BEGIN (the format before issue 8, "Apply in
    one transaction") gets --single-transaction, as its header asks."""
    text = path.read_text(encoding="utf-8")
    own = "-- atlas-compile part " in text or "\nBEGIN;" in "\n" + text
    single = [] if own else ["--single-transaction"]
    run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *single, "-d", database_url(db), "-f", str(path)])


def apply_build(db: Database, build: Path, files: list[Path], use_migrate: bool) -> None:
    """`atlas-compile migrate` over the build folder (it applies what is pending), or psql over
    `files` when `migrate` is not there yet."""
    if use_migrate:
        run([*atlas_compile(), "migrate", "--database-url", database_url(db), "--out", str(build)])
    else:
        for path in files:
            psql_file(db, path)


# --------------------------------------------------------------------------- loading
def org_uuid_sql(expr: str) -> str:
    return f"('00000000-0000-4000-8000-' || lpad(to_hex({expr}), 12, '0'))::uuid"


def lead_uuid(n: int) -> str:
    """The id the load gives lead number n (1-based)."""
    return f"00000000-0000-4000-a000-{n:012x}"


def load(conn: psycopg.Connection, rows: int, orgs: int) -> None:
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")  # no triggers, no FK checks
        conn.execute(f"insert into public.organizations (id, name) "
                     f"select {org_uuid_sql('g')}, 'Gym ' || g from generate_series(1, {orgs}) g")
        conn.execute(f"insert into public.members (organization_id, auth_id, role, email) "
                     f"select {org_uuid_sql('g')}, gen_random_uuid(), 'owner', 'owner@gym' || g || '.example' "
                     f"from generate_series(1, {orgs}) g")
        # Every lead has a full_name (the PR makes it not null) and a unique email per tenant.
        conn.execute(
            f"""
            insert into public.leads (id, organization_id, email, full_name, status, score, campaign)
            select ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid,
                   {org_uuid_sql(f'(g % {orgs}) + 1')},
                   'lead' || g || '@example.com', 'Lead ' || g,
                   (array['new','contacted','qualified','lost'])[1 + g % 4],
                   abs(hashint4(g)) % 101,
                   case when g % 3 = 0 then 'spring-' || (g % 7) end
            from generate_series(1, {rows}) g
            """
        )
    t1 = time.perf_counter()
    conn.execute("vacuum (analyze) public.organizations, public.members, public.leads")
    size = conn.execute("select pg_size_pretty(pg_total_relation_size('public.leads'))").fetchone()[0]
    log(f"  loaded {orgs:,} orgs and {rows:,} leads in {t1 - t0:.1f}s, vacuum (analyze) "
        f"{time.perf_counter() - t1:.1f}s; leads with its indexes: {size}")


# --------------------------------------------------------------------------- the write load
@dataclass
class Txn:
    start: float
    end: float
    ok: bool
    inserted: int = 0
    error: str = ""


@dataclass
class WriteLoad:
    """`writers` threads, each with its own connection, looping over one small write
    transaction until stopped."""

    db: Database
    writers: int
    rows: int
    orgs: int
    sleep: float
    txns: list[Txn] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        conns = [psycopg.connect(self.db.conninfo(), autocommit=True) for _ in range(self.writers)]
        for n, conn in enumerate(conns):
            t = threading.Thread(target=self._loop, args=(n, conn), daemon=True)
            self._threads.append(t)
            t.start()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def _loop(self, n: int, conn: psycopg.Connection) -> None:
        rnd = random.Random(n)
        mine: list[Txn] = []
        with conn:
            while not self._stop.is_set():
                org = rnd.randint(1, self.orgs)
                start = time.perf_counter()
                try:
                    with conn.transaction():
                        conn.execute(
                            "insert into public.leads (organization_id, email, full_name, score, campaign) "
                            "values (%s, %s, %s, %s, %s)",
                            (f"00000000-0000-4000-8000-{org:012x}", f"w{n}-{uuid.uuid4().hex}@example.com",
                             f"Writer {n}", rnd.randint(0, 100), "live"))
                        conn.execute("update public.leads set score = (score + 1) %% 101 where id = %s",
                                     (lead_uuid(rnd.randint(1, self.rows)),))
                    mine.append(Txn(start, time.perf_counter(), True, 1))
                except psycopg.Error as exc:
                    mine.append(Txn(start, time.perf_counter(), False, 0,
                                    f"{exc.sqlstate}: {str(exc).splitlines()[0]}"))
                time.sleep(self.sleep)
        with self._lock:
            self.txns.extend(mine)


def stalls(txns: list[Txn], t0: float, t1: float) -> tuple[float, float]:
    """(longest transaction overlapping [t0, t1], longest gap between two write completions in
    [t0, t1], counted from the last completion before t0), in seconds."""
    longest = max((t.end - t.start for t in txns if t.start < t1 and t.end > t0), default=0.0)
    ends = sorted(t.end for t in txns if t.ok)
    before = [e for e in ends if e <= t0]
    points = ([before[-1]] if before else [t0]) + [e for e in ends if t0 < e <= t1]
    gaps = [b - a for a, b in zip(points, points[1:])]
    if points[-1] < t1:   # nothing completed until the end of the window
        gaps.append(t1 - points[-1])
    return longest, max(gaps, default=0.0)


# --------------------------------------------------------------------------- one run
@dataclass
class Result:
    method: str
    round: int
    duration: float = 0.0
    stall_txn: float = 0.0
    stall_gap: float = 0.0
    base_txn: float = 0.0
    base_gap: float = 0.0
    txns: int = 0
    failed: int = 0
    errors: dict = field(default_factory=dict)
    schema_ok: bool = False
    schema_notes: list = field(default_factory=list)
    apply_error: str = ""


def copy_database(cluster: PostgresCluster, template: str, prefix: str) -> Database:
    name = cluster.unique_database_name(prefix)
    with cluster.connect("postgres") as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(name), sql.Identifier(template)))
    return Database(cluster, name)


def run_once(cluster: PostgresCluster, loaded: str, method: str, rnd: int, apply, target: dict,
             args: argparse.Namespace) -> Result:
    result = Result(method, rnd)
    db = copy_database(cluster, loaded, method)
    try:
        with db.connect() as conn:
            conn.execute("checkpoint")   # the copy's checkpoint out of the way of the timings
        load_ = WriteLoad(db, args.writers, args.rows, args.orgs, args.sleep_ms / 1000.0)
        begin = time.perf_counter()
        load_.start()
        time.sleep(args.warmup)
        t0 = time.perf_counter()
        try:
            apply(db)
        except SystemExit as exc:   # the change failed: report it, still stop the writers
            result.apply_error = str(exc).strip().splitlines()[-1]
        t1 = time.perf_counter()
        time.sleep(args.tail)
        load_.stop()
        result.duration = t1 - t0
        result.stall_txn, result.stall_gap = stalls(load_.txns, t0, t1 + args.tail)
        result.base_txn, result.base_gap = stalls(load_.txns, begin + 0.5, t0)
        result.txns = len(load_.txns)
        failed = [t for t in load_.txns if not t.ok]
        result.failed = len(failed)
        for t in failed:
            result.errors[t.error] = result.errors.get(t.error, 0) + 1
        with db.connect() as conn:
            diffs = diff_catalogs(snapshot_catalog(conn, LIVE_SCHEMAS), target, labels=("migrated", "fresh"))
            count = conn.execute("select count(*) from public.leads").fetchone()[0]
        expected = args.rows + sum(t.inserted for t in load_.txns)
        result.schema_notes = diffs[:5] + ([f"leads holds {count:,} rows, expected {expected:,}"]
                                           if count != expected else [])
        result.schema_ok = not diffs and count == expected and not result.apply_error
    finally:
        db.drop()
    return result


# --------------------------------------------------------------------------- report
def report(results: list[Result], args: argparse.Namespace, notes: list[str]) -> None:
    log("")
    log(f"{args.rows:,} leads over {args.orgs:,} organizations; {args.writers} writers "
        f"(insert + update per transaction, {args.sleep_ms} ms pause); stall window = the change "
        f"+ {args.tail}s; baseline = the {args.warmup}s before it")
    head = (f"{'method':9} {'round':>5} {'duration':>9} {'longest txn':>12} {'longest gap':>12} "
            f"{'baseline txn/gap':>17} {'writes':>7} {'failed':>7}  schema")
    log(head)
    log("-" * len(head))
    for r in results:
        base = f"{r.base_txn * 1000:.0f}/{r.base_gap * 1000:.0f} ms"
        log(f"{r.method:9} {r.round:5d} {r.duration:8.2f}s {r.stall_txn * 1000:10.0f}ms "
            f"{r.stall_gap * 1000:10.0f}ms {base:>17} {r.txns:7d} {r.failed:7d}  "
            f"{'= fresh build' if r.schema_ok else 'WRONG'}")
        if r.apply_error:
            log(f"    the change failed: {r.apply_error}")
        for note in r.schema_notes:
            log(f"    {note}")
        for error, n in sorted(r.errors.items()):
            log(f"    {n} x {error}")
    if args.repeat > 1:
        for method in dict.fromkeys(r.method for r in results):
            mine = sorted(r.stall_txn for r in results if r.method == method)
            log(f"{method}: longest txn over {len(mine)} rounds: median {mine[len(mine) // 2] * 1000:.0f} ms, "
                f"worst {mine[-1] * 1000:.0f} ms; failed writes in all: "
                f"{sum(r.failed for r in results if r.method == method)}")
    for line in notes:
        log(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="leads rows (default 1,000,000)")
    ap.add_argument("--orgs", type=int, default=1000, help="organizations (default 1000)")
    ap.add_argument("--writers", type=int, default=4, help="concurrent writer connections (default 4)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of both methods (default 1)")
    ap.add_argument("--sleep-ms", type=float, default=10.0, help="pause after each write (default 10 ms)")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of writes before the change (default 3)")
    ap.add_argument("--tail", type=float, default=2.0, help="seconds of writes after the change (default 2)")
    ap.add_argument("--methods", default="plain,compiled", help="comma list of plain, compiled")
    ap.add_argument("--show-migration", action="store_true", help="print the generated up file(s) first")
    ap.add_argument("--shared-buffers", default="256MB", help="PostgreSQL shared_buffers (default 256MB)")
    args = ap.parse_args()
    methods = [m for m in args.methods.split(",") if m]

    started = time.perf_counter()
    use_migrate = migrate_available()
    t = time.perf_counter()
    migrate_available()
    startup = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="online-bench-") as tmp:
        work = Path(tmp)
        builds = build_all(work)
        if args.show_migration:
            for path in builds.pending:
                log(path.read_text(encoding="utf-8"))
        naive = work / "naive.sql"
        naive.write_text(NAIVE_DDL, encoding="utf-8")
        log(f"generated: {', '.join(p.name for p in builds.pending)}; applied with "
            f"{'atlas-compile migrate' if use_migrate else 'psql -v ON_ERROR_STOP=1 -f (no migrate yet)'}")
        with supabase_cluster({"shared_buffers": args.shared_buffers, "max_connections": "100"}) as cluster:
            with cluster.connect() as conn:
                log(f"PostgreSQL {conn.execute('show server_version').fetchone()[0]}, "
                    f"shared_buffers={args.shared_buffers}; {os.cpu_count()} cores")
            fresh = cluster.create_database("fresh", template=SUPABASE_TEMPLATE)
            apply_build(fresh, builds.fresh, sorted((builds.fresh / "migrations").glob("*.up.sql")), use_migrate)
            with fresh.connect() as conn:
                target = snapshot_catalog(conn, LIVE_SCHEMAS)
            fresh.drop()

            loaded = cluster.create_database("loaded", template=SUPABASE_TEMPLATE)
            apply_build(loaded, builds.before, sorted((builds.before / "migrations").glob("*.up.sql")), use_migrate)
            with loaded.connect() as conn:
                load(conn, args.rows, args.orgs)
            loaded.close()   # a template takes no connections

            appliers = {
                "plain": lambda db: psql_file(db, naive),
                "compiled": lambda db: apply_build(db, builds.after, builds.pending, use_migrate),
            }
            results = []
            for rnd in range(1, args.repeat + 1):
                for method in methods:
                    results.append(run_once(cluster, loaded.name, method, rnd, appliers[method], target, args))
                    r = results[-1]
                    log(f"  round {rnd} {method}: {r.duration:.2f}s, longest txn {r.stall_txn * 1000:.0f} ms, "
                        f"{r.failed} failed (load average {os.getloadavg()[0]:.2f})")
    report(results, args, [f"`atlas-compile migrate --help` takes {startup:.2f}s (process start, in "
                           f"every compiled duration); load average now {os.getloadavg()[0]:.2f}; "
                           f"total runtime {time.perf_counter() - started:.0f}s"])
    return 0 if all(r.schema_ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
