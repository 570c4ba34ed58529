"""The ``soft_delete`` family, on tables with ``soft_delete``: a soft-deleted row of A is
invisible to every role of A and cannot be un-deleted; an UPDATE cannot soft-delete a row (only
DELETE does, through the trigger); a member's DELETE, where the rule allows it, marks the row
(``deleted_at`` set) and leaves it in the table, as the superuser sees.

Positive control first: some role of A sees the fresh row while it is live (where members may
read), or "invisible once deleted" would prove nothing."""

from __future__ import annotations

from psycopg import sql

from ..policy_rules import table_rules
from .access_rules import allowed, owner_role, owner_values
from .catalog import SeedError
from .prober import Prober, attempt
from .report import ERROR, FAIL, PASS
from .rows import delete_rows_by, ident, where

COLUMN = "deleted_at"


def soft_delete_tables(seed) -> list[str]:
    return [q for q in seed.tables_of_kind("tenant", "shared") if COLUMN in seed.info[q].columns
            and any(c.origin == "soft_delete" for c in seed.info[q].table.columns)]


def soft_delete(p: Prober, qualified: str) -> None:
    info = p.seed.info[qualified]
    rules = table_rules(p.seed.model, info.table, p.access.get(qualified))
    owner = owner_role(p, rules)
    tenant = "A" if info.table.kind == "tenant" else None
    with p.scope():
        try:
            live = p.seed.new_row(p.conn, qualified, tenant, owner_values(p, info, rules, owner), fresh_parents=True)
            gone = p.seed.new_row(p.conn, qualified, tenant, owner_values(p, info, rules, owner), fresh_parents=True)
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc))
            return
        live_key, gone_key = p.seed.key_of(qualified, live), p.seed.key_of(qualified, gone)
        t, col = ident(qualified), sql.Identifier(COLUMN)
        count = sql.SQL("select count(*) from {} where {}").format(t, where(gone_key))
        seen = {}
        for role in p.a.users:
            with p.as_member(role) as s:
                out = attempt(s.conn, count, list(gone_key.values()))
            seen[role] = out.rows[0][0] if out.error is None else 0
        if p.member_may(qualified, "select"):
            best = max(seen, key=seen.get)
            p.add(qualified, "soft_delete_live_visible", p.actor(best) if seen[best] else p.all_roles(),
                  PASS if seen[best] else FAIL,
                  "sees the live row" if seen[best] else "no role of A sees the live row: hiding it proves nothing")
        p.conn.execute(sql.SQL("update {} set {} = now() where {}").format(t, col, where(gone_key)),
                       list(gone_key.values()))
        mark = sql.SQL("update {} set {} = now() where {}").format(t, col, where(live_key))
        undelete = sql.SQL("update {} set {} = null where {}").format(t, col, where(gone_key))
        look = sql.SQL("select count(*) = 1 and bool_and({c} is not null) from {t} where {w}").format(
            c=col, t=t, w=where(live_key))
        for role in p.a.users:
            actor = p.actor(role)
            with p.as_member(role) as s:
                out = attempt(s.conn, count, list(gone_key.values()))
                hidden = out.error is None and out.rows[0][0] == 0
                p.add(qualified, "soft_deleted_hidden", actor, PASS if hidden or p.is_refusal(out) else FAIL,
                      f"a soft-deleted row of A: {'invisible' if hidden else out.describe() + ' visible'}", out)
                p.refused_or_none(qualified, "undelete_by_update", actor, attempt(s.conn, undelete,
                                  list(gone_key.values())), f"set {COLUMN} = null on a soft-deleted row")
                p.refused_or_none(qualified, "soft_delete_by_update", actor, attempt(s.conn, mark,
                                  list(live_key.values())), f"set {COLUMN} on a live row by UPDATE")
                if allowed(info, rules, "delete", role, owner):
                    out = p.attempt_and_look(s.conn, delete_rows_by(qualified, live_key), list(live_key.values()),
                                             look, list(live_key.values()))
                    _judge_delete(p, qualified, actor, out)


def _judge_delete(p: Prober, qualified: str, actor: str, out) -> None:
    if out.error is not None:
        p.add(qualified, "soft_delete_marks", actor, ERROR, f"delete a live row the rule lets it delete: "
              f"{out.describe()}", out)
    elif out.looked:
        p.add(qualified, "soft_delete_marks", actor, PASS,
              f"DELETE marked the row ({COLUMN} set) and left it in the table ({out.describe()} reported)", out)
    else:
        verdict = "removed the row" if out.rowcount else "neither removed nor marked the row"
        p.add(qualified, "soft_delete_marks", actor, FAIL, f"DELETE {verdict} ({out.describe()})", out)
