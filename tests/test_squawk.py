"""Squawk, the PostgreSQL migration linter, over every incremental migration we generate.

The files are the up and down files of each acceptance case's migration (``before`` built
first, then ``after`` planned over it, as ``check_evolution`` does; no database needed) and the
example's released migrations after 0001_initial. A new table's initial migration is not linted:
nothing reads a table that does not exist yet.

Each file is linted as the runner applies it: a file with part markers carries its own
``BEGIN``/``COMMIT`` per transaction part; an old-format file (no markers) runs as one
transaction, so Squawk is told ``--assume-in-transaction``. The rules switched off for the whole
project, each with its reason, are in ``.squawk.toml`` (PostgreSQL 15 there too); a violation
the migration accepts on purpose is silenced in the SQL with ``-- squawk-ignore <rule>`` on a
statement whose hazard comment says why.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import MIGRATION_CASES, ROOT, migration_cases

from compiler.output import write_files
from compiler.pipeline import next_migration

CONFIG = ROOT / ".squawk.toml"
EXAMPLE_MIGRATIONS = ROOT / "build" / "migrations"
PART_MARKER = re.compile(r"^-- atlas-compile part \d+/\d+: (transaction|outside a transaction)$", re.M)
# What .squawk.toml may switch off: type preferences on the spec's declared columns, and "may
# break existing clients" on objects without data that the spec removes or the compiler rebuilds
# in the same transaction. Data drops and the renames the spec asks for are not here.
AUTHOR_CHOICE_RULES = frozenset({
    "prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-text-field",
    "ban-drop-view", "ban-drop-function", "ban-drop-type", "ban-drop-constraint", "ban-drop-default",
    "ban-drop-not-null", "ban-alter-identity", "renaming-object",
})
SEPARATOR = "__"    # <family>__<case>__<migration>.<up|down>.sql in the lint folder


@dataclass(frozen=True, order=True)
class Violation:
    file: str        # the case's migration (family/case: file) or the example's released file
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.message}"


def squawk_binary() -> str:
    """The squawk-cli wheel's binary next to this interpreter (the `test` extra), else PATH."""
    script = Path(sys.executable).parent / "squawk"
    found = str(script) if script.exists() else shutil.which("squawk")
    if not found:
        pytest.fail("squawk not found: pip install -e '.[test]' (squawk-cli)")
    return found


def _assemble(case_side: Path, target: Path) -> Path:
    """The shared base schema with the case's own files laid over it (same path replaces)."""
    shutil.copytree(MIGRATION_CASES / "_base" / "schema", target)
    shutil.copytree(case_side, target, dirs_exist_ok=True)
    return target


def write_case_migrations(work: Path, lint: Path) -> None:
    """Every case's next migration (up and down) into lint/, named after the case."""
    for case in migration_cases():
        label = f"{case.parent.name}{SEPARATOR}{case.name}"
        out = work / label / "build"
        first = next_migration(_assemble(case / "before", work / label / "before"), out)
        write_files(out, first.files)
        step = next_migration(_assemble(case / "after", work / label / "after"), out)
        for rel, content in step.files.items():
            if rel.endswith(".sql"):
                (lint / f"{label}{SEPARATOR}{Path(rel).name}").write_bytes(content)


def example_migrations() -> list[Path]:
    """The example's released files after the initial migration."""
    return sorted(p for p in EXAMPLE_MIGRATIONS.glob("*.sql") if not p.name.startswith("0001_"))


def one_transaction(path: Path) -> bool:
    """An old-format file (no part markers) is applied as one transaction."""
    return not PART_MARKER.search(path.read_text(encoding="utf-8"))


def squawk(paths: list[Path], assume_in_transaction: bool) -> list[dict]:
    if not paths:
        return []
    command = [squawk_binary(), "--config", str(CONFIG), "--reporter", "json"]
    if assume_in_transaction:
        command.append("--assume-in-transaction")
    done = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode in (0, 1), f"squawk failed ({done.returncode}):\n{done.stderr}{done.stdout}"
    return json.loads(done.stdout or "[]")


def _label(file: str) -> str:
    path = Path(file)
    if path.is_relative_to(EXAMPLE_MIGRATIONS) or path.parent == Path("build/migrations"):
        return f"build/migrations/{path.name}"
    family, case, name = path.name.split(SEPARATOR, 2)
    return f"tests/cases/migrations/{family}/{case}: {name}"


def lint(paths: list[Path]) -> list[Violation]:
    """Squawk over paths: at most two runs, one per way the files are applied."""
    old = [p for p in paths if one_transaction(p)]
    new = [p for p in paths if p not in set(old)]
    found = squawk(old, assume_in_transaction=True) + squawk(new, assume_in_transaction=False)
    # squawk numbers lines from 0
    return sorted(Violation(_label(v["file"]), v["line"] + 1, v["rule_name"], v["message"]) for v in found)


@pytest.fixture(scope="module")
def case_violations(tmp_path_factory) -> list[Violation]:
    work, folder = tmp_path_factory.mktemp("squawk_work"), tmp_path_factory.mktemp("squawk_lint")
    write_case_migrations(work, folder)
    files = sorted(folder.glob("*.sql"))
    assert len(files) >= 2 * 100, f"only {len(files)} migration files from {len(migration_cases())} cases"
    return lint(files)


def _report(violations: list[Violation]) -> str:
    return f"{len(violations)} squawk violations:\n" + "\n".join(map(str, violations))


def test_case_migrations_are_squawk_clean(case_violations):
    assert not case_violations, _report(case_violations)


def test_example_migrations_are_squawk_clean():
    files = example_migrations()
    assert files, "the example has no released migration after 0001_initial"
    violations = lint(files)
    assert not violations, _report(violations)


def test_config_excludes_only_rules_about_the_spec_authors_choices():
    """A rule switched off for the whole project is about what the spec declares (types) or
    removes and renames, never about how the migration takes its locks; adding one here is a
    decision to review."""
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config.get("pg_version") == "15"
    assert "assume_in_transaction" not in config, "decided per file (part markers), not globally"
    excluded = set(config.get("excluded_rules") or [])
    assert excluded <= AUTHOR_CHOICE_RULES, f"not an author-choice rule: {sorted(excluded - AUTHOR_CHOICE_RULES)}"
