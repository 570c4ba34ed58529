"""Every error the compiler reports, end to end through the command line.

Data-driven: each folder of tests/cases/errors/ is named `<CODE>_<what>` and holds `schema/` (a
tiny valid project plus one defect) and `expected.txt`, the exact stderr of

    atlas-compile build --schema schema --out build

run with the case folder as working directory (the folder is copied to a temporary directory
first, so a compiler that wrongly accepts a defect never writes into the repository). Each case
must exit 1, print exactly expected.txt, never a traceback, and write nothing.

A few codes need a state a folder cannot hold (a released build that was then tampered with) or
a defect too large to commit; their folders hold a valid base and `expected.txt`, and the test
below prepares the defect in the temporary copy (BUILD_STATE, GENERATED).

To add a case: create the folder, run the command above in it, read the output and check that it
names the right code, says clearly what is wrong and points at the defect's key or value.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers import ERROR_CASES as CASES
from helpers import error_cases, run_cli, tree

from compiler.codes import CODES
from compiler.diagnostics import CompileError
from compiler.pipeline import compile_with_hints

CASE_NAME = re.compile(r"^(E\d{3})_[a-z0-9_]+$")
# `path:line:col: error[CODE]: message`, then optional `  hint: ...` lines, then the summary.
DIAGNOSTIC = re.compile(r"^\S[^:]*:\d+:\d+: error\[E\d{3}\]: \S.*$")
HINT = re.compile(r"^  hint: \S.*$")
SUMMARY = re.compile(r"^atlas-compile: \d+ errors?; nothing was written$")
TIME_LIMIT = 20.0       # seconds, any case
BOMB_TIME_LIMIT = 2.0   # seconds, E105: hostile input must be refused fast


def timed_cli(cwd: Path, *args: str, timeout: float = TIME_LIMIT,
              hash_seed: str = "0") -> tuple[subprocess.CompletedProcess, float]:
    """The command line as users run it, and how long it took. The hash seed is pinned so that
    a failure reproduces; test_output_does_not_depend_on_hash_seed varies it."""
    started = time.monotonic()
    proc = run_cli(*args, cwd=cwd, hash_seed=hash_seed, timeout=timeout)
    return proc, time.monotonic() - started


def build(cwd: Path, *extra: str, timeout: float = TIME_LIMIT, hash_seed: str = "0"):
    return timed_cli(cwd, "build", "--schema", "schema", "--out", "build", *extra, timeout=timeout,
                   hash_seed=hash_seed)


def case_copy(name: str, tmp_path: Path) -> Path:
    """A copy of the case folder to work in; the repository is never written to."""
    work = tmp_path / name
    shutil.copytree(CASES / name, work)
    (work / "expected.txt").unlink()
    return work


def expected_of(name: str) -> str:
    return (CASES / name / "expected.txt").read_text(encoding="utf-8")


def assert_contract(proc: subprocess.CompletedProcess, expected: str, code: int = 1) -> None:
    """No traceback, the exact expected stderr, every line in the documented format, the exit code."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert proc.stderr == expected
    for line in proc.stderr.splitlines():
        assert DIAGNOSTIC.match(line) or HINT.match(line) or SUMMARY.match(line), f"not an error line: {line!r}"
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)


# --- defects prepared by the test --------------------------------------------------------------

def _edit_released_up(work: Path) -> None:
    path = work / "build" / "migrations" / "0001_initial.up.sql"
    path.write_bytes(path.read_bytes() + b"-- a hand edit after release\n")


def _remove_released_down(work: Path) -> None:
    (work / "build" / "migrations" / "0001_initial.down.sql").unlink()


def _lock_not_json(work: Path) -> None:
    lock = work / "build" / "schema.lock.json"
    lock.write_bytes(lock.read_bytes()[:40])  # cut short, as by a bad merge


def _lock_not_utf8(work: Path) -> None:
    (work / "build" / "schema.lock.json").write_bytes(b"\xff\xfe{\x00}\x00")


def _lock_null(work: Path) -> None:
    (work / "build" / "schema.lock.json").write_text("null\n", encoding="utf-8")


