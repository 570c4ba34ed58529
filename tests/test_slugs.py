"""Migration names (compiler/slugs.py): what the author changed first, "rebuild" for an
object dropped and created again, and never a word cut in the middle."""
from __future__ import annotations

from compiler.kinds import AddColumn, ArchiveColumn, Create, Drop, RenameColumn
from compiler.model import PRIVATE, PUBLIC, Column, Function, View
from compiler.slugs import SLUG_LIMIT, slug_for


def _view(name: str, schema: str = PUBLIC) -> View:
    return View(schema, name, "SELECT 1")


def test_a_view_dropped_and_created_again_is_a_rebuild():
    column = Column("words", "integer")
    ops = [Drop(_view("words_per_org")), ArchiveColumn(PUBLIC, "notes", column, ("id",), "0002_notes_words"),
           Create(_view("words_per_org"))]
    assert slug_for(ops) == "drop_notes_words_rebuild_words_per_org"


def test_a_view_only_dropped_is_a_drop():
    assert slug_for([Drop(_view("open_notes"))]) == "drop_open_notes"


def test_generated_helpers_do_not_name_the_migration():
    rows = Function(PRIVATE, "words_per_org_rows", "SETOF atlas_private.words_per_org", "sql", "SELECT 1")
    ops = [Drop(_view("words_per_org")), Drop(rows), Drop(_view("words_per_org", PRIVATE)),
           Create(_view("words_per_org", PRIVATE)), Create(rows), Create(_view("words_per_org"))]
    assert slug_for(ops) == "rebuild_words_per_org"


def test_long_names_stop_at_a_whole_phrase():
    ops = [AddColumn(PUBLIC, "membership_subscription_events", Column("cancellation_reason", "text")),
           AddColumn(PUBLIC, "membership_subscription_events", Column("cancelled_by_member_id", "uuid")),
           RenameColumn(PUBLIC, "notes", "body", "content")]
    # Two phrases, or the first one with "_and_more", are too long: whole words of the first.
    assert slug_for(ops) == "add_membership_subscription_events_cancellation_and_more"


def test_two_short_phrases_are_both_shown():
    ops = [RenameColumn(PUBLIC, "notes", "body", "content"), RenameColumn(PUBLIC, "notes", "room_id", "space_id")]
    assert slug_for(ops) == "rename_notes_content_rename_notes_space_id"


def test_a_phrase_longer_than_the_limit_keeps_whole_words():
    table = "very_long_table_name_that_goes_on_and_on_for_quite_a_while"
    slug = slug_for([AddColumn(PUBLIC, table, Column("extraordinarily_detailed_notes", "text"))])
    assert len(slug) <= SLUG_LIMIT
    full = f"add_{table}_extraordinarily_detailed_notes"
    assert full.startswith(slug + "_")   # a prefix made of whole words
