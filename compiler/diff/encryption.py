"""Encrypted columns in the diff (kinds/encryption.py).

`encrypted` turned on or off for a column that stays: the table's column diff sees a changed
column, but nothing of the column's own definition changes (it holds text either way). The
work is the encrypted_column object's (its trigger, the rows encrypted or decrypted in batches),
which the diff adds or removes like any object; the AlterColumn of the flag alone would only be
an empty `alter column` line in the plan, so it goes.

An encrypted column that is archived, or whose table is archived, keeps its ciphertext: its Drop
(which would decrypt the rows first) becomes ArchiveEncrypted, so atlas_archive holds the values
as they are stored and the restore puts the same ciphertext back."""
from __future__ import annotations

from dataclasses import replace

from ..kinds import AlterColumn, ArchiveColumn, ArchiveTable, Drop, DropColumn
from ..kinds.encryption import ArchiveEncrypted


def without_flag_changes(ops: list) -> list:
    return [op for op in ops if not _flag_only(op)]


def _flag_only(op) -> bool:
    return (isinstance(op, AlterColumn) and op.before.encrypted != op.after.encrypted
            and replace(op.before, encrypted=op.after.encrypted) == op.after)


def archived_encrypted(ops: list) -> list:
    """The ops with the Drop of each encrypted column that leaves with its values (its column or
    table archived) made an ArchiveEncrypted: no decryption before the archive."""
    tables = {(op.table.schema, op.table.name) for op in ops if isinstance(op, ArchiveTable)}
    # a column dropped without an archive (no primary key) loses its values: nothing to decrypt either
    columns = {(op.schema, op.table, op.column.name) for op in ops if isinstance(op, (ArchiveColumn, DropColumn))}
    if not tables and not columns:
        return ops
    return [ArchiveEncrypted(op.obj) if _leaves_with_values(op, tables, columns) else op for op in ops]


def _leaves_with_values(op, tables: set, columns: set) -> bool:
    if type(op) is not Drop or op.family != "encrypted_column":
        return False
    obj = op.obj
    return (obj.schema, obj.table) in tables or (obj.schema, obj.table, obj.column) in columns
