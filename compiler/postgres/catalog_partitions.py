"""The date-named partitions of managed partitioned tables, held to the fresh build's shape
rather than by name.

Partitions of a ``partition:`` table are made at apply time (``messages_p20261201``, from the
date), so a database built in an earlier month holds other partitions than a reference built
today.  :func:`hold_partitions` rewrites the *reference* side of a comparison
(:mod:`.catalog_compare`): its own date-named partitions are set aside, and every date-named
partition the live database has gets the reference's shape of one, renamed to it (columns,
constraints, indexes, triggers, policies, RLS flags, privileges, comments).  What a live
partition holds beyond or short of that shape (an index made on one partition, row level
security off, a grant) stays a difference, keyed by the partition's own name; partitions the
live database lacks or has in addition are not (verify's partition checks hold each one's
fence: compiler/verify/partition_checks.py).  The parent and its default partition are in the
migration and keep being compared by name.

Only `verify --database-url` and `drift` use it: round trips compare catalogs of the same day
exactly (a partition left behind by ``down`` is a difference there).

Names are matched by the partition's name inside them (``messages_p20261201_pkey``); an index
name PostgreSQL truncated to 63 bytes, cutting into the partition's name, is not recognised and
is reported (tables whose names come near 50 characters)."""
from __future__ import annotations

from typing import Any, Iterable

Snapshot = dict[str, dict[str, Any]]

_PLACEHOLDER = "\x00partition\x00"
# Categories whose keys are "schema.relation.name".
_BY_TABLE = ("columns", "constraints", "policies", "triggers")


def hold_partitions(live: Snapshot, reference: Snapshot, parents: Iterable[str]) -> Snapshot:
    """``reference`` with its date-named partitions of ``parents`` (schema-qualified names of
    the managed partitioned tables) replaced by its shape of one at each of ``live``'s (see
    module doc)."""
    parents = set(parents)
    ours = dated_partitions(reference, parents)
    templates = {}
    for name, parent in sorted(ours.items()):     # the first partition of the table itself, by name
        if parent not in templates and parent in (reference["relations"][name]["inherits"] or ()):
            templates[parent] = _canonical(_objects_of(reference, name), name)
    held = _without(reference, ours)
    for name, parent in sorted(dated_partitions(live, parents).items()):
        template = templates.get(parent)
        if template is None:           # the reference is not partitioned so: the live one differs
            continue
        for category, rows in _instantiate(template, name).items():
            held.setdefault(category, {}).update(rows)
        bound = live["relations"][name]["partition_bound"]     # its dates are its own
        held["relations"][name] = {**held["relations"][name], "partition_bound": bound}
    return {category: dict(sorted(rows.items())) for category, rows in held.items()}


def dated_partitions(snapshot: Snapshot, parents: set[str]) -> dict[str, str]:
    """Every partition beneath ``parents`` (recursively) but their default partitions: the
    partition's key -> the managed table it lies beneath."""
    relations = snapshot.get("relations", {})
    found: dict[str, str] = {}
    grew = True
    while grew:
        grew = False
        for key, facts in relations.items():
            if key in found or key in parents or facts.get("partition_bound") is None:
                continue
            for parent in facts.get("inherits") or ():
                top = parent if parent in parents else found.get(parent)
                if top is None or (parent in parents and facts["partition_bound"] == "DEFAULT"):
                    continue
                found[key] = top
                grew = True
    return found


def _objects_of(snapshot: Snapshot, relation: str) -> Snapshot:
    """Everything of the snapshot that belongs to ``relation`` (a table's key)."""
    indexes = {k for k, f in snapshot.get("indexes", {}).items() if f.get("table") == relation}
    comment_keys = {f"table {relation}", *(f"index {i}" for i in indexes)}

    def belongs(category: str, key: str, facts: dict) -> bool:
        if category == "relations":
            return key == relation
        if category in _BY_TABLE:
            return key.rsplit(".", 1)[0] == relation
        if category == "indexes":
            return key in indexes
        if category == "sequences":
            return (facts.get("owned_by") or "").rsplit(".", 1)[0] == relation
        if category == "comments":
            return (key in comment_keys or key.endswith(f" on {relation}")
                    or key.startswith(f"table column {relation}."))
        if category == "publication_tables":
            return key.endswith(f": {relation}")
        return False

    return {category: {k: f for k, f in rows.items() if belongs(category, k, f)}
            for category, rows in snapshot.items()}


def _without(snapshot: Snapshot, relations: Iterable[str]) -> Snapshot:
    held = {category: dict(rows) for category, rows in snapshot.items()}
    for relation in relations:
        for category, rows in _objects_of(snapshot, relation).items():
            for key in rows:
                held[category].pop(key, None)
    return held


def _canonical(objects: Snapshot, relation: str) -> Snapshot:
    """``objects`` with the partition's name (the bare one) replaced by a placeholder."""
    bare = relation.split(".", 1)[1]
    return {category: {key.replace(bare, _PLACEHOLDER): _replace(facts, bare, _PLACEHOLDER)
                       for key, facts in rows.items()}
            for category, rows in objects.items() if rows}


def _instantiate(template: Snapshot, relation: str) -> Snapshot:
    bare = relation.split(".", 1)[1]
    return {category: {key.replace(_PLACEHOLDER, bare): _replace(facts, _PLACEHOLDER, bare)
                       for key, facts in rows.items()}
            for category, rows in template.items()}


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_replace(v, old, new) for v in value)
    return value
