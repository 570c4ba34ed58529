"""The `drift` command's work behind compiler/cli.py (imported late, as psycopg is the `verify`
extra): the spec compiled, the live database's catalog read, a reference built from the spec on
a throwaway PostgreSQL, the two compared and printed. Exit 1 on any difference or when drift
cannot run (one line, never a traceback), 0 when the database matches the spec."""
from __future__ import annotations

import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import psycopg

from ..diagnostics import CompileError
from ..model import Model
from ..pipeline import compile_with_hints, fresh_build
from ..postgres import ClusterError, Database, clone_database, start_supabase_cluster
from ..postgres.catalog_compare import Snapshot, catalog_differences, compared_keys
from ..progress import Progress
from ..reporting import report_failure
from ..verify.catalog_checks import live_catalog, reference_catalog
from ..verify.chain import apply_sql
from ..verify.partition_checks import held_reference
from .groups import group_differences
from .report import DriftReport, render

NO_SERVER = ("drift needs the PostgreSQL server binaries to build the spec in a throwaway database "
             "(Debian: apt-get install postgresql-15; or set ATLAS_PG_BINDIR to the folder holding initdb)")


class DriftStopped(Exception):
    """Drift cannot go on; the message is the one line the user reads."""


def run_drift(schema: Path, out: Path, *, database_url: str, fmt: str) -> int:
    """The exit code: 0 the database matches the spec, 1 it differs or drift could not run.
    ``out`` is not read: the database is held to the spec as it is now, not to the lock."""
    progress = Progress(sys.stderr)
    diagnostics = []
    try:
        model, hints = compile_with_hints(schema)
        live, reference = _catalogs(model, database_url, progress)
        found = catalog_differences(live, reference)
        report = DriftReport(group_differences(found, live, reference, model, hints.places),
                             Counter(category for category, _ in compared_keys(live, reference)))
        text = render(report, fmt)
    except CompileError as error:
        diagnostics, message = error.diagnostics, "the spec does not compile"
    except DriftStopped as exc:
        message = str(exc)
    except (psycopg.Error, OSError, ClusterError) as exc:
        message = f"{type(exc).__name__}: {_first_line(exc)}"
    except Exception as exc:  # a bug: one line, not a traceback
        message = f"internal error: {type(exc).__name__}: {_first_line(exc)}"
    else:
        print(text)
        return 1 if found else 0
    finally:
        progress.done()
    report_failure(fmt, f"atlas-compile: drift stopped: {message}", diagnostics, title="drift",
                   data={"compared": 0, "groups": []})
    return 1


def _catalogs(model: Model, url: str, progress: Progress) -> tuple[Snapshot, Snapshot]:
    """The live database's catalog and the reference's, of the schemas the spec manages; the
    reference's date-named partitions in the live database's dates (held_reference)."""
    schemas = model.managed_schemas()
    with ExitStack() as stack:
        progress.step("connecting to the database")
        conn = stack.enter_context(_connect(url))
        reference = _reference(stack, model, progress)
        progress.step("comparing the catalogs")
        live = live_catalog(conn, schemas)
        return live, held_reference(live, reference_catalog(reference, schemas), model)


def _connect(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="atlas-compile drift")
    except psycopg.Error as exc:
        raise DriftStopped(f"cannot connect to the database: {_first_line(exc)}") from None


def _reference(stack: ExitStack, model: Model, progress: Progress) -> Database:
    """A scratch database of a throwaway cluster (the Supabase emulation) holding a fresh build
    of the spec's model; cluster and database are gone when ``stack`` closes."""
    progress.step("starting a throwaway PostgreSQL")
    try:
        cluster = start_supabase_cluster()
    except ClusterError as exc:
        raise DriftStopped(f"{NO_SERVER} ({_first_line(exc)})") from None
    stack.callback(cluster.stop)
    progress.step("building the spec in a scratch database")
    db = clone_database(cluster, "drift_reference")
    stack.callback(db.drop)
    with db.connect() as conn:
        apply_sql(conn, fresh_build(model))
    return db


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
