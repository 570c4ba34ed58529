"""`--format text|json|github` on every command (compiler/reporting.py, compiler/cli.py): on a
good and on a bad spec (or database), json parses (failures too, on stdout), github lines are
workflow commands (`::error file=F,line=L,col=C,title=CODE::message`) at the right file:line:col,
and the exit codes are 0 done, 1 failed, 2 usage error, never a traceback."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path

import pytest
from helpers import CASES, ERROR_CASES, ROOT, run_cli

from compiler.diagnostics import Diagnostic, Location
from compiler.pipeline import compile_with_hints
from compiler.reporting import (
    diagnostic_annotation,
    escape_data,
    escape_property,
    github_annotation,
    render_diagnostics,
)
from compiler.verify.checks import Check
from compiler.verify.command import _annotation, _place

FORMATS = ("text", "json", "github")
PROPERTY = r"(?:file|line|col|endLine|endColumn|title)=[^,:\r\n]*"
ANNOTATION = re.compile(rf"^::(error|warning|notice)(?: {PROPERTY}(?:,{PROPERTY})*)?::[^\r\n]*$")
SMALL = CASES / "snapshots" / "access_rules" / "schema"
BAD = "E401_references_unknown_table"       # schema/extra.yaml:5:43: error[E401]: ...


def annotations(stdout: str) -> list[dict]:
    """Every workflow command of the output, each line checked against the syntax."""
    found = []
    for line in stdout.splitlines():
        if line.startswith("::"):
            match = ANNOTATION.match(line)
            assert match, f"not a workflow command: {line!r}"
            head, message = line[2:].split("::", 1)
            level, _, props = head.partition(" ")
            fields = dict(p.split("=", 1) for p in props.split(",")) if props else {}
            found.append({"level": level, "message": message, **fields})
    return found


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def example(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    shutil.copytree(ROOT / "build", tmp_path / "build")
    return tmp_path


def small(tmp_path: Path) -> Path:
    """The small access-rules spec, built."""
    shutil.copytree(SMALL, tmp_path / "schema")
    assert run_cli("build", cwd=tmp_path).returncode == 0
    return tmp_path


def bad(tmp_path: Path) -> Path:
    shutil.copytree(ERROR_CASES / BAD / "schema", tmp_path / "schema")
    return tmp_path


def change_leads(project: Path) -> None:
    """One PR's worth of change: a column dropped (DELETES_DATA), one retyped (LOSSY_CAST)."""
    path = project / "schema" / "crm" / "leads.yaml"
    text = path.read_text()
    text = text.replace("      last_contacted_at:\n        type: timestamptz\n", "")
    text = text.replace("      phone:\n        type: text\n", "      phone:\n        type: varchar(20)\n")
    path.write_text("\n".join(line for line in text.splitlines() if "Last outbound message" not in line) + "\n")


def spec_place(project: Path, name: str) -> Location:
    """Where the spec defines table `name`, as the command run in `project` displays it."""
    where = compile_with_hints(project / "schema")[1].places[("tables", name)]
    return Location(Path(where.path).relative_to(project).as_posix(), where.line, where.col)


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql://nobody@127.0.0.1:{port}/nothing?connect_timeout=3"


# -- reporting -------------------------------------------------------------------------------

def test_escaping_follows_the_workflow_commands_docs():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github_annotation("error", "bad: x, y\nsecond", "schema/a,b.yaml", 3, 7, "E401: x")
    assert line == "::error file=schema/a%2Cb.yaml,line=3,col=7,title=E401%3A x::bad: x, y%0Asecond"
    assert github_annotation("warning", "plain") == "::warning::plain"
    assert ANNOTATION.match(line) and ANNOTATION.match("::warning::plain")


def test_a_diagnostic_in_each_format():
    error = Diagnostic("E401", "unknown table 'x'", Location("schema/t.yaml", 5, 43), "did you mean y?")
    warning = Diagnostic("W001", "slow", Location("schema/t.yaml", 2, 3), severity="warning")
    assert render_diagnostics([error], "text") == error.render()
    assert json.loads(render_diagnostics([error, warning], "json")) == [
        {"code": "E401", "severity": "error", "message": "unknown table 'x'", "file": "schema/t.yaml", "line": 5,
         "col": 43, "hint": "did you mean y?"},
        {"code": "W001", "severity": "warning", "message": "slow", "file": "schema/t.yaml", "line": 2, "col": 3,
         "hint": None}]
    assert diagnostic_annotation(error) == \
        "::error file=schema/t.yaml,line=5,col=43,title=E401::unknown table 'x'%0Ahint: did you mean y?"
    assert render_diagnostics([warning], "github").startswith("::warning file=schema/t.yaml,line=2,col=3,")


