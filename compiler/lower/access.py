"""Access rules to row level security: the tenant fence, per-command policies and grants.

Every policy reads the signed-in user once per statement: `(SELECT <current_user_id>)` and the
membership lookups are wrapped in scalar subqueries, which PostgreSQL runs once as init plans,
so `tenant_column = ANY (...)` stays an index condition on indexes that lead with the tenant.
Under target citus (no subquery in a policy of a distributed table) they are bare calls of the
same stable functions (current_tenant.call_form). Off Supabase, where one database role serves
every caller, `select: public` opens the fence's reads to a request with no signed-in user.
"""
from __future__ import annotations

from pglast import ast

from .. import names
from ..meaning.context import Context
from ..meaning.suggest import suggest
from ..model import PRIVATE, PUBLIC, DeclaredAccess, Grant, Policy
from ..sqltext import ident, literal
from .citus import check_policy_subqueries
from .current_tenant import (
    CURRENT_MEMBERSHIP_ID,
    CURRENT_TENANT_ID,
    call_form,
    current_membership,
    current_tenant,
    scalar,
)
from .policy_sql import target_list
from .tables import TableDraft, check_literals, enum_values, reference_of

COMMANDS = ("select", "insert", "update", "delete")
PRIVILEGES = {"select": "SELECT", "insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}
TENANT_IDS = "user_tenant_ids"
MEMBERSHIP_IDS = "user_membership_ids"


def user_id(ctx: Context) -> str:
    if call_form(ctx):
        return f"({ctx.project.current_user_id})"
    return f"(SELECT {ctx.project.current_user_id})"


def tenant_ids(ctx: Context, role: str | None = None) -> str:
    args = f"{literal(role)}::{PUBLIC}.{ident(role_enum(ctx))}" if role is not None else ""
    if call_form(ctx):
        return f"{PRIVATE}.{TENANT_IDS}({args})"
    # The cast makes the scalar subquery an array expression: `x = ANY ((SELECT ...))` alone
    # would be read as `x = ANY (subquery)` and compare x with the whole array.
    return f"(SELECT {PRIVATE}.{TENANT_IDS}({args}))::uuid[]"


def tenant_condition(ctx: Context, column: str, role: str | None = None) -> str:
    """`column` is the request's tenant: one of the user's tenants (memberships), or the one it
    names (claim, setting); with `role`, one where the user has that role."""
    if scalar(ctx):
        return f"{ident(column)} = {current_tenant(ctx, role, role_enum(ctx))}"
    return f"{ident(column)} = ANY ({tenant_ids(ctx, role)})"


def fence_needs(ctx: Context, draft: TableDraft) -> tuple:
    """The lookup functions the table's fence and role rules call."""
    name = CURRENT_TENANT_ID if scalar(ctx) and draft.kind == "tenant" else TENANT_IDS
    return (("function", PRIVATE, name),)


def role_enum(ctx: Context) -> str | None:
    membership = ctx.spec.tables.get(ctx.project.membership_table)
    if membership is None or not ctx.project.role_column:
        return None
    column = (membership.get("columns") or {}).get(ctx.project.role_column) or {}
    return column.get("type")


def rules_by_command(ctx: Context, draft: TableDraft) -> dict[str, list[tuple[str, tuple]]]:
    """Each command's rules with where they were written; `all` fills commands not named."""
    access = draft.entry.get("access")
    if access is None:
        return {c: [("member", ("access",))] for c in COMMANDS}
    result: dict[str, list] = {}
    for command in COMMANDS:
        key = command if command in access else ("all" if "all" in access else None)
        if key is None:
            result[command] = [("member", ("access",))]
            continue
        value = access[key]
        rules = value if isinstance(value, list) else [value]
        result[command] = [(rule, ("access", key) + ((i,) if isinstance(value, list) else ())) for i, rule in enumerate(rules)]
    return result


def declared_access(ctx: Context, draft: TableDraft) -> DeclaredAccess:
    """The table's rules by command, as written (for verify; lowering itself uses
    rules_by_command with the places of the rules)."""
    rules = tuple((command, tuple(rule for rule, _ in found)) for command, found in rules_by_command(ctx, draft).items())
    owner = draft.entry.get("owner_column")
    reference = reference_of(((draft.entry.get("columns") or {}).get(owner) or {}).get("references")) if owner else None
    return DeclaredAccess(PUBLIC, draft.name, rules, owner,
                          bool(reference) and reference[0] == ctx.project.membership_table)


def check_owner_column(ctx: Context, draft: TableDraft) -> None:
    """E406: an owner_column names a column of its table, whether or not a rule uses `owner`
    yet (a misspelt name would otherwise pass CI until the first owner rule)."""
    owner = draft.entry.get("owner_column")
    if owner is not None and draft.column(owner) is None:
        ctx.error("E406", f"owner_column '{owner}' is not a column of '{draft.name}'", draft.entry, "owner_column",
                  value=True, hint=suggest(owner, [c.name for c in draft.columns]))


def check_rule(ctx: Context, draft: TableDraft, command: str, rule: str, keys: tuple, all_rules) -> bool:
    entry = draft.entry
    if rule == "public" and command != "select":
        ctx.error("E409", f"'public' grants select only; it cannot be used for {keys[1]}", entry, *keys, value=True)
        return False
    if rule in ("none", "service") and len(all_rules) > 1:
        ctx.error("E409", f"'{rule}' cannot be combined with other rules", entry, *keys, value=True)
        return False
    if rule == "owner":
        owner = entry.get("owner_column")
        if owner is None:
            ctx.error("E406", "rule 'owner' needs owner_column on the table", entry, *keys, value=True,
                      hint="add owner_column: <column holding the owning user>")
            return False
        if draft.column(owner) is None:   # reported once, by check_owner_column
            return False
    if rule.startswith("role:"):
        role = rule[len("role:"):]
        enum = role_enum(ctx)
        values = enum_values(ctx, enum) if enum else None
        if values is None:
            ctx.error("E407", f"'{rule}' needs tenancy.membership.role_column, a column with a spec enum type",
                      entry, *keys, value=True)
            return False
        if role not in values:
            ctx.error("E407", f"'{role}' is not a value of enum {enum} (membership role)", entry, *keys, value=True,
                      hint=suggest(role, values) or "values: " + ", ".join(values))
            return False
    return True


def owner_expression(ctx: Context, draft: TableDraft) -> str:
    owner = draft.entry.get("owner_column")
    reference = reference_of(((draft.entry.get("columns") or {}).get(owner) or {}).get("references"))
    if reference and reference[0] == ctx.project.membership_table:
        if scalar(ctx) and draft.kind == "tenant":
            return f"{ident(owner)} = {current_membership(ctx)}"
        if call_form(ctx):
            return f"{ident(owner)} = ANY ({PRIVATE}.{MEMBERSHIP_IDS}())"
        return f"{ident(owner)} = ANY ((SELECT {PRIVATE}.{MEMBERSHIP_IDS}())::{owner_type(ctx)}[])"
    return f"{ident(owner)} = {user_id(ctx)}"


def owner_type(ctx: Context) -> str:
    membership = ctx.spec.tables[ctx.project.membership_table]
    return ((membership.get("columns") or {}).get("id") or {}).get("type", "uuid")


def rule_expression(ctx: Context, draft: TableDraft, rule: str, command: str) -> str:
    tenant_key = "id" if draft.kind == "root" else ctx.project.tenant_column
    if rule == "public":
        return "true"
    if rule == "member":
        fence = fence_expression(ctx, draft)
        if fence is None:
            return f"{user_id(ctx)} IS NOT NULL"
        # The fence already holds a member to their tenants. Reads say no more (one init plan
        # less per query); writes repeat the tenant condition, or Supabase's linter flags an
        # always-true write policy.
        return "true" if command == "select" else fence
    if rule == "owner":
        return owner_expression(ctx, draft)
    role = rule[len("role:"):]
    if draft.kind == "shared":
        return f"cardinality({tenant_ids(ctx, role)}) > 0"
    if draft.kind == "root":   # the root keeps the memberships fence in every mode
        return f"{ident(tenant_key)} = ANY ({tenant_ids(ctx, role)})"
    return tenant_condition(ctx, tenant_key, role)


def combine(expressions: list[str]) -> str:
    unique = list(dict.fromkeys(expressions))
    if "true" in unique:
        return "true"
    return unique[0] if len(unique) == 1 else " OR ".join(f"({e})" for e in unique)


def with_live(draft: TableDraft, expression: str) -> str:
    """On soft_delete tables members see, change and delete live rows only, and an insert or
    update leaves the row live: a row is deleted by DELETE (the delete rule), never by setting
    deleted_at, which only service (bypassing row level security) does or undoes. (A row
    inserted deleted would be hidden at once, yet hold its unique keys for the tenant.)"""
    if not draft.soft_delete:
        return expression
    return "deleted_at IS NULL" if expression == "true" else f"(deleted_at IS NULL) AND ({expression})"


def fence_expression(ctx: Context, draft: TableDraft) -> str | None:
    if draft.kind == "shared":
        return None
    if draft.kind == "root":
        return f"id = ANY ({tenant_ids(ctx)})"
    return tenant_condition(ctx, ctx.project.tenant_column)


def open_to_nobody(ctx: Context, draft: TableDraft) -> bool:
    """Off Supabase a `select: public` table's fence lets a request with no signed-in user
    read every tenant's rows, as Supabase's fence (TO authenticated) lets anon: one database
    role serves both there, so the fence tells them apart by the user, not the role."""
    if ctx.project.supabase or draft.kind == "shared":
        return False
    return any(rule == "public" for rule, _ in rules_by_command(ctx, draft)["select"])


def nobody(ctx: Context) -> str:
    """The term of the fence that admits a request without a signed-in user."""
    return f"{user_id(ctx)} IS NULL"


def signed_in_only(ctx: Context, expression: str) -> str:
    """A hand-written policy of a table open to nobody holds for signed-in users only, as on
    Supabase (TO authenticated): the fence no longer stops a DELETE with no user."""
    return f"({user_id(ctx)} IS NOT NULL) AND ({expression})"


def lower_policies(ctx: Context, draft: TableDraft) -> tuple[list[Policy], list[Grant]]:
    project = ctx.project
    roles = project.signed_in_roles
    table = draft.name
    needs = fence_needs(ctx, draft)
    policies: list[Policy] = []
    fence = fence_expression(ctx, draft)
    if fence:
        # Reads only: the check on new rows stays the tenant's, so a request with no user writes
        # nothing, and the write policies below admit no such request either.
        using = f"({fence}) OR ({nobody(ctx)})" if open_to_nobody(ctx, draft) else fence
        policies.append(Policy(PUBLIC, table, names.policy_name(table, "tenant_fence"), "all", False, roles,
                               using, fence, needs))
    granted: dict[str, set[str]] = {}
    check_owner_column(ctx, draft)
    for command, rules in rules_by_command(ctx, draft).items():
        names_only = [r for r, _ in rules]
        if not all(check_rule(ctx, draft, command, r, k, names_only) for r, k in rules):
            continue
        if names_only in (["none"], ["service"]):
            continue
        expression = combine([rule_expression(ctx, draft, r, command) for r in names_only])
        policy_roles = roles
        if "public" in names_only:
            policy_roles = ("anon", "authenticated") if project.supabase else roles
            granted.setdefault("anon", set()).add(command)
        granted.setdefault(roles[0], set()).add(command)
        using = with_check = None
        if command in ("select", "delete"):
            using = with_live(draft, expression)
        elif command == "insert":
            with_check = with_live(draft, expression)
        else:
            using = with_check = with_live(draft, expression)
        lookup = next((f for f in (MEMBERSHIP_IDS, CURRENT_MEMBERSHIP_ID) if f"{PRIVATE}.{f}()" in expression), None)
        uses_owner = "owner" in names_only and draft.entry.get("owner_column") and lookup
        policy_needs = needs + ((("function", PRIVATE, lookup),) if uses_owner else ())
        policies.append(Policy(PUBLIC, table, names.policy_name(table, command), command, True, policy_roles,
                               using, with_check, policy_needs))
    policies += raw_policies(ctx, draft)
    grants = []
    if project.supabase:
        for role in ("anon", "authenticated"):
            if granted.get(role):
                grants.append(Grant(role, tuple(PRIVILEGES[c] for c in COMMANDS if c in granted[role])))
        grants.append(Grant("service_role", tuple(PRIVILEGES[c] for c in COMMANDS)))
    return policies, grants


def raw_policies(ctx: Context, draft: TableDraft) -> list[Policy]:
    entry = draft.entry
    result = []
    for name, spec in (entry.get("policies") or {}).items():
        keys = ("policies", name)
        command = spec.get("for")
        roles = tuple(spec.get("to") or ctx.project.signed_in_roles)
        if ctx.project.supabase:
            for i, role in enumerate(roles):
                if role not in ("authenticated", "service_role"):
                    ctx.error("E409", f"policy '{name}' is for role '{role}': raw policies may only be for "
                                      "authenticated (anon reads only through access: public)", entry, *keys, "to", i,
                              value=True)
        using = ctx.expression(entry, keys + ("using",), spec["using"]) if spec.get("using") is not None else None
        check = ctx.expression(entry, keys + ("with_check",), spec["with_check"]) if spec.get("with_check") is not None else None
        if command == "insert" and spec.get("using") is not None:
            ctx.error("E409", f"policy '{name}': an insert policy takes with_check, not using", entry, *keys, "using")
        if command in ("select", "delete") and spec.get("with_check") is not None:
            ctx.error("E409", f"policy '{name}': a {command} policy takes using, not with_check", entry, *keys,
                      "with_check")
        if spec.get("using") is None and spec.get("with_check") is None:
            ctx.error("E409", f"policy '{name}' needs using or with_check", entry, *keys)
        for key, expr in (("using", using), ("with_check", check)):
            if expr is not None:
                node = target_list(expr)
                check_policy_columns(ctx, draft, keys + (key,), node)
                check_policy_subqueries(ctx, draft, keys + (key,), node)
                check_literals(ctx, draft, keys + (key,), node)
        if using is not None and command != "insert":
            using = with_live(draft, signed_in_only(ctx, using) if open_to_nobody(ctx, draft) else using)
        if check is not None and command in ("insert", "update", "all"):
            check = with_live(draft, check)
        result.append(Policy(PUBLIC, draft.name, name, command, True, roles, using, check))
    return result


def check_policy_columns(ctx: Context, draft: TableDraft, keys: tuple, node) -> None:
    """Outside its subqueries a policy expression sees only the table's columns: PostgreSQL
    refuses any other name when it creates the policy."""
    known = [c.name for c in draft.columns]
    for name in _outer_column_names(node, draft.name):
        if name not in known:
            ctx.error("E402", f"{'.'.join(map(str, keys))}: table '{draft.name}' has no column '{name}'",
                      draft.entry, *keys, hint=suggest(name, known))


def _outer_column_names(node, table: str) -> list[str]:
    if isinstance(node, tuple):
        return [n for inner in node for n in _outer_column_names(inner, table)]
    if not isinstance(node, ast.Node) or isinstance(node, ast.SelectStmt):
        return []
    if isinstance(node, ast.ColumnRef):
        fields = [f.sval if isinstance(f, ast.String) else None for f in node.fields]
        if len(fields) == 1 or (len(fields) == 2 and fields[0] == table):
            return [fields[-1]] if fields[-1] is not None else []
        return []
    return [n for slot in node.__slots__ for n in _outer_column_names(getattr(node, slot), table)
            if isinstance(getattr(node, slot), (ast.Node, tuple))]
