"""The ``current_tenant`` family, run only where requests name their tenant (the scalar modes of
``project.tenancy.current_tenant``: a JWT claim or a transaction setting, which the lookup must
confirm against the memberships).  A caller controls what it names, so each probe names what
an attacker would:

  forged_own_rows      control: a member of B naming B sees B's rows (where members may read;
                       else "nothing of A" below would prove nothing)
  forged_select        a member of B naming A sees no row of A (every role of B)
  forged_insert        ... and cannot insert a valid row of A (on the membership table: make
                       oneself a member of A with the top role)
  forged_update /      ... and updates / deletes none of A's rows (0 rows or refused)
  forged_delete
  tenant_not_uuid      a member of A naming what is no uuid (``not-a-uuid``, the empty string; in
                       claim mode also a number and an object holding A's id) reads no row of a
                       tenant table, and gets no error
  tenant_missing       a member of A naming no tenant reads no row of a tenant table, no error
  tenant_missing_root  ... while the tenant root still lists A to them, and only A

The tenant root keeps the memberships fence, so on the root only the forged reads and writes and
``tenant_missing_root`` apply.  What ``role:`` rules allow a member naming their own tenant is
judged by the ``access_rules`` family (signed in as every role of A, naming A).
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from .catalog import SeedError
from .prober import INSUFFICIENT_PRIVILEGE, Prober, attempt
from .report import ERROR, FAIL, PASS
from .rows import delete_rows, ident, insert_statement, touch_rows
from .signin import sign_in_of

MALFORMED = ("not-a-uuid", "")


def names_tenant(seed) -> bool:
    return sign_in_of(seed.tenancy).names_tenant


def current_tenant_tables(seed) -> list[str]:
    return [seed.root, *seed.tables_of_kind("tenant")]


def current_tenant(p: Prober, qualified: str) -> None:
    root = qualified == p.seed.root
    column = p.t.root_key if root else p.t.column
    with p.scope():
        _forged(p, qualified, column, root)
        if root:
            _missing_root(p, qualified, column)
        else:
            _malformed(p, qualified)


def _counts(column: str, qualified: str) -> sql.Composable:
    """Rows of A, rows of B."""
    return sql.SQL("select count(*) filter (where {c} = %s), count(*) filter (where {c} = %s) from {t}").format(
        c=sql.Identifier(column), t=ident(qualified))


def _forged(p: Prober, qualified: str, column: str, root: bool) -> None:
    """A member of B names A: first the control (naming B, B's rows are seen), then the attacks."""
    count = _counts(column, qualified)
    seen = {}
    for role in p.roles:
        with p.as_member(role, of=p.b) as s:
            out = attempt(s.conn, count, (p.a.id, p.b.id))
        seen[role] = out.rows[0][1] if out.error is None else 0
    if p.member_may(qualified, "select"):
        best = max(seen, key=seen.get)
        if seen[best]:
            p.add(qualified, "forged_own_rows", f"B:{best}", PASS,
                  f"naming B ({p.sign_in.tenant_source}) sees {seen[best]} of B's own row(s)")
        else:
            p.add(qualified, "forged_own_rows", f"B:{'|'.join(p.roles)}", FAIL,
                  f"no role of B naming B ({p.sign_in.tenant_source}) sees B's own rows, though members may "
                  "read the table: seeing nothing of A when naming A proves nothing")
    for role in p.roles:
        actor = f"B:{role} naming A"
        try:
            values = None if root else p.attack_values(qualified, "A", p.b.users[role])
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc))
            values = None
        with p.as_member(role, of=p.b, tenant=p.a.id) as s:
            out = attempt(s.conn, count, (p.a.id, p.b.id))
            if out.error is not None:
                status = PASS if out.sqlstate == INSUFFICIENT_PRIVILEGE else ERROR
                p.add(qualified, "forged_select", actor, status, f"select: {out.describe()}", out)
            else:
                a_rows = out.rows[0][0]
                p.add(qualified, "forged_select", actor, PASS if a_rows == 0 else FAIL,
                      f"names A ({p.sign_in.tenant_source}), a tenant it is no member of: sees {a_rows} of A's "
                      "row(s)", out)
            if values is not None:
                p.refused(qualified, "forged_insert", actor, attempt(s.conn, *insert_statement(p.seed.info[qualified],
                                                                                        values)),
                          "naming A, insert a valid row of A")
            for probe, query, what in (("forged_update", touch_rows(qualified, column), "update A's rows"),
                                       ("forged_delete", delete_rows(qualified, column), "delete A's rows")):
                p.refused_or_none(qualified, probe, actor, attempt(s.conn, query, (p.a.id,)), f"naming A, {what}")


def _malformed(p: Prober, qualified: str) -> None:
    """Naming what is no uuid, or nothing: no row of the table, and no error."""
    named: list[tuple[str, Any]] = [(repr(v), v) for v in MALFORMED]
    if p.sign_in.tenant_claim:   # a claim holds any JSON: a number, an object
        named += [("42", 42), ("an object holding A's id", {"id": str(p.a.id)})]
    count = sql.SQL("select count(*) from {}").format(ident(qualified))
    for role in p.roles:
        for probe, tried in (("tenant_not_uuid", named), ("tenant_missing", [("nothing", None)])):
            wrong = []
            last = None
            for label, value in tried:
                with p.as_member(role, tenant=value) as s:
                    last = attempt(s.conn, count)
                if last.error is not None:
                    wrong.append(f"naming {label}: {last.describe()}")
                elif last.rows[0][0]:
                    wrong.append(f"naming {label}: sees {last.rows[0][0]} row(s)")
            names = ", ".join(label for label, _ in tried)
            if wrong:
                p.add(qualified, probe, p.actor(role), FAIL,
                      f"{p.sign_in.tenant_source}: a request naming no tenant of its own must read nothing, "
                      f"quietly; {'; '.join(wrong)}", last)
            else:
                p.add(qualified, probe, p.actor(role), PASS,
                      f"{p.sign_in.tenant_source} naming {names}: no row, no error", last)


def _missing_root(p: Prober, root: str, key: str) -> None:
    """Naming no tenant, a member still lists its tenants (to choose one), and only its own."""
    if not p.member_may(root, "select"):
        return
    count = sql.SQL("select count(*) filter (where {k} = %s), count(*) filter (where {k} is distinct from %s) "
                    "from {t}").format(k=sql.Identifier(key), t=ident(root))
    for role in p.roles:
        with p.as_member(role, tenant=None) as s:
            out = attempt(s.conn, count, (p.a.id, p.a.id))
        if out.error is not None:
            p.add(root, "tenant_missing_root", p.actor(role), FAIL,
                  f"naming no tenant, select of the tenant root: {out.describe()}", out)
            continue
        own, other = out.rows[0]
        status = PASS if own and not other else FAIL
        p.add(root, "tenant_missing_root", p.actor(role), status,
              f"naming no tenant, lists {own} of its own tenant(s) and {other} other(s) "
              "(the root keeps the memberships fence: a user lists the tenants it may name)", out)
