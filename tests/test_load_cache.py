"""The load cache (compiler/source/cache.py): keyed by file content, it never changes what a build
writes or reports; a corrupt, foreign or unwritable cache is ignored; it lives outside the
project, so `build --check`, the checksums and a failed build's empty build folder are as before."""
from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest
from helpers import ERROR_CASES, ROOT, error_cases, run_cli, tree

from compiler.diagnostics import CompileError
from compiler.pipeline import next_migration
from compiler.source.cache import LoadCache, cache_file

EXAMPLE = ROOT / "schema"


def _files(schema: Path, out: Path) -> dict:
    return next_migration(schema, out).files


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("load-*.marshal"))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(folder))
    return folder


def test_a_warm_cache_builds_the_same_files(tmp_path, cache_dir, monkeypatch):
    schema = tmp_path / "schema"
    shutil.copytree(EXAMPLE, schema)
    cold = _files(schema, tmp_path / "build")
    assert len(_cache_files(cache_dir)) == 1
    assert _files(schema, tmp_path / "build") == cold
    assert LoadCache(cache_file(schema)).entries, "the second build read the cache"
    monkeypatch.setenv("ATLAS_CACHE_DIR", "off")
    assert _files(schema, tmp_path / "build") == cold
    assert len(_cache_files(cache_dir)) == 1


def test_a_changed_file_is_parsed_again(tmp_path, cache_dir):
    schema = tmp_path / "schema"
    shutil.copytree(EXAMPLE, schema)
    _files(schema, tmp_path / "build")
    target = sorted(schema.glob("*.yaml"))[-1]
    target.write_text(target.read_text() + "\n# an edit\n")
    fresh = tmp_path / "fresh"
    shutil.copytree(schema, fresh)
    assert _files(schema, tmp_path / "build") == _files(fresh, tmp_path / "build2")


@pytest.mark.parametrize("content", [b"", b"garbage", marshal.dumps(("another format", {})),
                                     marshal.dumps((b"x" * 32, {b"k": (b"bad checksum", b"blob")})), None])
def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path, cache_dir, content):
    schema = tmp_path / "schema"
    shutil.copytree(EXAMPLE, schema)
    expected = _files(schema, tmp_path / "build")
    path = cache_file(schema)
    if content is None:   # a valid cache file with its entries' blobs flipped
        tag, entries = marshal.loads(path.read_bytes())
        content = marshal.dumps((tag, {k: (check, blob[::-1]) for k, (check, blob) in entries.items()}))
    path.write_bytes(content)
    assert _files(schema, tmp_path / "build") == expected


def test_an_unwritable_cache_folder_is_ignored(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(blocker / "cache"))
    schema = tmp_path / "schema"
    shutil.copytree(EXAMPLE, schema)
    monkeypatch.setenv("ATLAS_CACHE_DIR", "off")
    expected = _files(schema, tmp_path / "build")
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(blocker / "cache"))
    assert _files(schema, tmp_path / "build") == expected


@pytest.mark.parametrize("name", error_cases())
def test_errors_read_through_the_cache_are_the_same(tmp_path, cache_dir, name):
    """A spec that fails after its shape passed (the cache took its files): the second build reads
    them from the cache, positions of deep keys included, and reports the same diagnostics."""
    work = tmp_path / name
    shutil.copytree(ERROR_CASES / name, work)
    reports = []
    for _ in range(2):
        try:
            next_migration(work / "schema", work / "build")
            reports.append(None)
        except CompileError as error:
            reports.append([d.render() for d in error.diagnostics])
    assert reports[0] == reports[1]


def test_cache_lives_outside_the_project_and_check_and_sums_hold(tmp_path):
    """The command line with a warm cache: the build folder holds only the migrations, lock and
    sum; `build --check` passes; nothing is written into the project but build/."""
    shutil.copytree(EXAMPLE, tmp_path / "schema")
    env_cache = tmp_path / "cache"
    env = {**os.environ, "ATLAS_CACHE_DIR": str(env_cache)}
    first = run_cli("build", "--schema", "schema", "--out", "build", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    built = tree(tmp_path / "build")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache", "schema"]
    assert _cache_files(env_cache)
    check = run_cli("build", "--check", "--schema", "schema", "--out", "build", cwd=tmp_path, env=env)
    assert check.returncode == 0, check.stderr
    again = run_cli("build", "--schema", "schema", "--out", "build", cwd=tmp_path, env=env)
    assert again.returncode == 0 and "no changes" in again.stdout
    assert tree(tmp_path / "build") == built
    (tmp_path / "schema" / "zz_bad.yaml").write_text("tables: [not, a, mapping]\n")
    failed = run_cli("build", "--schema", "schema", "--out", "fresh", cwd=tmp_path, env=env)
    assert failed.returncode == 1 and not (tmp_path / "fresh").exists()


def test_the_cache_lives_in_the_user_cache_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("ATLAS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_file(EXAMPLE).parent == tmp_path / "xdg" / "atlas-compile"
    monkeypatch.setenv("ATLAS_CACHE_DIR", "off")
    assert cache_file(EXAMPLE) is None
