"""How the migration runners teams use apply a layout's folder, on the suite's real PostgreSQL.

One set of functions per runner, each keeping that runner's own bookkeeping table and failing
the way the runner fails:
- dbmate: the real binary (scripts/test.sh installs it into .tools/), over the cluster's socket.
- supabase, golang-migrate, flyway: emulations of their documented behaviour (none of them can be
  installed here); each docstring says which behaviour, and where a runner's versions differ the
  emulation takes the stricter one, so a folder it accepts runs under all of them.

Every emulation works on an autocommit psycopg connection and sends SQL as the runner's driver
does: a whole file as one simple-query string is one implicit transaction in PostgreSQL, where
CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY and a DO block that COMMITs are refused.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path
from urllib.parse import quote

import pglast
import psycopg
import pytest
from psycopg.pq import TransactionStatus

ROOT = Path(__file__).resolve().parent.parent
DBMATE = ROOT / ".tools" / "node_modules" / ".bin" / "dbmate"

#: Each runner's bookkeeping table, as `schema.table` (catalog comparisons leave it out).
BOOKKEEPING = {
    "dbmate": "public.schema_migrations",
    "golang-migrate": "public.schema_migrations",
    "flyway": "public.flyway_schema_history",
    "supabase": "supabase_migrations.schema_migrations",
}

#: Statements PostgreSQL refuses inside a transaction block, as the runners' classifiers list them
#: (Supabase CLI v2.109+ and Flyway's PostgreSQL parser: CREATE/DROP INDEX CONCURRENTLY and kin).
NON_TRANSACTIONAL = re.compile(
    r"^(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY|REINDEX\b.*\bCONCURRENTLY"
    r"|VACUUM\b|ALTER\s+SYSTEM\b|CLUSTER\b)", re.I | re.S)


class RunnerError(RuntimeError):
    """The runner refused the folder or a file failed; the message is what the runner reports."""


def statements(text: str) -> list[str]:
    """The file's statements, comments dropped, split by PostgreSQL's own parser."""
    return [s.strip() for s in pglast.split(text)]


def _transaction(conn: psycopg.Connection, *steps: tuple[str, tuple]) -> None:
    """BEGIN, each (sql, params), COMMIT; rolled back whole on error (re-raised as RunnerError)."""
    try:
        conn.execute("BEGIN")
        for query, params in steps:
            conn.execute(query, params or None)   # no params: simple protocol, many statements
        conn.execute("COMMIT")
    except psycopg.Error as exc:
        _roll_back(conn)
        raise RunnerError(str(exc).strip()) from exc


def _roll_back(conn: psycopg.Connection) -> None:
    if conn.info.transaction_status != TransactionStatus.IDLE:
        conn.execute("ROLLBACK")


def _exec(conn: psycopg.Connection, query: str, params: tuple | None = None) -> None:
    """One statement (or one simple-query string) in autocommit, failures as RunnerError."""
    try:
        conn.execute(query, params)
    except psycopg.Error as exc:
        _roll_back(conn)
        raise RunnerError(str(exc).strip()) from exc


# -- dbmate: the real binary --------------------------------------------------------------------

def dbmate_binary() -> Path:
    """The installed dbmate; a skip with the reason when it is missing, a failure under CI."""
    if DBMATE.is_file() and os.access(DBMATE, os.X_OK):
        return DBMATE
    message = f"dbmate is not installed at {DBMATE}: scripts/test.sh installs it (npm)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def dbmate_url(db) -> str:
    """The database over the cluster's unix socket (lib/pq reads host= as the socket folder)."""
    cluster = db.cluster
    return (f"postgres://postgres@/{quote(db.name)}?host={quote(str(cluster.socket_dir))}"
            f"&port={cluster.port}&sslmode=disable")


