"""Triggers: rebuilt around a replaced function; their generated names follow a renamed table."""
from __future__ import annotations

from dataclasses import replace

from .base import Create, Drop
from .kind import Kind, mentions, register
from .renamed import RenameObject


def _rename(obj, renames):
    name = renames.table(obj.table)
    return replace(obj, table=name, when=renames.expression(obj.when, name, ("new", "old")))


KIND = register(Kind(
    "trigger", rank=10, rename=_rename, follows_table_name=True, rebuilt_around=True,
    names_enum=lambda obj, name: mentions([obj.when], name),
    names=lambda obj: [(("trigger", obj.schema, obj.table, obj.name), f"trigger {obj.name} of {obj.table}")],
    operations=(Create, Drop, RenameObject)))
