"""Who gains or loses access in the next migration: each table and command whose rules change,
old -> new, and whether that widens or narrows access. Both sides are read back from the
models' generated policies (policy_rules.table_rules), the lock's model before and the spec's
after, so a difference is a difference in what the policies grant, never in how it was read.
Beside the grantees, a command's reach: the rows of the member's tenant or of every tenant (the
tenant fence), live rows or all (soft_delete). Hand-written policies (`policies:`) are their own
entries, by name (plan_policies.py). `plan` prints these in place of the policy operations they
explain."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Model, Table
from .plan_policies import policy_change, policy_data, policy_text
from .plan_words import (
    CHANGED,
    DELETED_ROWS,
    DROPPED,
    EQUIVALENT,
    NARROWER,
    NEW,
    UNKNOWN,
    WIDER,
    grantees_text,
    nobody_word,
    per_command_text,
    tail,
)
from .policy_rules import COMMANDS, Rules, hand_written, live_only, table_rules, tenant_fenced

OTHER_TENANTS = "members of other tenants"
ANY_SIGNED_IN = "any signed-in user"
# (reach when held, reach when not, who or what a change between them concerns)
FENCE = ("row's tenant", "any tenant", OTHER_TENANTS)
LIVE = ("live rows", "all rows", DELETED_ROWS)


@dataclass(frozen=True)
class AccessChange:
    """One line of the plan's access changes. ``old``/``new``: the grantees of one command (a
    tuple), of every command of a new or dropped table (a dict), or a hand-written policy's
    description (a dict, None where it does not exist). ``scope``: the reach that changes,
    ((old, new), ...), e.g. (("row's tenant", "any tenant"),)."""

    table: str
    command: str | None          # None: a new or dropped table, every command at once
    old: object
    new: object
    direction: str               # wider | narrower | changed | unknown | equivalent | new | dropped
    widens_for: tuple[str, ...] = ()
    narrows_for: tuple[str, ...] = ()
    policy: str | None = None    # a hand-written policy's name
    scope: tuple[tuple[str, str], ...] = ()

    @property
    def widens(self) -> bool:
        """Someone gains access: the plan puts it first, where a reviewer cannot miss it."""
        return bool(self.widens_for)

    @property
    def may_widen(self) -> bool:
        """A change whose direction cannot be told: listed right after the widenings."""
        return self.direction == UNKNOWN and not self.widens

    @property
    def moves_fence(self) -> bool:
        """The tenant fence goes or comes: the line says that policy's operation too."""
        return any(pair[0] in FENCE[:2] for pair in self.scope)

    def line(self, with_table: bool = True) -> str:
        head = f"{self.table} " if with_table else "access "
        if self.command is None:
            head = f"{self.table}: " if with_table else "access: "
            if self.direction == DROPPED:
                return head + "dropped"
            return head + "new table: " + per_command_text(self.new) + self._tail()
        if self.policy is not None:
            return (f"{head}{self.command}: policy {self.policy}: {policy_text(self.old, self.new)} → "
                    f"{policy_text(self.new, self.old)}{self._tail()}")
        old, new = grantees_text(self.old), grantees_text(self.new)
        if self.scope:
            old += " (" + ", ".join(o for o, _ in self.scope) + ")"
            new += " (" + ", ".join(n for _, n in self.scope) + ")"
        return f"{head}{self.command}: {old} → {new}{self._tail()}"

    def _tail(self) -> str:
        return tail(self.direction, self.widens_for, self.narrows_for, self.policy is not None)

    def data(self) -> dict:
        scope = {"old": [o for o, _ in self.scope], "new": [n for _, n in self.scope]} if self.scope else None
        return {"table": self.table, "command": self.command, "policy": self.policy,
                "old": _data(self.old), "new": _data(self.new), "direction": self.direction,
                "widens_for": list(self.widens_for), "narrows_for": list(self.narrows_for), "scope": scope}


