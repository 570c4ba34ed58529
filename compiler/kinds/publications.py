"""Tables in the realtime publication: who receives row changes."""
from __future__ import annotations

from dataclasses import replace

from .base import AUTHZ_UPDATE, Create, Drop
from .kind import Kind, register


def _rename(obj, renames):
    return replace(obj, table=renames.table(obj.table))


KIND = register(Kind("publication_table", rank=12, drop_hazards=(AUTHZ_UPDATE,), rebuilt_around=True,
                     rename=_rename, operations=(Create, Drop)))
