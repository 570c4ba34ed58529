"""The tool as users get it: the wheel built from this tree, installed into a fresh venv outside
the repository, run from a folder that is not the repository. The rest of the suite runs the
editable install with the repository on the path, which hides a module or template left out of
the package."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT, tree

PACKAGED_SUFFIXES = (".py", ".j2", ".sql", ".json")


def _run(*args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Builds the wheel from the repository (which must leave build/ as it is) and installs it
    into a new venv; returns the wheel and the venv's console script."""
    work = tmp_path_factory.mktemp("wheel")
    committed = tree(ROOT / "build")
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist", ROOT, cwd=work)
    assert tree(ROOT / "build") == committed, "building the wheel wrote into the migrations folder build/"
    wheel = next((work / "dist").glob("atlas_compile-*.whl"))
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=work)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=work)
    return {"wheel": wheel, "python": venv / "bin" / "python", "cli": venv / "bin" / "atlas-compile", "work": work}


def test_wheel_holds_every_file_of_the_package(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    source = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "compiler").rglob("*")
                    if p.is_file() and p.suffix in PACKAGED_SUFFIXES and "__pycache__" not in p.parts)
    assert source, "no package files found"
    assert [f for f in source if f not in names] == []


def test_installed_package_is_the_wheel_not_the_repository(installed):
    where = _run(installed["python"], "-c", "import compiler; print(compiler.__file__)", cwd=installed["work"])
    location = Path(where.stdout.strip())
    assert location.is_relative_to(installed["work"] / "venv"), location


def test_installed_tool_builds_and_checks_the_example(installed):
    project = installed["work"] / "project"
    shutil.copytree(ROOT / "schema", project / "schema")
    assert "build" in _run(installed["cli"], "--help", cwd=project).stdout
    fresh = _run(installed["cli"], "build", cwd=project)
    assert "0001_initial" in fresh.stdout
    assert sorted(tree(project / "build")) == ["migrations.sum", "migrations/0001_initial.down.sql",
                                                 "migrations/0001_initial.up.sql", "schema.lock.json"]
    assert "up to date" in _run(installed["cli"], "build", "--check", cwd=project).stdout
    # The committed chain, checked by the installed tool: what a team's CI runs.
    shutil.rmtree(project / "build")
    shutil.copytree(ROOT / "build", project / "build")
    assert "up to date" in _run(installed["cli"], "build", "--check", cwd=project).stdout


def test_installed_tool_reports_errors_without_a_traceback(installed):
    project = installed["work"] / "broken"
    shutil.copytree(ROOT / "schema", project / "schema")
    (project / "schema" / "extra.yaml").write_text("tables:\n  notes:\n    columns: {id: {type: no_such_type}}\n")
    result = _run(installed["cli"], "build", cwd=project, check=False)
    assert result.returncode == 1
    assert "error[E404]" in result.stderr and "Traceback" not in result.stderr
    assert not (project / "build").exists()