def access_changes(previous: Model | None, model: Model, operations: list, hints=None) -> list[AccessChange]:
    """Every access change from ``previous`` (None: nothing released) to ``model``, widenings
    first, then the changes of unknown direction, then by table and command. A renamed table
    (a rename operation) is compared with itself under its old name. ``hints`` (the spec's
    declared access) tell `none` from `service` on the new side."""
    before = {(t.schema, t.name): t for t in previous.of("table")} if previous else {}
    after = {(t.schema, t.name): t for t in model.of("table")}
    renamed = {(op.schema, op.new): (op.schema, op.old) for op in operations
               if op.verb == "rename" and op.family == "table"}
    declared = getattr(hints, "access", None) or {}
    changes, matched = [], set()
    for key, table in after.items():
        old_key = renamed.get(key, key)
        nobody = nobody_word(declared.get(f"{table.schema}.{table.name}"))
        if old_key in before:
            matched.add(old_key)
            changes += _table_changes(previous, before[old_key], model, table, nobody)
        else:
            changes.append(_new_table(model, table, nobody))
    changes += [AccessChange(table.name, None, _per_command_grantees(previous, table, nobody_word(None)), None,
                             DROPPED)
                for key, table in before.items() if key not in matched]
    changes += _tenancy_change(previous, model)
    order = {c: i for i, c in enumerate(COMMANDS)}
    return sorted(changes, key=lambda c: (not c.widens, not c.may_widen, c.direction == EQUIVALENT, c.table,
                                          c.policy is not None, order.get(c.command, len(order)), c.policy or ""))


def _current_tenant(model: Model | None) -> tuple[str, str | None] | None:
    tenancy = model.tenancy if model is not None else None
    return (tenancy.current_tenant, tenancy.current_tenant_key) if tenancy is not None else None


def _tenancy_text(mode: tuple[str, str | None]) -> str:
    if mode[0] == "memberships":
        return "every tenant of the user (memberships)"
    return f"the one tenant the request names ({mode[0]} {mode[1]})"


def _tenancy_change(previous: Model | None, model: Model) -> list[AccessChange]:
    """`tenancy.current_tenant` changed: every tenant table's fence reads the tenant anew. The
    rules read back the same, so no table's line says it; this one does. To a scalar mode it
    narrows (a user of several tenants sees one per request, a request naming none sees
    nothing); back to memberships it widens the same way."""
    old, new = _current_tenant(previous), _current_tenant(model)
    if old is None or new is None or old == new:
        return []
    who = ("users of several tenants (one tenant per request)", "requests that name no tenant (nothing)")
    if "memberships" not in (old[0], new[0]):
        return [AccessChange("tenant tables", "fence", (_tenancy_text(old),), (_tenancy_text(new),), CHANGED)]
    wider = new[0] == "memberships"
    return [AccessChange("tenant tables", "fence", (_tenancy_text(old),), (_tenancy_text(new),),
                         WIDER if wider else NARROWER, widens_for=who if wider else (),
                         narrows_for=() if wider else who)]


def _table_changes(previous: Model, old_table: Table, model: Model, table: Table, nobody) -> list[AccessChange]:
    old_rules, new_rules = table_rules(previous, old_table), table_rules(model, table)
    everyone = (_every_role(previous, old_table), _every_role(model, table))
    changes = []
    for command in COMMANDS:
        old, new = _grantee_pair(old_rules[command], new_rules[command])
        scope = _scope(previous, old_table, model, table, old_rules[command], new_rules[command])
        if old != new or scope:
            shown = (_with_raw(old, old_rules[command], scope) or (nobody_word(None)(command),),
                     _with_raw(new, new_rules[command], scope) or (nobody(command),))
            changes += _compared(table.name, command, (old, new), shown, scope, everyone)
    old_raw = {p.name: p for p in hand_written(previous, old_table)}
    new_raw = {p.name: p for p in hand_written(model, table)}
    for name in sorted(old_raw.keys() | new_raw.keys()):
        before, after = old_raw.get(name), new_raw.get(name)
        if before is None or after is None or policy_data(before) != policy_data(after):
            changes.append(AccessChange(table.name, **policy_change(before, after)))
    return changes


def _scope(previous: Model, old_table: Table, model: Model, table: Table, old: Rules, new: Rules) -> list[tuple]:
    """What changes in a command's reach while someone may run it on both sides: (old, new,
    whom it concerns, widens). Losing the fence opens every tenant's rows to the grantees;
    losing `deleted_at IS NULL` (soft_delete) shows them the rows deleted so far. An insert
    leaves a row live either way: only what it reads is held."""
    if old.nobody or new.nobody:
        return []
    found = []
    pairs = [(FENCE, tenant_fenced(previous, old_table), tenant_fenced(model, table))]
    if old.command != "insert":
        pairs.append((LIVE, live_only(previous, old_table, old.command), live_only(model, table, new.command)))
    for (held, open_, whom), was, now in pairs:
        if was != now:
            found.append((held if was else open_, held if now else open_, whom, was and not now))
    return found