# -- build -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_build_check_on_an_up_to_date_build(tmp_path, fmt):
    result = run_cli("build", "--check", "--format", fmt, cwd=example(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is True and data["up_to_date"] is True and data["stale"] == [] and data["diagnostics"] == []
    else:
        assert "build/ is up to date" in result.stdout
        assert [a for a in annotations(result.stdout) if a["level"] == "error"] == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", ["build", "plan"])
def test_a_bad_spec_is_located(tmp_path, command, fmt):
    result = run_cli(command, "--format", fmt, cwd=bad(tmp_path))
    no_traceback(result)
    assert result.returncode == 1
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is False
        (diagnostic,) = data["diagnostics"]
        assert (diagnostic["file"], diagnostic["line"], diagnostic["col"], diagnostic["code"]) == \
            ("schema/extra.yaml", 5, 43, "E401")
        assert diagnostic["hint"] == "did you mean auth_users?"
    elif fmt == "github":
        (error,) = annotations(result.stdout)
        assert error == {"level": "error", "file": "schema/extra.yaml", "line": "5", "col": "43", "title": "E401",
                         "message": "column 'author_id' references unknown table 'auth_user'%0A"
                                    "hint: did you mean auth_users?"}
    else:
        assert result.stderr == (ERROR_CASES / BAD / "expected.txt").read_text()
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_build_check_of_a_stale_build_marks_the_stale_file(tmp_path, fmt):
    project = example(tmp_path)
    change_leads(project)
    result = run_cli("build", "--check", "--format", fmt, cwd=project)
    no_traceback(result)
    assert result.returncode == 1
    leads = spec_place(project, "leads")
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is False and data["check"] is True
        assert "build/schema.lock.json" in data["stale"]
        assert [(d["code"], d["file"]) for d in data["diagnostics"]] == [("E903", data["stale"][0])]
        assert {(w["code"], w["file"], w["line"]) for w in data["warnings"]} == {("W001", leads.path, leads.line)}
    elif fmt == "github":
        found = annotations(result.stdout)
        (error,) = [a for a in found if a["level"] == "error"]
        assert (error["file"], error["line"], error["col"], error["title"]) == ("build/migrations.sum", "1", "1", "E903")
        assert "schema.lock.json" in error["message"] and "hint: run atlas-compile build" in error["message"]
        warnings = [a for a in found if a["level"] == "warning"]
        assert warnings and all((w["file"], w["line"], w["title"]) == (leads.path, str(leads.line), "W001")
                                for w in warnings)
    else:
        assert "error[E903]" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_build_writes_and_lists_what_it_wrote(tmp_path, fmt):
    shutil.copytree(SMALL, tmp_path / "schema")
    result = run_cli("build", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    files = ["build/migrations/0001_initial.up.sql", "build/migrations/0001_initial.down.sql"]
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is True and data["written"] == files and data["migrations"] == ["0001_initial"]
    else:
        assert "wrote build/migrations/0001_initial.up.sql and .down.sql" in result.stdout
    assert all((tmp_path / f).is_file() for f in files)


# -- plan ------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_plan_of_a_change(tmp_path, fmt):
    project = example(tmp_path)
    change_leads(project)
    result = run_cli("plan", "--format", fmt, cwd=project)
    assert result.returncode == 0, result.stderr
    leads = spec_place(project, "leads")
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is True
        assert {h for op in data["operations"] for h in op["hazards"]} >= {"DELETES_DATA", "LOSSY_CAST"}
    elif fmt == "github":
        found = annotations(result.stdout)
        hazards = {a["title"] for a in found if a["title"] != "W001"}
        assert hazards >= {"DELETES_DATA", "LOSSY_CAST"}
        assert all(a["level"] == "warning" for a in found)
        assert {(a["file"], a["line"], a["col"]) for a in found} == {(leads.path, str(leads.line), str(leads.col))}
        assert result.stdout.startswith("Next migration: "), "the plan itself stays in the log"
    else:
        assert "Hazards:" in result.stdout and "::" not in result.stdout


# -- migrate ---------------------------------------------------------------------------------

def test_migrate_and_status_in_json_and_github(tmp_path, fresh_db):
    project = small(tmp_path)
    url = fresh_db.conninfo()
    applied = run_cli("migrate", "--database-url", url, "--format", "json", cwd=project)
    assert applied.returncode == 0, applied.stderr
    data = json.loads(applied.stdout)
    assert data["ok"] is True and data["summary"].startswith("applied 1 migration(s)")
    assert [a["migration"] for a in data["applied"]] == ["0001_initial"] and data["rolled_back"] == []
    assert data["position"]["migration"] == "0001_initial"

    status = run_cli("migrate", "status", "--database-url", url, "--format", "json", cwd=project)
    assert status.returncode == 0, status.stderr
    (row,) = json.loads(status.stdout)["migrations"]
    assert row["migration"] == "0001_initial" and row["state"] == "applied"

    again = run_cli("migrate", "--database-url", url, "--format", "github", cwd=project)
    assert again.returncode == 0 and annotations(again.stdout) == []
    assert again.stdout.startswith("nothing to migrate")

    down = run_cli("migrate", "--down", "1", "--database-url", url, "--format", "json", cwd=project)
    assert json.loads(down.stdout)["rolled_back"] == ["0001_initial"], down.stderr


def test_migrate_names_once_the_hand_written_files_it_leaves_to_the_teams_runner(tmp_path, fresh_db):
    pinned = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    assert run_cli("init", str(tmp_path), "--layout", "supabase").returncode == 0
    assert run_cli("build", cwd=tmp_path, env=pinned).returncode == 0
    own = tmp_path / "supabase" / "migrations" / "20200101000000_seed_by_hand.sql"
    own.write_text("create table public.seeded (id int);\n")
    (tmp_path / "supabase" / "migrations" / "README.md").write_text("not a migration\n")
    url = fresh_db.conninfo()
    text = run_cli("migrate", "status", "--database-url", url, cwd=tmp_path)
    assert text.returncode == 0 and "pending" in text.stdout, text.stdout + text.stderr
    (note,) = [line for line in text.stderr.splitlines() if line.startswith("note: ")]
    assert "1 file in supabase/migrations atlas-compile did not write" in note
    assert "20200101000000_seed_by_hand.sql" in note and "README" not in note
    assert "leaves these to the team's runner (supabase migration up)" in note
    applied = run_cli("migrate", "--database-url", url, "--format", "json", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    data = json.loads(applied.stdout)
    assert data["ok"] is True and [a["migration"] for a in data["applied"]] == ["0001_initial"]
    assert [Path(f).name for f in data["left_to_runner"]] == [own.name] and len(data["notes"]) == 1
    assert applied.stderr.count("did not write") == 0              # json: in the object only
    with fresh_db.connect() as conn:                               # not run: the team's runner does it
        assert conn.execute("select to_regclass('public.seeded')").fetchone()[0] is None
    atlas = run_cli("migrate", "status", "--database-url", url, cwd=small(tmp_path / "atlas"))
    assert "note:" not in atlas.stderr                             # atlas: nothing of the team's there


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("action", [(), ("status",)])
def test_migrate_without_a_database(tmp_path, fmt, action):
    result = run_cli("migrate", *action, "--database-url", closed_port_url(), "--format", fmt, cwd=small(tmp_path))
    no_traceback(result)
    assert result.returncode == 1
    assert "cannot connect to the database" in (result.stdout if fmt == "json" else result.stderr)
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is False and "cannot connect" in data["error"]
    elif fmt == "github":
        (error,) = annotations(result.stdout)
        assert error["level"] == "error" and error["title"] == "migrate"


def test_migrate_of_a_broken_build_annotates_the_file(tmp_path):
    project = small(tmp_path)
    up = project / "build" / "migrations" / "0001_initial.up.sql"
    up.write_text(up.read_text() + "-- edited after release\n")
    result = run_cli("migrate", "--database-url", closed_port_url(), "--format", "github", cwd=project)
    assert result.returncode == 1
    (error,) = annotations(result.stdout)
    assert error["title"] == "E901" and error["file"] == "build/migrations/0001_initial.up.sql"


def test_usage_errors_stay_exit_2_in_every_format(tmp_path):
    for fmt in FORMATS:
        result = run_cli("migrate", "--format", fmt, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
        assert result.returncode == 2
        assert "--database-url" in (result.stdout if fmt == "json" else result.stderr)
    assert run_cli("build", "--format", "yaml", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("args", [("build", "--layout", "bogus", "--format", "json"),
                                  ("migrate", "--format=json"),
                                  ("migrate", "--format", "json", "--database-url", "x", "--down", "1", "--to", "2"),
                                  ("graph", "--format", "json", "--no-such-option"),
                                  ("--format", "json", "no-such-command")])
def test_a_usage_error_under_json_is_one_json_object(tmp_path, args):
    result = run_cli(*args, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["usage"] is True and data["error"].startswith("atlas-compile: ")
    assert result.stderr == ""


def test_a_usage_error_in_text_keeps_clicks_usage_lines(tmp_path):
    result = run_cli("build", "--layout", "bogus", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("Usage: atlas-compile build") and "Invalid value for '--layout'" in result.stderr


# -- verify ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_verify_of_a_stale_build_stops_before_any_database(tmp_path, fmt):
    project = example(tmp_path)
    change_leads(project)
    result = run_cli("verify", "--format", fmt, cwd=project)
    no_traceback(result)
    assert result.returncode == 1
    assert "is out of date" in (result.stdout if fmt == "json" else result.stderr)
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["ok"] is False and data["checks"] == [] and "run atlas-compile build" in data["error"]
    elif fmt == "github":
        (error,) = annotations(result.stdout)
        assert error["title"] == "verify"


def test_a_failed_check_is_annotated_at_the_tables_spec_line(tmp_path):
    project = small(tmp_path)
    places = compile_with_hints(project / "schema")[1].places
    documents = places[("tables", "documents")]
    leak = Check("isolation", "public.documents", "select_other_tenant", "fail", "2 rows of tenant B visible",
                 actor="A:admin", statement="select * from public.documents")
    where = _place(leak, places, project / "build")
    assert where == documents
    (found,) = annotations(_annotation(leak, where))
    assert (found["file"], found["line"], found["col"]) == (documents.path, str(documents.line), str(documents.col))
    assert found["title"] == "verify select_other_tenant" and "statement%3A" not in found["message"]
    assert "%0Astatement: select * from public.documents" in found["message"]
    step = Check("chain", "0001_initial", "up_matches_fresh_build", "fail", "differs")
    assert _place(step, places, project / "build").path.endswith("build/migrations/0001_initial.up.sql")
    unknown = Check("catalog", "extensions.nothing", "present", "error", "missing")
    assert _place(unknown, places, project / "build") is None
    assert annotations(_annotation(unknown, None))[0].keys() == {"level", "message", "title"}


def test_verify_of_a_good_build_in_github_format(tmp_path):
    result = run_cli("verify", "--format", "github", cwd=small(tmp_path), timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert annotations(result.stdout) == []
    assert "verify: passed" in result.stdout


# -- init, graph, drift ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_init_then_init_again(tmp_path, fmt):
    first = run_cli("init", "new", "--format", fmt, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    if fmt == "json":
        json.loads(first.stdout)
    assert run_cli("build", "--check", cwd=tmp_path / "new").returncode in (0, 1)
    again = run_cli("init", "new", "--format", fmt, cwd=tmp_path)
    no_traceback(again)
    assert again.returncode == 1
    if fmt == "json":
        assert json.loads(again.stdout)["ok"] is False
    elif fmt == "github":
        assert [a["level"] for a in annotations(again.stdout)] == ["error"]


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "json"])
def test_graph_of_a_good_and_a_bad_spec(tmp_path, fmt):
    good = run_cli("graph", "--format", fmt, "--schema", str(SMALL), cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert "documents" in good.stdout
    if fmt == "json":
        json.loads(good.stdout)
    broken = run_cli("graph", "--format", fmt, cwd=bad(tmp_path))
    no_traceback(broken)
    assert broken.returncode == 1
    if fmt == "json":
        assert json.loads(broken.stdout)["diagnostics"][0]["file"] == "schema/extra.yaml"
    else:
        assert "schema/extra.yaml:5:43: error[E401]" in broken.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_drift_without_a_database(tmp_path, fmt):
    result = run_cli("drift", "--database-url", closed_port_url(), "--format", fmt, cwd=small(tmp_path))
    no_traceback(result)
    assert result.returncode == 1
    if fmt == "json":
        assert json.loads(result.stdout)["ok"] is False
    elif fmt == "github":
        assert [a["level"] for a in annotations(result.stdout)] == ["error"]


def test_drift_of_a_matching_database(tmp_path, fresh_db):
    project = small(tmp_path)
    url = fresh_db.conninfo()
    assert run_cli("migrate", "--database-url", url, cwd=project).returncode == 0
    for fmt in FORMATS:
        result = run_cli("drift", "--database-url", url, "--format", fmt, cwd=project, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        if fmt == "json":
            json.loads(result.stdout)
        elif fmt == "github":
            assert [a for a in annotations(result.stdout) if a["level"] == "error"] == []
