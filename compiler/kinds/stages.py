"""Where an operation's statements run in a migration file, and how long they may take.

A migration file is laid out in stages, each one part of the file when it holds anything:

    PRE       outside a transaction, before the main one: DROP INDEX CONCURRENTLY
    MAIN      the main transaction: every plain statement
    BUILD     outside a transaction, after it: CREATE [UNIQUE] INDEX CONCURRENTLY, index swaps
    VALIDATE  a later transaction: VALIDATE CONSTRAINT of what MAIN added NOT VALID
    FINISH    a last transaction: SET NOT NULL through a validated check, ADD ... USING INDEX

An operation renders one `Piece` per stage it runs in: the stage, the form its template lays
out there (`plain` for the statements as they always were) and its timeout class: CATALOG for
statements that only change the catalog (a short statement_timeout, so a blocked statement
gives up instead of queueing every write behind it), ROWS for those that read or write every
row (index builds, validations, archives, rewrites, backfills, materialized views).

Not yet: partitioned tables (issue 12) refuse CREATE INDEX CONCURRENTLY on the parent; they will
need the per-partition form (CREATE INDEX ... ON ONLY parent, each partition's index built
concurrently, then ALTER INDEX ... ATTACH PARTITION). A volatile default or a NOT NULL column
without one keeps its plain form (and its hazard) until batched backfills exist.
"""
from __future__ import annotations

from dataclasses import dataclass

PRE, MAIN, BUILD, VALIDATE, FINISH = range(5)
OUTSIDE = frozenset({PRE, BUILD})     # CONCURRENTLY refuses a transaction block
CATALOG, ROWS = "catalog", "rows"
STATEMENT_TIMEOUTS = {CATALOG: "10s", ROWS: "30min"}
LOCK_TIMEOUT = "1s"
OUTSIDE_BECAUSE = {PRE: "DROP INDEX CONCURRENTLY", BUILD: "CREATE INDEX CONCURRENTLY"}
PLAIN = "plain"


@dataclass(frozen=True)
class Piece:
    stage: int
    form: str = PLAIN
    timeout: str = CATALOG
    note: tuple[str, ...] = ()   # comment lines rendered under the heading (why this form)


def plain(reads_rows: bool) -> tuple[Piece, ...]:
    """The default: everything in the main transaction."""
    return (Piece(MAIN, PLAIN, ROWS if reads_rows else CATALOG),)