def _with_raw(grantees_: tuple, rules: Rules, scope: list) -> tuple:
    """A reach change holds the hand-written policies of the command too: they are named."""
    return grantees_ + tuple(f"policy {name}" for name in rules.raw) if scope else grantees_


def _every_role(model: Model, table: Table) -> frozenset[str] | None:
    """The roles that together are every member of the row's tenant: every value of the role
    enum where the membership's role column is NOT NULL, on a fenced table (on a shared one
    `member` is anyone signed in, more than the members with a role); None otherwise."""
    tenancy = model.tenancy
    if tenancy is None or not tenancy.role_column or not tenant_fenced(model, table):
        return None
    membership = next((t for t in model.of("table") if t.name == tenancy.membership), None)
    column = membership.column(tenancy.role_column) if membership else None
    enum = next((e for e in model.of("enum") if e.name == tenancy.role_enum), None)
    if column is None or column.nullable or enum is None:
        return None
    return frozenset(enum.values)


def _new_table(model: Model, table: Table, nobody) -> AccessChange:
    grantees_ = _per_command_grantees(model, table, nobody)
    public = ("public",) if "public" in grantees_["select"] else ()
    return AccessChange(table.name, None, None, grantees_, NEW, widens_for=public)


def _per_command_grantees(model: Model, table: Table, nobody) -> dict:
    """Every command's grantees, and the hand-written policies by name, when there are any."""
    result: dict = {command: grantees(rules) or (nobody(command),)
                    for command, rules in table_rules(model, table).items()}
    raw = {p.name: policy_data(p) for p in hand_written(model, table)}
    return result | ({"policies": raw} if raw else {})


def grantees(rules: Rules, owner: str = "owner") -> tuple[str, ...]:
    """Who the generated policy of one command admits, in the spec's words, what ``member``
    subsumes left out; () when nobody but the service role may."""
    if rules.public:
        return ("public",)
    if rules.member:
        return ("member",)
    return (tuple(f"role:{r}" for r in sorted(rules.roles)) + ((owner,) if rules.owners else ())
            + tuple(f"sql: {term}" for term in rules.unknown))


def _grantee_pair(old: Rules, new: Rules) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Both sides' grantees; an owner rule whose column changed is named by its column."""
    if old.owners and new.owners and old.owners != new.owners:
        return grantees(old, f"owner({old.owners[0][0]})"), grantees(new, f"owner({new.owners[0][0]})")
    return grantees(old), grantees(new)


def _covered(grantee: str, others: tuple[str, ...], everyone: frozenset[str] | None) -> bool:
    """Whether ``others`` already admit everyone ``grantee`` admits: `public` (select) admits
    every member too, `member` admits every role and every owner (an owner is a member of the
    row's tenant, or signed in on a shared table), and so do all the roles of ``everyone``
    together. A term of unknown shape is only itself."""
    if grantee in others:
        return True
    if grantee.startswith("sql: "):
        return False
    if "public" in others:
        return True
    if grantee == "public":
        return False
    every_role = everyone is not None and all(f"role:{r}" in others for r in everyone)
    return every_role or (grantee != "member" and "member" in others)


def _compared(table: str, command: str, sides: tuple, shown: tuple, scope: list,
              everyone: tuple) -> list[AccessChange]:
    """The change of one command: who gains and loses among the grantees, and what the reach
    change concerns; `equivalent` where the grantees read differently and admit the same."""
    (old, new), (old_every, new_every) = sides, everyone
    widens = tuple(g for g in new if not _covered(g, old, old_every))
    narrows = tuple(g for g in old if not _covered(g, new, new_every))
    widens += tuple(w for *_, whom, wider in scope if wider for w in _whom(whom, new))
    narrows += tuple(w for *_, whom, wider in scope if not wider for w in _whom(whom, old))
    pairs = tuple((o, n) for o, n, *_ in scope)
    if not widens and not narrows:
        return [AccessChange(table, command, shown[0], shown[1], EQUIVALENT, scope=pairs)]
    if any(g.startswith("sql: ") for g in widens + narrows):
        direction = UNKNOWN
    else:
        direction = CHANGED if widens and narrows else WIDER if widens else NARROWER
    return [AccessChange(table, command, shown[0], shown[1], direction, widens, narrows, scope=pairs)]


def _whom(whom: str, grantees_: tuple) -> tuple[str, ...]:
    """On a shared table `member` is anyone signed in, not only the members of some tenant."""
    return (whom, ANY_SIGNED_IN) if whom == OTHER_TENANTS and "member" in grantees_ else (whom,)


def _data(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    return value
