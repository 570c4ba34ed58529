"""Runs a migrate plan on a live database: part by part, recording progress after each, retrying
a part whose lock was not granted (lock_timeout, SQLSTATE 55P03) with backoff, and stopping with
a one-line MigrateError otherwise. Each transaction part is rolled back whole when it fails, so a
stop never leaves one half applied; an outside part is written to be re-run (README.md, "Zero-downtime migrations")."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import errors

from .. import progress
from ..kinds.stages import LOCK_TIMEOUT
from ..migration_parts import Part
from . import history
from .apply import apply_part, run_preamble
from .plan import MigrateError, Step, plan_steps, up_checksum


@dataclass(frozen=True)
class Retry:
    """A part whose lock was not granted is tried again `attempts - 1` times, waiting `wait`
    seconds, then twice as long each time up to `max_wait`."""

    attempts: int = 5
    wait: float = 1.0
    max_wait: float = 30.0

    def delay(self, failures: int) -> float:
        return min(self.wait * 2 ** (failures - 1), self.max_wait)


def migrate(conn: psycopg.Connection, out: Path, released: list[str], *, down: int | None = None,
            to: str | None = None, retry: Retry = Retry(), say: Callable[[str], None] = print) -> str:
    """Applies the plan; returns the summary line. `say` gets one progress line per part."""
    if not history.try_lock(conn):
        raise MigrateError("another atlas-compile migrate is running on this database (advisory lock held)")
    history.ensure(conn)
    # Files set their own timeouts per part; one written before parts existed sets none, and
    # must not queue every write behind a lock it waits for.
    conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    steps = plan_steps(out, released, history.read(conn), down=down, to=to)
    if not steps:
        return f"nothing to migrate: the database is at {_position(conn)}"
    started, parts = time.monotonic(), 0
    for step in steps:
        parts += _run_step(conn, step, retry, say)
    verb = "applied" if steps[0].direction == "up" else "rolled back"
    return (f"{verb} {len(steps)} migration(s), {parts} part(s), in {time.monotonic() - started:.1f}s; "
            f"the database is at {_position(conn)}")


def _run_step(conn, step: Step, retry: Retry, say) -> int:
    parts = step.migration.parts
    total = len(parts)
    up = step.direction == "up"
    run_preamble(conn, step.migration)
    if up and not parts:
        history.record(conn, step.version, step.digest, 0, 0)
    for part in parts[step.first_part - 1:]:
        record = (lambda n=part.number: history.record(conn, step.version, step.digest, n, total)) if up else None
        started = time.monotonic()
        where = f"{step.version} {step.direction}: part {part.number}/{total} ({part.kind}) {describe(part)}"
        progress.step(f"{where}: running")   # the live line, on a terminal only
        with _heartbeat(where, started, say):
            _with_retries(conn, step, part, total, retry, say, record)
        say(f"{where}: done in {time.monotonic() - started:.2f}s")
    if not up:
        history.forget(conn, step.version)
    return total - step.first_part + 1


def _with_retries(conn, step: Step, part: Part, total: int, retry: Retry, say, record) -> None:
    where = f"{step.version} {step.direction}: part {part.number}/{total}"
    for attempt in range(1, retry.attempts + 1):
        try:
            apply_part(conn, part, total, before_commit=record if part.transactional else None)
            break
        except errors.LockNotAvailable as exc:
            if attempt == retry.attempts:
                kept = ("rolled back whole" if part.transactional else
                        "safe to re-run (its statements use IF [NOT] EXISTS)")
                raise MigrateError(f"{where}: lock not granted after {attempt} attempts "
                                   f"({exc.diag.message_primary}); this part was {kept}; earlier parts stay "
                                   "applied: run migrate again when the lock is free") from None
            delay = retry.delay(attempt)
            say(f"{where}: lock not granted ({exc.diag.message_primary}); attempt {attempt + 1}/"
                f"{retry.attempts} in {delay:g}s")
            time.sleep(delay)
        except psycopg.Error as exc:
            notes = getattr(exc, "__notes__", [])
            raise MigrateError(f"{where} failed: {exc.diag.message_primary or exc} [{exc.sqlstate}]"
                               + (f" {notes[-1]}" if notes else "")) from None
    if record is not None and not part.transactional:
        record()


class _heartbeat:
    """While a part runs longer than HEARTBEAT seconds (an index build, a validation on a big
    table), a line every HEARTBEAT seconds says it is still running."""

    HEARTBEAT = 15.0

    def __init__(self, where: str, started: float, say):
        self.where, self.started, self.say = where, started, say
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self.done.wait(self.HEARTBEAT):
            self.say(f"{self.where}: still running ({time.monotonic() - self.started:.0f}s)")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def describe(part: Part) -> str:
    """What a part runs, in a few words: its first statement that is not a SET, and how many more."""
    work = [s for s in part.statements if not s.upper().startswith("SET ")]
    if not work:
        return "(settings only)"
    head = " ".join(work[0].split())
    head = head if len(head) <= 70 else head[:67] + "..."
    return head + (f" (+{len(work) - 1} more)" if len(work) > 1 else "")


def _position(conn) -> str:
    rows = history.read(conn)
    if not rows:
        return "no migration"
    last = rows[-1]
    return last.version if last.complete else f"{last.version} (part {last.parts_done}/{last.parts_total} done)"


def status(conn, out: Path, released: list[str]) -> tuple[list[str], bool]:
    """One line per released migration (applied, pending, stopped half way) and per applied one
    build/ does not release; ok is False when the history does not match build/."""
    applied = {row.version: row for row in history.read(conn)}
    lines, ok = [], True
    for version in released:
        row = applied.pop(version, None)
        if row is None:
            lines.append(f"pending  {version}")
            continue
        digest = up_checksum(out, version)
        when = row.applied_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
        if digest != row.checksum:
            ok = False
            lines.append(f"EDITED   {version}  (applied {when}; the file changed since)")
        elif not row.complete:
            lines.append(f"partial  {version}  ({row.parts_done}/{row.parts_total} parts done, {when})")
        else:
            lines.append(f"applied  {version}  ({when})")
    for version in applied:
        ok = False
        lines.append(f"UNKNOWN  {version}  (applied, but not released in {out})")
    return lines, ok