def _lock_missing_and_spec_changed(work: Path) -> None:
    (work / "build" / "schema.lock.json").unlink()
    _add_enum(work)


def _switch_layout(work: Path) -> None:
    project = work / "schema" / "_project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace("project:\n", "project:\n  layout: supabase\n", 1),
                       encoding="utf-8")


def _add_backfill_reading_another(work: Path) -> None:
    """Two columns added with backfill_sql, the second reading the first (still NULL then)."""
    tables = work / "schema" / "tables.yaml"
    tables.write_text(tables.read_text(encoding="utf-8") +
                      "      slug: {type: text, nullable: false, backfill_sql: \"lower(name)\"}\n"
                      "      code: {type: text, nullable: false, backfill_sql: \"upper(slug) || 'x'\"}\n",
                      encoding="utf-8")


def _partition_and_add_column(work: Path) -> None:
    """The released plain table partitioned by the next build, which also adds a column (H2)."""
    tables = work / "schema" / "tables.yaml"
    tables.write_text(tables.read_text(encoding="utf-8") + "      description: {type: text}\n"
                      "    partition: {by: range, column: created_at, interval: 1 month}\n", encoding="utf-8")


def _add_enum(work: Path) -> None:
    (work / "schema" / "colors.yaml").write_text("enums:\n  colors: [red, green]\n", encoding="utf-8")


# name -> (tamper after a successful first build, extra build arguments)
BUILD_STATE = {
    "E901_edited_migration": (_edit_released_up, ()),
    "E901_removed_migration": (_remove_released_down, ()),
    "E902_lock_not_json": (_lock_not_json, ()),
    "E902_lock_not_utf8": (_lock_not_utf8, ()),
    "E902_lock_null": (_lock_null, ()),
    "E902_lock_missing": (_lock_missing_and_spec_changed, ()),
    "E903_check_out_of_date": (_add_enum, ("--check",)),
    "E904_layout_switched": (_switch_layout, ()),
    "E410_backfill_reads_added_column": (_add_backfill_reading_another, ()),
    "E411_partition_and_new_column": (_partition_and_add_column, ()),
}


def _file_too_large(work: Path) -> None:
    items = ", ".join(["xx"] * 1_300_000)  # ~5.2 MB of one flow sequence
    (work / "schema" / "big.yaml").write_text(f"enums:\n  big: [{items}]\n", encoding="utf-8")


def _deep_nesting(work: Path) -> None:
    depth = 100_000  # 200 kB of brackets
    (work / "schema" / "deep.yaml").write_text(f"enums:\n  a: {'[' * depth}x{']' * depth}\n", encoding="utf-8")


# name -> writes the defect into the copied case (too large to commit)
GENERATED = {
    "E105_file_too_large": _file_too_large,
    "E105_deep_nesting": _deep_nesting,
}


def all_cases() -> list[str]:
    return error_cases()


def plain_cases() -> list[str]:
    return [n for n in all_cases() if n not in BUILD_STATE and n not in GENERATED]


def refusal_time(work: Path) -> float:
    """How long the compiler takes to refuse a hostile spec (E105), timed in process: the
    interpreter's start-up (half a second, more on a loaded machine) is not what the guard is
    about; a loader without it would take minutes and gigabytes."""
    started = time.perf_counter()
    with pytest.raises(CompileError) as refused:
        compile_with_hints(work / "schema")
    elapsed = time.perf_counter() - started
    assert [d.code for d in refused.value.diagnostics] == ["E105"]
    return elapsed


def assert_fast(name: str, work: Path, elapsed: float) -> None:
    assert elapsed < TIME_LIMIT, f"took {elapsed:.2f}s"
    if name.startswith("E105_"):
        took = refusal_time(work)
        assert took < BOMB_TIME_LIMIT, f"hostile input took {took:.2f}s to refuse"


# --- the cases ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", plain_cases())
def test_error_case(name: str, tmp_path: Path) -> None:
    work = case_copy(name, tmp_path)
    proc, elapsed = build(work)
    assert_contract(proc, expected_of(name))
    assert not (work / "build").exists(), "a failed build must write nothing"
    assert_fast(name, work, elapsed)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_error_case(name: str, tmp_path: Path) -> None:
    work = case_copy(name, tmp_path)
    GENERATED[name](work)
    proc, elapsed = build(work, timeout=60)
    assert_contract(proc, expected_of(name))
    assert not (work / "build").exists(), "a failed build must write nothing"
    assert_fast(name, work, elapsed)


