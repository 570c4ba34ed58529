"""A live database's catalog against a reference (a scratch database where a fresh build of the
held model was applied): the same OID-free snapshot the chain compares
(:func:`compiler.postgres.snapshot_catalog`), every difference one FAIL :class:`Check` naming the
object, its ``check`` the classification:

  widens_access  an extra permissive policy, a changed policy (expression, roles, command,
                 permissive), RLS or FORCE switched off, an extra privilege (a grant to anon,
                 authenticated, PUBLIC or anyone), a security definer function changed (body,
                 search_path) or a function made definer, a view no longer security_invoker,
                 an extra table that the API roles may read without row level security
  missing        in the reference, not in the database (a dropped fence says so in its detail)
  changed        on both sides, different, not widening access
  extra          in the database only, not widening access

Then one PASS per fact proven of each table of the model (rls_enabled, rls_forced,
fence_present, policies_match, grants_match) and of each security definer function
(definer_unchanged), so the report shows what was proven and not only what broke."""
from __future__ import annotations

from typing import Any

from ..model import Model
from ..postgres import diff_catalogs
from .checks import FAIL, PASS, Check

WIDENS, MISSING, CHANGED, EXTRA = "widens_access", "missing", "changed", "extra"
_RANK = (WIDENS, MISSING, CHANGED, EXTRA)    # the worst classification of a key's fields wins
API_GRANTEES = {"anon", "authenticated", "PUBLIC"}
# Categories covering the whole database: only what the reference has is compared.
_WHOLE_DATABASE = {"extensions", "publications"}
_NOUN = {"relations": "relation", "columns": "column", "constraints": "constraint", "indexes": "index",
         "policies": "policy", "triggers": "trigger", "functions": "function", "enums": "enum",
         "domains": "domain", "views": "view", "sequences": "sequence", "comments": "comment",
         "schemas": "schema", "extensions": "extension", "publications": "publication",
         "publication_tables": "publication member"}

Snapshot = dict[str, dict[str, Any]]


def restrict(snapshot: Snapshot, schemas: set[str], verifier: str | None = None) -> Snapshot:
    """The snapshot without what lies outside the managed schemas (snapshot_catalog lists every
    schema and every publication member of the database), and without the privileges granted to
    ``verifier``: the role verify runs as when it is not a superuser needs them (live_rights)."""
    kept = {category: {key: _without_grantee(facts, verifier) for key, facts in rows.items()}
            for category, rows in snapshot.items()} if verifier else dict(snapshot)
    kept["schemas"] = {k: v for k, v in kept.get("schemas", {}).items() if k in schemas}
    kept["publication_tables"] = {k: v for k, v in kept.get("publication_tables", {}).items()
                                  if k.split(": ", 1)[-1].split(".")[0] in schemas}
    return kept


def _without_grantee(facts: dict, grantee: str) -> dict:
    if not facts.get("acl"):
        return facts
    return {**facts, "acl": [entry for entry in facts["acl"] if entry[1] != grantee]}


def compare_catalogs(live: Snapshot, reference: Snapshot, model: Model) -> list[Check]:
    """FAIL per differing object, then PASS per fact that holds (see module doc)."""
    differing: dict[tuple[str, str], str] = {}
    checks = []
    for category in live.keys() | reference.keys():
        mine, theirs = live.get(category, {}), reference.get(category, {})
        keys = theirs.keys() if category in _WHOLE_DATABASE else mine.keys() | theirs.keys()
        for key in sorted(keys):
            if mine.get(key) == theirs.get(key):
                continue
            kind = _classify(category, mine.get(key), theirs.get(key))
            differing[(category, key)] = kind
            checks.append(Check("catalog", key, kind, FAIL, _detail(category, key, mine, theirs)))
    return sorted(checks, key=lambda c: (_RANK.index(c.check), c.subject)) + _facts(live, reference, model, differing)


def _classify(category: str, live: dict | None, ref: dict | None) -> str:
    if ref is None:
        return WIDENS if _extra_widens(category, live) else EXTRA
    if live is None:
        return MISSING
    kinds = [_field_kind(category, name, live.get(name), ref.get(name), live, ref)
             for name in live.keys() | ref.keys() if live.get(name) != ref.get(name)]
    return min(kinds, key=_RANK.index)


