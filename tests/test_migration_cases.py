"""Acceptance cases for schema evolution, one data folder per scenario.

Each ``tests/cases/migrations/<family>/<scenario>/`` holds ``before/``, ``after/`` and
``case.yaml``; the spec folders are completed with the shared ``_base/`` (see the README.md
there). Every case is proven on a real PostgreSQL by ``check_evolution``: build and apply
``before``, seed rows, apply the next migration's ``up``, require the values kept (renames
followed), compare with a fresh build of ``after``, re-plan (must be empty), apply ``down``,
compare catalog and rows with the start. The up's hazards must be exactly the case's
``hazards:``, and its warnings match ``warnings:`` one to one (``expectation_problems``).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from helpers import MIGRATION_CASES as CASES
from helpers import migration_cases

from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.evolution import check_evolution, expectation_problems

BASE = CASES / "_base"
TEMPLATE = SUPABASE_TEMPLATE

FAMILIES = ("tables", "columns", "types", "constraints", "indexes", "enums", "access", "flags",
            "functions", "views", "comments", "ordering", "partitions")
CASE_KEYS = {"description", "seed", "hazards", "warnings", "empty_plan", "after_up", "up_fails"}
REMOVING_HAZARDS = {"DELETES_DATA", "LOSSY_CAST", "TABLE_REWRITE"}


def _case_dirs() -> list[Path]:
    return migration_cases()


CASE_DIRS = _case_dirs()


def _assemble(case_side: Path, target: Path) -> Path:
    """The shared base schema with the case's own files laid over it (same path replaces)."""
    shutil.copytree(BASE / "schema", target)
    shutil.copytree(case_side, target, dirs_exist_ok=True)
    return target


def _load_case(case: Path) -> dict:
    data = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8")) or {}
    unknown = set(data) - CASE_KEYS
    assert not unknown, f"{case}/case.yaml: unknown keys {sorted(unknown)}"
    assert data.get("description"), f"{case}/case.yaml needs a description"
    for check in data.get("after_up") or []:
        assert set(check) == {"sql", "rows"} and isinstance(check["rows"], list), \
            f"{case}/case.yaml: each after_up entry is {{sql: ..., rows: [[...], ...]}}"
    assert isinstance(data.get("up_fails", ""), str), f"{case}/case.yaml: up_fails is the expected error text"
    return data


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in CASE_DIRS])
def test_migration_case(case: Path, pg_cluster, tmp_path):
    data = _load_case(case)
    before = _assemble(case / "before", tmp_path / "before")
    after = _assemble(case / "after", tmp_path / "after")
    seed = (BASE / "seed.sql").read_text(encoding="utf-8") + "\n" + (data.get("seed") or "")

    report = check_evolution(pg_cluster, TEMPLATE, before, after, tmp_path / "work", seed,
                             after_up=data.get("after_up"), up_fails=data.get("up_fails"))

    print(f"migration: {report.migration}")
    print(f"hazards: {sorted(report.hazards)}")
    print("warnings:", *report.warnings, sep="\n  ")
    if report.up_error:
        print(f"up failed: {report.up_error}")
    print("problems:", *report.problems, sep="\n  ")
    if report.up_sql:
        print("---- up ----\n" + report.up_sql)
        print("---- down ----\n" + report.down_sql)
    assert report.problems == []
    if data.get("empty_plan"):
        assert report.migration is None, "the build must write nothing for this change"
    else:
        assert report.migration is not None, "the change must produce a migration"
    mismatches = expectation_problems(report, data.get("hazards"), data.get("warnings"))
    assert not mismatches, "\n".join(mismatches)


def test_case_catalogue():
    """At least 40 scenarios, every family covered, each case folder well formed."""
    assert len(CASE_DIRS) >= 40, f"only {len(CASE_DIRS)} migration cases"
    families = {p.parent.name for p in CASE_DIRS}
    assert set(FAMILIES) <= families, f"families without a case: {sorted(set(FAMILIES) - families)}"
    assert families <= set(FAMILIES), f"unknown families: {sorted(families - set(FAMILIES))}"
    for case in CASE_DIRS:
        data = _load_case(case)
        assert (case / "before").is_dir() and (case / "after").is_dir(), f"{case}: before/ and after/ needed"
        if REMOVING_HAZARDS & set(data.get("hazards") or []):
            assert (data.get("seed") or "").strip(), f"{case}: removes or retypes data but seeds no rows"


# -- the checker itself: it must be able to fail --------------------------------------------


def _without_renamed_from(spec: Path) -> Path:
    """The same spec with every renamed_from removed: a rename becomes drop + add."""
    for path in spec.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^\s*renamed_from: \w+\n", "", text, flags=re.M)
        path.write_text(re.sub(r", renamed_from: \w+", "", text), encoding="utf-8")
    return spec


