"""Compile-time warnings about access rules that are slow or risky (W101..W106, codes.py). The
build goes on and writes the migration; `build` and `plan` print them at the spec's line.

They read the spec (where things were written, and what it left unsaid: a write command
without a rule) and the model (the policies and indexes the spec lowered to). A table,
function or the project silences codes with `warnings: {ignore: [W103]}`: some are deliberate
(a raw policy meant to widen a generated one), and a warning that cannot be answered but by
silence should be said once, where the choice is made.
"""
from __future__ import annotations

from .. import names
from ..codes import SPEC_WARNINGS
from ..diagnostics import Diagnostic, Location
from ..model import PUBLIC, Index, Model, Policy, Table
from ..source.spec import Entry, Spec
from .access import COMMANDS
from .citus_warnings import distributed_trigger_warnings
from .definer_sql import path_reliance
from .policy_sql import read_policy
from .view_warnings import soft_deleted_rows_warnings

WRITES = ("insert", "update", "delete")
USING_COMMANDS = ("select", "update", "delete", "all")   # a policy's USING filters existing rows


def access_warnings(spec: Spec, model: Model) -> list[Diagnostic]:
    tables = {o.name: o for o in model.objects if isinstance(o, Table) and o.schema == PUBLIC}
    policies: dict[str, list[Policy]] = {}
    indexes: dict[str, list[Index]] = {}
    for o in model.objects:
        if isinstance(o, Policy):
            policies.setdefault(o.table, []).append(o)
        elif isinstance(o, Index) and not o.on_view:
            indexes.setdefault(o.table, []).append(o)
    tenant_column = model.tenancy.column if model.tenancy else None
    volatility = {name: f.get("volatility", "volatile") for name, f in spec.functions.items()}
    found: list[Diagnostic] = []
    for name, entry in spec.tables.items():
        table = tables[name]
        own = row_call_warnings(entry, volatility) + unindexed_warnings(entry, table, indexes.get(name, []), tenant_column)
        own += overlap_warnings(entry, policies.get(name, [])) + implicit_write_warnings(entry, table)
        own += api_unusable_index_warnings(entry) + distributed_trigger_warnings(entry, model)
        if model.target == "citus":   # Citus refuses the subselect W101 asks for (E413)
            own = [w for w in own if w.code != "W101"]
        found += [w for w in own if w.code not in ignored(entry)]
    found += soft_deleted_rows_warnings(spec, model, ignored)
    relations = set(spec.tables) | set(spec.views)
    for name, entry in spec.functions.items():
        found += [w for w in definer_warnings(entry, set(spec.functions), relations) if w.code not in ignored(entry)]
    skipped = ignored(spec.project)
    return sorted((w for w in found if w.code not in skipped), key=Diagnostic.sort_key)


def ignored(entry: Entry | None) -> set[str]:
    settings = entry.get("warnings") if entry is not None else None
    return set((settings or {}).get("ignore") or ()) if isinstance(settings, dict) else set()


def warning(code: str, message: str, location: Location, hint: str | None = None) -> Diagnostic:
    assert code in SPEC_WARNINGS, code
    return Diagnostic(code, message, location, hint, severity="warning")


def raw_policies(entry: Entry) -> list[tuple[str, dict]]:
    return [(name, spec) for name, spec in (entry.get("policies") or {}).items() if isinstance(spec, dict)]


def row_call_warnings(entry: Entry, volatility: dict[str, str]) -> list[Diagnostic]:
    """W101: a call that does not depend on the row, outside any subquery, runs once per row;
    written `(SELECT f())` it is an init plan, run once per statement. (The policies the
    access rules generate are written that way already.)"""
    result = []
    for name, spec in raw_policies(entry):
        for key in ("using", "with_check"):
            if spec.get(key) is None:
                continue
            calls = read_policy(spec[key], entry.name, volatility).row_calls
            if calls:
                shown = ", ".join(calls)
                result.append(warning(
                    "W101", f"policy '{name}' ({key}) calls {shown} once per row: it does not depend on the row",
                    entry.at("policies", name, key),
                    "wrap it in a subselect, which PostgreSQL runs once per statement: "
                    + ", ".join(f"(select {call})" for call in calls)))
    return result


