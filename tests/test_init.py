"""`atlas-compile init`: a new project builds at once, its first migration applies on the real
PostgreSQL and passes every isolation probe (the example table is tenant-safe), its YAML files
validate against the JSON Schema copied beside them, and init never overwrites anything."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import run_cli, tree
from jsonschema import Draft202012Validator

from compiler.layouts import LAYOUTS
from compiler.migrate.apply import apply_text
from compiler.pipeline import compile_with_hints
from compiler.scaffold import run_init
from compiler.scaffold.files import SPEC_FILES, URL_PLACEHOLDER
from compiler.verify.checks import failures
from compiler.verify.probing import check_isolation

ASSOCIATION = "# yaml-language-server: $schema=../spec.schema.json"
PINNED = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}   # the layouts' version stamps


def init(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("init", str(directory), *args)


def test_init_then_build_writes_the_first_migration(tmp_path):
    project = tmp_path / "acme"
    done = init(project)
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and "atlas-compile build" in done.stdout
    built = run_cli("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""                     # no warnings about the example's access rules
    assert (project / "build" / "migrations" / "0001_initial.up.sql").is_file()
    assert run_cli("build", "--check", cwd=project).returncode == 0


def test_the_scaffolded_migration_is_tenant_safe(tmp_path, fresh_db):
    project = tmp_path / "acme"
    assert run_init(project, layout=None) == 0
    assert run_cli("build", cwd=project).returncode == 0
    model, hints = compile_with_hints(project / "schema")
    up = (project / "build" / "migrations" / "0001_initial.up.sql").read_text()
    with fresh_db.connect() as conn:
        apply_text(conn, up)
        checks = check_isolation(conn, model, access=hints.access)
    assert checks and failures(checks) == [], "\n".join(c.line() for c in failures(checks))
    probed = {c.subject for c in checks}
    assert {"public.projects", "public.members", "public.organizations"} <= probed


def test_yaml_files_validate_against_the_copied_schema(tmp_path):
    assert run_init(tmp_path, layout="supabase") == 0
    schema = json.loads((tmp_path / "spec.schema.json").read_text())
    validator = Draft202012Validator(schema)
    for rel in SPEC_FILES:
        text = (tmp_path / rel).read_text()
        assert text.splitlines()[0] == ASSOCIATION, rel
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
        assert errors == [], (rel, errors)
    assert "  layout: supabase" in (tmp_path / "schema" / "_project.yaml").read_text()
    config = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    assert repo["hooks"] == [{"id": "atlas-compile-check"}]
    assert repo["repo"] == URL_PLACEHOLDER          # pyproject declares no project URLs


@pytest.mark.parametrize("layout", LAYOUTS)
def test_init_with_each_layout_builds(tmp_path, layout):
    assert init(tmp_path, "--layout", layout).returncode == 0
    assert f"  layout: {layout}" in (tmp_path / "schema" / "_project.yaml").read_text()
    built = run_cli("build", cwd=tmp_path, env=PINNED)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "build" / "schema.lock.json").is_file()
    written = [p for p in tree(tmp_path) if p.endswith(".sql")]
    assert written, tree(tmp_path).keys()
    assert run_cli("build", "--check", cwd=tmp_path, env=PINNED).returncode == 0


def test_init_twice_refuses_and_writes_nothing(tmp_path, capsys):
    assert run_init(tmp_path, layout=None) == 0
    before = tree(tmp_path)
    capsys.readouterr()
    assert run_init(tmp_path, layout=None) == 1
    err = capsys.readouterr().err
    assert "schema/_project.yaml" in err and "overwrites nothing" in err
    assert tree(tmp_path) == before


def test_an_existing_spec_or_file_is_refused(tmp_path, capsys):
    (tmp_path / "schema" / "core").mkdir(parents=True)
    (tmp_path / "schema" / "core" / "things.yml").write_text("tables: {}\n")
    assert run_init(tmp_path, layout=None) == 1
    assert "schema/core/things.yml" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    (other / "spec.schema.json").write_text("{}")
    assert run_init(other, layout=None) == 1
    assert "spec.schema.json" in capsys.readouterr().err
    assert tree(other) == {"spec.schema.json": b"{}"}


def test_an_existing_pre_commit_config_gets_the_snippet_printed(tmp_path, capsys):
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    assert run_init(tmp_path, layout=None) == 0
    out = capsys.readouterr().out
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert "- id: atlas-compile-check" in out and "add this to its repos" in out


GIT_ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **PINNED}
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True, text=True).stdout


def ignored_after_build(project: Path) -> list[str]:
    """What git leaves out of `git add -A` once the first build is written."""
    assert run_cli("build", cwd=project, env=GIT_ENV).returncode == 0
    git("add", "-A", cwd=project)
    return [line for line in git("status", "--short", "--ignored", "-uall", cwd=project).splitlines()
            if line.startswith("!!")]


def test_outside_git_a_gitignore_line_for_build_only_when_it_ignores_build(tmp_path, capsys):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / ".gitignore").write_text(".venv/\n")
    assert run_init(plain, layout=None) == 0
    assert (plain / ".gitignore").read_text() == ".venv/\n"
    assert "could not ask git" in capsys.readouterr().out
    bare = tmp_path / "bare"
    assert run_init(bare, layout=None) == 0
    assert not (bare / ".gitignore").exists()
    for number, pattern in enumerate(("build/", "build/**", "/build/*")):
        ignoring = tmp_path / f"ignoring{number}"
        ignoring.mkdir()
        (ignoring / ".gitignore").write_text(f"__pycache__/\n{pattern}")
        capsys.readouterr()
        assert run_init(ignoring, layout=None) == 0
        text = (ignoring / ".gitignore").read_text()
        assert text.endswith(f"{pattern}\n\n# atlas-compile: the spec, the schema lock and the released migrations "
                             "must be committed\n!/build/\n!/build/**\n"), text
        out = capsys.readouterr().out
        assert "!/build/, !/build/**" in out and "could not ask git" in out
        if shutil.which("git"):   # the lines work once the folder is a repository
            git("init", "-q", cwd=ignoring)
            assert ignored_after_build(ignoring) == []


@needs_git
@pytest.mark.parametrize("pattern", ["build/", "build", "build/**", "/build/*", "*.sql", "*.json"])
def test_in_git_every_ignoring_pattern_is_negated_and_checked_again(tmp_path, pattern):
    git("init", "-q", cwd=tmp_path)
    (tmp_path / ".gitignore").write_text(pattern + "\n")
    before = subprocess.run(["git", "check-ignore", "--no-index", "build/schema.lock.json",
                             "build/migrations/0001_initial.up.sql", "spec.schema.json"], cwd=tmp_path, env=GIT_ENV,
                            capture_output=True)
    assert before.returncode == 0                       # the pattern does ignore something init needs
    done = init(tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "added to" in done.stdout and ".gitignore now re-includes them" in done.stdout
    assert "could not ask git" not in done.stdout
    assert ignored_after_build(tmp_path) == []
    assert "build/schema.lock.json" in git("ls-files", cwd=tmp_path).split()


@needs_git
def test_in_git_a_layouts_folder_is_negated_too(tmp_path):
    git("init", "-q", cwd=tmp_path)
    (tmp_path / ".gitignore").write_text("supabase/\n*.sql\n")
    done = init(tmp_path, "--layout", "supabase")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "!/supabase/" in done.stdout and "!/supabase/migrations/**" in done.stdout
    assert ignored_after_build(tmp_path) == []
    assert any(p.startswith("supabase/migrations/") for p in git("ls-files", cwd=tmp_path).split())


@needs_git
def test_in_git_nothing_ignored_writes_no_gitignore(tmp_path):
    git("init", "-q", cwd=tmp_path)
    done = init(tmp_path / "acme")
    assert done.returncode == 0 and done.stderr == ""
    assert ".gitignore" not in done.stdout and "could not ask git" not in done.stdout
    assert not (tmp_path / "acme" / ".gitignore").exists()


@needs_git
def test_in_git_an_ignored_parent_folder_is_a_warning_naming_the_files(tmp_path):
    git("init", "-q", cwd=tmp_path)
    (tmp_path / ".gitignore").write_text("acme/\n")
    done = init(tmp_path / "acme")
    assert done.returncode == 0, done.stderr                  # the project is written all the same
    assert (tmp_path / "acme" / "schema" / "_project.yaml").is_file()
    assert not (tmp_path / "acme" / ".gitignore").exists()    # no line here could help
    assert done.stderr.startswith("atlas-compile: warning: git still ignores ")
    for path in ("build/schema.lock.json", "build/migrations/0001_initial.up.sql", "schema/_project.yaml",
                 "spec.schema.json"):
        assert f"{path} (../.gitignore:1:acme/)" in done.stderr
    data = json.loads(init(tmp_path / "other", "--format", "json").stdout)
    assert data["gitignore"] == {"asked_git": True, "added": [], "still_ignored": []}
    (tmp_path / ".gitignore").write_text("acme/\nother2/\n")
    data = json.loads(init(tmp_path / "other2", "--format", "json").stdout)
    assert "build/schema.lock.json" in data["gitignore"]["still_ignored"] and data["warnings"]