def _extra_widens(category: str, live: dict) -> bool:
    if category == "policies":
        return live["permissive"] == "PERMISSIVE"
    if category == "relations":
        return not live["rowsecurity"] and bool(_grantees(live.get("acl")) & API_GRANTEES)
    if category == "functions":
        return live["security_definer"] and bool(_grantees(live.get("acl")) & API_GRANTEES)
    return False


def _field_kind(category: str, name: str, live: Any, ref: Any, live_row: dict, ref_row: dict) -> str:
    if name == "acl":
        return WIDENS if set(map(tuple, live or ())) - set(map(tuple, ref or ())) else MISSING
    if category == "policies":
        return WIDENS
    if category == "relations" and name in ("rowsecurity", "forcerowsecurity"):
        return WIDENS if ref and not live else CHANGED
    if category == "relations" and name == "reloptions":
        return WIDENS if "security_invoker=true" in (ref or ()) and "security_invoker=true" not in (live or ()) \
            else CHANGED
    if category == "functions" and (live_row.get("security_definer") or name == "security_definer"):
        return WIDENS
    return CHANGED


def _grantees(acl) -> set[str]:
    return {entry[1] for entry in acl or ()}


def _detail(category: str, key: str, live: dict, ref: dict) -> str:
    noun = _NOUN.get(category, category)
    if key not in ref:
        return f"{noun} in the database only: {_facts_text(live[key])}"
    if key not in live:
        fence = category == "policies" and ref[key].get("permissive") == "RESTRICTIVE"
        return f"{noun} missing{' (a restrictive policy: the tenant fence)' if fence else ''}"
    lines = diff_catalogs({category: {key: live[key]}}, {category: {key: ref[key]}}, ("database", "reference"))
    return f"{noun} differs: " + "; ".join(line.split(": ", 1)[1] for line in lines)


def _facts_text(facts: dict) -> str:
    shown = {k: v for k, v in facts.items() if v not in (None, [], "")}
    return ", ".join(f"{k}={v!r}" for k, v in shown.items())


def _facts(live: Snapshot, ref: Snapshot, model: Model, differing: dict[tuple[str, str], str]) -> list[Check]:
    """PASS for every fact of the model's tables and definer functions that the comparison proved."""
    checks = []
    for table in model.of("table"):
        key = f"{table.schema}.{table.name}"
        relation, reference = live["relations"].get(key), ref["relations"].get(key)
        if relation is None or reference is None:
            continue
        if table.row_security and relation["rowsecurity"] and reference["rowsecurity"]:
            checks.append(Check("catalog", key, "rls_enabled", PASS, "row level security is enabled"))
        if table.row_security and relation["forcerowsecurity"] and reference["forcerowsecurity"]:
            checks.append(Check("catalog", key, "rls_forced", PASS, "row level security is forced (the owner too)"))
        policies = _of_table(ref["policies"], key) | _of_table(live["policies"], key)
        fences = {p for p in _of_table(ref["policies"], key) if ref["policies"][p]["permissive"] == "RESTRICTIVE"}
        if fences and not any(("policies", p) in differing for p in fences):
            checks.append(Check("catalog", key, "fence_present", PASS,
                                f"restrictive {', '.join(sorted(_short(p) for p in fences))} present, "
                                "expressions equal"))
        if policies and not any(("policies", p) in differing for p in policies):
            checks.append(Check("catalog", key, "policies_match", PASS,
                                f"{len(policies)} policies equal the fresh build (commands, roles, expressions), "
                                "none extra"))
        columns = _of_table(ref["columns"], key) | _of_table(live["columns"], key)
        if ("relations", key) not in differing or relation.get("acl") == reference.get("acl"):
            if not any(("columns", c) in differing and live["columns"].get(c, {}).get("acl")
                       != ref["columns"].get(c, {}).get("acl") for c in columns):
                checks.append(Check("catalog", key, "grants_match", PASS,
                                    "table and column privileges equal the fresh build"))
    for function in model.of("function"):
        if function.security != "definer":
            continue
        prefix = f"{function.schema}.{function.name}("
        keys = [k for k in ref["functions"] if k.startswith(prefix)]
        if keys and not any(("functions", k) in differing for k in keys):
            checks.append(Check("catalog", keys[0], "definer_unchanged", PASS,
                                "security definer function: body, search_path and privileges equal the fresh build"))
    return checks


def _of_table(category: dict, table_key: str) -> set[str]:
    """Keys of a table's policies or columns (``schema.table.name``)."""
    return {k for k in category if k.rsplit(".", 1)[0] == table_key}


def _short(key: str) -> str:
    return key.rsplit(".", 1)[1]