def unindexed_warnings(entry: Entry, table: Table, indexes: list[Index], tenant_column: str | None) -> list[Diagnostic]:
    """W102: a column a policy filters existing rows on (USING; WITH CHECK reads only the new
    row) without an index leading with it, after the tenant column on tenant tables, where the
    fence already narrows every query to the tenant. The root table is left out: its fence is
    its primary key, which narrows every query to the user's own tenants."""
    if table.kind == "root":
        return []
    lead = (tenant_column,) if table.kind == "tenant" and tenant_column else ()
    places: dict[str, tuple] = {}
    owner = entry.get("owner_column")
    if owner and any("owner" in rules_of(entry, command) for command in ("select", "update", "delete")):
        places[owner] = ("owner_column",)
    for name, spec in raw_policies(entry):
        if spec.get("using") is not None and spec.get("for") in USING_COMMANDS:
            for column in read_policy(spec["using"], entry.name).columns:
                places.setdefault(column, ("policies", name, "using"))
    leading = index_leads(table, indexes)
    result = []
    for column, keys in places.items():
        if column in lead or table.column(column) is None:
            continue
        if (column,) in leading or lead + (column,) in leading:
            continue
        wanted = ", ".join(lead + (column,))
        result.append(warning(
            "W102", f"table '{table.name}': policies filter on column '{column}', and no index leads with it"
                    + (f" after {tenant_column}" if lead else ""),
            entry.at(*keys), f"add {{columns: [{wanted}]}} to tables.{table.name}.indexes"))
    return result


def index_leads(table: Table, indexes: list[Index]) -> set[tuple[str, ...]]:
    """The first one and two columns of every key and index a policy filter can use: btree, and
    not partial, unless the predicate is the live-row filter every policy of a soft_delete
    table carries."""
    soft_delete = (table.column("deleted_at") is not None and table.column("deleted_at").origin == "soft_delete")
    keys = [c.columns for c in table.constraints if c.kind in ("primary_key", "unique")]
    keys += [tuple(k.column for k in ix.keys) for ix in indexes if ix.method == "btree"
             and (ix.where is None or (soft_delete and ix.where == "deleted_at IS NULL"))]
    return {key[:n] for key in keys for n in (1, 2) if len(key) >= n}


def rules_of(entry: Entry, command: str) -> list[str]:
    access = entry.get("access") or {}
    value = access.get(command, access.get("all"))
    return [] if value is None else (value if isinstance(value, list) else [value])


def overlap_warnings(entry: Entry, policies: list[Policy]) -> list[Diagnostic]:
    """W103: PostgreSQL evaluates every permissive policy that applies to a role and command,
    and ORs them. A raw policy is warned about against the generated ones and the raw ones
    written before it (the generated ones never overlap each other: one per command)."""
    raw = [name for name, _ in raw_policies(entry)]
    by_name = {p.name: p for p in policies if p.permissive}
    earlier = [p for p in by_name.values() if p.name not in raw]
    result = []
    for name in raw:
        policy = by_name.get(name)
        if policy is None:
            continue
        commands: dict[str, list[str]] = {}
        roles: set[str] = set()
        for other in earlier:
            shared = set(commands_of(policy)) & set(commands_of(other))
            both = shared_roles(policy.roles, other.roles)
            if shared and both:
                roles |= both
                for command in shared:
                    commands.setdefault(command, []).append(other.name)
        earlier.append(policy)
        if commands:
            listed = [c for c in COMMANDS if c in commands]
            others = sorted({n for c in listed for n in commands[c]})
            result.append(warning(
                "W103", f"policy '{name}' is one more permissive policy for {', '.join(sorted(roles))} on "
                        f"{', '.join(listed)} of '{entry.name}' (with {', '.join(others)}): PostgreSQL evaluates "
                        "each of them for every row and ORs them",
                entry.at("policies", name),
                "fold the conditions into one policy, or into the access rules; if the OR is meant, "
                "say so with warnings: {ignore: [W103]} on the table"))
    return result


def commands_of(policy: Policy) -> tuple[str, ...]:
    return COMMANDS if policy.command == "all" else (policy.command,)


def shared_roles(first: tuple[str, ...], second: tuple[str, ...]) -> set[str]:
    """The roles both policies apply to; `public` is every role."""
    if "public" in first:
        return set(second)
    if "public" in second:
        return set(first)
    return set(first) & set(second)


