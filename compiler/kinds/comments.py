"""Comments on tables, views and types, set in place."""
from __future__ import annotations

from dataclasses import dataclass

from .base import CHANGE, SelfInverse
from .kind import Kind, register


@dataclass(frozen=True)
class SetComment(SelfInverse):
    """COMMENT ON <kind> <target>: tables, views and types."""

    kind: str                # TABLE | VIEW | MATERIALIZED VIEW | TYPE
    schema: str
    name: str
    before: str | None
    after: str | None
    family = "comment"
    verb = "set"
    phase = CHANGE
    hazards = ()
    swaps = ("before", "after")

    @property
    def key(self):
        return ("comment", self.kind, self.schema, self.name)

    @property
    def needs(self):
        return set()


KIND = register(Kind("comment", rank=13, operations=(SetComment,)))
