"""Throwaway PostgreSQL clusters for tests and ``atlas-compile verify``.

A :class:`PostgresCluster` owns a temporary directory holding a freshly
``initdb``-ed data directory.  The server listens only on a unix socket inside
that directory (``listen_addresses=''``), so clusters never collide with each
other or with a system PostgreSQL, and it is tuned for speed rather than
durability (``fsync=off`` and friends).  Stopping the cluster removes the
directory.

PostgreSQL refuses to run as root.  When the current process is root the
server binaries are run as the ``postgres`` OS user through ``runuser`` and
the temporary directory is handed over to that user.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

__all__ = [
    "CRON_DATABASE",
    "ClusterError",
    "Database",
    "PostgresCluster",
    "execute_script",
    "find_bindir",
]

#: Settings appended to postgresql.conf.  Durability is worthless for a
#: cluster that is deleted after the run; speed is not.
FAST_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "checkpoint_timeout": "1h",
    "max_wal_size": "1GB",
    "shared_buffers": "32MB",
    "max_connections": "50",
    "timezone": "UTC",
    "log_timezone": "UTC",
    "datestyle": "iso, mdy",
    "lc_messages": "C",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
}

#: The one database pg_cron may be created in (``cron.database_name``), when the cluster loads it.
CRON_DATABASE = "atlas_cron"

SERVICE_USER = "postgres"  # OS user the server runs as when we are root
SUPERUSER = "postgres"  # database superuser created by initdb


class ClusterError(RuntimeError):
    """initdb / pg_ctl failed; the message carries the relevant output/log tail."""


def find_bindir() -> Path:
    """Locate the PostgreSQL server binaries.

    Order: ``$ATLAS_PG_BINDIR``; ``pg_config --bindir`` when that directory
    holds ``initdb``; the newest ``/usr/lib/postgresql/*/bin``.
    """
    env = os.environ.get("ATLAS_PG_BINDIR")
    if env:
        path = Path(env)
        if not (path / "initdb").is_file():
            raise ClusterError(f"ATLAS_PG_BINDIR={env!r} does not contain initdb")
        return path

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
            )
            candidate = Path(out.stdout.strip())
            if out.returncode == 0 and (candidate / "initdb").is_file():
                return candidate
        except (OSError, subprocess.SubprocessError):
            pass

    def version_key(p: str) -> tuple[int, ...]:
        ver = Path(p).parent.name
        return tuple(int(x) for x in re.findall(r"\d+", ver)) or (0,)

    candidates = [
        p for p in glob.glob("/usr/lib/postgresql/*/bin") if os.path.isfile(os.path.join(p, "initdb"))
    ]
    if candidates:
        return Path(max(candidates, key=version_key))
    raise ClusterError(
        "cannot find PostgreSQL server binaries (initdb): set ATLAS_PG_BINDIR, "
        "put pg_config on PATH, or install postgresql under /usr/lib/postgresql/<ver>/bin"
    )


