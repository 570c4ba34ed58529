"""`atlas-compile graph`: the ERD of the compiled spec. Mermaid is held to the erDiagram grammar
by a checker written from Mermaid's own lexer and grammar (erDiagram.jison), in the subset every
version GitHub has rendered since 9.2 accepts; dot is validated by Graphviz itself; the SVG is
parsed as XML and has one node per table."""
from __future__ import annotations

import json
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import ROOT, SNAPSHOT_CASES

from compiler.graph import graph_text, run_graph
from compiler.graph.command import MERMAID_MAX_TEXT
from compiler.graph.diagram import diagram_of
from compiler.graph.dot import virtual_nodes
from compiler.pipeline import compile_folder

sys.path.insert(0, str(ROOT / "benchmarks"))
from compile_time import write_schema  # noqa: E402

SCHEMA = ROOT / "schema"
DOT = shutil.which("dot")

# --- the erDiagram checker ----------------------------------------------------------------

ENTITY = r'"[^"%\r\n\v\b\\]+"|[A-Za-z_][A-Za-z0-9_]*'
# Bare words the lexer takes as something else (case-insensitive): a bare entity must not be one.
KEYWORDS = {"erdiagram", "class", "classdef", "style", "end", "subgraph", "direction", "one", "many",
            "only", "zero", "or", "to", "optionally", "u", "title", "accTitle".lower(), "accdescr"}
RELATIONSHIP = re.compile(rf'^({ENTITY})\s+(\|o|\|\||\}}o|\}}\|)(--|\.\.)(o\||\|\||o\{{|\|\{{)\s+({ENTITY})'
                          r'\s*:\s*("[^"]*")$')
ENTITY_LINE = re.compile(rf"^({ENTITY})(\s*\{{)?$")
ATTRIBUTE_WORD = r"[A-Za-z_][A-Za-z0-9\-_\[\]()]*"
ATTRIBUTE = re.compile(rf'^({ATTRIBUTE_WORD})\s+({ATTRIBUTE_WORD})((?:\s+(?:PK|FK|UK)(?:\s*,\s*(?:PK|FK|UK))*)?)'
                       r'(\s+"[^"]*")?$')
KEY_START = re.compile(r"(?i)(pk|fk|uk)\b")


def _entity(token: str, errors: list[str], number: int) -> str:
    if token.startswith('"'):
        return token[1:-1]
    if token.lower() in KEYWORDS:
        errors.append(f"line {number}: bare entity {token!r} is a keyword of the lexer")
    return token


def check_er_diagram(text: str) -> tuple[list[str], set[str], list[tuple[str, str, str]]]:
    """(errors, declared entities, relationships) of an erDiagram text."""
    errors, declared, relationships = [], set(), []
    lines = text.split("\n")
    if not lines or lines[0].strip() != "erDiagram":
        return ["the first line is not erDiagram"], declared, relationships
    block = None
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line:
            continue
        if block is not None:
            if line == "}":
                block = None
                continue
            match = ATTRIBUTE.match(line)
            if not match:
                errors.append(f"line {number}: not an attribute: {line!r}")
                continue
            for word in match.group(1, 2):
                if KEY_START.match(word):
                    errors.append(f"line {number}: {word!r} lexes as a key (PK/FK/UK)")
            continue
        if match := RELATIONSHIP.match(line):
            child, parent = (_entity(match.group(i), errors, number) for i in (1, 5))
            relationships.append((child, parent, match.group(6)[1:-1]))
        elif match := ENTITY_LINE.match(line):
            name = _entity(match.group(1), errors, number)
            if name in declared:
                errors.append(f"line {number}: {name!r} declared twice")
            declared.add(name)
            if match.group(2):
                block = name
        else:
            errors.append(f"line {number}: not a statement: {line!r}")
    if block is not None:
        errors.append(f"entity {block!r}: block not closed")
    for left, right, _ in relationships:
        for name in (left, right):
            if name not in declared:
                errors.append(f"relationship names {name!r}, which is not declared")
    return errors, declared, relationships


