"""Row level security policies: who may read or write which rows."""
from __future__ import annotations

from dataclasses import replace

from .base import AUTHZ_UPDATE, Create, Drop
from .kind import Kind, mentions, register
from .renamed import RenameObject


def _rename(obj, renames):
    name = renames.table(obj.table)
    return replace(obj, table=name, using=renames.expression(obj.using, name),
                   with_check=renames.expression(obj.with_check, name))


KIND = register(Kind(
    "policy", rank=9, create_hazards=(AUTHZ_UPDATE,), drop_hazards=(AUTHZ_UPDATE,), rename=_rename,
    follows_table_name=True, rebuilt_around=True,
    names_enum=lambda obj, name: mentions([obj.using, obj.with_check], name),
    names=lambda obj: [(("policy", obj.schema, obj.table, obj.name), f"policy {obj.name} of {obj.table}")],
    phrase=lambda op, rebuilt: f"access_{op.key[2]}",
    operations=(Create, Drop, RenameObject)))
