"""The `migrate` command's work behind compiler/cli.py (which imports this lazily): reads the
released chain, connects, runs or reports, and turns every failure into one line and exit 1.
Text goes to the terminal (a line per part on stderr, a live progress line on a terminal);
`--format json` prints one object on stdout, `--format github` annotates what stopped it.
Files in the layout's folder that atlas-compile did not write (a team's hand-written Supabase
migrations) are named once: migrate runs only the released chain and leaves them to the team's
runner."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg

from .. import checksums
from ..diagnostics import CompileError
from ..progress import Progress, showing
from ..released import SUM, placement, read_state
from ..reporting import github_annotation, report_failure
from ..source.loader import display_path
from . import history
from .plan import MigrateError
from .runner import Retry, migrate, status


def run_migrate(action: str | None, url: str, out: Path, *, down: int | None, to: str | None,
                attempts: int, retry_wait: float, fmt: str = "text") -> int:
    """The exit code: 0 done, 1 stopped (the reason on stderr, one line; in json on stdout too)."""
    try:
        released = read_state(out).migrations
    except CompileError as error:
        report_failure(fmt, "atlas-compile: migrate stopped before connecting; nothing was applied",
                       error.diagnostics, title="migrate")
        return 1
    team = _team_files(out)
    extra = {"left_to_runner": team["files"], "notes": [team["note"]] if team["note"] else []}
    if team["note"] and fmt != "json":
        print(f"note: {team['note']}", file=sys.stderr)
    before: list = []
    progress = Progress(sys.stderr)
    try:
        with psycopg.connect(url, autocommit=True, application_name="atlas-compile migrate") as conn:
            if action == "status":
                lines, ok = status(conn, out, released)
                _print_status(lines, ok, out, fmt, extra)
                return 0 if ok else 1
            before = _history(conn)
            # The server's notices are part of what a migration says (a distribution skipped
            # where Citus is absent, pg_cron living in another database): shown on stderr.
            conn.add_notice_handler(lambda notice: progress.note(f"notice: {notice.message_primary}"))
            with showing(progress):
                line = migrate(conn, out, released, down=down, to=to, retry=Retry(attempts, retry_wait),
                               say=progress.note)
            _print_done(line, {**_changes(before, _history(conn)), **extra}, fmt)
            return 0
    except MigrateError as exc:
        message = f"atlas-compile: migrate stopped: {exc}"
    except psycopg.OperationalError as exc:
        message = f"atlas-compile: cannot connect to the database: {_first_line(exc)}"
    except (psycopg.Error, OSError, ValueError) as exc:
        message = f"atlas-compile: migrate stopped: {type(exc).__name__}: {_first_line(exc)}"
    except Exception as exc:  # a bug: one line, not a traceback
        message = f"atlas-compile: internal error: {type(exc).__name__}: {exc}"
    report_failure(fmt, message, title="migrate", data={**_after_stop(url, before), **extra} if fmt == "json" else None)
    return 1


# the command each layout's own runner applies its folder with
RUNNERS = {"supabase": "supabase migration up", "dbmate": "dbmate up", "flyway": "flyway migrate",
           "golang-migrate": "migrate up"}


def _team_files(out: Path) -> dict:
    """The migration files in the layout's folders that the sum does not list: not atlas-compile's
    (a file claiming a released version was refused by read_state already), so migrate does not
    run them. The atlas layout's folder is atlas-compile's alone."""
    where = placement(out)
    if where.atlas or not (out / SUM).exists():
        return {"files": [], "note": None}
    listed = {name for name, _ in checksums.parse((out / SUM).read_text(encoding="utf-8"))}
    found = []
    for folder in where.module.watched(where.folder):
        directory = where.base / folder
        for path in sorted(directory.iterdir()) if directory.is_dir() else []:
            rel = f"{folder}/{path.name}"
            if path.is_file() and where.key(rel) not in listed and where.module.version_of(path.name) is not None:
                found.append(display_path(path))
    if not found:
        return {"files": [], "note": None}
    count = f"{len(found)} file{'s' if len(found) != 1 else ''}"
    note = (f"{count} in {where.folder} atlas-compile did not write ({', '.join(found)}): migrate runs only its own "
            f"released migrations and leaves these to the team's runner ({RUNNERS[where.layout.name]})")
    return {"files": found, "note": note}


def _history(conn) -> list[tuple[str, int, int]]:
    return [(row.version, row.parts_done, row.parts_total) for row in history.read(conn)]


def _changes(before: list, after: list) -> dict:
    """What this run did, read from the history table: migrations (or their parts) applied,
    migrations rolled back; the database's position at the end."""
    old = {version: done for version, done, _ in before}
    applied = [{"migration": v, "parts_done": done, "parts_total": total}
               for v, done, total in after if old.get(v) != done]
    kept = {v for v, _, _ in after}
    last = after[-1] if after else None
    return {"applied": applied, "rolled_back": [v for v, _, _ in before if v not in kept],
            "position": None if last is None else
            {"migration": last[0], "parts_done": last[1], "parts_total": last[2]}}


def _after_stop(url: str, before: list) -> dict:
    """What got applied before a stop (earlier parts stay applied), when the database still answers."""
    try:
        with psycopg.connect(url, autocommit=True, application_name="atlas-compile migrate") as conn:
            return _changes(before, _history(conn))
    except Exception:   # the database is gone: nothing more can be said about it
        return {}


def _print_done(line: str, changes: dict, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps({"ok": True, "summary": line, **changes}, indent=2))
    else:
        print(line)


STATES = ("applied", "pending", "partial", "edited", "unknown")


def _status_rows(lines: list[str]) -> list[dict]:
    """status()'s lines as data: `STATE  name  (detail)`."""
    rows = []
    for line in lines:
        state, _, rest = line.partition(" ")
        name, _, detail = rest.strip().partition(" ")
        rows.append({"migration": name, "state": state.lower(), "detail": detail.strip().strip("()") or None})
    return rows


def _print_status(lines: list[str], ok: bool, out: Path, fmt: str, extra: dict) -> None:
    if fmt == "json":
        print(json.dumps({"ok": ok, "migrations": _status_rows(lines), **extra}, indent=2))
        return
    print("\n".join(lines) if lines else f"no migration is released in {out}")
    if fmt == "github":
        for row in _status_rows(lines):
            if row["state"] in ("edited", "unknown"):
                print(github_annotation("error", f"migrate status: {row['migration']} is {row['state']}: "
                                        f"{row['detail']}", title="migrate status"))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