def implicit_write_warnings(entry: Entry, table: Table) -> list[Diagnostic]:
    """W104: a write command the access rules do not name falls back to `member`. Once per
    table; `all: member` (or the command named) records that it is meant."""
    access = entry.get("access")
    if isinstance(access, dict) and "all" in access:
        return []
    missing = [c for c in WRITES if not isinstance(access, dict) or c not in access]
    if not missing:
        return []
    who = "every signed-in user" if table.kind == "shared" else "every member of the row's tenant"
    unsaid = "no access rules" if access is None else f"no access rule for {', '.join(missing)}"
    return [warning(
        "W104", f"table '{table.name}' has {unsaid}: {', '.join(missing)} "
                f"{'falls' if len(missing) == 1 else 'fall'} back to member, so {who} may write its rows",
        entry.at("access") if access is not None else entry.at(),
        "name the rule of each write command (e.g. update: [owner, role:admin]), or write all: member "
        "if every member is meant to")]


def definer_warnings(entry: Entry, functions: set, relations: set) -> list[Diagnostic]:
    """W105: a security definer function keeps to its fixed search_path = '' only if its body
    names the spec's objects with their schema and does not set search_path itself."""
    if not isinstance(entry.data, dict) or entry.data.get("security") != "definer":
        return []
    reliance = path_reliance(entry.data, functions, relations)
    result = []
    if reliance.unqualified:
        named = ", ".join(reliance.unqualified)
        result.append(warning(
            "W105", f"security definer function '{entry.name}' names {named} without a schema: it runs with "
                    "search_path = '', so they are not found when it is called",
            entry.at("body"), "qualify them: " + ", ".join(f"public.{n}" for n in reliance.unqualified)))
    if reliance.sets_search_path:
        result.append(warning(
            "W105", f"security definer function '{entry.name}' sets search_path in its body: the names after "
                    "it resolve through that path, where a caller may have planted objects",
            entry.at("body"), "leave search_path = '' and qualify names (public.<name>, pg_catalog.<name>)"))
    return result


# Default GIN opclasses whose operators PostgreSQL 15 does not mark leakproof (none of GIN's are).
_NOT_LEAKPROOF_GIN_TYPES = ("jsonb", "tsvector")
# Opclasses named in the spec that serve no leakproof operator: containment, paths, text search
# (btree_gin's opclasses serve the leakproof = of their types, and are not listed).
_NOT_LEAKPROOF_OPCLASSES = ("jsonb_ops", "jsonb_path_ops", "array_ops", "tsvector_ops")


def api_unusable_index_warnings(entry: Entry) -> list[Diagnostic]:
    """W106: a trigram index (gin_trgm_ops, gist_trgm_ops), or a GIN index on jsonb, an array or
    a tsvector, serves operators that are not leakproof. Row level security applies its policies
    before any condition that might leak a row's values, so such a condition is never an index
    condition for anon or authenticated: it filters the rows the fence let through
    (benchmarks/rls_variants.py, section 5). The index still serves the service role and
    security definer functions, which bypass row level security."""
    result = []
    columns = entry.get("columns") or {}
    for i, index in enumerate(entry.get("indexes") or ()):
        if not isinstance(index, dict):
            continue
        opclass = str(index.get("opclass") or "")
        named = [str(c).split()[0] for c in index.get("columns") or () if str(c).split()]
        types = [str((columns.get(c) or {}).get("type", "")) for c in named]
        container = index.get("method") == "gin" and not opclass and any(
            t in _NOT_LEAKPROOF_GIN_TYPES or t.endswith("[]") for t in types)
        if opclass.endswith("_trgm_ops") or opclass in _NOT_LEAKPROOF_OPCLASSES or container:
            what = f"{opclass} on {', '.join(named)}" if opclass else f"gin on {', '.join(named)}"
            result.append(warning(
                "W106", f"index {index.get('name') or names.index_name(entry.name, named)} ({what}) of '{entry.name}' can serve only roles that "
                        "bypass row level security: its operators are not leakproof, so for anon and "
                        "authenticated PostgreSQL filters by them after the tenant fence",
                entry.at("indexes", i),
                "keep it if the service role or a security definer function searches with it, and say so with "
                "warnings: {ignore: [W106]} on the table; otherwise drop it"))
    return result