def dbmate(db, folder: Path, command: str) -> str:
    """Runs `dbmate <command>` on `folder`; its output, or RunnerError with dbmate's message."""
    done = subprocess.run(
        [str(dbmate_binary()), "--url", dbmate_url(db), "--migrations-dir", str(folder),
         "--no-dump-schema", command],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DBMATE_"))})
    if done.returncode != 0:
        raise RunnerError(f"dbmate {command} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def dbmate_up(db, folder: Path) -> str:
    return dbmate(db, folder, "up")


def dbmate_rollback_all(db, folder: Path) -> int:
    """`dbmate rollback` (one migration each) until none is applied; how many it rolled back."""
    with db.connect() as conn:
        applied = conn.execute("select count(*) from public.schema_migrations").fetchone()[0]
    for _ in range(applied):
        dbmate(db, folder, "rollback")
    return applied


# -- supabase: `supabase migration up` / `supabase db push` --------------------------------------

SUPABASE_FILE = re.compile(r"^([0-9]+)_(.*)\.sql$")


def supabase_migration_up(conn: psycopg.Connection, folder: Path) -> list[str]:
    """An emulation of the Supabase CLI's `migration up` / `db push` (pkg/migration: apply.go,
    file.go, history.go), on one connection:
    - local files are those matching `^([0-9]+)_(.*)\\.sql$`, by name; a remote version missing
      locally, or a pending local version older than the last applied one, stops the run
      (FindPendingMigrations: ErrMissingLocal, ErrMissingRemote);
    - before each file `RESET ALL` (settings of an earlier file do not carry over);
    - the file's statements and its insert into supabase_migrations.schema_migrations(version,
      name, statements) run as one implicit transaction (ExecBatch; here: BEGIN, the file as one
      simple-query string, the insert, COMMIT), so CREATE INDEX CONCURRENTLY or a DO block that
      COMMITs inside fails and nothing of the file stays;
    - except (CLI v2.109+, PR #5671 and #6276) a statement the CLI classifies as pipeline
      incompatible runs on its own. The emulation grants that only to a file holding exactly one
      such statement: the older CLI batches even that, and a newer one splits a mixed file into
      separate transactions, so the one-statement file is the form both accept.
    Returns the versions applied."""
    local = sorted(p for p in folder.iterdir() if SUPABASE_FILE.match(p.name))
    for query in ("SET lock_timeout = '4s'", "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
                  "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations"
                  " (version text NOT NULL PRIMARY KEY, statements text[], name text)"):
        _exec(conn, query)
    remote = [r[0] for r in conn.execute(
        "SELECT version FROM supabase_migrations.schema_migrations ORDER BY version")]
    versions = [SUPABASE_FILE.match(p.name)[1] for p in local]
    missing = [v for v in remote if v not in versions]
    if missing:
        raise RunnerError(f"Remote migration versions not found in local migrations directory: {missing}")
    pending = [p for p, v in zip(local, versions) if v not in remote]
    early = [p.name for p in pending if remote and SUPABASE_FILE.match(p.name)[1] < remote[-1]]
    if early:
        raise RunnerError(f"Found local migration files to be inserted before the last migration on "
                          f"remote database: {early}")
    for path in pending:
        version, name = SUPABASE_FILE.match(path.name).groups()
        text = path.read_text(encoding="utf-8")
        found = statements(text)
        record = ("INSERT INTO supabase_migrations.schema_migrations(version, name, statements) "
                  "VALUES (%s, %s, %s)", (version, name, found))
        _exec(conn, "RESET ALL")
        try:
            if len(found) == 1 and NON_TRANSACTIONAL.match(found[0]):
                _exec(conn, found[0])
                _transaction(conn, record)
            else:
                _transaction(conn, (text, ()), record)
        except RunnerError as exc:
            raise RunnerError(f"{path.name}: {exc}") from exc
    return [SUPABASE_FILE.match(p.name)[1] for p in pending]


def supabase_roll_back(db, migrations: Path, rollbacks: Path, psql: Path) -> list[str]:
    """Runs every down file of `rollbacks` (`<first version>_<slug>.down.sql`), newest first, with
    `psql -v ON_ERROR_STOP=1 -f`, then marks the versions it covers reverted as `supabase
    migration repair --status reverted` does (deletes them from schema_migrations): a down covers
    the versions from its own up to the next down's. Returns the down files run."""
    downs = sorted(rollbacks.glob("*.down.sql"))
    firsts = [p.name.split("_", 1)[0] for p in downs]
    ups = sorted(SUPABASE_FILE.match(p.name)[1] for p in migrations.iterdir() if SUPABASE_FILE.match(p.name))
    run = []
    for index in reversed(range(len(downs))):
        upper = firsts[index + 1] if index + 1 < len(firsts) else None
        covered = [v for v in ups if v >= firsts[index] and (upper is None or v < upper)]
        psql_file(db, downs[index], psql)
        with db.connect() as conn:
            conn.execute("DELETE FROM supabase_migrations.schema_migrations WHERE version = ANY(%s)", [covered])
        run.append(downs[index].name)
    return run


def psql_file(db, path: Path, psql: Path) -> None:
    done = subprocess.run([str(psql), db.conninfo(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(path)],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RunnerError(f"psql -f {path.name} failed:\n{done.stderr}")


def psql_binary(cluster) -> Path:
    own = Path(cluster.bindir) / "psql"
    return own if own.is_file() else Path(shutil.which("psql") or "/usr/bin/psql")


# -- golang-migrate ------------------------------------------------------------------------------

GOLANG_FILE = re.compile(r"^([0-9]+)_(.*)\.(down|up)\.sql$")


def _golang_files(folder: Path) -> dict[int, dict[str, Path]]:
    files: dict[int, dict[str, Path]] = {}
    for path in folder.iterdir():
        match = GOLANG_FILE.match(path.name)
        if match:
            version = int(match[1])
            if match[3] in files.setdefault(version, {}):
                raise RunnerError(f"duplicate migration file: {path.name}")
            files[version][match[3]] = path
    return files


def _golang_version(conn: psycopg.Connection) -> tuple[int | None, bool]:
    _exec(conn, "CREATE TABLE IF NOT EXISTS public.schema_migrations (version bigint not null primary key,"
                " dirty boolean not null)")
    row = conn.execute("SELECT version, dirty FROM public.schema_migrations LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (None, False)


def _golang_set(conn: psycopg.Connection, version: int | None, dirty: bool) -> None:
    steps = [("TRUNCATE public.schema_migrations", ())]
    if version is not None:
        steps.append(("INSERT INTO public.schema_migrations (version, dirty) VALUES (%s, %s)", (version, dirty)))
    _transaction(conn, *steps)


def _golang_run(conn: psycopg.Connection, path: Path, target: int | None) -> None:
    """SetVersion(target, dirty), the file as one Exec (lib/pq: one simple query, one implicit
    transaction), SetVersion(target, clean); a failure leaves the database dirty."""
    _golang_set(conn, target, True)
    text = path.read_text(encoding="utf-8")
    if text.strip():
        try:
            _exec(conn, text)
        except RunnerError as exc:
            raise RunnerError(f"{path.name}: migration failed: {exc} (database left dirty at {target})") from exc
    _golang_set(conn, target, False)


def golang_migrate_up(conn: psycopg.Connection, folder: Path) -> list[int]:
    """An emulation of `migrate -path F -database postgres://... up` (golang-migrate
    database/postgres/postgres.go and migrate.go): table schema_migrations(version, dirty) holds
    one row; a dirty database is refused; the current version must exist as a file; every up file
    with a greater version runs in order, sent as one Exec (several statements are one implicit
    transaction, database/postgres/README.md). Files older than the current version are skipped
    without a word, as golang-migrate does. Returns the versions applied."""
    files = _golang_files(folder)
    current, dirty = _golang_version(conn)
    if dirty:
        raise RunnerError(f"Dirty database version {current}. Fix and force version.")
    if current is not None and current not in files:
        raise RunnerError(f"no migration found for version {current}")
    applied = []
    for version in sorted(v for v in files if current is None or v > current):
        if "up" not in files[version]:
            raise RunnerError(f"no up migration for version {version}")
        _golang_run(conn, files[version]["up"], version)
        applied.append(version)
    return applied


def golang_migrate_down(conn: psycopg.Connection, folder: Path, steps: int | None = None) -> list[int]:
    """`migrate ... down [N]` (all when N is None): the current version's down file runs, then the
    version becomes the previous file's (none before the first). Returns the versions undone."""
    files = _golang_files(folder)
    ordered = sorted(files)
    undone: list[int] = []
    while steps is None or len(undone) < steps:
        current, dirty = _golang_version(conn)
        if dirty:
            raise RunnerError(f"Dirty database version {current}. Fix and force version.")
        if current is None:
            break
        if "down" not in files.get(current, {}):
            raise RunnerError(f"no down migration for version {current}")
        earlier = [v for v in ordered if v < current]
        _golang_run(conn, files[current]["down"], earlier[-1] if earlier else None)
        undone.append(current)
    return undone


# -- flyway --------------------------------------------------------------------------------------

FLYWAY_FILE = re.compile(r"^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$")
FLYWAY_HISTORY = "public.flyway_schema_history"
_PLACEHOLDER = re.compile(r"\$\{(?!flyway:)[^}]*\}")


def _flyway_scripts(folder: Path, prefix: str) -> dict[tuple[int, ...], Path]:
    found: dict[tuple[int, ...], Path] = {}
    for path in folder.iterdir():
        match = FLYWAY_FILE.match(path.name)
        if match and match[1] == prefix:
            version = tuple(int(x) for x in re.split(r"[._]", match[2]))
            if version in found:
                raise RunnerError(f"Found more than one migration with version {match[2]}")
            found[version] = path
    return found


def flyway_checksum(text: str) -> int:
    """Flyway's checksum: CRC32 over the lines without their line ends, as a signed int."""
    crc = 0
    for line in text.removeprefix("\ufeff").splitlines():
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def _flyway_in_transaction(path: Path, found: list[str]) -> bool:
    """`executeInTransaction` from `<script>.conf`; unset, Flyway's parser decides: a script of
    non-transactional statements only runs outside, a mix is refused (mixed=false)."""
    conf = path.with_name(path.name + ".conf")
    if conf.is_file():
        for line in conf.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "executeInTransaction":
                return value.strip().lower() != "false"
    outside = [s for s in found if NON_TRANSACTIONAL.match(s)]
    if outside and len(outside) < len(found):
        raise RunnerError(f"{path.name}: Detected both transactional and non-transactional statements "
                          "within the same migration (even though mixed is false)")
    return not outside


def _flyway_state(conn: psycopg.Connection) -> list[tuple]:
    _exec(conn, f"""CREATE TABLE IF NOT EXISTS {FLYWAY_HISTORY} (
        installed_rank INT NOT NULL CONSTRAINT flyway_schema_history_pk PRIMARY KEY,
        version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL,
        script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by VARCHAR(100) NOT NULL,
        installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INTEGER NOT NULL,
        success BOOLEAN NOT NULL)""")
    return conn.execute(f"SELECT version, type, script, checksum, success FROM {FLYWAY_HISTORY} "
                        "ORDER BY installed_rank").fetchall()


def _flyway_run(conn: psycopg.Connection, path: Path, kind: str) -> None:
    """One script, and its history row: in the script's transaction, or after it when it runs
    statement by statement in autocommit (a failure there is recorded, success false)."""
    text = path.read_text(encoding="utf-8")
    if _PLACEHOLDER.search(text):
        raise RunnerError(f"{path.name}: No value provided for placeholder {_PLACEHOLDER.search(text)[0]}")
    found = statements(text)
    match = FLYWAY_FILE.match(path.name)
    row = (f"INSERT INTO {FLYWAY_HISTORY} (installed_rank, version, description, type, script, checksum,"
           " installed_by, execution_time, success) SELECT coalesce(max(installed_rank), 0) + 1, %s, %s, %s,"
           f" %s, %s, current_user, 0, %s FROM {FLYWAY_HISTORY}")
    values = [match[2].replace("_", "."), match[3].replace("_", " "), kind, path.name, flyway_checksum(text)]
    if _flyway_in_transaction(path, found):
        try:
            _transaction(conn, *[(s, ()) for s in found], (row, (*values, True)))
        except RunnerError as exc:
            raise RunnerError(f"{path.name}: {exc}") from exc
        return
    for statement in found:
        try:
            _exec(conn, statement)
        except RunnerError as exc:
            _transaction(conn, (row, (*values, False)))
            raise RunnerError(f"{path.name}: {exc} (recorded as failed: run `flyway repair`)") from exc
    _transaction(conn, (row, (*values, True)))


def _flyway_applied(history: list[tuple]) -> dict[str, tuple]:
    """Each version's last row: applied when it is a successful SQL row, undone after UNDO_SQL."""
    last: dict[str, tuple] = {}
    for row in history:
        if row[0] is not None:
            last[row[0]] = row
    return last


def flyway_migrate(conn: psycopg.Connection, folder: Path) -> list[str]:
    """An emulation of `flyway migrate` (defaults: validateOnMigrate, outOfOrder=false,
    mixed=false, placeholderReplacement), history in public.flyway_schema_history:
    - validation first: a failed migration, an applied script whose checksum changed or whose file
      is gone, or a pending version older than the latest applied one stop the run;
    - V<version>__<description>.sql scripts then run in version order, each in its own
      transaction with its history row, unless `<script>.conf` says executeInTransaction=false:
      then statement by statement in autocommit, the row after them.
    Returns the versions applied."""
    scripts = _flyway_scripts(folder, "V")
    by_name = {".".join(map(str, v)): p for v, p in scripts.items()}
    applied = {v: r for v, r in _flyway_applied(_flyway_state(conn)).items() if r[1] == "SQL"}
    for version, (_, _, script, checksum, success) in applied.items():
        if not success:
            raise RunnerError(f"Validate failed: Detected failed migration to version {version} ({script})")
        if version not in by_name:
            raise RunnerError(f"Validate failed: Detected applied migration not resolved locally: {version}")
        if flyway_checksum(by_name[version].read_text(encoding="utf-8")) != checksum:
            raise RunnerError(f"Validate failed: Migration checksum mismatch for migration version {version}")
    latest = max((v for v, p in scripts.items() if ".".join(map(str, v)) in applied), default=None)
    pending = sorted(v for v in scripts if ".".join(map(str, v)) not in applied)
    early = [scripts[v].name for v in pending if latest is not None and v < latest]
    if early:
        raise RunnerError(f"Validate failed: Detected resolved migration not applied to database: {early}")
    for version in pending:
        _flyway_run(conn, scripts[version], "SQL")
    return [".".join(map(str, v)) for v in pending]


def flyway_undo(conn: psycopg.Connection, folder: Path, count: int = 1) -> list[str]:
    """An emulation of `flyway undo` (Flyway Teams): the latest applied versioned migration is
    undone by its U<version>__<description>.sql (same transaction rules as V scripts), recorded
    as an UNDO_SQL row; `count` times. Returns the versions undone."""
    undo = {".".join(map(str, v)): p for v, p in _flyway_scripts(folder, "U").items()}
    undone = []
    for _ in range(count):
        applied = [v for v, r in _flyway_applied(_flyway_state(conn)).items() if r[1] == "SQL" and r[4]]
        if not applied:
            break
        latest = max(applied, key=lambda v: tuple(int(x) for x in v.split(".")))
        if latest not in undo:
            raise RunnerError(f"Unable to undo migration to version {latest} as no undo script is available")
        _flyway_run(conn, undo[latest], "UNDO_SQL")
        undone.append(latest)
    return undone


# -- catalogs ------------------------------------------------------------------------------------

def without_bookkeeping(snapshot: dict, runner: str) -> dict:
    """A catalog snapshot without the runner's bookkeeping table (its columns, keys, grants)."""
    table = BOOKKEEPING[runner]
    schema, name = table.split(".")

    def own(key: str) -> bool:
        if schema != "public" and (key == schema or key.startswith(f"{schema}.")):
            return True   # the runner's own schema (supabase_migrations)
        return key == table or key.startswith((f"{table}.", f"{table}:", f"{schema}.{name}_"))

    return {category: {k: v for k, v in rows.items() if not own(str(k))} if isinstance(rows, dict) else rows
            for category, rows in snapshot.items()}
