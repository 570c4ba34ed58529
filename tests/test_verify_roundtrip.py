"""The chain round trip of `verify` (compiler.verify.roundtrip) on the real PostgreSQL: the
example's released chain and a small chain built here pass every check; a released `down`
edited to leave something behind, or to change rows, fails naming its migration.

Tampered copies are re-sealed (migrations.sum recomputed over the edited files), as someone
would who edits released files on purpose: check_chain reads the folder as a build does, and
an unsealed edit would stop it with E901 before any database is touched (tested too)."""
from __future__ import annotations

import shutil

import pytest
from chains import build_chain
from conftest import SUPABASE_TEMPLATE
from helpers import ROOT

from compiler import lockfile
from compiler.checksums import compute
from compiler.diagnostics import CompileError
from compiler.released import LOCK, SUM, read_state, released_files
from compiler.verify.checks import FAIL, PASS, SKIP, failures
from compiler.verify.roundtrip import check_chain
from compiler.verify.roundtrip_rows import declared_losses

KINDS = ("up_matches_fresh_build", "seed_tenants", "down_restores_catalog", "up_after_down_matches",
         "rows_survive_round_trip", "reapply_matches")
# The example step whose down sets leads.full_name NOT NULL again (edited by the tests below).
FULL_NAME_STEP = "0006_add_leads_external_ref_alter_leads_full_name_and_more"


def _reseal(out):
    """migrations.sum recomputed over the files as they now are."""
    names = lockfile.load((out / LOCK).read_bytes(), "lock")[1]
    (out / SUM).write_text(compute(released_files(out, names)), encoding="utf-8")


def _edit(out, name: str, direction: str, old: str, new: str) -> None:
    path = out / "migrations" / f"{name}.{direction}.sql"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    _reseal(out)


def _by(checks, check, status=None):
    return [c for c in checks if c.check == check and (status is None or c.status == status)]


@pytest.fixture(scope="module")
def small_chain(tmp_path_factory):
    return build_chain(tmp_path_factory.mktemp("roundtrip"))


def test_the_example_chain_passes_every_check(pg_cluster):
    steps = []
    checks = check_chain(pg_cluster, ROOT / "build", SUPABASE_TEMPLATE, steps.append)
    assert not failures(checks), "\n".join(c.line() for c in failures(checks))
    for kind in KINDS:
        assert _by(checks, kind, PASS), f"no PASS of {kind}"
    names = read_state(ROOT / "build").migrations
    for check in ("down_restores_catalog", "up_after_down_matches", "reapply_matches"):
        assert [c.subject for c in _by(checks, check, PASS)] == (names[::-1] if check != "reapply_matches" else names)
    assert {c.area for c in checks} == {"chain"}
    # The example's lock keeps its history: every step is compared with a fresh build of its spec.
    assert [c.subject for c in _by(checks, "up_matches_fresh_build", PASS)] == names
    assert "down 0001_initial" in steps and "seeding two tenants after " + names[-1] in steps


def test_a_chain_with_history_compares_every_known_step_with_a_fresh_build(pg_cluster, small_chain):
    out, built = small_chain
    checks = check_chain(pg_cluster, out, None, lambda line: None)
    assert not failures(checks), "\n".join(c.line() for c in failures(checks))
    fresh = {c.subject: c.status for c in _by(checks, "up_matches_fresh_build")}
    assert fresh == {name: PASS if name == names[-1] else SKIP for names, _ in built for name in names}
    # Rows hold an enum value the down of its addition cannot keep: that down refuses over them,
    # runs on empty tables, and the tenants are seeded again below it.
    (refused,) = [c for c in _by(checks, "rows_survive_round_trip", SKIP) if "refuses" in c.detail]
    assert refused.subject == "0003_add_note_kind_todo"
    assert [c.subject for c in _by(checks, "seed_tenants", PASS)] == [
        "0005_drop_notes_body_rename_notes_and_more", "0002_create_note_kind_add_notes_kind_and_more"]
    kept = {c.subject: c.detail for c in _by(checks, "rows_survive_round_trip", PASS)}
    assert "public.notes.kind, public.notes.pinned" in kept["0002_create_note_kind_add_notes_kind_and_more"]


def test_a_down_that_leaves_something_behind_fails_naming_it(pg_cluster, tmp_path):
    out = tmp_path / "build"
    shutil.copytree(ROOT / "build", out)
    _edit(out, FULL_NAME_STEP, "down", "ALTER TABLE public.leads ALTER COLUMN full_name DROP NOT NULL;\n", "")
    checks = check_chain(pg_cluster, out, SUPABASE_TEMPLATE, lambda line: None)
    failed = failures(checks)
    assert [(c.subject, c.check, c.status) for c in failed] == [(FULL_NAME_STEP, "down_restores_catalog", FAIL)] * 2
    for check in failed:   # the first and the second down
        assert "public.leads.full_name.not_null" in check.detail, check.detail
    # The chain is rebuilt below it: the migrations below are not blamed for its leftover.
    assert all(c.status == PASS for c in _by(checks, "down_restores_catalog") if c.subject != FULL_NAME_STEP)
    # The same migration's up, re-applied over it, still gives the catalog of the first up.
    assert [c.status for c in _by(checks, "up_after_down_matches") if c.subject == FULL_NAME_STEP] == [PASS]


def test_a_down_that_changes_rows_fails_naming_the_table_and_column(pg_cluster, small_chain, tmp_path):
    out = tmp_path / "build"
    shutil.copytree(small_chain[0], out)
    name = "0005_drop_notes_body_rename_notes_and_more"
    _edit(out, name, "down", "$atlas$;\nCOMMIT;\n", "$atlas$;\nUPDATE public.notes SET title = 'lost';\nCOMMIT;\n")
    checks = check_chain(pg_cluster, out, None, lambda line: None)
    (failed,) = failures(checks)
    assert (failed.subject, failed.check) == (name, "rows_survive_round_trip")
    assert "public.memos.title changed" in failed.detail, failed.detail
    # The catalog is untouched by the edit: down and up still match.
    assert all(c.status == PASS for c in checks if c.subject == name and c.check != "rows_survive_round_trip")


def test_an_unsealed_edit_stops_before_any_database(pg_cluster, small_chain, tmp_path):
    out = tmp_path / "build"
    shutil.copytree(small_chain[0], out)
    path = out / "migrations" / "0001_initial.down.sql"
    path.write_text(path.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        check_chain(pg_cluster, out, None, lambda line: None)
    assert caught.value.diagnostics[0].code == "E901"


def test_declared_losses_are_read_from_the_down_hazards():
    down = (ROOT / "build" / "migrations" / f"{FULL_NAME_STEP}.down.sql").read_text(encoding="utf-8")
    assert declared_losses(down) == {"public.leads.external_ref", "public.leads.trial_session_id"}
