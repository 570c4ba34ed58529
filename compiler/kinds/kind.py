"""What the compiler knows about one family of objects, in one record, and the registry of them.

Each family module (schemas.py, tables.py, policies.py, ...) registers its Kind; the engines
(the diff, ordering, the plan report, migration names, name collisions) ask `kind_of(family)`
instead of branching on family names. A hook left as None means the default the field names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Kind:
    family: str
    rank: int                          # tie-break inside a phase, so unrelated operations read in order
    operations: tuple = ()             # operation classes that emit this family (test_ops_meta walks them)
    early: bool = False                # created before everything else and dropped after it
    create_hazards: tuple[str, ...] = ()   # of Create on a table that may hold rows
    drop_hazards: tuple[str, ...] = ()
    # diff: (obj, DiffContext) -> operations removing it; None: drop it
    removed: Callable | None = None
    # diff: (original, before, after, DiffContext) -> operations; None: drop and create again
    changed: Callable | None = None
    # diff: (obj, renames) -> obj as it is once tables and columns are renamed; None: unchanged
    rename: Callable | None = None
    follows_table_name: bool = False   # a generated name that a table rename changes (renamed in place)
    rebuilt_around: bool = False       # dropped and created again when something it depends on is replaced
    depends_on: Callable | None = None     # obj -> keys it is rebuilt around; None: obj.requires
    reads_moved: Callable | None = None    # (old, new) -> the same text now reads something else
    names_enum: Callable | None = None     # (obj, enum name) -> the object names the type
    names: Callable | None = None      # obj -> [(namespace key, description)]: its own name first
    summary: Callable | None = None    # op -> the plan's line, or None for the generic one
    phrase: Callable | None = None     # (op, rebuilt keys) -> a migration name phrase, or None
    leads_slug: bool = False           # what the author changed names the migration first
    # Create/Drop op -> its pieces (stages.py) when it keeps the table writable; None: plain only
    online: Callable | None = None
    # (Create op, the Drop of the same key it replaces) -> the pieces of the swap; None: no swap
    swap: Callable | None = None
    # (Create/Drop op, one of its online pieces) -> Operation.undo's answer; None: the default
    undo: Callable | None = None
    # a migration's [(op, pieces)] staged -> the same, pieces of several operations run as one
    # (one backfill UPDATE per table); None: each operation's pieces run on their own
    gather: Callable | None = None
    reads_rows: Callable | None = None     # Create/Drop op -> reads every row; None: from hazards


@dataclass
class DiffContext:
    """What a kind's diff hook may need beyond the two objects."""

    number: int               # the migration's number (archive names carry it)
    tables_before: dict       # (schema, name) -> table, names before this migration's renames
    tables_after: dict        # (schema, name) -> table of the new model
    warnings: list            # (table, message, code) the diff reports
    backfills: dict = field(default_factory=dict)   # (table, column) -> backfill_sql of an added column


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.family] = kind
    return kind


def kind_of(family: str) -> Kind:
    return _KINDS[family]


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.rank)


def mentions(texts, name: str) -> bool:
    """Whether any of the SQL texts names `name` as a whole word."""
    word = re.compile(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])")
    return any(text and word.search(text) for text in texts)


def whole_object_phrase(op, rebuilt) -> str | None:
    """An enum, function or view created, dropped or replaced: "rebuild" when it comes back."""
    if op.verb in ("create", "drop", "replace"):
        return f"{'rebuild' if op.key in rebuilt else op.verb}_{op.key[-1]}"
    return None
