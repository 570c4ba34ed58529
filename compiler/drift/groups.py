"""Differences grouped by the table they belong to (a column, constraint, index, policy, trigger,
owned sequence or comment of a table is that table's); an object that is no table's (a function,
an enum, a view, a schema) is a group of its own, and the API roles' cluster-wide differences
are one group, "roles". Each group knows its spec line when the spec defines it (hints.places,
which holds the entries of the sections enums, tables, views and functions: a column's
difference is marked at its table's line, as the spec's columns have no place of their own
there), so a GitHub annotation can mark it."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Location
from ..model import Model
from ..postgres.catalog import CATEGORIES
from ..postgres.catalog_compare import Difference, Snapshot

_RELKIND = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "S": "sequence",
            "f": "foreign table", "c": "type"}
_GROUP_KIND = {"functions": "function", "enums": "enum", "domains": "domain", "schemas": "schema",
               "extensions": "extension", "publications": "publication"}
# Sections of the spec (hints.places) for each kind of group.
_ORDER = (*CATEGORIES, "roles")      # the catalog's categories, then the roles verify adds
_SECTION = {"table": "tables", "view": "views", "materialized view": "views", "function": "functions",
            "enum": "enums"}


@dataclass
class Group:
    name: str                       # "public.tickets", "public.current_workspace_ids(uuid)"
    kind: str                       # table, view, function, enum, ...
    place: Location | None          # where the spec defines it, when it does
    differences: list[Difference] = field(default_factory=list)


def group_differences(found: list[Difference], live: Snapshot, reference: Snapshot, model: Model,
                      places: dict) -> list[Group]:
    """Groups in name order; in each, the object itself first, then by category and name."""
    groups: dict[str, Group] = {}
    spec_places = _spec_places(model, places)
    for difference in found:
        name, kind = _owner(difference, live, reference)
        group = groups.get(name)
        if group is None:
            group = groups[name] = Group(name, kind, spec_places.get((_SECTION.get(kind), name.split("(")[0])))
        group.differences.append(difference)
    for group in groups.values():
        group.differences.sort(key=lambda d: (d.key != group.name, _ORDER.index(d.category), d.key))
    return [groups[name] for name in sorted(groups)]


def _owner(difference: Difference, live: Snapshot, reference: Snapshot) -> tuple[str, str]:
    """The group (name, kind) a differing object belongs to."""
    category, key = difference.category, difference.key
    facts = difference.live or difference.reference or {}
    if category == "roles":
        return "roles", "cluster-wide, held to the reference cluster"
    if category in ("columns", "constraints", "policies", "triggers"):
        table = key.rsplit(".", 1)[0]
    elif category == "indexes":
        table = facts["table"]
    elif category in ("relations", "views", "sequences"):
        table = _sequence_owner(key, live, reference) or key
    elif category == "comments":
        table = _commented_table(key)
    elif category == "publication_tables":
        member = key.split(": ", 1)[1]
        table = member if not member.startswith("TABLES IN SCHEMA ") else key.split(": ", 1)[0]
    else:
        return key, _GROUP_KIND.get(category, category)
    if table is None:
        return key, "comment"
    return table, _relation_kind(table, live, reference)


def _sequence_owner(key: str, live: Snapshot, reference: Snapshot) -> str | None:
    """The table owning a sequence (an identity or serial column's), from either side."""
    for side in (live, reference):
        owned_by = (side.get("sequences", {}).get(key) or {}).get("owned_by")
        if owned_by:
            return owned_by.rsplit(".", 1)[0]
    return None


def _relation_kind(name: str, live: Snapshot, reference: Snapshot) -> str:
    for side in (reference, live):
        relation = side.get("relations", {}).get(name)
        if relation is not None:
            return _RELKIND.get(relation["relkind"], "relation")
    return "table"


def _commented_table(key: str) -> str | None:
    """A comment's table or view: pg_identify_object names them ``table public.t``, ``table column
    public.t.c``, ``policy p on public.t``, ``trigger x on public.t``; None for the others."""
    if " on " in key:
        return key.rsplit(" on ", 1)[1]
    for kind in ("table column ", "view column ", "materialized view column "):
        if key.startswith(kind):
            return key.removeprefix(kind).rsplit(".", 1)[0]
    for kind in ("table ", "view ", "materialized view "):
        if key.startswith(kind):
            return key.removeprefix(kind)
    return None


def _spec_places(model: Model, places: dict) -> dict[tuple[str, str], Location]:
    """(section, schema-qualified name) -> the spec's location of that entry."""
    found = {}
    for family, section in (("table", "tables"), ("view", "views"), ("function", "functions"),
                            ("enum", "enums")):
        for obj in model.of(family):
            qualified = f"{obj.schema}.{obj.name}"
            place = places.get((section, obj.name)) or places.get((section, qualified))
            if place is not None:
                found[(section, qualified)] = place
    return found
