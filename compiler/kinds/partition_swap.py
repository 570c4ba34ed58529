"""Turning partitioning on or off for a table that holds rows (issue 12): the table is rebuilt
beside the live one and swapped in, as online schema tools (pg_repack, gh-ost) do.

    prepare   the main transaction: the new table (its create form, partitioned or plain) with
              its keys, checks and indexes under their final names, in the schema atlas_swap
              (so no name collides with the live table's), and a trigger on the live table that
              repeats every write there (a row trigger: delete the old version by its key,
              insert the new one)
    copy      outside a transaction: the rows in key order, 5,000 per committed batch, each read
              FOR SHARE (a write to a row being copied waits for its batch, so the trigger and
              the copy never race on one row) and inserted ON CONFLICT DO NOTHING (a row the
              trigger already wrote is the newer one)
    swap      a last, short transaction: the live table locked, its trigger dropped, the table
              moved to atlas_archive (up: kept, stripped of its foreign keys and triggers so it
              holds nothing back) or dropped (down: every row was just copied), the new one moved
              into the live schema with its partitions (pg_partman's part_config told), then
              what binds to a table's identity rather than its name: identity sequences caught
              up, the schema's default privileges and the table's own grants, policies,
              triggers, the publication membership, and the views over it (with the functions
              returning their rows: dropped before the old table moves, made again over the
              new one). The result equals a fresh build.

The down is the same machine with the models exchanged: it copies the rows back (those written
after the up too) into a new table of the old shape, swaps it in, and drops the up's archive.
A plain form (one transaction, `pieces()`) does all three at once, under the lock."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import PRIVATE, Table
from ..names import fit
from ..sqltext import qualified
from .base import CREATE, REMOVE, TABLE_SCAN, Create, Drop, Operation
from .kind import Kind, register
from .stages import BUILD, CATALOG, FINISH, MAIN, ROWS, Piece, Undo, nothing

SWAP_SCHEMA = "atlas_swap"   # where the new table is built: its names are free there
BATCH = 5000
# Bound to the live table by identity, not by name: made on the new table only once it is in.
_AFTER_SWAP = ("policy", "trigger", "publication_table")
_PARTITION_FUNCTIONS = ("make_partitions", "fence_partitions")
COPIED = ("nothing to take back: the copy wrote rows only into the new table, which the main "
          "transaction's down drops (and it skips rows already there, so it runs again as it is)")


@dataclass(frozen=True)
class ConvertTable(Operation):
    schema: str
    table: str
    before: Table                 # the live table
    after: Table                  # the table it becomes (partitioned or plain)
    attached: tuple = ()          # the new model's indexes, policies, triggers, publication members of it
    attached_before: tuple = ()   # the old model's (the reverse's attached)
    readers: tuple = ()           # the new model's views over it (and over those), then their indexes
    readers_before: tuple = ()
    archive: str | None = None    # where the live table is kept; None: dropped once copied (a down)
    drops_archive: str | None = None   # a down: the archive of the up it takes back
    family = "partition_swap"
    verb = "convert"
    hazards = (TABLE_SCAN,)

    @property
    def key(self):
        return ("partition_swap", self.schema, self.table)

    @property
    def phase(self):
        """Partitioning: after the functions its create form calls are made. Unpartitioning:
        before they are dropped, so that the down (the list reversed) makes them before it."""
        return CREATE if self.after.partition else REMOVE

    @property
    def needs(self):
        found = set(self.after.requires)
        if self.after.partition or self.before.partition:   # lower/partition_functions.py
            found |= {("function", PRIVATE, name) for name in _PARTITION_FUNCTIONS}
        for obj in self.attached + self.readers:
            found |= {k for k in obj.requires if k[0] != "column" and k[1:3] != (self.schema, self.table)}
        return found - {self.key}

    @property
    def touches(self) -> frozenset:
        return frozenset()

    def reverse(self) -> ConvertTable:
        return replace(self, before=self.after, after=self.before, attached=self.attached_before,
                       attached_before=self.attached, readers=self.readers_before, readers_before=self.readers,
                       archive=self.drops_archive, drops_archive=self.archive)

    def describe(self) -> str:
        return f"{self.schema}.{self.table}"

    # --- where it runs -----------------------------------------------------------------------

    def online(self) -> tuple:
        return (Piece(MAIN, "prepare", CATALOG, (
                    f"builds {self.table} {self.shape} in {SWAP_SCHEMA}; the trigger {self.sync_trigger} repeats",
                    "every write to the live table there while the rows are copied")),
                Piece(BUILD, "copy", ROWS, (f"the rows in batches of {BATCH}, each committed: the table stays writable",)),
                Piece(FINISH, "swap", CATALOG, (self._swap_note,)))

    def pieces(self, online: bool = False) -> tuple:
        if online:
            return self.online()
        return (Piece(MAIN, "whole", ROWS, ("plain form: built, copied and swapped in one transaction, under the lock",)),)

    def undo(self, piece) -> tuple:
        if piece.form == "prepare":
            return ((Undo(self, Piece(MAIN, "undo_prepare", CATALOG)),),)
        if piece.form == "copy":
            return (nothing(COPIED),)
        if piece.form == "swap":
            return ((Undo(self, Piece(FINISH, "undo_swap", ROWS, (
                "the rows the table holds now go back into the archived one, which takes its place again",))),),)
        return super().undo(piece)

    # --- what the template lays out ----------------------------------------------------------

    @property
    def shape(self) -> str:
        p = self.after.partition
        return f"partitioned by range ({p.column}), {p.interval} each" if p else "as a plain table"

    @property
    def _swap_note(self) -> str:
        kept = f"moved to atlas_archive.{self.archive}" if self.archive else "dropped (every row is copied)"
        return f"the live table is {kept}; the new one takes its name"

    batch = BATCH
    swap_schema = SWAP_SCHEMA

    @property
    def kept_triggers(self) -> list:
        """The live table's triggers, which its archive loses: an undo of the swap puts them back."""
        return [Create(o, on_new_table=True) for o in self.attached_before if o.family == "trigger"]

    @property
    def live(self) -> str:
        return qualified(self.schema, self.table)

    @property
    def staging(self) -> str:
        return qualified(SWAP_SCHEMA, self.table)

    @property
    def staged_table(self) -> Table:
        return replace(self.after, schema=SWAP_SCHEMA)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns copied: the new table's (the diff refuses a conversion that changes them)."""
        return tuple(c.name for c in self.after.columns)

    @property
    def identity_columns(self) -> tuple:
        return tuple(c for c in self.after.columns if c.identity)

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The live table's primary key: the copy's order, the row the trigger replaces."""
        return _primary_key(self.before)

    @property
    def conflict_columns(self) -> tuple[str, ...]:
        return _primary_key(self.after)

    @property
    def sync_trigger(self) -> str:
        return fit(f"partition_swap_{self.table}")

    @property
    def sync_function(self) -> str:
        return qualified(PRIVATE, self.sync_trigger)

    @property
    def staged_indexes(self) -> list:
        """The new table's indexes, built on it while it is empty (the copy fills them)."""
        return [Create(replace(o, schema=SWAP_SCHEMA), on_new_table=True) for o in self.attached if o.family == "index"]

    @property
    def made_after_swap(self) -> list:
        return [Create(o, on_new_table=True) for o in self.attached if o.family in _AFTER_SWAP]

    @property
    def readers_made(self) -> list:
        """The views over the new table, made once it has its name (they bind to the table)."""
        return [Create(o, on_new_table=True) for o in self.readers]

    @property
    def readers_kept(self) -> list:
        """The old table's views, made again by an undo of the swap."""
        return [Create(o, on_new_table=True) for o in self.readers_before]

    @property
    def left_publications(self) -> list:
        """The live table's publication memberships: by identity, so taken off before it moves."""
        return [Drop(o) for o in self.attached_before if o.family == "publication_table"]


def _primary_key(table: Table) -> tuple[str, ...]:
    return next((c.columns for c in table.constraints if c.kind == "primary_key"), ())


def _summary(op) -> str:
    direction = "partitioned" if op.after.partition else "plain"
    return f"rebuild table {op.table} as {direction}: rows copied in batches, then swapped in"


def _phrase(op, rebuilt) -> str:
    return f"{'partition' if op.after.partition else 'unpartition'}_{op.table}"


PARTITION_SWAP = register(Kind("partition_swap", rank=18, summary=_summary, phrase=_phrase, leads_slug=True,
                               operations=(ConvertTable,)))
