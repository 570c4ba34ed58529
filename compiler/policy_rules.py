"""The spec's access rules of a table: as the spec declared them (:class:`DeclaredAccess`, which
lowering hands out beside the model), or read back from a model's generated policies (a lock
alone, or either side of `plan`'s access changes, so both sides are read the same way).

Declared rules are what verify's probes should judge by: then a generated policy that grants
other than its rule is caught, whether the catalog drifted or the compiler wrote it wrong.  Read
back, only drift is caught.  Either way the catalog's policies (the database under test) are
never the source.  Read back from the model: each generated
per-command policy (``<table>_<command>``) is an OR of terms lowering writes in a fixed shape,
one per rule (``member``, ``role:<r>``, ``owner``; ``true`` for ``public`` and ``member``
reads), inside ``deleted_at IS NULL`` on soft_delete tables; a select is ``public`` where its policy is
for anon (Supabase) or the tenant fence admits a request with no user (elsewhere).  A command without a generated
policy is ``service`` or ``none``: no member may run it.  Hand-written policies (``policies:``)
are kept by name: what they grant is not a rule, so the probes do not judge the roles they
might admit.  This sits in the model layer: the isolation harness and the `plan` command both
read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import names
from .model import DeclaredAccess, Model, Policy, Table
from .policy_direction import top_level_terms

COMMANDS = ("select", "insert", "update", "delete")
LIVE = "deleted_at IS NULL"
_IDENT = r'("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)'
# (SELECT atlas_private.user_tenant_ids(['<role>'::<enum>]))::uuid[], as lower/access.py writes it
# ... or, under target citus (no subquery in a policy), the bare call atlas_private.user_tenant_ids(...)
_TENANT_IDS = r"(?:\(SELECT [\w\".]+\.user_tenant_ids\((?:'((?:[^']|'')*)'::[^)]+)?\)\)::uuid\[\]|[\w\".]+\.user_tenant_ids\((?:'((?:[^']|'')*)'::[^)]+)?\))"
_MEMBER_OF = re.compile(_IDENT + r" = ANY \(" + _TENANT_IDS + r"\)$")
_ROLE_ANYWHERE = re.compile(r"cardinality\(" + _TENANT_IDS + r"\) > 0$")
_OWNER_MEMBERSHIP = re.compile(_IDENT + r" = ANY \((?:\(SELECT [\w\".]+\.user_membership_ids\(\)\)::[^\[]+\[\]|[\w\".]+\.user_membership_ids\(\))\)$")
# The scalar fence of tenancy.current_tenant claim/setting (lower/current_tenant.py)
_CURRENT_TENANT = re.compile(_IDENT + r" = (?:\(SELECT [\w\".]+\.current_tenant_id\((?:'((?:[^']|'')*)'::[^)]+)?\)\)|[\w\".]+\.current_tenant_id\((?:'((?:[^']|'')*)'::[^)]+)?\))$")
_OWNER_CURRENT = re.compile(_IDENT + r" = (?:\(SELECT [\w\".]+\.current_membership_id\(\)\)|[\w\".]+\.current_membership_id\(\))$")


@dataclass(frozen=True)
class Rules:
    """What the spec grants members for one command of one table."""

    command: str
    member: bool = False                        # every member of the row's tenant (or signed-in user)
    roles: frozenset[str] = frozenset()         # role:<r>
    owners: tuple[tuple[str, str], ...] = ()    # owner: (column, "membership" | "user")
    public: bool = False                        # select: anon reads too
    raw: tuple[str, ...] = ()                   # hand-written policies that also apply
    unknown: tuple[str, ...] = field(default=())  # generated terms of no known shape

    @property
    def nobody(self) -> bool:
        """``service`` or ``none``: no member may."""
        return not (self.member or self.roles or self.owners or self.raw or self.unknown)

    def grants(self, role: str | None, owns: bool) -> bool:
        """Whether the rules let a member with ``role`` (None: signed in, member of no tenant
        role) run the command on a row of its tenant that it owns (``owns``) or not."""
        return self.member or (role in self.roles) or (owns and bool(self.owners))

    def canonical(self) -> "Rules":
        """The same grant with what ``member`` subsumes left out (a policy of ``[member, role:x]``
        reads ``true``, so nothing tells the role apart)."""
        return Rules(self.command, self.member, frozenset() if self.member else self.roles,
                     () if self.member else self.owners, self.public, self.raw, self.unknown)

    def describe(self) -> str:
        parts = (["public"] if self.public else []) + (["member"] if self.member and not self.public else [])
        parts += [f"role:{r}" for r in sorted(self.roles)] + ["owner" for _ in self.owners[:1]]
        return "[" + ", ".join(parts or ["service/none"]) + "]"


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def without_live(expression: str) -> str:
    """``expression`` without the ``deleted_at IS NULL`` lowering puts around every rule of a
    soft_delete table (``true`` when that is all it says)."""
    parts = top_level_terms(expression, " AND ")
    if len(parts) == 2 and parts[0] == LIVE:
        return parts[1]
    return "true" if expression == LIVE else expression


def decode(expression: str, current_user_id: str) -> tuple[list[tuple], list[str]]:
    """The rules of one generated policy expression: ([("member",), ("role", r), ("owner", col,
    how)], unknown terms)."""
    expression = without_live(expression)
    rules, unknown = [], []
    users = (f"(SELECT {current_user_id})", f"({current_user_id})")   # the second: target citus
    for term in top_level_terms(expression, " OR "):
        user = next((u for u in users if term.endswith(f" = {u}")), users[0])
        if term == "true" or term in (f"{u} IS NOT NULL" for u in users):
            rules.append(("member",))
        elif (m := _MEMBER_OF.match(term)) or (m := _ROLE_ANYWHERE.match(term)) or (m := _CURRENT_TENANT.match(term)):
            # the role's group of whichever form matched (the column name is group 1 but in cardinality)
            role = next((g for g in m.groups()[0 if m.re is _ROLE_ANYWHERE else 1:] if g is not None), None)
            rules.append(("role", role.replace("''", "'")) if role is not None else ("member",))
        elif (m := _OWNER_MEMBERSHIP.match(term)) or (m := _OWNER_CURRENT.match(term)):
            rules.append(("owner", _unquote(m.group(1)), "membership"))
        elif term.endswith(f" = {user}") and re.fullmatch(_IDENT, term[:-len(f" = {user}")]):
            rules.append(("owner", _unquote(term[:-len(f" = {user}")]), "user"))
        else:
            unknown.append(term)
    return rules, unknown


def is_live(expression: str | None) -> bool:
    """Whether ``expression`` admits live rows only: lowering's ``deleted_at IS NULL`` around it."""
    if expression is None:
        return False
    parts = top_level_terms(expression, " AND ")
    return expression == LIVE or (len(parts) == 2 and parts[0] == LIVE)


