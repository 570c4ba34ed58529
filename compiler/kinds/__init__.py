"""Operations: what a migration does, each knowing its reverse (one module per family).

`down` is never written by hand: it is every `up` operation's reverse, in reverse order. A
removing operation carries the whole object it removes, so its reverse can put it back.
Every operation has a `key` (what it makes or changes), `needs` (keys that must exist while
it runs), a `phase` and `hazards`; plan.py orders them.
"""
from .base import AUTHZ_UPDATE, DELETES_DATA, INDEX_BUILD, LOSSY_CAST, TABLE_REWRITE, TABLE_SCAN, Create, Drop
from .columns import (
                      AddColumn,
                      AlterColumn,
                      ArchiveColumn,
                      DropColumn,
                      DropDefault,
                      RenameColumn,
                      RestoreColumn,
                      SetDefault,
)
from .constraints import AddConstraint, DropConstraint
from .enums import KeepEnum, RestoreEnum, StageEnum, SwapEnum
from .objects import AddEnumValue, RenameObject, ReplaceFunction, SetComment
from .tables import ArchiveTable, RenameTable, RestoreTable, SetGrants

__all__ = [
    "AUTHZ_UPDATE", "DELETES_DATA", "INDEX_BUILD", "LOSSY_CAST", "TABLE_REWRITE", "TABLE_SCAN",
    "AddColumn", "AddConstraint", "AddEnumValue", "AlterColumn", "ArchiveColumn", "ArchiveTable", "Create",
    "Drop", "DropColumn", "DropConstraint", "DropDefault", "SetDefault", "RenameColumn", "RenameObject", "RenameTable", "ReplaceFunction",
    "RestoreColumn", "RestoreTable", "SetComment", "SetGrants",
    "KeepEnum", "RestoreEnum", "StageEnum", "SwapEnum",
]
