"""A live database's catalog against a reference (a scratch database where a fresh build of the
held model was applied): the same OID-free snapshot the chain compares
(:func:`compiler.postgres.snapshot_catalog`), compared and classified by
:mod:`compiler.postgres.catalog_compare` (widens_access, missing, changed, extra; `drift` uses
the same comparison), every difference one FAIL :class:`Check` naming the object, its ``check``
the classification (a widening the comparison cannot prove says "may widen access" in its
detail; a change that provably narrows says "narrower"). The API roles' cluster-wide facts
(:mod:`compiler.postgres.role_facts`) ride along as the category "roles": a role made superuser
or BYPASSRLS, or a member of such a role, widens access; each one that holds is a PASS
(role_unchanged). A runner's history table (:mod:`compiler.postgres.runner_tables`) is named
as such, with how to move it.

Then one PASS per fact proven of each table of the model (rls_enabled, rls_forced,
fence_present, policies_match, grants_match) and of each security definer function
(definer_unchanged), so the report shows what was proven and not only what broke."""
from __future__ import annotations

from ..model import Model
from ..postgres import diff_catalogs, snapshot_catalog
from ..postgres.catalog_compare import NARROWER, NOUN, Difference, Snapshot, catalog_differences, grantees, restrict
from ..postgres.role_facts import API_ROLES, read_roles, role_widenings
from ..postgres.runner_tables import runner_table_note
from .checks import FAIL, PASS, Check
from .live_rights import is_superuser


def live_catalog(conn, schemas: list[str]) -> Snapshot:
    """The connected database's snapshot of the managed schemas; when the role is not a
    superuser, without the privileges granted to it (it needs them to run the checks)."""
    verifier = None if is_superuser(conn) else conn.execute("select current_user").fetchone()[0]
    return _with_roles(conn, restrict(snapshot_catalog(conn, schemas), set(schemas), verifier))


def reference_catalog(reference, schemas: list[str]) -> Snapshot:
    """The snapshot of a reference database (a fresh build applied), restricted likewise."""
    with reference.connect() as conn:
        return _with_roles(conn, restrict(snapshot_catalog(conn, schemas), set(schemas)))


def _with_roles(conn, snapshot: Snapshot) -> Snapshot:
    """The snapshot and the "roles" category: the API roles and every role granted something."""
    granted = {g for rows in snapshot.values() for facts in rows.values() for g in grantees(facts.get("acl"))}
    return {**snapshot, "roles": read_roles(conn, granted - {"PUBLIC"})}


def role_checks(live: Snapshot) -> list[Check]:
    """Without a reference: the API roles held to the baseline (no superuser, no BYPASSRLS, no
    membership in a role that has either)."""
    checks = []
    for role in API_ROLES:
        facts = live.get("roles", {}).get(role)
        if facts is not None:
            found = role_widenings(facts, None)
            checks.append(Check("catalog", role, "widens_access", FAIL, f"role {role}: " + "; ".join(found))
                          if found else _role_holds(role, "no membership in a role that has either"))
    return checks


def _role_holds(role: str, memberships: str = "no membership the reference lacks") -> Check:
    return Check("catalog", role, "role_unchanged", PASS, f"role {role}: no SUPERUSER, no BYPASSRLS, {memberships}")


def compare_catalogs(live: Snapshot, reference: Snapshot, model: Model) -> list[Check]:
    """FAIL per differing object, then PASS per fact that holds (see module doc)."""
    found = catalog_differences(live, reference)
    differing = {(d.category, d.key): d.kind for d in found}
    checks = [Check("catalog", d.key, d.kind, FAIL, _detail(d) + _direction(d)) for d in found]
    roles = [_role_holds(role) for role in API_ROLES
             if role in live.get("roles", {}) and role in reference.get("roles", {}) and ("roles", role) not in differing]
    return checks + roles + _facts(live, reference, model, differing)


def _detail(difference: Difference) -> str:
    category, key = difference.category, difference.key
    noun = NOUN.get(category, category)
    if category == "roles":
        return f"role {key}: " + "; ".join(role_widenings(difference.live, difference.reference))
    note = runner_table_note(key) if category == "relations" else None
    if difference.reference is None:
        return f"{noun} in the database only: {_facts_text(difference.live)}" + (f" ({note})" if note else "")
    if difference.live is None:
        fence = category == "policies" and difference.reference.get("permissive") == "RESTRICTIVE"
        return f"{noun} missing{' (a restrictive policy: the tenant fence)' if fence else ''}"
    lines = diff_catalogs({category: {key: difference.live}}, {category: {key: difference.reference}},
                          ("database", "reference"))
    return f"{noun} differs: " + "; ".join(line.split(": ", 1)[1] for line in lines)


def _direction(difference: Difference) -> str:
    if difference.may_only_widen:
        return " (may widen access: the comparison cannot tell which way this change goes)"
    return " (narrower)" if difference.access == NARROWER and difference.live and difference.reference else ""


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
