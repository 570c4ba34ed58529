"""Views: rebuilt when what they read changes shape (PostgreSQL keeps a view's columns as they
were at creation)."""
from __future__ import annotations

from dataclasses import replace

from .base import Create, Drop
from .kind import Kind, mentions, register, whole_object_phrase


def reads_columns(view) -> bool:
    """Whether the view records what it reads column by column (lock files before that did not:
    for those, any change of a table's columns rebuilds the views reading it)."""
    return any(r[0] in ("column", "table-columns") for r in view.reads)


def _depends_on(view) -> set:
    needs = set(view.requires)
    if not reads_columns(view):
        needs |= {("table-columns",) + r[1:] for r in view.reads if r[0] == "table"}
    return needs


def _reads_moved(old, new) -> bool:
    """The same text may read other columns now (a name that resolves elsewhere)."""
    return reads_columns(old) and old.reads != new.reads


def _changed(original, before, after, ctx) -> list:
    """Only how a materialized view is refreshed: its refresh function and schedule carry that,
    the view stays (rebuilding it would recompute every row)."""
    if replace(before, refresh=after.refresh) == after:
        return []
    return [Drop(original), Create(after)]


KIND = register(Kind(
    "view", rank=11, rebuilt_around=True, changed=_changed, depends_on=_depends_on, reads_moved=_reads_moved,
    names_enum=lambda obj, name: mentions([obj.query], name),
    names=lambda obj: [(("relation", obj.schema, obj.name), f"view {obj.name}")],
    phrase=whole_object_phrase, operations=(Create, Drop),
    # WITH DATA runs the query over every row it reads
    reads_rows=lambda op: op.verb == "create" and op.obj.materialized))
