"""`atlas-compile build` and its output folder (SPEC.md, "Build output"): deterministic bytes,
an up-to-date committed build/, no-op rebuilds, atomic writes, the migrations.sum guard and a
lock file that round-trips the compiled model."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import ROOT, cli_command, run_cli, snapshot_cases, tree
from helpers import SNAPSHOT_CASES as CASES

from compiler import lockfile, output
from compiler.pipeline import compile_folder, next_migration

SCHEMA = ROOT / "schema"
BUILD = ROOT / "build"
UP = "migrations/0001_initial.up.sql"
DOWN = "migrations/0001_initial.down.sql"


def stat_tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {rel: (data, (folder / rel).stat().st_mtime_ns) for rel, data in tree(folder).items()}


def copy_project(tmp_path: Path) -> tuple[Path, Path]:
    schema, out = tmp_path / "schema", tmp_path / "build"
    shutil.copytree(SCHEMA, schema)
    shutil.copytree(BUILD, out)
    return schema, out


def change_spec(schema: Path) -> None:
    """A small, valid spec change: one more enum (a new object, not a changed table)."""
    path = schema / "_project.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.rstrip().splitlines()[-1].startswith("  "), "enums: is expected to close _project.yaml"
    path.write_text(text.rstrip("\n") + "\n  referral_kind: [friend, staff, partner]\n", encoding="utf-8")


# -- (a) determinism ---------------------------------------------------------------------------

def test_build_is_byte_identical_across_hash_seeds_and_cwd(tmp_path):
    outs = []
    for seed, cwd in (("0", ROOT), ("12345", tmp_path), ("4242", Path("/"))):
        out = tmp_path / f"out_{seed}"
        result = run_cli("build", "--schema", str(SCHEMA), "--out", str(out), cwd=cwd, hash_seed=seed)
        assert result.returncode == 0, result.stderr
        outs.append(tree(out))
    assert sorted(outs[0]) == ["migrations.sum", DOWN, UP, "schema.lock.json"]
    for other in outs[1:]:
        assert other.keys() == outs[0].keys()
        for rel in outs[0]:
            assert other[rel] == outs[0][rel], f"{rel} differs between runs"


def test_fresh_build_holds_the_committed_model(tmp_path):
    """A fresh build of today's spec and the committed chain end at the same model."""
    out = tmp_path / "out"
    result = run_cli("build", "--schema", str(SCHEMA), "--out", str(out), cwd=tmp_path, hash_seed="777")
    assert result.returncode == 0, result.stderr
    fresh, fresh_migrations = lockfile.load((out / "schema.lock.json").read_bytes(), "fresh")
    committed, committed_migrations = lockfile.load((BUILD / "schema.lock.json").read_bytes(), "committed")
    assert fresh == committed
    assert fresh_migrations == ["0001_initial"] and committed_migrations[0] == "0001_initial"


# -- (b) build --check -------------------------------------------------------------------------