def test_the_checker_refuses_what_mermaid_refuses():
    assert check_er_diagram('erDiagram\n  "a" {\n    uuid pk PK\n  }\n')[0]          # pk lexes as a key
    assert check_er_diagram("erDiagram\n  auth.users\n")[0]                         # a dot in a bare name
    assert check_er_diagram("erDiagram\n  end\n")[0]                                # a keyword
    assert check_er_diagram('erDiagram\n  "a" {\n    numeric(10, 2) x\n  }\n')[0]   # a space in a type
    assert check_er_diagram('erDiagram\n  "a" ||--o{ "b" : "x"\n')[0]               # undeclared entities
    assert check_er_diagram('erDiagram\n  "a"\n  "b"\n  "a" o{--|| "b" : "x"\n')[0]  # cardinality sides
    assert not check_er_diagram('erDiagram\n  "a"\n  "b" {\n    uuid a_id FK "x"\n  }\n'
                                '  "a" ||..o{ "b" : "a_id"\n')[0]


# --- the example and the small specs ----------------------------------------------------------

def mermaid_of(schema: Path, **options) -> str:
    return graph_text(schema, fmt="mermaid", **options).decode()


def test_example_mermaid_is_valid_and_has_every_table_once():
    model = compile_folder(SCHEMA)
    text = mermaid_of(SCHEMA)
    errors, declared, relationships = check_er_diagram(text)
    assert errors == []
    tables = {t.name for t in model.of("table")}
    shown = {name.split(" (")[0] for name in declared}
    assert shown == tables
    assert "organizations (tenant root)" in declared and "leads_audit (audit)" in declared
    # a composite tenant-safe key is one edge, labelled with its own column
    to_members = [r for r in relationships if r[0] == "members" and r[1] == "bookings"]
    assert to_members == [("members", "bookings", "member_id")]
    assert '"tenant"' in text.split('"leads" {')[1].split("}")[0]
    assert "organizations (tenant root)" in {r[0] for r in relationships}


def test_cardinalities_follow_nullability_and_keys():
    lines = mermaid_of(SCHEMA).splitlines()
    assert '    "members" ||..o{ "bookings" : "member_id"' in lines           # not null
    assert '    "auth_users" |o..o{ "leads" : "owner_id"' in lines            # nullable
    assert '    "leads" ||--o{ "lead_tags" : "lead_id"' in lines              # part of the primary key


def test_compact_by_default_every_column_on_request():
    compact, full = mermaid_of(SCHEMA), mermaid_of(SCHEMA, all_columns=True)
    assert "full_name" not in compact and "text full_name" in full
    assert check_er_diagram(full)[0] == []
    data = json.loads(graph_text(SCHEMA, fmt="json"))
    leads = next(e for e in data["entities"] if e["name"] == "leads")
    assert {"full_name", "email", "organization_id"} <= {c["name"] for c in leads["columns"]}
    assert next(c for c in leads["columns"] if c["name"] == "organization_id")["tenant"] is True
    assert data["tenant"] == {"root": "organizations", "column": "organization_id"}
    edge = next(e for e in data["edges"] if e["constraint"] == "bookings_member_id_fkey")
    assert edge["tenant_safe"] and edge["columns"] == ["organization_id", "member_id"]


def test_views_are_optional():
    assert "(view)" not in mermaid_of(SCHEMA)
    with_views = mermaid_of(SCHEMA, views=True)
    assert check_er_diagram(with_views)[0] == []
    assert '"open_tasks (view)" }o..o{ "tasks" : "reads"' in with_views


def test_external_and_shared_tables_are_drawn_as_such():
    schema = SNAPSHOT_CASES / "crm_supabase" / "schema"
    errors, declared, relationships = check_er_diagram(mermaid_of(schema))
    assert errors == []
    assert {"auth.users (external)", "countries (shared)", "workspaces (tenant root)"} <= declared
    assert ("auth.users (external)", "members", "user_id") in relationships


