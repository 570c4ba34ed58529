"""A live database's catalog against the model alone, when no reference database can be built
(no PostgreSQL server binaries here): what needs no server to know.  Per table: RLS enabled and
forced, every policy's name, command, roles and permissive flag (the fence first), no extra
permissive policy, privileges of the API roles (anon, authenticated, PUBLIC exactly as the spec
grants; other granted roles at least); per security definer function: its body text (prosrc)
and its search_path.  Policy expressions, columns, constraints, indexes, triggers and views are
not compared: one SKIP says so.  Failures carry the classification of :mod:`compiler.postgres.catalog_compare` as
their ``check``."""
from __future__ import annotations

from ..model import Model
from ..postgres.catalog_compare import API_GRANTEES, EXTRA, MISSING, WIDENS, Snapshot
from .checks import FAIL, PASS, SKIP, Check

_DEFINERS = """
select n.nspname || '.' || p.proname, p.prosrc, p.prosecdef,
       (select c from unnest(p.proconfig) as c where c like 'search_path=%%')
from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%s)
"""


NO_SERVER = "no reference database (no PostgreSQL server binaries to build one)"


def structural_checks(conn, live: Snapshot, model: Model, schemas: list[str], why: str = NO_SERVER) -> list[Check]:
    checks = []
    for table in model.of("table"):
        checks += _table_checks(live, model, table)
    for view in model.of("view"):
        checks += _grant_checks(live, f"{view.schema}.{view.name}", view)
    checks += _definer_checks(conn, model, schemas)
    checks.append(Check("catalog", "database", "expressions_compared", SKIP,
                        f"{why}: policy expressions, columns, constraints, indexes, triggers and views were not compared"))
    return checks


def _table_checks(live: Snapshot, model: Model, table) -> list[Check]:
    key = f"{table.schema}.{table.name}"
    relation = live["relations"].get(key)
    if relation is None:
        return [Check("catalog", key, MISSING, FAIL, "table missing")]
    checks = []
    if table.row_security:
        for fact, field, words in (("rls_enabled", "rowsecurity", "enabled"), ("rls_forced", "forcerowsecurity", "forced")):
            checks.append(Check("catalog", key, fact, PASS, f"row level security is {words}") if relation[field]
                          else Check("catalog", key, WIDENS, FAIL, f"row level security is not {words}"))
    checks += _policy_checks(live, model, key)
    return checks + _grant_checks(live, key, table)


def _policy_checks(live: Snapshot, model: Model, key: str) -> list[Check]:
    wanted = {f"{p.schema}.{p.table}.{p.name}": p for p in model.of("policy") if f"{p.schema}.{p.table}" == key}
    present = {k: v for k, v in live["policies"].items() if k.rsplit(".", 1)[0] == key}
    checks, bad = [], set()
    for name, policy in wanted.items():
        facts = present.get(name)
        expected = {"cmd": policy.command.upper(), "roles": sorted(policy.roles) or ["public"],
                    "permissive": "PERMISSIVE" if policy.permissive else "RESTRICTIVE"}
        if facts is None:
            bad.add(name)
            fence = "" if policy.permissive else " (a restrictive policy: the tenant fence)"
            # A missing grant narrows; a missing fence lets every tenant's rows through.
            checks.append(Check("catalog", name, MISSING if policy.permissive else WIDENS, FAIL, f"policy missing{fence}"))
            continue
        got = {k: facts[k] for k in expected}
        if got != expected:
            bad.add(name)
            checks.append(Check("catalog", name, WIDENS, FAIL, f"policy differs: database {got}, spec {expected}"))
    for name, facts in present.items():
        if name not in wanted:
            bad.add(name)
            kind = WIDENS if facts["permissive"] == "PERMISSIVE" else EXTRA
            checks.append(Check("catalog", name, kind, FAIL,
                                f"policy in the database only: {facts['permissive'].lower()} for {facts['cmd']} "
                                f"to {facts['roles']} using {facts['qual']}"))
    fences = [n for n, p in wanted.items() if not p.permissive]
    if fences and not bad & set(fences):
        checks.append(Check("catalog", key, "fence_present", PASS,
                            f"restrictive {', '.join(n.rsplit('.', 1)[1] for n in fences)} present "
                            "(name, command, roles; expression not compared)"))
    if wanted and not bad:
        checks.append(Check("catalog", key, "policies_match", PASS,
                            f"{len(wanted)} policies: names, commands, roles, permissive as the spec says, "
                            "none extra (expressions not compared)"))
    return checks


def _grant_checks(live: Snapshot, key: str, obj) -> list[Check]:
    relation = live["relations"].get(key)
    if relation is None:
        return [Check("catalog", key, MISSING, FAIL, "relation missing")]
    held: dict[str, set[str]] = {}
    for _grantor, grantee, privilege, _grantable in relation["acl"] or ():
        held.setdefault(grantee, set()).add(privilege)
    granted = {g.role: set(g.privileges) for g in obj.grants}
    problems = []
    for role in sorted(API_GRANTEES | set(obj.revoke_from) | granted.keys()):
        have, want = held.get(role, set()), granted.get(role, set())
        exact = role in API_GRANTEES or role in obj.revoke_from
        if exact and have - want:
            problems.append((WIDENS, f"{role} holds {', '.join(sorted(have - want))} beyond the spec"))
        if want - have:
            problems.append((MISSING, f"{role} lacks {', '.join(sorted(want - have))}"))
    if not problems:
        return [Check("catalog", key, "grants_match", PASS,
                      "privileges of the API roles as the spec grants (others at least as granted)")]
    return [Check("catalog", key, kind, FAIL, f"privileges: {text}") for kind, text in problems]


def _definer_checks(conn, model: Model, schemas: list[str]) -> list[Check]:
    found = {name: (src, definer, path) for name, src, definer, path in conn.execute(_DEFINERS, [schemas])}
    checks = []
    for function in model.of("function"):
        if function.security != "definer":
            continue
        name = f"{function.schema}.{function.name}"
        if name not in found:
            checks.append(Check("catalog", name, MISSING, FAIL, "security definer function missing"))
            continue
        src, definer, path = found[name]
        problems = []
        if not definer:
            problems.append("it is no longer security definer")
        if (src or "").strip() != function.body.strip():
            problems.append("its body differs from the spec's")
        if function.search_path is not None and _search_path(path) != _search_path(f"search_path={function.search_path}"):
            problems.append(f"its search_path is {path!r}, the spec sets {function.search_path!r}")
        checks.append(Check("catalog", name, WIDENS, FAIL, "security definer function: " + "; ".join(problems))
                      if problems else
                      Check("catalog", name, "definer_unchanged", PASS,
                            "security definer function: body and search_path as the spec says"))
    return checks


def _search_path(setting: str | None) -> str | None:
    """``search_path=""`` and ``search_path=''`` and spacing alike."""
    if setting is None:
        return None
    return setting.split("=", 1)[1].replace(" ", "").replace('"', "").replace("'", "")
