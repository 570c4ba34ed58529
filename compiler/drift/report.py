"""What `drift` prints: the differences by group as text, as JSON (``{ok, compared, groups:
[{table, differences: [...]}]}``) or as GitHub annotations at each table's spec line, and a
summary line that says how many objects were compared (a clean result that compared nothing
would prove nothing). A widening the comparison cannot prove (a rewritten policy expression, a
definer's body: ``access`` "may widen") is classified widens_access like the others but worded
"may widen access" and counted apart; a policy change that provably narrows says "narrows
access"."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from ..postgres.catalog_compare import NARROWER, NOUN, RANK, WIDENS, Difference
from ..reporting import github_annotation
from .groups import Group
from .words import changes, noun, word


@dataclass(frozen=True)
class DriftReport:
    groups: list[Group]
    compared: Counter           # category -> objects compared

    @property
    def differences(self) -> list[Difference]:
        return [d for g in self.groups for d in g.differences]


def render(report: DriftReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(_data(report), indent=2, default=list)
    if fmt == "github":
        return "\n".join([_annotation(g, d) for g in report.groups for d in g.differences] + [summary(report)])
    return "\n".join([line for g in report.groups for line in _group_text(g)] + [summary(report)])


def summary(report: DriftReport) -> str:
    total = sum(report.compared.values())
    found = report.differences
    if not found:
        return f"drift: none: the database matches the spec ({total} objects compared: {_counts(report.compared)})"
    kinds = Counter(_counted_as(d) for d in found)
    shown = ", ".join(f"{kinds[k]} {k}" for k in _COUNTED if kinds[k])
    return (f"drift: FOUND {len(found)} difference{'s' if len(found) != 1 else ''} in {len(report.groups)} "
            f"group{'s' if len(report.groups) != 1 else ''} ({shown}); {total} objects compared")


_MAY_WIDEN = "may widen access"
_COUNTED = (WIDENS.replace("_", " "), _MAY_WIDEN, *(k.replace("_", " ") for k in RANK[1:]))


def _counted_as(difference: Difference) -> str:
    return _MAY_WIDEN if difference.may_only_widen else difference.kind.replace("_", " ")


def access_label(difference: Difference) -> str:
    """"widens access", "may widen access", "narrows access" or ""."""
    if difference.kind == WIDENS:
        return _counted_as(difference)
    return "narrows access" if difference.access == NARROWER else ""


def _counts(compared: Counter) -> str:
    return ", ".join(f"{n} {_plural(NOUN.get(c, c)) if n != 1 else NOUN.get(c, c)}"
                     for c, n in sorted(compared.items(), key=lambda item: (-item[1], item[0])))


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "es" if noun.endswith("x") else noun + "s"


def _heading(group: Group) -> str:
    where = f", {group.place.path}:{group.place.line}" if group.place else ""
    return f"{group.name} ({group.kind}{where})"


def _group_text(group: Group) -> list[str]:
    lines = [_heading(group)]
    for difference in group.differences:
        wording = word(difference)
        label = access_label(difference)
        widens = f" [{label}]" if label else ""
        lines.append(f"  {noun(difference)} {_short(difference.key, group.name)}: {wording.text}{widens}")
        lines += [f"      {line}" for line in wording.lines]
    return lines


def _short(key: str, group: str) -> str:
    """A table's object by its own name under the table's heading; others by their full name."""
    return key.removeprefix(f"{group}.") if key != group else key


def _difference_data(difference: Difference) -> dict:
    wording = word(difference)
    return {"object": difference.key, "kind": noun(difference), "category": difference.category,
            "status": difference.presence, "classification": difference.kind,
            "widens_access": difference.kind == WIDENS, "access": difference.access, "what": wording.text,
            "lines": list(wording.lines), "changes": changes(difference)}


def _data(report: DriftReport) -> dict:
    return {"ok": not report.differences, "compared": sum(report.compared.values()),
            "compared_by_category": dict(sorted(report.compared.items())), "summary": summary(report),
            "groups": [{"table": g.name, "kind": g.kind,
                        "file": g.place.path if g.place else None, "line": g.place.line if g.place else None,
                        "differences": [_difference_data(d) for d in g.differences]} for g in report.groups]}


def _annotation(group: Group, difference: Difference) -> str:
    wording = word(difference)
    label = access_label(difference)
    widens = f" ({label})" if label else ""
    message = "\n".join([f"{group.name}: {noun(difference)} {difference.key}: {wording.text}{widens}",
                         *wording.lines])
    place = group.place
    return github_annotation("error", message, place.path if place else None, place.line if place else None,
                             place.col if place else None, title=f"drift: {_counted_as(difference)}")