@pytest.mark.parametrize("case", sorted(p.name for p in SNAPSHOT_CASES.iterdir() if (p / "schema").is_dir()))
def test_every_snapshot_case_draws_valid_mermaid_and_dot(case, tmp_path):
    schema = SNAPSHOT_CASES / case / "schema"
    text = mermaid_of(schema, all_columns=True, views=True)
    assert check_er_diagram(text)[0] == []
    assert text == mermaid_of(schema, all_columns=True, views=True)          # deterministic
    dot_file = tmp_path / "erd.dot"
    dot_file.write_bytes(graph_text(schema, fmt="dot", all_columns=True, views=True))
    assert_dot_accepts(dot_file)


def assert_dot_accepts(dot_file: Path) -> None:
    import subprocess
    done = subprocess.run([DOT, "-Tcanon", str(dot_file)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Error" not in done.stderr and "Warning" not in done.stderr, done.stderr


def svg_nodes(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    return [g.find(f"{ns}title").text for g in root.iter(f"{ns}g") if g.get("class") == "node"]


def test_example_svg_has_one_node_per_table(tmp_path, capsys):
    out = tmp_path / "erd.svg"
    assert run_graph(SCHEMA, fmt="svg", output=out) == 0
    tables = sorted(t.name for t in compile_folder(SCHEMA).of("table"))
    assert sorted(svg_nodes(out.read_bytes())) == tables


def test_svg_without_dot_is_one_clear_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PATH", "")
    assert run_graph(SCHEMA, fmt="svg", output=tmp_path / "erd.svg") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "`dot`" in err[0] and "graphviz" in err[0].lower()
    assert not (tmp_path / "erd.svg").exists()


def test_a_bad_spec_prints_its_located_diagnostics(tmp_path, capsys):
    (tmp_path / "_project.yaml").write_text(
        "project:\n  name: x\n  tenancy: {table: orgs, membership: {table: members, user_column: uid}}\n"
        "tables:\n  orgs:\n    columns:\n      id: {type: uuid, primary_key: true}\n"
        "  members:\n    columns:\n      id: {type: uuid, primary_key: true}\n      uid: {type: uuid}\n"
        "      owner: {type: uuid, references: nowhere}\n")
    assert run_graph(tmp_path, fmt="mermaid", output=None) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"_project\.yaml:\d+:\d+: error\[E\d+\]", captured.err), captured.err


def test_output_file_and_stdout_are_the_same_bytes(tmp_path, capsys):
    assert run_graph(SCHEMA, fmt="dot", output=tmp_path / "erd.dot") == 0
    capsys.readouterr()
    assert run_graph(SCHEMA, fmt="dot", output=None) == 0
    assert capsys.readouterr().out == (tmp_path / "erd.dot").read_text()


# --- a part of the diagram: --tables ---------------------------------------------------------

def test_tables_draws_the_matching_tables_and_stubs_of_what_they_reference(tmp_path):
    text = mermaid_of(SCHEMA, tables=("lead*", "members"))
    errors, declared, relationships = check_er_diagram(text)
    assert errors == []
    whole = {name for name in declared if "stub" not in name}
    assert whole == {"leads", "lead_notes", "lead_sources", "lead_tags", "leads_audit (audit)", "members"}
    stubs = {name for name in declared if "stub" in name}
    assert "organizations (tenant root, stub)" in stubs and "tags (stub)" in stubs
    assert not any(name.startswith("bookings") for name in declared)   # it references members: left out
    children = {child for _, child, _ in relationships}
    assert children <= whole and {parent for parent, _, _ in relationships} <= declared
    # a stub holds the referenced key columns only
    assert text.split('"tags (stub)" {')[1].split("}")[0].split() == ["uuid", "id", "PK", "uuid", "organization_id",
                                                                        "FK", '"tenant"']
    data = json.loads(graph_text(SCHEMA, fmt="json", tables=("leads",)))
    assert [e["name"] for e in data["entities"] if not e["stub"]] == ["leads"]
    assert {e["child"] for e in data["edges"]} == {"leads"}
    if DOT:
        dot_file = tmp_path / "leads.dot"
        dot_file.write_bytes(graph_text(SCHEMA, fmt="dot", tables=("lead*",)))
        assert_dot_accepts(dot_file)


def test_a_tables_pattern_that_matches_nothing_is_a_usage_error(capsys):
    assert run_graph(SCHEMA, fmt="mermaid", output=None, tables=("leads", "no_such_*")) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--tables no_such_* matches no table" in captured.err
    assert run_graph(SCHEMA, fmt="json", output=None, tables=("no_such_*",)) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["usage"] is True


def test_the_example_draws_without_a_size_warning(capsys):
    assert run_graph(SCHEMA, fmt="mermaid", output=None) == 0
    assert capsys.readouterr().err == ""


# --- a big spec -------------------------------------------------------------------------------

def test_mermaid_over_mermaids_max_text_size_warns_and_a_subset_does_not(tmp_path, capsys):
    schema = tmp_path / "schema"
    write_schema(schema, 200)
    assert run_graph(schema, fmt="mermaid", output=tmp_path / "erd.mmd") == 0
    size = len((tmp_path / "erd.mmd").read_text())
    assert size > MERMAID_MAX_TEXT
    err = capsys.readouterr().err
    assert f"is {size:,} characters, over Mermaid's default maxTextSize (50,000)" in err
    assert "GitHub will not render it" in err and "--format svg" in err and "--format dot" in err
    assert "--tables PATTERN" in err
    assert run_graph(schema, fmt="mermaid", output=tmp_path / "part.mmd", tables=("t00[0-4]?s",)) == 0
    assert "warning" not in capsys.readouterr().err
    assert check_er_diagram((tmp_path / "part.mmd").read_text())[0] == []
    assert run_graph(schema, fmt="dot", output=tmp_path / "erd.dot") == 0
    assert "warning" not in capsys.readouterr().err          # only Mermaid has the limit


def test_five_hundred_tables_draw_in_seconds(tmp_path):
    schema = tmp_path / "schema"
    write_schema(schema, 500)
    model = compile_folder(schema)
    start = time.perf_counter()
    text = mermaid_of(schema)
    errors, declared, relationships = check_er_diagram(text)
    assert errors == [] and len(declared) == len(model.of("table"))
    out = tmp_path / "erd.svg"
    assert run_graph(schema, fmt="svg", output=out) == 0
    elapsed = time.perf_counter() - start
    assert sorted(svg_nodes(out.read_bytes())) == sorted(t.name for t in model.of("table"))
    # compile twice (mermaid, svg) and lay out: seconds, not minutes (dot's ranked layout of this
    # spec alone takes more than ten; the diagram switches to sfdp past RANKED_LAYOUT_LIMIT)
    assert elapsed < 30, elapsed
    assert virtual_nodes(diagram_of(model)) > 3_000
    dot_file = tmp_path / "erd.dot"
    dot_file.write_bytes(graph_text(schema, fmt="dot"))
    assert "layout=sfdp" in dot_file.read_text()
    assert_dot_accepts(dot_file)


def test_the_cli_command(tmp_path):
    from click.testing import CliRunner

    from compiler.cli import main
    result = CliRunner().invoke(main, ["graph", "--schema", str(SCHEMA), "--format", "mermaid"])
    assert result.exit_code == 0, result.output
    assert check_er_diagram(result.output)[0] == []
    part = CliRunner().invoke(main, ["graph", "--schema", str(SCHEMA), "--tables", "leads", "--tables", "tags"])
    assert part.exit_code == 0, part.output
    assert {name for name in check_er_diagram(part.output)[1] if "stub" not in name} == {"leads", "tags"}