@pytest.mark.parametrize("name", sorted(BUILD_STATE))
def test_build_state_error(name: str, tmp_path: Path) -> None:
    """A released build, then a tampered build/ or spec: the next build refuses and writes nothing."""
    tamper, extra = BUILD_STATE[name]
    work = case_copy(name, tmp_path)
    first, _ = build(work)
    assert first.returncode == 0, first.stderr
    assert (work / "build" / "schema.lock.json").exists()
    tamper(work)
    before = tree(work / "build")
    proc, _ = build(work, *extra)
    assert_contract(proc, expected_of(name))
    assert tree(work / "build") == before, "a failed build must leave build/ as it was"


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    """Billion laughs: nine nested levels of nine aliases expand to 387M values."""
    work = case_copy("E105_alias_bomb", tmp_path)
    assert b"*h" in (work / "schema" / "extra.yaml").read_bytes()
    proc, _ = build(work, timeout=30)
    assert proc.returncode == 1 and "error[E105]" in proc.stderr, proc.stderr
    took = refusal_time(work)
    assert took < BOMB_TIME_LIMIT, f"alias bomb took {took:.2f}s to refuse"


# Cases whose diagnostics come from graphs or sets: their text must not depend on the hash seed.
HASH_SEED_CASES = ["E801_views_read_each_other", "E602_audit_table_name_taken", "E301_table_defined_in_two_files"]


@pytest.mark.parametrize("name", HASH_SEED_CASES)
def test_output_does_not_depend_on_hash_seed(name: str, tmp_path: Path) -> None:
    """SPEC: output is deterministic whatever the hash seed; diagnostics too."""
    work = case_copy(name, tmp_path)
    outputs = {seed: build(work, hash_seed=seed)[0].stderr for seed in ("0", "1", "2", "3", "4", "5")}
    assert len(set(outputs.values())) == 1, outputs


def test_invalid_utf8_case_holds_invalid_bytes() -> None:
    """The committed E104 file must keep its bytes (no editor or checkout may 'fix' it)."""
    raw = (CASES / "E104_invalid_utf8" / "schema" / "extra.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


# --- usage errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("build", "--bogus"),
    ("build", "--schema"),
    ("frobnicate",),
    ("build", "--schema", "schema", "--out", "build", "extra-argument"),
], ids=["unknown-option", "missing-value", "unknown-command", "extra-argument"])
def test_usage_error_exits_2(args: tuple[str, ...], tmp_path: Path) -> None:
    proc, _ = timed_cli(tmp_path, *args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert "Error:" in proc.stderr
    assert not (tmp_path / "build").exists()


# --- the suite itself --------------------------------------------------------------------------

def test_case_folders_are_well_formed() -> None:
    names = all_cases()
    assert names, "no error cases found"
    for name in names:
        match = CASE_NAME.match(name)
        assert match, f"case folder {name!r} must be named <CODE>_<short_name>"
        folder = CASES / name
        assert (folder / "expected.txt").is_file(), f"{name}: expected.txt is missing"
        expected = expected_of(name)
        assert f"error[{match[1]}]" in expected, f"{name}: expected.txt does not report {match[1]}"
        assert expected.endswith("nothing was written\n"), f"{name}: expected.txt lacks the summary line"
        assert not (folder / "build").exists(), f"{name}: a build/ folder was written into the repository"
    assert set(BUILD_STATE) | set(GENERATED) <= set(names), "a prepared case has no folder"


def test_every_code_is_covered() -> None:
    """A new code in compiler/codes.py without a case here fails this test."""
    covered = {CASE_NAME.match(name)[1] for name in all_cases() if CASE_NAME.match(name)}
    assert covered == set(CODES), {"codes without a case": sorted(set(CODES) - covered),
                                   "cases of unknown codes": sorted(covered - set(CODES))}
