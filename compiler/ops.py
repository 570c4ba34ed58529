"""Operations: what a migration does, each knowing its reverse.

`down` is never written by hand: it is the reverse of every `up` operation, in reverse order.
A removing operation carries the whole object it removes, so its reverse can recreate it.
"""
from __future__ import annotations

from dataclasses import dataclass

# What reviewers must notice, printed as SQL comments above the statement.
DELETES_DATA = "DELETES_DATA"
AUTHZ_UPDATE = "AUTHZ_UPDATE"
INDEX_BUILD = "INDEX_BUILD"

# Tie-break of the topological sort, so unrelated operations come out in a readable order.
PHASE = {
    "schema": 0, "extension": 1, "enum": 2, "function": 3, "table": 4, "foreign_key": 5, "index": 6,
    "policy": 7, "trigger": 8, "view": 9, "publication_table": 10,
}


@dataclass(frozen=True)
class Create:
    obj: object
    verb = "create"

    def reverse(self) -> "Drop":
        return Drop(self.obj)

    @property
    def hazards(self) -> tuple[str, ...]:
        family = self.obj.family
        if family == "policy":
            return (AUTHZ_UPDATE,)
        return ()


@dataclass(frozen=True)
class Drop:
    obj: object
    verb = "drop"

    def reverse(self) -> Create:
        return Create(self.obj)

    @property
    def hazards(self) -> tuple[str, ...]:
        family = self.obj.family
        if family == "table":
            return (DELETES_DATA,)
        if family in ("policy", "publication_table"):
            return (AUTHZ_UPDATE,)
        return ()


def template_name(op) -> str:
    return f"{op.obj.family}/{op.verb}.sql.j2"
