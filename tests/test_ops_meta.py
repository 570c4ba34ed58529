"""Keeps the operations honest: every operation kind has its template and every template an
operation kind; reversing twice gives the operation back; a plan's down is its up reversed."""
import shutil
from pathlib import Path

import pytest
from helpers import MIGRATION_CASES as CASES
from helpers import migration_cases

from compiler import kinds as ops
from compiler.model import FAMILIES
from compiler.ordering import reverse_plan
from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.render import TEMPLATES
from compiler.sql_forms import FORMS

ROOT = Path(__file__).resolve().parent.parent


def operation_kinds() -> set[tuple[str, str]]:
    """(family, verb) of every operation the compiler can emit, from the registry of kinds: a
    kind lists the operation classes that emit its family."""
    return {(kind.family, cls.verb) for kind in ops.all_kinds() for cls in kind.operations}


def operation_classes() -> set[type]:
    return {cls for kind in ops.all_kinds() for cls in kind.operations}


def test_every_model_family_has_a_kind_that_creates_and_drops_it():
    for family in FAMILIES:
        assert {ops.Create, ops.Drop} <= set(ops.kind_of(family).operations), family


def test_every_exported_operation_belongs_to_a_kind():
    exported = {getattr(ops, name) for name in ops.__all__}
    classes = {cls for cls in exported if isinstance(cls, type) and hasattr(cls, "verb")}
    assert classes - operation_classes() == set()


def template_kinds() -> set[tuple[str, str]]:
    """A Jinja template, or the plain-Python layout that replaced it (compiler/sql_forms.py)."""
    names = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.glob("*/*.sql.j2")] + list(FORMS)
    return {(name.split("/")[0], name.split("/")[1].removesuffix(".sql.j2")) for name in names
            if not name.split("/")[1].startswith("_")}


def test_every_operation_kind_has_a_template_and_every_template_an_operation():
    assert operation_kinds() - template_kinds() == set(), "operations without a template"
    assert template_kinds() - operation_kinds() == set(), "templates no operation uses"


def plans_of_the_migration_cases(tmp_path: Path):
    """The up operations of every acceptance case: a wide sample of real plans."""
    for case in migration_cases():
        work = tmp_path / case.parent.name / case.name
        before, after = work / "before", work / "after"
        for side, target in (("before", before), ("after", after)):
            shutil.copytree(CASES / "_base" / "schema", target)
            if (case / side).exists():
                shutil.copytree(case / side, target, dirs_exist_ok=True)
        out = work / "build"
        write_files(out, next_migration(before, out).files)
        yield case.name, next_migration(after, out).operations


def test_reverse_of_reverse_is_the_operation_and_down_is_up_reversed(tmp_path):
    seen = set()
    for case, up in plans_of_the_migration_cases(tmp_path):
        for op in up:
            assert op.reverse().reverse() == op, (case, op)
            seen.add((op.family, op.verb))
            seen.add((op.reverse().family, op.reverse().verb))
        down = reverse_plan(up)
        assert [op.reverse() for op in reversed(down)] == up, case
    # the cases exercise most kinds of operation; those they miss are named here
    missing = operation_kinds() - seen
    assert missing <= {("function", "replace"), ("column", "drop")} | {
        (f, v) for f, v in missing if v in ("restore", "create", "drop")}, sorted(missing)


@pytest.mark.parametrize("kind", sorted(operation_kinds()))
def test_operation_kind_is_ranked_by_its_kind(kind):
    assert isinstance(ops.kind_of(kind[0]).rank, int)