def test_committed_build_is_up_to_date():
    result = run_cli("build", "--check", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_check_fails_on_changed_spec_and_writes_nothing(tmp_path):
    schema, out = copy_project(tmp_path)
    change_spec(schema)
    before = stat_tree(out)
    result = run_cli("build", "--check", "--schema", str(schema), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "E903" in result.stderr
    assert "Traceback" not in result.stderr
    assert stat_tree(out) == before


def test_build_after_changed_spec_writes_second_migration(tmp_path):
    schema, out = copy_project(tmp_path)
    change_spec(schema)
    released = {rel: data for rel, data in tree(out).items() if rel.startswith("migrations/0001_")}
    result = run_cli("build", "--schema", str(schema), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = tree(out)
    assert {rel: after[rel] for rel in released} == released, "a released migration was rewritten"
    new = sorted(rel for rel in after if rel.startswith("migrations/0002_"))
    assert len(new) == 2 and new[0].endswith(".down.sql") and new[1].endswith(".up.sql")
    assert not [rel for rel in after if Path(rel).name.startswith(".")], "temporary files left behind"
    check = run_cli("build", "--check", "--schema", str(schema), "--out", str(out), cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


# -- (c) no changes ----------------------------------------------------------------------------

def test_second_build_without_changes_touches_nothing(tmp_path):
    out = tmp_path / "out"
    first = run_cli("build", "--schema", str(SCHEMA), "--out", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = stat_tree(out)
    second = run_cli("build", "--schema", str(SCHEMA), "--out", str(out), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "no changes" in second.stdout
    assert stat_tree(out) == before


def test_plan_build_of_unchanged_spec_is_empty():
    result = next_migration(SCHEMA, BUILD)
    assert result.files == {}
    assert result.migration is None


# -- (d) atomicity -----------------------------------------------------------------------------

def _second_build(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A copy of the project with a changed spec and the files its next build would write."""
    schema, out = copy_project(tmp_path)
    change_spec(schema)
    files = next_migration(schema, out).files
    assert len(files) == 4  # 0002 up, 0002 down, sum, lock
    return out, files


class Boom(OSError):
    pass


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_failed_rename_leaves_build_dir_as_it_was(tmp_path, monkeypatch, fail_at):
    """os.replace fails on its fail_at-th call: build/ must keep its files and bytes, no temp files."""
    out, files = _second_build(tmp_path)
    before = tree(out)
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == fail_at:
            raise Boom(f"simulated failure renaming onto {dst}")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(output.os, "replace", flaky_replace)
    with pytest.raises(OSError):
        output.write_files(out, files)
    monkeypatch.undo()
    after = tree(out)
    leftovers = sorted(rel for rel in after if Path(rel).name.startswith(".") or rel.endswith(".tmp"))
    assert not leftovers, f"temporary files left behind: {leftovers}"
    assert sorted(after) == sorted(before), "files appeared or disappeared"
    assert after == before, "bytes changed"


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_failed_write_leaves_build_dir_as_it_was(tmp_path, monkeypatch, fail_at):
    """Writing the fail_at-th temporary file fails (disk full): nothing changes, no temp files."""
    out, files = _second_build(tmp_path)
    before = tree(out)
    real_fsync = os.fsync
    calls = []

    def flaky_fsync(fd):
        calls.append(fd)
        if len(calls) == fail_at:
            raise Boom("simulated ENOSPC")
        return real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", flaky_fsync)
    with pytest.raises(OSError):
        output.write_files(out, files)
    monkeypatch.undo()
    assert tree(out) == before


def test_build_still_works_after_a_failed_write(tmp_path, monkeypatch):
    """After any interrupted write the next build must succeed and produce the intended result."""
    out, files = _second_build(tmp_path)
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst, *args, **kwargs):
        calls.append(dst)
        if Path(dst).name == "schema.lock.json":
            raise Boom("simulated crash before the lock is renamed")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(output.os, "replace", flaky_replace)
    with pytest.raises(OSError):
        output.write_files(out, files)
    monkeypatch.undo()
    schema = tmp_path / "schema"
    result = run_cli("build", "--schema", str(schema), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {rel: data for rel, data in tree(out).items() if not Path(rel).name.startswith(".")} == \
        {**{rel: data for rel, data in tree(BUILD).items()}, **files}


# -- (e) migrations.sum guards released migrations ----------------------------------------------

def _assert_e901(result: subprocess.CompletedProcess, name: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error[E901]" in result.stderr, result.stderr
    assert name in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_deleted_released_migration_is_e901(tmp_path):
    _, out = copy_project(tmp_path)
    (out / UP).unlink()
    before = stat_tree(out)
    result = run_cli("build", "--schema", str(SCHEMA), "--out", str(out), cwd=tmp_path)
    _assert_e901(result, "0001_initial.up.sql")
    assert stat_tree(out) == before


def test_edited_released_migration_is_e901(tmp_path):
    _, out = copy_project(tmp_path)
    path = out / UP
    path.write_text(path.read_text(encoding="utf-8") + "\n-- hand edit\n", encoding="utf-8")
    before = stat_tree(out)
    result = run_cli("build", "--schema", str(SCHEMA), "--out", str(out), cwd=tmp_path)
    _assert_e901(result, "0001_initial.up.sql")
    assert stat_tree(out) == before


def test_edited_released_migration_is_e901_in_check_mode_too(tmp_path):
    _, out = copy_project(tmp_path)
    path = out / UP
    path.write_bytes(path.read_bytes().replace(b"CREATE TABLE", b"create table", 1))
    result = run_cli("build", "--check", "--schema", str(SCHEMA), "--out", str(out), cwd=tmp_path)
    _assert_e901(result, "0001_initial.up.sql")


# -- (f) the lock file -------------------------------------------------------------------------

def test_committed_lock_is_valid_json_for_the_spec():
    text = (BUILD / "schema.lock.json").read_text(encoding="utf-8")
    data = json.loads(text)
    released = data["migrations"]
    assert released[0] == "0001_initial" and released == sorted(released)
    assert data["objects"], "empty lock"
    model = compile_folder(SCHEMA)
    assert lockfile.dump(model, released, lockfile.load_lock(text, "build/schema.lock.json").history) == text
    loaded, migrations = lockfile.load(text, "build/schema.lock.json")
    assert migrations == released
    assert loaded == model


@pytest.mark.parametrize("schema", [SCHEMA, *(CASES / case / "schema" for case in snapshot_cases())],
                         ids=lambda p: p.parent.name if p.name == "schema" and p != SCHEMA else "example")
def test_lock_round_trips_the_model(schema):
    model = compile_folder(schema)
    text = lockfile.dump(model, ["0001_initial"])
    json.loads(text)
    loaded, migrations = lockfile.load(text, "schema.lock.json")
    assert migrations == ["0001_initial"]
    assert len(loaded.objects) == len(model.objects)
    for got, want in zip(loaded.objects, model.objects):
        assert got == want, f"{want.key} does not round-trip"
    assert loaded == model
    assert lockfile.dump(loaded, ["0001_initial"]) == text


# -- (f) file modes ----------------------------------------------------------------------------

@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_follow_the_umask(tmp_path, umask, mode):
    """Another user (postgres running psql, a CI step) must be able to read what build writes,
    as far as the user's umask allows: the same mode as any file the shell would create."""
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    result = subprocess.run([*cli_command(), "build", "--schema", str(SCHEMA), "--out", str(out)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300, preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    modes = {rel: (out / rel).stat().st_mode & 0o777 for rel in tree(out)}
    assert sorted(modes) == sorted([DOWN, UP, "migrations.sum", "schema.lock.json"])
    assert modes == dict.fromkeys(modes, mode)


def test_removed_table_warning_points_at_its_place_in_the_lock(tmp_path):
    """The spec no longer has a removed table, so its warning points at the line of the lock
    (one object per line) that held it, not at the schema folder."""
    schema, out = copy_project(tmp_path)
    (schema / "crm" / "lead_tags.yaml").unlink()
    result = run_cli("build", "--schema", str(schema), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "table lead_tags is removed" in line)
    place, _, rest = warning.partition(": warning[W001]: ")
    path, line, col = place.rsplit(":", 2)
    assert rest and Path(path).name == "schema.lock.json" and col == "4"
    held = json.loads((BUILD / "schema.lock.json").read_text().splitlines()[int(line) - 1].strip().rstrip(","))
    assert held["name"] == "lead_tags" and "columns" in held
