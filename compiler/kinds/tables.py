"""Table-level operations: archive and restore (data kept), rename, grants."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Grant, Table
from ..names import identity_sequence_name
from .base import AUTHZ_UPDATE, CHANGE, DELETES_DATA, REMOVE, RENAME, Operation


@dataclass(frozen=True)
class ArchiveTable(Operation):
    """Moves a removed table's rows into atlas_archive (as text, so no type holds them back)
    and drops the table; the reverse recreates it and puts every row back."""

    table: Table
    archive: str
    family = "table"
    verb = "archive"
    phase = REMOVE
    hazards = (DELETES_DATA,)

    @property
    def key(self):
        return self.table.key

    @property
    def needs(self):
        return self.table.requires

    def reverse(self) -> "RestoreTable":
        return RestoreTable(self.table, self.archive)


@dataclass(frozen=True)
class RestoreTable(Operation):
    table: Table
    archive: str
    family = "table"
    verb = "restore"
    phase = REMOVE
    hazards = ()

    @property
    def key(self):
        return self.table.key

    @property
    def needs(self):
        return self.table.requires

    def reverse(self) -> ArchiveTable:
        return ArchiveTable(self.table, self.archive)


@dataclass(frozen=True)
class RenameTable(Operation):
    """Renaming a table leaves its identity sequences' names behind; they follow it here, so a
    renamed table matches a fresh build of it."""

    schema: str
    old: str
    new: str
    identity_columns: tuple[str, ...] = ()
    family = "table"
    verb = "rename"
    phase = RENAME
    hazards = ()

    @property
    def key(self):
        return ("table", self.schema, self.new)

    @property
    def needs(self):
        return set()

    def reverse(self) -> "RenameTable":
        return RenameTable(self.schema, self.new, self.old, self.identity_columns)

    def sequences(self) -> list[tuple[str, str]]:
        return [(identity_sequence_name(self.old, c), identity_sequence_name(self.new, c))
                for c in self.identity_columns]


@dataclass(frozen=True)
class SetGrants(Operation):
    """Privileges of the API roles on a table or view change together."""

    schema: str
    table: str
    before: tuple[Grant, ...]
    after: tuple[Grant, ...]
    revoke_from: tuple[str, ...]
    family = "grants"
    verb = "set"
    phase = CHANGE
    hazards = (AUTHZ_UPDATE,)

    @property
    def key(self):
        return ("grants", self.schema, self.table)

    @property
    def needs(self):
        return {("table", self.schema, self.table)}

    def reverse(self) -> "SetGrants":
        return SetGrants(self.schema, self.table, self.after, self.before, self.revoke_from)

    def revocations(self) -> list[Grant]:
        """Privileges granted before, to roles not revoked wholesale, that are not granted after."""
        after = {g.role: set(g.privileges) for g in self.after}
        result = []
        for grant in self.before:
            if grant.role in self.revoke_from:
                continue
            gone = tuple(p for p in grant.privileges if p not in after.get(grant.role, set()))
            if gone:
                result.append(Grant(grant.role, gone))
        return result
