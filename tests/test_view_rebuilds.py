"""What a migration rebuilds: only objects whose definition changes, or that read (column by
column) something the migration drops, retypes or replaces. The acceptance cases prove each
plan on PostgreSQL; here the plans themselves are pinned, since rebuilding too much is still
valid SQL and would pass there."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import MIGRATION_CASES as CASES

from compiler.diff import diff_models
from compiler.expressions import rename_column_refs
from compiler.model import Model
from compiler.ordering import order
from compiler.pipeline import compile_with_hints


def _side(case: str, side: str, tmp_path: Path) -> Path:
    target = tmp_path / side
    shutil.copytree(CASES / "_base" / "schema", target)
    shutil.copytree(CASES / case / side, target, dirs_exist_ok=True)
    return target


def _plan(case: str, tmp_path: Path, old: Model | None = None) -> list[str]:
    before, _ = compile_with_hints(_side(case, "before", tmp_path))
    after, hints = compile_with_hints(_side(case, "after", tmp_path))
    changes = diff_models(old or before, after, hints)
    # diff_models leaves the order to ordering.order, as the pipeline does
    return [f"{op.verb} {op.family} {op.describe()}" for op in order(changes.operations)]


@pytest.mark.parametrize("case,plan", [
    ("views/add_unrelated_column", ["add column public.notes.pinned"]),
    ("views/drop_unrelated_column", ["archive column public.notes.words"]),
    ("views/retype_unrelated_column", ["alter column public.notes.words"]),
    ("views/add_column_read_by_star_view",
     ["drop view public.all_notes", "add column public.notes.pinned", "create view public.all_notes"]),
    ("columns/rename_fk_column",
     ["rename column public.notes.space_id", "rename column public.notes.writer_id",
      "rename constraint public.notes.notes_space_id_fkey", "rename constraint public.notes.notes_writer_id_fkey",
      "rename index public.idx_notes_space_id", "rename index public.idx_notes_writer_id"]),
    ("ordering/policy_uses_renamed_column", ["rename column public.notes.details"]),
    ("columns/rename_column_in_check_trigger_and_index_predicate",
     ["rename column public.notes.heading", "rename constraint public.notes.notes_heading_check",
      "replace function public.stamp_note_title"]),
    ("views/added_column_captures_outer_reference",
     ["drop view public.notes_titled_like_a_member", "add column public.auth_users.title",
      "create view public.notes_titled_like_a_member"]),
])
def test_only_what_must_change_is_rebuilt(case, plan, tmp_path):
    assert _plan(case, tmp_path) == plan


def test_views_of_a_lock_without_column_reads_are_rebuilt_with_their_tables(tmp_path):
    """A lock file written before views recorded their columns: any change of a table's columns
    rebuilds the views reading it, as before (one migration; the next lock records them)."""
    before, _ = compile_with_hints(_side("views/add_unrelated_column", "before", tmp_path / "old"))
    legacy = tuple(replace(o, reads=tuple(r for r in o.reads if r[0] not in ("column", "table-columns")))
                   if o.family == "view" else o for o in before.objects)
    plan = _plan("views/add_unrelated_column", tmp_path, replace(before, objects=legacy))
    assert "drop view public.note_titles" in plan and "create view public.note_titles" in plan


def test_renamed_columns_are_followed_where_postgresql_follows_them():
    renames = (("author_id", "writer_id"),)
    assert rename_column_refs("author_id = ANY ((SELECT f())::uuid[])", renames, ("notes",)) == \
        "writer_id = ANY ((SELECT f())::uuid[])"          # the text is kept as written
    assert rename_column_refs("notes.author_id IS NOT NULL", renames, ("notes",)) == "notes.writer_id IS NOT NULL"
    assert rename_column_refs("new.author_id <> old.author_id", renames, ("new", "old")) == \
        "new.writer_id <> old.writer_id"
    # Inside a subquery the name may be another table's: left alone, so the object is rebuilt.
    inside = "EXISTS (SELECT 1 FROM auth_users AS m WHERE m.id = author_id)"
    assert rename_column_refs(inside, renames, ("notes",)) == inside
    assert rename_column_refs("other.author_id > 0", renames, ("notes",)) == "other.author_id > 0"
