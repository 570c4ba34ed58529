"""Acceptance cases for schema evolution, one data folder per scenario.

Each ``tests/cases/migrations/<family>/<scenario>/`` holds ``before/``, ``after/`` and
``case.yaml``; the spec folders are completed with the shared ``_base/`` (see the README.md
there). Every case is proven on a real PostgreSQL by ``check_evolution``: build and apply
``before``, seed rows, apply the next migration's ``up``, compare with a fresh build of
``after``, re-plan (must be empty), apply ``down``, compare catalog and rows with the start.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from compiler.testing.evolution import check_evolution

CASES = Path(__file__).resolve().parent / "cases" / "migrations"
BASE = CASES / "_base"
TEMPLATE = "supabase_template"

FAMILIES = ("tables", "columns", "types", "constraints", "indexes", "enums", "access", "flags",
            "functions", "views", "comments", "ordering")
CASE_KEYS = {"description", "seed", "hazards", "warnings", "empty_plan"}
REMOVING_HAZARDS = {"DELETES_DATA", "LOSSY_CAST", "TABLE_REWRITE"}


def _case_dirs() -> list[Path]:
    return sorted(p.parent for p in CASES.glob("*/*/case.yaml") if not p.parent.parent.name.startswith("_"))


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
    return data


@pytest.mark.parametrize("case", CASE_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in CASE_DIRS])
def test_migration_case(case: Path, pg_cluster, tmp_path):
    data = _load_case(case)
    before = _assemble(case / "before", tmp_path / "before")
    after = _assemble(case / "after", tmp_path / "after")
    seed = (BASE / "seed.sql").read_text(encoding="utf-8") + "\n" + (data.get("seed") or "")

    report = check_evolution(pg_cluster, TEMPLATE, before, after, tmp_path / "work", seed)

    print(f"migration: {report.migration}")
    print(f"hazards: {sorted(report.hazards)}")
    print("warnings:", *report.warnings, sep="\n  ")
    print("problems:", *report.problems, sep="\n  ")
    if report.up_sql:
        print("---- up ----\n" + report.up_sql)
        print("---- down ----\n" + report.down_sql)
    assert report.problems == []
    if data.get("empty_plan"):
        assert report.migration is None, "the build must write nothing for this change"
        return
    assert report.migration is not None, "the change must produce a migration"
    missing = set(data.get("hazards") or []) - report.hazards
    assert not missing, f"hazards missing from up: {sorted(missing)} (found {sorted(report.hazards)})"
    for expected in data.get("warnings") or []:
        assert any(expected in w for w in report.warnings), f"no build warning contains {expected!r}"


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