@pytest.mark.parametrize("name, lost", [
    ("columns/rename_column", "up changed values of public.notes (body -> content)"),
    ("tables/rename_table", "up changed values of public.notes -> public.staff_notes"),
])
def test_values_check_catches_a_rename_done_as_drop_and_add(pg_cluster, tmp_path, name, lost):
    """The after spec says renamed_from, but the up is built from the spec without it (drop +
    add, which archives the values and passes every catalog check): the values check fails."""
    case = CASES / name
    intent = _assemble(case / "after", tmp_path / "intent")
    assert "renamed_from" in "".join(p.read_text() for p in intent.rglob("*.yaml"))
    after = _without_renamed_from(_assemble(case / "after", tmp_path / "after"))
    assert "renamed_from" not in "".join(p.read_text() for p in after.rglob("*.yaml"))
    before = _assemble(case / "before", tmp_path / "before")
    seed = (BASE / "seed.sql").read_text(encoding="utf-8") + "\n" + _load_case(case)["seed"]

    report = check_evolution(pg_cluster, TEMPLATE, before, after, tmp_path / "work", seed, intent=intent)
    assert "DELETES_DATA" in report.hazards   # the old name was archived and dropped
    assert [p for p in report.problems if p.startswith(lost)], report.problems
    # the same drop + add, when the spec does not say renamed_from, keeps what it must (nothing)
    plain = check_evolution(pg_cluster, TEMPLATE, before, after, tmp_path / "plain", seed)
    assert plain.problems == []


def test_explicit_after_up_checks_compare_rows(pg_cluster, tmp_path):
    case = CASES / "columns" / "add_not_null_column_with_default"
    data = _load_case(case)
    before, after = _assemble(case / "before", tmp_path / "before"), _assemble(case / "after", tmp_path / "after")
    seed = (BASE / "seed.sql").read_text(encoding="utf-8") + "\n" + data["seed"]
    wrong = [{"sql": data["after_up"][0]["sql"], "rows": [["Boiler", 1], ["Keys", 0], ["Studio B", 0]]}]
    report = check_evolution(pg_cluster, TEMPLATE, before, after, tmp_path / "work", seed, after_up=wrong)
    assert len(report.problems) == 1 and "expected [['Boiler', '1']" in report.problems[0]


def test_up_fails_needs_the_expected_failure(pg_cluster, tmp_path):
    case = CASES / "columns" / "add_nullable_column"
    before, after = _assemble(case / "before", tmp_path / "before"), _assemble(case / "after", tmp_path / "after")
    seed = (BASE / "seed.sql").read_text(encoding="utf-8") + "\n" + _load_case(case)["seed"]
    report = check_evolution(pg_cluster, TEMPLATE, before, after, tmp_path / "work", seed, up_fails="anything")
    assert report.problems == ["up must fail with 'anything', but it succeeded"]


def _report(hazards=(), warnings=()):
    from compiler.verify.evolution import EvolutionReport
    return EvolutionReport(migration="0002_x", hazards=set(hazards), warnings=list(warnings))


def test_hazards_must_match_exactly():
    assert expectation_problems(_report({"TABLE_SCAN"}), ["TABLE_SCAN"], None) == []
    extra = expectation_problems(_report({"TABLE_SCAN", "INDEX_BUILD"}), ["TABLE_SCAN"], None)
    assert extra and "unexpected ['INDEX_BUILD']" in extra[0]
    missing = expectation_problems(_report(), ["DELETES_DATA"], None)
    assert missing and "missing ['DELETES_DATA']" in missing[0]


def test_warnings_match_one_to_one():
    warnings = ["W001: column notes.body is removed: kept in atlas_archive.0002_notes_body",
                "W001: column notes.title is removed: kept in atlas_archive.0002_notes_title"]
    report = _report({"DELETES_DATA"}, warnings)
    assert expectation_problems(report, ["DELETES_DATA"], ["notes.body", "notes.title"]) == []
    unmatched = expectation_problems(report, ["DELETES_DATA"], ["notes.body"])
    assert unmatched == ["warnings no expected entry matches: " + warnings[1]]
    ambiguous = expectation_problems(report, ["DELETES_DATA"], ["atlas_archive", "notes.title"])
    assert "'atlas_archive' matches 2 warnings" in ambiguous[0]
    same = expectation_problems(report, ["DELETES_DATA"], ["notes.body", "0002_notes_body", "notes.title"])
    assert "match the same warning" in same[0]
    absent = expectation_problems(report, ["DELETES_DATA"], ["notes.body", "notes.title", "notes.id"])
    assert "'notes.id' matches 0 warnings" in absent[0]
