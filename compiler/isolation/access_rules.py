"""The ``access_rules`` family: every rule grants exactly what it says, no more and no less.

For every table with rules (tenant tables, the root, shared tables) and every command, each
role of A, and a signed-in user who is a member of no tenant, runs the command on a row of A
(a fresh one, owned by the member the ``owner`` rule should admit): it must succeed exactly when
the spec's rule (:mod:`.rules`, read from the model) grants it.  ``select``: sees the row or
not; ``insert``: a valid row of A accepted or refused (42501); ``update``/``delete``: reaches
the row or not (0 rows, or refused) -- these find the row by a WHERE, so PostgreSQL admits them
only where the select rule lets the actor read the row too.  Where a ``public`` rule reads, anon must see A's row.
Where only a hand-written policy could explain a success, the finding is a skip naming it.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from ..policy_rules import COMMANDS, Rules, table_rules
from .catalog import SeedError, TableInfo, api_roles
from .prober import FOREIGN_KEY_VIOLATION, INSUFFICIENT_PRIVILEGE, Outcome, Prober, attempt
from .report import ERROR, FAIL, PASS, SKIP
from .rows import delete_rows_by, ident, insert_statement, where

OUTSIDER = "signed-in non-member"


def rule_tables(seed) -> list[str]:
    return seed.tables_of_kind("root", "tenant", "shared")


def owner_role(p: Prober, rules: dict[str, Rules]) -> str:
    """The member who owns the probed row: one no ``role:`` rule of an owner-ruled command
    admits (so ``owner`` alone must let it in), preferably one that may read the row (an
    update or delete needs that too), else the last (least privileged) role."""
    roles = list(p.a.users)
    owned = [r for r in rules.values() if r.owners and r.command != "select"]
    free = [role for role in reversed(roles) if not any(role in r.roles for r in owned)]
    readers = [role for role in free if rules["select"].grants(role, owns=True)]
    return (readers or free or roles[-1:])[0]


def owner_values(p: Prober, info: TableInfo, rules: dict[str, Rules], role: str | None) -> dict[str, Any]:
    """The owner columns of any rule, set to ``role``'s membership row or user id."""
    values = {}
    for rule in rules.values():
        for column, how in rule.owners:
            if role is None or column not in info.columns:
                continue
            if how == "user":
                values[column] = p.a.users[role]
            else:
                fk = next((f for f in info.fks if tuple(f.columns) == (column,)), None)
                ref = fk.ref_columns[0] if fk is not None else "id"
                values[column] = p.a.memberships[role][ref]
    return values


def target_row(p: Prober, qualified: str, info: TableInfo, owners: dict[str, Any]) -> dict:
    """The row of A the commands are tried on: the root row of A, or a fresh row (kept in the
    family's savepoint) owned by ``owners``."""
    kind = info.table.kind
    if kind == "root":
        return p.a.rows[qualified]
    return p.seed.new_row(p.conn, qualified, "A" if kind == "tenant" else None, owners, fresh_parents=True)


def access_rules(p: Prober, qualified: str) -> None:
    info = p.seed.info[qualified]
    if not info.key:
        p.add(qualified, "access_rules", "superuser", ERROR, "no primary key or unique constraint to find the row by")
        return
    rules = table_rules(p.seed.model, info.table, p.access.get(qualified))
    owner = owner_role(p, rules)
    soft = "deleted_at" in info.columns
    with p.scope():
        try:
            row = target_row(p, qualified, info, owner_values(p, info, rules, owner))
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc))
            return
        key = p.seed.key_of(qualified, row)
        actors = [(role, p.a.users[role]) for role in p.a.users] + [(None, p.seed.new_auth_user(p.conn, "outsider"))]
        for command in COMMANDS:
            if command == "insert" and info.table.kind == "root":
                continue   # a new tenant is no row of A
            for role, user in actors:
                try:
                    statement = _statement(p, info, command, key, rules, role)
                except SeedError as exc:
                    p.add(qualified, "seed", "superuser", ERROR, str(exc))
                    return
                with p.as_user(user) as s:
                    out = _run(p, s.conn, info, command, statement, key, soft)
                _judge(p, qualified, rules[command], role, owner, allowed(info, rules, command, role, owner), out)
        if rules["select"].public and "anon" in api_roles(p.conn):
            with p.as_anon() as s:
                out = attempt(s.conn, *_statement(p, info, "select", key, rules, None))
            seen = out.error is None and out.rows[0][0] > 0
            p.add(qualified, "access_rules", "anon", PASS if seen else FAIL,
                  f"select {rules['select'].describe()}: anon {'sees' if seen else 'does not see'} A's row", out,
                  subject="select")


