"""The `verify` command's work behind compiler/cli.py (which imports this lazily, as psycopg is
the `verify` extra): checks that build/ is what the spec compiles to, then proves the released
chain and the tenant boundaries on a throwaway PostgreSQL (or holds a live database to the lock
with ``--database-url``), optionally writes the same checks as pgTAP tests, and prints the
report.  Every failure is a line and exit 1, never a traceback."""
from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

import psycopg

from ..diagnostics import CompileError, Location
from ..output import differs
from ..pipeline import fresh_build, next_migration
from ..postgres import ClusterError, Database, PostgresCluster, clone_database, start_supabase_cluster
from ..progress import Progress
from ..released import MIGRATIONS, read_state
from ..reporting import github_annotation, report_failure
from ..source.loader import display_path
from .chain import apply_sql, migrate_up
from .checks import AREAS, Check, failures, summary
from .live import check_live
from .partition_checks import partition_checks
from .pgtap import write_pgtap
from .probing import check_isolation
from .roundtrip import check_chain

NO_SERVER = ("verify needs the PostgreSQL server binaries to start a throwaway database "
             "(Debian: apt-get install postgresql-15; or set ATLAS_PG_BINDIR to the folder holding initdb)")


class VerifyStopped(Exception):
    """Verify cannot go on; the message is the one line the user reads."""


def run_verify(schema: Path, out: Path, *, database_url: str | None, emit_pgtap: Path | None,
               fmt: str, verbose: bool) -> int:
    """The exit code: 0 every check passed, 1 a check failed or verify could not run."""
    progress = Progress(sys.stderr)
    try:
        model, hints = _released_model(schema, out)
        access = hints.access
        with ExitStack() as stack:
            cluster = _throwaway(stack, progress, required=database_url is None or emit_pgtap is not None)
            if database_url is None:
                checks = _throwaway_checks(cluster, out, model, access, progress)
            else:
                checks = _live_checks(stack, cluster, database_url, out, model, access, progress)
            if emit_pgtap is not None:
                written = _emit(stack, cluster, out, model, emit_pgtap, progress)
                progress.note(f"wrote {len(written)} pgTAP files into {emit_pgtap}")
    except CompileError as error:
        return _stopped(fmt, "atlas-compile: verify stopped before touching a database", error.diagnostics)
    except VerifyStopped as exc:
        return _stopped(fmt, f"atlas-compile: verify stopped: {exc}")
    except psycopg.OperationalError as exc:
        return _stopped(fmt, f"atlas-compile: cannot connect to the database: {_first_line(exc)}")
    except (psycopg.Error, OSError, ClusterError) as exc:
        return _stopped(fmt, f"atlas-compile: verify stopped: {type(exc).__name__}: {_first_line(exc)}")
    except Exception as exc:  # a bug: one line, not a traceback
        return _stopped(fmt, f"atlas-compile: internal error: {type(exc).__name__}: {_first_line(exc)}")
    finally:
        progress.done()
    print(_report(checks, fmt, verbose, lambda check: _place(check, hints.places, out)))
    return 1 if failures(checks) else 0


def _stopped(fmt: str, message: str, diagnostics=()) -> int:
    report_failure(fmt, message, list(diagnostics), title="verify", data={"checks": []})
    return 1


def _released_model(schema: Path, out: Path):
    """The lock's model and the spec's access rules, once build/ is known to be what the spec
    compiles to: verify proves the released files, so a stale build/ would prove the wrong thing."""
    result = next_migration(schema, out)
    stale = differs(out, result.files)
    if result.files and stale:
        raise VerifyStopped(f"{out} is out of date ({', '.join(stale)} would change): "
                            "run atlas-compile build first")
    state = read_state(out)
    if not state.migrations:
        raise VerifyStopped(f"no migration is released in {out}: run atlas-compile build first")
    return state.model, result.hints


