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

Each piece also says how it is taken back (`Operation.undo`, beside the form in its kind's
module): runner layouts other than `migrate` cut a migration into files, one per transaction
part and one per outside statement, and each file's down must undo that file alone
(compiler/unit_downs.py). An `Undo` is one operation rendered in a form that takes the piece back
(`piece` None: the operation's plain form, as the plain down stages it), or nothing, saying why.

Partitioned tables (issue 12) refuse CREATE/DROP INDEX CONCURRENTLY on the parent, a foreign key
NOT VALID and ADD ... USING INDEX: kinds/partitions.py gives those operations a piece in MAIN
(the hazard kept). The per-partition form (ON ONLY parent, each partition's index built
concurrently, ATTACH PARTITION) needs the partitions' names, known only at apply time.
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
    replaces: object = None      # a swap: the index it replaces (its undo builds that one again)
    together: tuple = ()         # a backfill: the other operations its one UPDATE fills (kinds/columns.py)
    fill_trigger: object = None  # the trigger filling a backfilled table's writes it creates or drops (backfills.py)


@dataclass(frozen=True)
class Undo:
    """What takes back one statement of an outside piece, or a transaction piece whole."""

    op: object = None
    piece: Piece | None = None   # None: op's plain form (staged as the plain down stages it)
    why: str = ""                # nothing to take back: the comment the down file says instead


def nothing(why: str) -> tuple[Undo, ...]:
    return (Undo(why=why),)


def undone_by(op, stage: int, form: str, timeout: str = CATALOG, note: tuple[str, ...] = ()) -> tuple[Undo, ...]:
    return (Undo(op, Piece(stage, form, timeout, note)),)


def plain(reads_rows: bool) -> tuple[Piece, ...]:
    """The default: everything in the main transaction."""
    return _PLAIN_ROWS if reads_rows else _PLAIN_CATALOG


# Pieces are frozen: every operation in its plain form shares one of these two.
_PLAIN_ROWS, _PLAIN_CATALOG = (Piece(MAIN, PLAIN, ROWS),), (Piece(MAIN, PLAIN, CATALOG),)