def tenant_fenced(model: Model, table: Table) -> bool:
    """Whether the table's rows are held to the member's tenants: its restrictive tenant fence."""
    fence = names.policy_name(table.name, "tenant_fence")
    return any(p.name == fence and not p.permissive for p in _policies_of(model, table))


def live_only(model: Model, table: Table, command: str) -> bool:
    """Whether every permissive policy of ``command`` admits live rows only (a soft_delete
    table); False where none applies."""
    applying = [p for p in _policies_of(model, table) if p.permissive and p.command in (command, "all")]
    return bool(applying) and all(is_live(p.using if p.using is not None else p.with_check) for p in applying)


def _policies_of(model: Model, table: Table) -> list[Policy]:
    return [p for p in model.of("policy") if (p.schema, p.table) == (table.schema, table.name)]


def _generated_names(table: Table) -> set[str]:
    """The policies lowering writes for ``table``: one per command and the tenant fence."""
    return {names.policy_name(table.name, c) for c in (*COMMANDS, "tenant_fence")}


def hand_written(model: Model, table: Table) -> list[Policy]:
    """The table's policies from its spec's ``policies:`` (every policy but the generated ones)."""
    generated = _generated_names(table)
    return [p for p in model.of("policy")
            if (p.schema, p.table) == (table.schema, table.name) and p.name not in generated]


def open_to_nobody(model: Model, table: Table) -> bool:
    """Whether the tenant fence lets a request with no signed-in user read (off Supabase, a
    ``select: public`` table: lower/access.py's ``(<fence>) OR (<user> IS NULL)``)."""
    user_id = model.tenancy.current_user_id if model.tenancy else "auth.uid()"
    fence = names.policy_name(table.name, "tenant_fence")
    nobody = {f"(SELECT {user_id}) IS NULL", f"({user_id}) IS NULL"}   # the second: target citus
    return any(p.name == fence and not p.permissive and p.using is not None
               and nobody & set(top_level_terms(p.using, " OR ")) for p in _policies_of(model, table))


def table_rules(model: Model, table: Table, declared: DeclaredAccess | None = None) -> dict[str, Rules]:
    """Each command's rules for ``table``: ``declared`` when given, else from the model's policies;
    the hand-written policies that also apply from the model."""
    policies = _policies_of(model, table)
    generated_names = {c: names.policy_name(table.name, c) for c in COMMANDS}
    user_id = model.tenancy.current_user_id if model.tenancy else "auth.uid()"
    nobody_reads = open_to_nobody(model, table)
    result = {}
    for command in COMMANDS:
        generated = next((p for p in policies if p.name == generated_names[command] and p.command == command), None)
        raw = tuple(p.name for p in hand_written(model, table) if p.permissive and p.command in (command, "all"))
        result[command] = (_declared(command, declared, raw) if declared is not None
                           else _rules_of(command, generated, raw, user_id, nobody_reads))
    return result


def _declared(command: str, declared: DeclaredAccess, raw: tuple[str, ...]) -> Rules:
    names_ = declared.of(command)
    owners = ((declared.owner_column, "membership" if declared.owner_is_membership else "user"),)
    return Rules(command, member="member" in names_ or "public" in names_,
                 roles=frozenset(r[len("role:"):] for r in names_ if r.startswith("role:")),
                 owners=owners if "owner" in names_ and declared.owner_column else (),
                 public=command == "select" and "public" in names_, raw=raw)


def _rules_of(command: str, policy: Policy | None, raw: tuple[str, ...], user_id: str, nobody_reads: bool) -> Rules:
    if policy is None:
        return Rules(command, raw=raw)
    expression = policy.using if policy.using is not None else policy.with_check
    decoded, unknown = decode(expression or "true", user_id)
    return Rules(command, member=("member",) in decoded,
                 roles=frozenset(r[1] for r in decoded if r[0] == "role"),
                 owners=tuple(r[1:] for r in decoded if r[0] == "owner"),
                 public=command == "select" and ("anon" in policy.roles or nobody_reads),
                 raw=raw, unknown=tuple(unknown))
