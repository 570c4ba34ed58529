"""`atlas-compile plan`: what the next migration would do, in words, hazards first, grouped by
table; `--format json` for tools; never writes anything."""
import json
import re
import shutil
from pathlib import Path

from helpers import ROOT, run_cli, tree

NEXT = f"{len(json.loads((ROOT / 'build' / 'schema.lock.json').read_text())['migrations']) + 1:04d}"


def cli(*args, cwd):
    # A bare environment: plan needs no database, no psql, nothing on PATH.
    return run_cli(*args, cwd=cwd, env={"PATH": "/usr/bin:/bin"})


def project_with_a_change(tmp_path: Path) -> Path:
    """The example project with one PR's worth of change: a column dropped, one retyped."""
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "build", tmp_path / "build")
    path = tmp_path / "schema" / "crm" / "leads.yaml"
    text = path.read_text()
    assert "      last_contacted_at:\n        type: timestamptz\n" in text
    text = text.replace("      last_contacted_at:\n        type: timestamptz\n", "")
    text = text.replace("      phone:\n        type: text\n", "      phone:\n        type: varchar(20)\n")
    lines = [line for line in text.splitlines() if "Last outbound message or call." not in line]
    path.write_text("\n".join(lines) + "\n")
    return tmp_path


def test_plan_text_puts_hazards_first_and_groups_by_table(tmp_path):
    project = project_with_a_change(tmp_path)
    before = tree(project / "build")
    result = cli("plan", cwd=project)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"Next migration: {NEXT}_drop_leads_last_contacted_at_alter_leads_phone")
    hazards = text.index("Hazards:")
    leads = text.index("\nleads\n")
    assert hazards < leads
    assert "DELETES_DATA" in text[hazards:leads] and "LOSSY_CAST" in text[hazards:leads]
    assert "  archive column last_contacted_at timestamptz (values archived in atlas_archive)" in text[leads:]
    assert "  alter column phone: type text -> varchar(20) (old values archived for down)" in text[leads:]
    assert "Warnings:" in text and f"atlas_archive.{NEXT}_leads_last_contacted_at" in text
    assert tree(project / "build") == before, "plan wrote something"


def test_plan_text_warnings_are_located_and_coded(tmp_path):
    """The plan's warnings read as build prints them: `path:line:col: warning[W001]: ...`."""
    project = project_with_a_change(tmp_path)
    text = cli("plan", cwd=project).stdout
    warnings = text[text.index("Warnings:"):].splitlines()[1:]
    assert warnings, text
    assert all(re.match(r"^  \S+:\d+:\d+: warning\[W\d{3}\]: \S", line) for line in warnings
               if not line.startswith("    hint:")), warnings


def test_plan_json_lists_operations_with_sql_and_hazards(tmp_path):
    project = project_with_a_change(tmp_path)
    before = tree(project / "build")
    result = cli("plan", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["migration"].startswith(f"{NEXT}_")
    archive = next(op for op in data["operations"] if op["verb"] == "archive")
    assert archive["group"] == "leads" and archive["hazards"] == ["DELETES_DATA"]
    assert "ALTER TABLE public.leads DROP COLUMN last_contacted_at;" in archive["sql"]
    assert any("atlas_archive" in w for w in data["warnings"])
    assert data["access"] == [], "a column dropped and one retyped change nobody's access"
    assert tree(project / "build") == before


def test_plan_with_nothing_changed_says_so(tmp_path):
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "build", tmp_path / "build")
    result = cli("plan", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == "No changes: the spec matches build/schema.lock.json."
    data = json.loads(cli("plan", "--format", "json", cwd=tmp_path).stdout)
    assert data == {"ok": True, "migration": None, "access": [], "operations": [], "warnings": []}


def test_plan_of_an_invalid_spec_fails_like_build(tmp_path):
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    (tmp_path / "schema" / "broken.yaml").write_text("tables: [\n")
    result = cli("plan", cwd=tmp_path)
    assert result.returncode == 1
    assert "error[E101]" in result.stderr and "Traceback" not in result.stderr
