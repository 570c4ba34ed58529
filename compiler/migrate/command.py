"""The `migrate` command's work behind compiler/cli.py (which imports this lazily): reads the
released chain, connects, runs or reports, and turns every failure into one line and exit 1."""
from __future__ import annotations

import sys
from pathlib import Path

import psycopg

from ..diagnostics import CompileError
from ..released import read_state
from .plan import MigrateError
from .runner import Retry, migrate, status


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_migrate(action: str | None, url: str, out: Path, *, down: int | None, to: str | None,
                attempts: int, retry_wait: float) -> int:
    """The exit code: 0 done, 1 stopped (the reason on stderr, one line)."""
    try:
        released = read_state(out).migrations
    except CompileError as error:
        for diagnostic in error.diagnostics:
            _say(diagnostic.render())
        _say("atlas-compile: migrate stopped before connecting; nothing was applied")
        return 1
    try:
        with psycopg.connect(url, autocommit=True, application_name="atlas-compile migrate") as conn:
            if action == "status":
                lines, ok = status(conn, out, released)
                print("\n".join(lines) if lines else f"no migration is released in {out}")
                return 0 if ok else 1
            print(migrate(conn, out, released, down=down, to=to, retry=Retry(attempts, retry_wait), say=_say))
            return 0
    except MigrateError as exc:
        _say(f"atlas-compile: migrate stopped: {exc}")
    except psycopg.OperationalError as exc:
        _say(f"atlas-compile: cannot connect to the database: {str(exc).strip().splitlines()[0]}")
    except (psycopg.Error, OSError, ValueError) as exc:
        _say(f"atlas-compile: migrate stopped: {type(exc).__name__}: {str(exc).strip().splitlines()[0]}")
    except Exception as exc:  # a bug: one line, not a traceback
        _say(f"atlas-compile: internal error: {type(exc).__name__}: {exc}")
    return 1
