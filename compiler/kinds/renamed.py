"""Generated names (of indexes, constraints, policies, triggers) that follow a renamed table."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Renaming


@dataclass(frozen=True)
class RenameObject(Renaming):
    """An index, constraint, policy or trigger whose generated name follows a renamed table."""

    family: str
    schema: str
    table: str
    old: str
    new: str

    @property
    def key(self):
        if self.family == "index":   # indexes are relations, named once per schema
            return ("index", self.schema, self.new)
        return (self.family, self.schema, self.table, self.new)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}
