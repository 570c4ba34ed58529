"""Sends a migration's parts to an autocommit psycopg connection, as the runner and the test
harness both apply files: a transaction part as BEGIN, each statement, COMMIT (rolled back whole
on error); an outside part one statement at a time, so CREATE INDEX CONCURRENTLY and DO blocks
that COMMIT run outside any transaction block."""
from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg.pq import TransactionStatus

from ..migration_parts import Migration, Part, split_migration


def apply_text(conn: psycopg.Connection, text: str) -> Migration:
    """Applies one migration file's text: preamble, then every part in order."""
    migration = split_migration(text)
    run_preamble(conn, migration)
    for part in migration.parts:
        apply_part(conn, part, len(migration.parts))
    return migration


def run_preamble(conn: psycopg.Connection, migration: Migration) -> None:
    _require_idle(conn)
    for statement in migration.preamble:
        conn.execute(statement)


def apply_part(conn: psycopg.Connection, part: Part, total: int,
               before_commit: Callable[[], None] | None = None) -> None:
    """One part; on error the open transaction is rolled back and the error re-raised, with a
    note naming the part and the statement. `before_commit` runs inside a transaction part's own
    transaction (the runner records its progress there, so part and record commit together)."""
    _require_idle(conn)
    statement = "BEGIN"
    try:
        if part.transactional:
            conn.execute("BEGIN")
        for statement in part.statements:
            conn.execute(statement)   # no parameters: the simple protocol, `%` needs no escaping
        if part.transactional:
            if before_commit is not None:
                statement = "(recording the part in the history)"
                before_commit()
            statement = "COMMIT"
            conn.execute("COMMIT")
    except BaseException as exc:
        if not conn.closed and conn.info.transaction_status != TransactionStatus.IDLE:
            try:
                conn.execute("ROLLBACK")
            except psycopg.Error as lost:   # the connection is gone: so is its transaction
                exc.add_note(f"the rollback failed too: {lost}")
        if isinstance(exc, psycopg.Error):
            exc.add_note(f"in part {part.number}/{total} ({part.kind}): {statement.splitlines()[0]}")
        raise


def _require_idle(conn: psycopg.Connection) -> None:
    """Parts open and close their own transactions: they need autocommit and no open transaction."""
    if not conn.autocommit or conn.info.transaction_status != TransactionStatus.IDLE:
        raise ValueError("migrations are applied on an autocommit connection outside any transaction")