def _pkglibdir(bindir: Path) -> Path:
    """Where the server loads its modules from: ``pg_config --pkglibdir`` of these binaries,
    else Debian's layout (``/usr/lib/postgresql/15/bin`` -> ``/usr/lib/postgresql/15/lib``)."""
    pg_config = bindir / "pg_config"
    if pg_config.is_file():
        try:
            out = subprocess.run([str(pg_config), "--pkglibdir"], capture_output=True, text=True, timeout=10)
            if out.returncode == 0 and out.stdout.strip():
                return Path(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    return bindir.parent / "lib"


def cron_settings(bindir: Path) -> dict[str, str]:
    """The settings that load pg_cron, or nothing when its library is not installed (the
    cluster then runs as before, and only the tests that need pg_cron fail). Jobs run as
    background workers: the cluster listens on no TCP port for pg_cron's own connections."""
    if not (_pkglibdir(bindir) / "pg_cron.so").is_file():
        return {}
    return {"shared_preload_libraries": "pg_cron", "cron.database_name": CRON_DATABASE,
            "cron.use_background_workers": "on", "max_worker_processes": "16"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"<no log: {exc}>"
    return "\n".join(text.splitlines()[-lines:])


def execute_script(conn: psycopg.Connection, script: str) -> None:
    """Run SQL text that may hold many statements (and dollar-quoted bodies).

    The text is sent with the simple query protocol (no parameters), so ``%``
    needs no escaping and PostgreSQL itself splits the statements.  Without an
    explicit BEGIN/COMMIT inside, the whole text runs as one implicit
    transaction: all or nothing.  Statements that refuse to run inside a
    transaction block (CREATE DATABASE, CREATE INDEX CONCURRENTLY, VACUUM)
    must be sent separately.

    On failure the original psycopg exception is re-raised with a note giving
    the line of the script where PostgreSQL reported the error, if known.
    """
    try:
        conn.execute(script)  # type: ignore[arg-type]  # no params -> simple protocol
    except psycopg.Error as exc:
        pos = getattr(exc.diag, "statement_position", None)
        if pos and str(pos).isdigit():
            offset = int(pos) - 1  # 1-based, in characters
            line_no = script.count("\n", 0, offset) + 1
            lines = script.splitlines()
            line = lines[line_no - 1] if 0 < line_no <= len(lines) else ""
            exc.add_note(f"at script line {line_no}: {line.strip()}")
        raise


@dataclass
class Database:
    """Handle on one database of a :class:`PostgresCluster`.

    Connections opened through :meth:`connect` are remembered and closed by
    :meth:`close` (the fixtures call it before dropping the database).
    """

    cluster: "PostgresCluster"
    name: str
    _conns: list[psycopg.Connection] = field(default_factory=list, repr=False)

    def conninfo(self) -> str:
        return self.cluster.conninfo(self.name)

    def connect(self, autocommit: bool = True, **kwargs: Any) -> psycopg.Connection:
        conn = self.cluster.connect(self.name, autocommit=autocommit, **kwargs)
        self._conns.append(conn)
        return conn

    def close(self) -> None:
        while self._conns:
            conn = self._conns.pop()
            try:
                conn.close()
            except Exception:
                pass

    def drop(self) -> None:
        self.close()
        self.cluster.drop_database(self.name)


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory.

    >>> with PostgresCluster() as pg:
    ...     with pg.connect() as conn:
    ...         conn.execute("select 1").fetchone()
    """

    def __init__(
        self,
        bindir: str | os.PathLike[str] | None = None,
        *,
        settings: dict[str, str] | None = None,
        start_timeout: float = 60.0,
        cron: bool = True,
    ) -> None:
        self.bindir = Path(bindir) if bindir else find_bindir()
        # cron=False: a server without pg_cron preloaded, as where the library is not installed.
        cron = cron_settings(self.bindir) if cron else {}
        self.settings = {**FAST_SETTINGS, **cron, **(settings or {})}
        preload = [p for p in self.settings["shared_preload_libraries"].split(",") if p.strip()] if cron else []
        if cron and "pg_cron" not in preload:   # the caller preloads others too
            self.settings["shared_preload_libraries"] = ",".join([*preload, "pg_cron"])
        #: The database pg_cron can be created in (None: pg_cron is not loaded).
        self.cron_database: str | None = CRON_DATABASE if cron else None
        self.start_timeout = start_timeout
        self.base_dir: Path | None = None
        self.port: int | None = None
        self._running = False
        self._as_root = os.geteuid() == 0

    # -- paths ---------------------------------------------------------------
    def _path(self, *parts: str) -> Path:
        assert self.base_dir is not None, "cluster not started"
        return self.base_dir.joinpath(*parts)

    @property
    def data_dir(self) -> Path:
        return self._path("data")

    @property
    def socket_dir(self) -> Path:
        return self._path()

    @property
    def log_file(self) -> Path:
        return self._path("postgres.log")

    @property
    def running(self) -> bool:
        return self._running

    # -- process helpers -----------------------------------------------------
    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            runuser = shutil.which("runuser") or "/sbin/runuser"
            cmd = [runuser, "-u", SERVICE_USER, "--", *cmd]
        return cmd

    def _run(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        for var in ("PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGOPTIONS"):
            env.pop(var, None)
        return subprocess.run(
            self._cmd(*args),
            cwd=str(self.base_dir),  # postgres user may not be able to enter our cwd
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> "PostgresCluster":
        if self._running:
            return self
        if not (self.bindir / "initdb").is_file():
            raise ClusterError(f"no initdb in {self.bindir}")
        self.base_dir = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        try:
            if self._as_root:
                try:
                    pw = pwd.getpwnam(SERVICE_USER)
                except KeyError:
                    raise ClusterError(
                        f"running as root but there is no {SERVICE_USER!r} OS user to run PostgreSQL"
                    ) from None
                os.chown(self.base_dir, pw.pw_uid, pw.pw_gid)
                # The server user must be able to reach the directory.
                self._check_traversable(self.base_dir, pw.pw_uid, pw.pw_gid)
            self._initdb()
            self._configure()
            self._pg_ctl_start()
            self._wait_ready()
            if self.cron_database:
                # pg_cron's launcher connects to it; without it the launcher fails and restarts
                # every second until the database appears.
                self.create_database(self.cron_database)
        except BaseException:
            self._cleanup(kill=True)
            raise
        self._running = True
        atexit.register(self.stop)
        return self

    @staticmethod
    def _check_traversable(path: Path, uid: int, gid: int) -> None:
        for parent in path.parents:
            st = parent.stat()
            if st.st_mode & 0o001:
                continue
            if st.st_uid == uid and st.st_mode & 0o100:
                continue
            if st.st_gid == gid and st.st_mode & 0o010:
                continue
            raise ClusterError(
                f"{parent} is not traversable by the {SERVICE_USER} user; "
                "set TMPDIR to a world-accessible directory such as /tmp"
            )

    def _initdb(self) -> None:
        res = self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-A", "trust",
            "-U", SUPERUSER,
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        if res.returncode != 0:
            raise ClusterError(
                f"initdb failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}".rstrip()
            )

    def _configure(self) -> None:
        self.port = _free_port()
        settings = {
            **self.settings,
            "listen_addresses": "",
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
        }
        lines = ["", "# --- atlas-compile test cluster ---"]
        for key, value in settings.items():
            escaped = value.replace("'", "''")
            lines.append(f"{key} = '{escaped}'")
        # Appending keeps the file's owner (the server user) intact.
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")

    def _pg_ctl_start(self) -> None:
        if self._as_root:
            # pg_ctl (running as postgres) must be able to create the log file.
            pw = pwd.getpwnam(SERVICE_USER)
            self.log_file.touch()
            os.chown(self.log_file, pw.pw_uid, pw.pw_gid)
        try:
            res = self._run(
                "pg_ctl", "start",
                "-D", str(self.data_dir),
                "-l", str(self.log_file),
                "-w", "-t", str(int(self.start_timeout)),
                timeout=self.start_timeout + 10,
            )
        except subprocess.TimeoutExpired:
            raise ClusterError(
                f"pg_ctl start timed out; server log tail:\n{_tail(self.log_file)}"
            ) from None
        if res.returncode != 0:
            raise ClusterError(
                f"PostgreSQL failed to start (pg_ctl exit {res.returncode}):\n"
                f"{res.stdout}{res.stderr}\n--- server log tail ---\n"
                f"{_tail(self.log_file)}"
            )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.conninfo("postgres"), connect_timeout=5) as conn:
                    conn.execute("select 1")
                return
            except psycopg.OperationalError as exc:
                last = exc
                time.sleep(0.05)
        raise ClusterError(
            f"PostgreSQL did not accept connections within {self.start_timeout}s: {last}\n"
            f"--- server log tail ---\n{_tail(self.log_file)}"
        )

    def stop(self) -> None:
        """Stop the server immediately and delete the cluster directory."""
        self._cleanup(kill=True)

    def _cleanup(self, kill: bool) -> None:
        base = self.base_dir
        if base is None:
            return
        if kill and (base / "data" / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "stop", "-D", str(base / "data"), "-m", "immediate", "-w",
                          timeout=60)
            except (OSError, subprocess.SubprocessError):
                pass
        shutil.rmtree(base, ignore_errors=True)
        self.base_dir = None
        self._running = False
        try:
            atexit.unregister(self.stop)
        except Exception:
            pass

    def __enter__(self) -> "PostgresCluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"port={self.port} dir={self.base_dir}" if self._running else "stopped"
        return f"<PostgresCluster {state}>"

    # -- connections ---------------------------------------------------------
    def conninfo(self, dbname: str = "postgres") -> str:
        if self.base_dir is None or self.port is None:
            raise ClusterError("cluster is not started")
        return make_conninfo(
            host=str(self.socket_dir), port=str(self.port), user=SUPERUSER, dbname=dbname
        )

    def connect(
        self, dbname: str = "postgres", autocommit: bool = True, **kwargs: Any
    ) -> psycopg.Connection:
        """Open a psycopg connection as the superuser over the unix socket."""
        return psycopg.connect(self.conninfo(dbname), autocommit=autocommit, **kwargs)

    # -- databases -----------------------------------------------------------
    def create_database(self, name: str, template: str | None = None) -> Database:
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        with self.connect("postgres") as conn:
            conn.execute(query)
        return Database(self, name)

    def drop_database(self, name: str) -> None:
        with self.connect("postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def database(self, name: str) -> Database:
        """Handle on an existing database."""
        return Database(self, name)

    def unique_database_name(self, prefix: str = "db") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:12]}"
