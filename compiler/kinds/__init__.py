"""Object kinds: one module per family, each holding its operations (with their reverse, key,
needs and hazards) and its Kind record (kind.py: rank, phase, the diff, rename, summary, slug and
name hooks), which the engines ask through `kind_of(family)`.

`down` is never written by hand: it is every `up` operation's reverse, in reverse order. A
removing operation carries the whole object it removes, so its reverse can put it back.
Every operation has a `key` (what it makes or changes), `needs` (keys that must exist while
it runs), a `phase` and `hazards`; ordering.py orders them. Importing this package registers
every kind.
"""
from . import (  # noqa: F401  (register their kinds)
                      distributions,
                      encryption,
                      indexes,
                      partition_swap,
                      policies,
                      publications,
                      schedules,
                      schemas,
                      triggers,
                      views,
)
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
from .comments import SetComment
from .constraints import AddConstraint, DropConstraint
from .enums import AddEnumValue, KeepEnum, RestoreEnum, StageEnum, SwapEnum
from .functions import ReplaceFunction
from .kind import DiffContext, Kind, all_kinds, kind_of
from .renamed import RenameObject
from .tables import ArchiveTable, RenameTable, RestoreTable, SetGrants

__all__ = [
    "AUTHZ_UPDATE", "DELETES_DATA", "INDEX_BUILD", "LOSSY_CAST", "TABLE_REWRITE", "TABLE_SCAN",
    "AddColumn", "AddConstraint", "AddEnumValue", "AlterColumn", "ArchiveColumn", "ArchiveTable", "Create",
    "Drop", "DropColumn", "DropConstraint", "DropDefault", "SetDefault", "RenameColumn", "RenameObject", "RenameTable", "ReplaceFunction",
    "RestoreColumn", "RestoreTable", "SetComment", "SetGrants",
    "KeepEnum", "RestoreEnum", "StageEnum", "SwapEnum",
    "DiffContext", "Kind", "all_kinds", "kind_of",
]