def allowed(info: TableInfo, rules: dict[str, Rules], command: str, role: str | None, owner: str) -> bool:
    """What the rules grant.  An UPDATE or DELETE that finds its row by a WHERE reads it, so
    PostgreSQL applies the select policies too: the row must also be readable."""
    needed = [rules[command]] + ([rules["select"]] if command in ("update", "delete") else [])
    if role is None:   # a member of no tenant: only the shared tables' `member` rule admits one
        return info.table.kind == "shared" and all(r.member for r in needed)
    return all(r.grants(role, owns=(role == owner) or r.command == "insert") for r in needed)


def _statement(p: Prober, info: TableInfo, command: str, key: dict, rules, role: str | None):
    q = info.qualified
    if command == "select":
        return sql.SQL("select count(*) from {} where {}").format(ident(q), where(key)), list(key.values())
    if command == "insert":
        tenant = "A" if info.table.kind == "tenant" else None
        # the actor's own row: its owner columns hold the actor, as the owner rule requires
        values = p.seed.valid_values(p.conn, q, tenant, owner_values(p, info, rules, role))
        return insert_statement(info, values)
    if command == "update":
        # a column any update may set to itself: not generated, not `identity always`
        first = next(c.name for c in info.columns.values() if not c.generated and c.identity != "a")
        return (sql.SQL("update {t} set {c} = {c} where {w}").format(t=ident(q), c=sql.Identifier(first), w=where(key)),
                list(key.values()))
    return delete_rows_by(q, key), list(key.values())


def _run(p: Prober, conn, info: TableInfo, command: str, statement, key: dict, soft: bool) -> Outcome:
    """Run the command; a delete on a soft_delete table reaches the row when it is marked."""
    if command == "delete" and soft:
        look = sql.SQL("select deleted_at is not null from {} where {}").format(ident(info.qualified), where(key))
        return p.attempt_and_look(conn, statement[0], statement[1], look, list(key.values()))
    return attempt(conn, *statement)


def reached(command: str, out: Outcome) -> bool | None:
    """Whether the command reached A's row (True), was kept from it (False), or neither can be
    told (None: an error other than a refusal)."""
    if out.error is not None:
        if out.sqlstate == INSUFFICIENT_PRIVILEGE:
            return False
        if command == "delete" and out.sqlstate == FOREIGN_KEY_VIOLATION:
            return True   # the policies let the delete through; rows referencing it stopped it
        return None
    if command == "select":
        return out.rows[0][0] > 0
    if out.looked:
        return True
    return bool(out.rowcount)


def _judge(p: Prober, qualified: str, rules: Rules, role: str | None, owner: str, expected: bool,
           out: Outcome) -> None:
    actor = p.actor(role) if role else OUTSIDER
    whose = "its own row" if role == owner and rules.owners and rules.command != "insert" else "A's row"
    what = f"{rules.command} {rules.describe()} on {whose}"
    got = reached(rules.command, out)
    if got is None:
        p.add(qualified, "access_rules", actor, ERROR, f"{what}: inconclusive ({out.describe()})", out,
              subject=rules.command)
    elif got == expected:
        verdict = "allowed" if got else "kept out"
        p.add(qualified, "access_rules", actor, PASS, f"{what}: {verdict} as the rule says ({out.describe()})", out,
              subject=rules.command)
    elif got and (rules.raw or rules.unknown):
        p.add(qualified, "access_rules", actor, SKIP, f"{what}: allowed, which only the hand-written policies "
              f"{', '.join(rules.raw + rules.unknown)} can grant; not judged", out, subject=rules.command)
    else:
        verdict = "allowed, though the rule does not grant it" if got else "kept out, though the rule grants it"
        p.add(qualified, "access_rules", actor, FAIL, f"{what}: {verdict} ({out.describe()})", out,
              subject=rules.command)