def _throwaway(stack: ExitStack, progress: Progress, *, required: bool) -> PostgresCluster | None:
    """A throwaway cluster with the Supabase emulation in a template database, stopped at the
    end; None when not required and no server binaries are here (the live check then compares
    what it can without a reference)."""
    progress.step("starting a throwaway PostgreSQL")
    try:
        cluster = start_supabase_cluster()
    except ClusterError as exc:
        if required:
            raise VerifyStopped(f"{NO_SERVER} ({_first_line(exc)})") from None
        progress.note(f"no throwaway PostgreSQL ({_first_line(exc)}): catalog expressions are not compared")
        return None
    stack.callback(cluster.stop)
    return cluster


def _applied_database(stack: ExitStack, cluster: PostgresCluster, prefix: str) -> Database:
    db = clone_database(cluster, prefix)
    stack.callback(db.drop)
    return db


def _throwaway_checks(cluster: PostgresCluster, out: Path, model, access, progress: Progress) -> list[Check]:
    checks = check_chain(cluster, out, None, progress.step)
    with ExitStack() as stack:
        db = _applied_database(stack, cluster, "verify_probes")
        with db.connect() as conn:
            progress.step("applying every migration for the probes")
            migrate_up(conn, out)
            checks += partition_checks(conn, model)
            checks += check_isolation(conn, model, progress.step, access=access)
    return checks


def _live_checks(stack: ExitStack, cluster: PostgresCluster | None, url: str, out: Path, model, access,
                 progress: Progress) -> list[Check]:
    def reference(held_to) -> Database:
        """A fresh build of the model the database is held to (its last applied migration's)."""
        db = _applied_database(stack, cluster, "verify_reference")
        with db.connect() as conn:
            apply_sql(conn, fresh_build(held_to))
        return db

    progress.step("connecting to the database")
    with psycopg.connect(url, autocommit=True, application_name="atlas-compile verify") as conn:
        return check_live(conn, out, reference if cluster is not None else None, progress.step, access)


def _emit(stack: ExitStack, cluster: PostgresCluster, out: Path, model, directory: Path,
          progress: Progress) -> list[Path]:
    progress.step("writing pgTAP tests")
    db = _applied_database(stack, cluster, "verify_pgtap")
    with db.connect() as conn:
        migrate_up(conn, out)
        return write_pgtap(conn, model, directory)


def _report(checks: list[Check], fmt: str, verbose: bool, place) -> str:
    if fmt == "json":
        return json.dumps({"ok": not failures(checks), "summary": summary(checks),
                           "checks": [c.to_data() for c in checks]}, indent=2)
    if fmt == "github":   # the text report for the log, then one annotation per failed check
        return "\n".join([_report(checks, "text", verbose, place)] + [_annotation(c, place(c)) for c in failures(checks)])
    lines = [c.line() for c in checks if verbose or c.failed]
    for area in AREAS:
        of_area = [c for c in checks if c.area == area]
        if of_area:
            lines.append(f"{area}: {summary(of_area)}")
    bad = failures(checks)
    lines.append(f"verify: {'FAILED' if bad else 'passed'}: {summary(checks)}")
    return "\n".join(lines)


def _place(check: Check, places: dict, out: Path):
    """Where the spec defines what a check is about (a table, view, function, enum), or the
    migration file a chain check ran; None when neither is known."""
    name = check.subject.split(".", 1)[-1]
    for section in ("tables", "views", "functions", "enums"):
        for key in (check.subject, name):
            if (section, key) in places:
                return places[(section, key)]
    migration = out / MIGRATIONS / f"{check.subject}.up.sql"
    return Location(display_path(migration)) if migration.is_file() else None


def _annotation(check: Check, where) -> str:
    actor = f" as {check.actor}" if check.actor else ""
    message = f"{check.area} {check.subject} {check.check}{actor}: {check.detail}"
    if check.statement:
        message += f"\nstatement: {check.statement}"
    title = f"verify {check.check}"
    if where is None:
        return github_annotation("error", message, title=title)
    return github_annotation("error", message, where.path, where.line, where.col, title)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
