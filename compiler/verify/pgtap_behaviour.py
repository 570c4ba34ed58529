"""Behavioural pgTAP assertions: signed in as members of tenant A (as PostgREST signs a request
in) and as ``anon``, what reaches tenant B's rows.

The seed rows (:mod:`.pgtap_seed`) are inserted first, by the superuser running the file, with
keys just past the rows the database holds (:mod:`.pgtap_keys`).  Then,
for a table whose rows belong to a tenant:

* positive control: where members may read the table, the role of A that saw them when the file
  was written sees A's own rows (``cmp_ok(n, '>', 0)``): with nobody signed in for real, "no row
  of B" would prove nothing;
* as every role of A: no row of another tenant visible; inserting a valid row of B refused
  (42501: privilege or row level security; audit tables: a row of A, not even one's own tenant's
  audit rows may be written); updating and deleting B's rows (audit: A's) touch 0 rows or are
  refused; moving A's own row to B likewise;
* as ``anon``: reads nothing unless the spec makes the table public, writes nothing.

Statements run through ``pg_temp.atlas_outcome`` (:mod:`.pgtap_script`), which undoes them, so a
leak in one test does not change what the next one sees.
"""

from __future__ import annotations

from psycopg import sql

from ..isolation import sign_in_of
from ..isolation.rows import count_rows, delete_rows, ident, touch_rows, update_statement
from .pgtap_script import NO_ROWS_OR_REFUSED, REFUSED, TapFile, lit, quoted
from .pgtap_seed import Captured


def outcome(statement: str) -> str:
    return f"pg_temp.atlas_outcome({quoted(statement)})"


def seed_rows(f: TapFile, captured: Captured) -> None:
    f.section("two tenants, A and B (written as the superuser running the file)")
    if captured.keys.counters:
        f.run(captured.keys.preamble())
    for statement in captured.statements:
        f.run(statement)


def table_behaviour(f: TapFile, captured: Captured, qualified: str) -> None:
    seed, bind = captured.seed, captured.bind
    t = seed.tenancy
    info = seed.info[qualified]
    facts = captured.facts[qualified]
    a, b = seed.tenants["A"], seed.tenants["B"]
    root = qualified == seed.root
    audit = info.table.kind == "audit"
    column = t.root_key if root else t.column
    target = a if audit else b          # whose rows the writes aim at
    sign_in = _sign_in(captured)

    if facts.members_read and facts.control_role:
        role = facts.control_role
        f.section(f"positive control: A:{role} sees A's own rows")
        sign_in(f, role)
        own = bind(count_rows(qualified, column), (captured.value(qualified, column, a.id),))
        f.test(f"cmp_ok(({own})::integer, '>', 0, {lit(f'{qualified}: A:{role} sees its own rows')})")
    other = bind(sql.SQL("select count(*) from {t} where {c} is distinct from %s").format(
        t=ident(qualified), c=sql.Identifier(column)), (captured.value(qualified, column, a.id),))
    target_id = captured.value(qualified, column, target.id)
    writes = [("update", bind(touch_rows(qualified, column), (target_id,))),
              ("delete", bind(delete_rows(qualified, column), (target_id,)))]
    whose = "A's audit rows" if audit else "B's rows"
    for role in a.users:
        who = f"{qualified}: A:{role}"
        f.section(f"signed in as A:{role}")
        sign_in(f, role)
        f.test(f"is(({other})::integer, 0, {lit(f'{who} sees no row of another tenant')})")
        if not root:
            if facts.insert_other:
                f.test(f"matches({outcome(facts.insert_other)}, {lit(REFUSED)}, "
                       f"{lit(f'{who} cannot insert a row of ' + ('A into an audit table' if audit else 'B'))})")
            else:
                f.test(f"skip({lit(f'{who}: no valid row to insert: {facts.insert_problem}')}, 1)")
        for command, statement in writes:
            f.test(f"matches({outcome(statement)}, {lit(NO_ROWS_OR_REFUSED)}, "
                   f"{lit(f'{who} cannot {command} {whose}')})")
        a_row = a.rows.get(qualified)
        if not root and not audit and a_row is not None and info.key:
            move = bind(*update_statement(qualified, captured.keys.values(qualified, {column: b.id}),
                                          captured.keys.values(qualified, seed.key_of(qualified, a_row))))
            f.test(f"matches({outcome(move)}, {lit(NO_ROWS_OR_REFUSED)}, {lit(f'{who} cannot move its row to B')})")
    anon(f, captured, qualified)
    f.sign_out()


def anon(f: TapFile, captured: Captured, qualified: str) -> None:
    seed = captured.seed
    info = seed.info[qualified]
    table = info.table
    facts = captured.facts[qualified]
    # as the probes do: only a policy naming anon makes reads public
    public = any((p.schema, p.table) == (table.schema, table.name) and p.command in ("select", "all")
                 and "anon" in p.roles for p in seed.model.of("policy"))
    nothing = NO_ROWS_OR_REFUSED if captured.anon_error is None else \
        f"^(0 rows|42501 .*|{captured.anon_error} .*)$"   # current_user_id itself refuses anon
    f.section("as anon (not signed in)")
    f.sign_in("anon", None, seed_settings(captured, None))
    if not public:
        read = captured.bind(sql.SQL("select * from {}").format(ident(qualified)))
        f.test(f"matches({outcome(read)}, {lit(nothing)}, {lit(f'{qualified}: anon reads nothing')})")
    if facts.insert_other:
        refused = REFUSED if captured.anon_error is None else f"^(42501|{captured.anon_error}) "
        f.test(f"matches({outcome(facts.insert_other)}, {lit(refused)}, {lit(f'{qualified}: anon cannot insert')})")
    first = next(c for c in info.columns.values() if not c.generated and c.identity != "a")
    update = sql.SQL("update {t} set {c} = {c}").format(t=ident(qualified), c=sql.Identifier(first.name))
    delete = sql.SQL("delete from {t}").format(t=ident(qualified))
    for command, statement in (("update", update), ("delete", delete)):
        f.test(f"matches({outcome(captured.bind(statement))}, {lit(nothing)}, "
               f"{lit(f'{qualified}: anon cannot {command} any row')})")


def seed_settings(captured: Captured, user: str | None, tenant=None) -> dict[str, str]:
    return sign_in_of(captured.seed.tenancy).values(user, tenant)


def _sign_in(captured: Captured):
    """Sign in as a member of A; in the scalar modes of ``current_tenant`` the request names A
    (claim or setting), as an app's would.  The tenant key is a uuid there (the lookup returns
    one), written as a literal."""
    a = captured.seed.tenants["A"]
    how = sign_in_of(captured.seed.tenancy)

    def sign_in(f: TapFile, role: str) -> None:
        user = str(a.users[role])
        f.sign_in("authenticated", user, seed_settings(captured, user, a.id), how.claims(a.id))
    return sign_in
