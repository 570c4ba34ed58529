"""`atlas-compile verify` as users run it: on the example and on projects of other domains (a
help desk, a marketplace) built and evolved in two releases, every check passes and the report
shows what was proven (not an empty list); a released migration tampered with by hand is caught
and the report names the table, the role and the statement that got through; every way verify
cannot run is one line and exit 1."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import CASES, ROOT, run_cli
from tests.test_migrate import reseal

VERIFY_CASES = CASES / "verify"


def release(tmp_path: Path, project: str) -> Path:
    """The project built release by release (v1, v2, ...) into tmp_path/build; its last spec
    copied to tmp_path/schema."""
    versions = sorted(p for p in (VERIFY_CASES / project).iterdir() if p.is_dir())
    for version in versions:
        shutil.rmtree(tmp_path / "schema", ignore_errors=True)
        shutil.copytree(version, tmp_path / "schema")
        result = run_cli("build", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    return tmp_path


def verify_json(cwd: Path, *args: str):
    result = run_cli("verify", "--format", "json", *args, cwd=cwd, timeout=900)
    assert result.stdout.strip(), result.stderr
    return result, json.loads(result.stdout)


def proven(report: dict, area: str, check: str) -> list[dict]:
    return [c for c in report["checks"] if c["area"] == area and c["check"].split("[")[0] == check
            and c["status"] == "pass"]


def test_the_example_verifies(tmp_path):
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "build", tmp_path / "build")
    result, report = verify_json(tmp_path)
    assert result.returncode == 0, "\n".join(c["subject"] + " " + c["check"] + ": " + c["detail"]
                                             for c in report["checks"] if c["status"] in ("fail", "error"))
    assert report["ok"] is True
    for area, check in (("chain", "up_matches_fresh_build"), ("chain", "down_restores_catalog"),
                        ("chain", "rows_survive_round_trip"), ("isolation", "sign_in"),
                        ("isolation", "own_rows_visible"), ("isolation", "select_other_tenant"),
                        ("isolation", "insert_other_tenant"), ("isolation", "anon_select")):
        assert proven(report, area, check), f"no {area} {check} passed: the report proves nothing there"
    probed = {c["subject"] for c in report["checks"] if c["check"] == "select_other_tenant"}
    assert {"public.leads", "public.members", "public.payments"} <= probed


@pytest.mark.parametrize("project", ["helpdesk", "marketplace"])
def test_projects_of_other_domains_verify(tmp_path, project):
    release(tmp_path, project)
    result, report = verify_json(tmp_path)
    assert result.returncode == 0, "\n".join(c["subject"] + " " + c["check"] + ": " + c["detail"]
                                             for c in report["checks"] if c["status"] in ("fail", "error"))
    released = json.loads((tmp_path / "build" / "schema.lock.json").read_text())["migrations"]
    assert {c["subject"] for c in proven(report, "chain", "down_restores_catalog")} >= set(released)
    assert proven(report, "isolation", "own_rows_visible") and proven(report, "isolation", "sign_in")


def test_a_tampered_migration_is_caught_and_the_leak_named(tmp_path):
    """A released up file edited by hand (and the sum resealed, as a careless fix would) turns
    row level security off on tickets: the chain no longer matches a fresh build, and the
    probes name the table, the role and the statement that reached tenant B."""
    release(tmp_path, "helpdesk")
    build = tmp_path / "build"
    first = build / "migrations" / "0001_initial.up.sql"
    text = first.read_text()
    assert text.rstrip().endswith("COMMIT;")
    first.write_text(text.rstrip()[: -len("COMMIT;")] + "ALTER TABLE public.tickets DISABLE ROW LEVEL SECURITY;\n"
                     "COMMIT;\n")
    reseal(build)
    result = run_cli("verify", cwd=tmp_path, timeout=900)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "FAIL  chain" in out and "0001_initial" in out
    leak = [line for line in out.splitlines() if line.startswith("FAIL  isolation public.tickets select_other_tenant")]
    assert leak and " as A:" in leak[0], out
    assert "statement: select count(*)" in out
    assert "verify: FAILED" in out


def test_a_stale_build_is_refused_before_any_database(tmp_path):
    release(tmp_path, "helpdesk")
    spec = tmp_path / "schema" / "tables.yaml"
    spec.write_text(spec.read_text().replace("body: {type: text, nullable: false}\n    access",
                                             "body: {type: text, nullable: false}\n      views: {type: integer}\n    access"))
    result = run_cli("verify", cwd=tmp_path)
    assert result.returncode == 1
    assert "out of date" in result.stderr and "run atlas-compile build first" in result.stderr


def test_nothing_released_is_refused(tmp_path):
    shutil.copytree(VERIFY_CASES / "helpdesk" / "v1", tmp_path / "schema")
    result = run_cli("verify", cwd=tmp_path)
    assert result.returncode == 1
    assert "no migration is released" in result.stderr or "out of date" in result.stderr


def test_without_server_binaries_verify_says_what_to_install(tmp_path):
    release(tmp_path, "helpdesk")
    import os
    env = dict(os.environ, ATLAS_PG_BINDIR=str(tmp_path / "nowhere"))
    result = run_cli("verify", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "apt-get install postgresql-15" in result.stderr and "ATLAS_PG_BINDIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_database_is_one_line(tmp_path):
    release(tmp_path, "helpdesk")
    result = run_cli("verify", "--database-url", f"postgresql:///x?host={tmp_path}&port=1", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_emit_pgtap_writes_one_file_per_table_and_the_catalog_file(tmp_path):
    release(tmp_path, "helpdesk")
    result = run_cli("verify", "--emit-pgtap", "supabase/tests", cwd=tmp_path, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(p.name for p in (tmp_path / "supabase" / "tests").iterdir())
    assert "00_catalog.test.sql" in written and "public.tickets.test.sql" in written
    assert f"wrote {len(written)} pgTAP files into supabase/tests" in result.stderr
    tickets = (tmp_path / "supabase" / "tests" / "public.tickets.test.sql").read_text()
    assert tickets.lstrip().lower().startswith(("begin", "--")) and "select plan(" in tickets
    assert tickets.rstrip().endswith("rollback;")


def test_a_bug_inside_verify_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    """What no check foresaw (here: the chain check itself raising) is one line naming it,
    exit 1, and the throwaway cluster is stopped all the same."""
    from compiler.verify import command

    release(tmp_path, "helpdesk")

    def broken(*_args, **_kwargs):
        raise RuntimeError("chain check exploded")

    monkeypatch.setattr(command, "check_chain", broken)
    code = command.run_verify(tmp_path / "schema", tmp_path / "build", database_url=None, emit_pgtap=None,
                              fmt="text", verbose=False)
    err = capsys.readouterr().err
    assert code == 1
    assert "atlas-compile: internal error: RuntimeError: chain check exploded" in err
    assert "Traceback" not in err
