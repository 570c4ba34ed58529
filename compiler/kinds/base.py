"""Create and Drop of whole model objects, and what every operation shares."""
from __future__ import annotations

from dataclasses import dataclass

# What reviewers must notice, printed as SQL comments above the statement.
DELETES_DATA = "DELETES_DATA"      # rows or values leave the live schema (archived where possible)
AUTHZ_UPDATE = "AUTHZ_UPDATE"      # who may read or write changes
INDEX_BUILD = "INDEX_BUILD"        # an index is built on a table that may hold rows
TABLE_REWRITE = "TABLE_REWRITE"    # the whole table is rewritten under an exclusive lock
TABLE_SCAN = "TABLE_SCAN"          # existing rows are scanned to validate a constraint
LOSSY_CAST = "LOSSY_CAST"          # values may not survive the cast (old values kept for down)

# Phases of a migration (Django's autodetector does the same): additions the rest relies on;
# removals, by the names objects had before (dependents first); renames; in-place changes;
# creations, by the new names (dependencies first); removals of what the removals needed.
# Reversing the whole list stays valid: `down` undoes changes before it undoes renames, and
# puts removed objects back once their old names are back.
EARLY, REMOVE, RENAME, CHANGE, CREATE, LATE = range(6)
_EARLY_FAMILIES = ("schema", "extension", "enum")

# Tie-break inside a phase, so unrelated operations come out in a readable order.
RANK = {
    "schema": 0, "extension": 1, "enum": 2, "enum_value": 2, "function": 3, "table": 4, "column": 5, "constraint": 6,
    "foreign_key": 7, "index": 8, "policy": 9, "trigger": 10, "view": 11, "publication_table": 12, "comment": 13,
    "grants": 14,
}


class Operation:
    """Shared behaviour; subclasses are frozen dataclasses."""

    on_new_table = False

    @property
    def template(self) -> str:
        return f"{self.family}/{self.verb}.sql.j2"

    @property
    def rank(self) -> int:
        return RANK[self.family]

    def describe(self) -> str:
        return ".".join(str(k) for k in self.key[1:])


@dataclass(frozen=True)
class Create(Operation):
    obj: object
    on_new_table: bool = False   # an index or key on a table this migration creates: no hazard
    verb = "create"

    @property
    def family(self):
        return self.obj.family

    @property
    def key(self):
        return self.obj.key

    @property
    def needs(self):
        return self.obj.requires

    @property
    def phase(self):
        return EARLY if self.family in _EARLY_FAMILIES else CREATE

    def reverse(self) -> "Drop":
        return Drop(self.obj, self.on_new_table)

    @property
    def hazards(self) -> tuple[str, ...]:
        if self.on_new_table:
            return ()   # nothing can read or hold rows of a table this migration creates
        if self.family == "policy":
            return (AUTHZ_UPDATE,)
        if self.family in ("index", "foreign_key"):
            return (INDEX_BUILD,) if self.family == "index" else (TABLE_SCAN,)
        return ()


@dataclass(frozen=True)
class Drop(Operation):
    obj: object
    on_new_table: bool = False
    verb = "drop"

    @property
    def family(self):
        return self.obj.family

    @property
    def key(self):
        return self.obj.key

    @property
    def needs(self):
        return self.obj.requires

    @property
    def phase(self):
        return LATE if self.family in _EARLY_FAMILIES else REMOVE

    def reverse(self) -> Create:
        return Create(self.obj, self.on_new_table)

    @property
    def hazards(self) -> tuple[str, ...]:
        if self.family == "table":
            return (DELETES_DATA,)
        if self.family in ("policy", "publication_table"):
            return (AUTHZ_UPDATE,)
        return ()
