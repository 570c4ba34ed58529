"""The layers of the package (README, "A tour of the code"): a module imports only from its own
layer and the layers below it, so a reader walks from `atlas-compile build` down to the written
files without climbing back up. The harness sits beside the compiler: the PostgreSQL toolkit
knows nothing of it but one pure judge (HARNESS_MODULES), the isolation engine knows the model,
`verify` may use everything but the command line."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "compiler"

# Bottom to top. A module's layer is the first entry whose name is a prefix of it.
COMPILER_LAYERS = [
    ("base", ["diagnostics", "schema_names", "codes", "sqltext", "expressions", "sqltypes", "names", "checksums",
              "external_tables", "reporting", "progress", "migration_parts", "policy_direction"]),
    ("model", ["model", "model_data", "model_scale", "lockfile", "lock_json", "lock_decode", "policy_rules"]),
    ("kinds", ["kinds"]),
    ("ordering", ["ordering", "slugs"]),
    ("source", ["source"]),
    ("meaning", ["meaning"]),
    ("lower", ["lower"]),
    ("diff", ["diff"]),
    ("render", ["render", "sql_forms", "partition_forms", "unit_downs"]),
    ("pipeline", ["layouts", "released", "pipeline", "output"]),
    ("commands", ["cli", "plan_report", "plan_access", "plan_policies", "plan_words", "graph", "scaffold"]),
]
HARNESS = {
    "postgres": {"postgres"},
    "lint": {"postgres", "lint"},
    "isolation": {"postgres", "isolation", "base", "model"},
    "verify": {"postgres", "isolation", "lint", "verify", "migrate",
               *(name for name, _ in COMPILER_LAYERS if name != "commands")},
    "migrate": {"postgres", "isolation", "lint", "migrate", *(name for name, _ in COMPILER_LAYERS if name != "commands")},
    "drift": {"postgres", "isolation", "lint", "verify", "migrate", "drift",
              *(name for name, _ in COMPILER_LAYERS if name != "commands")},
}
# Single compiler modules a harness package may import beside its layers: the policy judge is pure
# (no database), shared by `plan` and the catalog comparison, and imports nothing of the compiler.
HARNESS_MODULES = {"postgres": {"compiler.policy_direction"}}
# The one door from the compiler into the harness: the `migrate` command imports the runner inside
# its function, so build and plan never load psycopg (tests/test_harness.py runs them to check).
LAZY_HARNESS = {"commands": {"migrate", "verify", "drift"}}   # imported inside a function: psycopg is an extra


def layer_of(module: str) -> str:
    top = module.split(".")[1] if module.count(".") else ""
    for name, members in COMPILER_LAYERS:
        if top in members:
            return name
    if top in HARNESS:
        return top
    raise AssertionError(f"{module} belongs to no layer: add it to COMPILER_LAYERS or HARNESS")


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every compiler module the file imports, late imports included."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "compiler":   # `from .. import names`
                found += [(node.lineno, f"compiler.{a.name}") for a in node.names]
            elif target.startswith("compiler."):
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("compiler.")]
    return found


def function_import_lines(path: Path) -> set[int]:
    """Lines of the imports inside functions: run when the function is called, not on load."""
    functions = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return {inner.lineno for f in functions for inner in ast.walk(f) if isinstance(inner, (ast.Import, ast.ImportFrom))}


def _rank(layer: str) -> int:
    return [name for name, _ in COMPILER_LAYERS].index(layer)


def test_every_module_has_a_layer():
    for path in modules():
        if path.parent != PACKAGE or path.name != "__init__.py":
            layer_of(module_name(path))


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_imports_go_down(path):
    name = module_name(path)
    if name == "compiler":
        return
    own = layer_of(name)
    for line, target in imported(path):
        theirs = layer_of(target)
        if own in HARNESS:
            allowed = theirs in HARNESS[own] or target in HARNESS_MODULES.get(own, ())
            assert allowed, f"{name}:{line} ({own}) imports {target} ({theirs})"
        else:
            if theirs in LAZY_HARNESS.get(own, ()) and line in function_import_lines(path):
                continue
            assert theirs not in HARNESS, f"{name}:{line}: the compiler imports the harness ({target})"
            assert _rank(theirs) <= _rank(own), f"{name}:{line} ({own}) climbs up to {target} ({theirs})"


def test_no_module_is_named_like_the_standard_library():
    clashes = [p.relative_to(ROOT).as_posix() for p in modules()
               if p.stem != "__init__" and p.stem in sys.stdlib_module_names]
    clashes += [p.parent.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("__init__.py")
                if p.parent.name in sys.stdlib_module_names]
    assert clashes == []


def test_no_module_is_over_500_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert long == {}


def test_the_checker_sees_a_climb(tmp_path, monkeypatch):
    """The checker itself: a model module with a late import of the diff is caught."""
    fake = tmp_path / "compiler" / "model.py"
    fake.parent.mkdir()
    fake.write_text("def f():\n    from .diff import diff_models\n    from . import names\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    assert imported(fake) == [(2, "compiler.diff"), (3, "compiler.names")]
    with pytest.raises(AssertionError, match="climbs up to compiler.diff"):
        test_imports_go_down(fake)


def test_a_module_the_harness_may_import_imports_no_compiler_module():
    """Through a module of HARNESS_MODULES the harness reaches nothing more of the compiler."""
    for modules_ in HARNESS_MODULES.values():
        for module in modules_:
            path = ROOT / (module.replace(".", "/") + ".py")
            assert imported(path) == [], module


def test_the_checker_holds_the_toolkit_to_its_one_module(tmp_path, monkeypatch):
    """postgres/ may import compiler.policy_direction, and no other base module."""
    fake = tmp_path / "compiler" / "postgres" / "judge.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from ..policy_direction import read\nfrom .. import names\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    with pytest.raises(AssertionError, match=r"compiler\.postgres\.judge:2 \(postgres\) imports compiler\.names"):
        test_imports_go_down(fake)
