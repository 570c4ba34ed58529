"""Keeps the operations honest: every operation kind has its template and every template an
operation kind; reversing twice gives the operation back; a plan's down is its up reversed."""
import shutil
from pathlib import Path

import pytest

from compiler import kinds as ops
from compiler.model import FAMILIES
from compiler.ordering import reverse_plan
from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.render import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "migrations"


def operation_kinds() -> set[tuple[str, str]]:
    """(family, verb) of every operation the compiler can emit."""
    kinds = {(family, verb) for family in FAMILIES for verb in ("create", "drop")}
    for name in ops.__all__:
        cls = getattr(ops, name)
        if isinstance(cls, type) and name not in ("Create", "Drop"):
            family = getattr(cls, "family", None)
            families = ["index", "constraint", "policy", "trigger"] if name == "RenameObject" else [family]
            kinds |= {(f, cls.verb) for f in families}
    return kinds


def template_kinds() -> set[tuple[str, str]]:
    return {(p.parent.name, p.name.removesuffix(".sql.j2")) for p in TEMPLATES.glob("*/*.sql.j2")
            if not p.name.startswith("_")}


def test_every_operation_kind_has_a_template_and_every_template_an_operation():
    assert operation_kinds() - template_kinds() == set(), "operations without a template"
    assert template_kinds() - operation_kinds() == set(), "templates no operation uses"


def plans_of_the_migration_cases(tmp_path: Path):
    """The up operations of every acceptance case: a wide sample of real plans."""
    for case in sorted(p for p in CASES.glob("*/*") if (p / "case.yaml").exists()):
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
def test_operation_kind_is_known_to_the_plan_ranks(kind):
    from compiler.kinds.base import RANK
    assert kind[0] in RANK
