"""The ``owner`` family: forced row level security holds for the table's owner.

Without ``FORCE ROW LEVEL SECURITY`` a table's owner skips every policy; a migration role or an
application that connects as the owner would see every tenant.  In a savepoint that is rolled
back, a new role (no superuser, no ``BYPASSRLS``; a member of ``authenticated`` where that role
exists, so that the policies for it apply) is made the table's owner; signed in as each member
of A under that role, it must see A's rows (positive control, where members may read) and no
row of B, and be refused writing B.  Creating the role and changing the owner need a superuser:
elsewhere the family reports a skip.  ``ALTER TABLE ... OWNER`` locks the table until the
savepoint is rolled back (one table at a time).
"""

from __future__ import annotations

import uuid

from psycopg import sql

from . import catalog
from .catalog import SeedError
from .prober import Prober, attempt
from .report import FAIL, PASS, SKIP
from .rows import ident, insert_statement, touch_rows


def owner_tables(seed) -> list[str]:
    return seed.tables_of_kind("root", "tenant")


def _superuser(conn) -> bool:
    return catalog.scalar(conn, "select rolsuper from pg_catalog.pg_roles where rolname = current_user")


def forced_owner(p: Prober, qualified: str) -> None:
    info = p.seed.info[qualified]
    column = p.t.root_key if info.table.kind == "root" else p.t.column
    if not _superuser(p.conn):
        p.add(qualified, "owner_select_other", "owner", SKIP,
              "skipped: making a probe role the table's owner needs a superuser")
        return
    with p.scope():
        role = f"atlas_probe_owner_{uuid.uuid4().hex[:8]}"
        p.conn.execute(sql.SQL("create role {} nologin nosuperuser nobypassrls").format(sql.Identifier(role)))
        if catalog.scalar(p.conn, "select exists (select from pg_catalog.pg_roles where rolname = 'authenticated')"):
            p.conn.execute(sql.SQL("grant authenticated to {}").format(sql.Identifier(role)))
        p.conn.execute(sql.SQL("alter table {} owner to {}").format(ident(qualified), sql.Identifier(role)))
        b_values = None
        if info.table.kind == "tenant":
            try:
                b_values = p.seed.valid_values(p.conn, qualified, "B")
            except SeedError as exc:
                p.add(qualified, "seed", "superuser", "error", str(exc))
        count = sql.SQL("select count(*) filter (where {c} is distinct from %s), count(*) filter (where {c} = %s) "
                        "from {t}").format(c=sql.Identifier(column), t=ident(qualified))
        seen_own = {}
        for member in p.roles:
            actor = f"owner+A:{member}"
            with p.as_user(p.a.users[member], role) as s:
                out = attempt(s.conn, count, (p.a.id, p.a.id))
                if out.error is not None:
                    p.add(qualified, "owner_select_other", actor, PASS if p.is_refusal(out) else "error",
                          f"select as the table's owner: {out.describe()}", out)
                else:
                    foreign, seen_own[member] = out.rows[0]
                    p.add(qualified, "owner_select_other", actor, PASS if foreign == 0 else FAIL,
                          f"the table's owner sees {foreign} row(s) of other tenants ({seen_own[member]} of A's): "
                          + ("row level security is forced" if foreign == 0 else "row level security is not forced"),
                          out)
                p.refused_or_none(qualified, "owner_update_other", actor,
                                  attempt(s.conn, touch_rows(qualified, column), (p.b.id,)),
                                  "update B's rows as the table's owner")
                if b_values is not None:
                    p.refused(qualified, "owner_insert_other", actor, attempt(s.conn, *insert_statement(info, b_values)),
                              f"insert a row with {column} = B as the table's owner")
        if p.member_may(qualified, "select"):
            best = max(seen_own, key=seen_own.get, default=None)
            if best is None or not seen_own[best]:
                p.add(qualified, "owner_own_rows", "owner+" + p.all_roles(), FAIL,
                      "as the table's owner no role of A sees A's own rows: the owner probes prove nothing")
            else:
                p.add(qualified, "owner_own_rows", f"owner+A:{best}", PASS,
                      f"the table's owner signed in as A sees {seen_own[best]} of A's row(s)")
