"""The registry of probes: each family names the checks it reports, the positive controls it
reports first (where a family has none of its own, the ``sign_in`` control that guards every
family stands for it), the tables it runs on, and the function that runs it.

Every family runs inside :meth:`Prober.scope`, a savepoint rolled back at exit, so probing
changes nothing.  Families run in the order of :data:`PROBES`; findings keep that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from psycopg import sql

from ..policy_rules import open_to_nobody
from . import catalog
from .access_rules import access_rules, rule_tables
from .catalog import SeedError, TableInfo
from .current_tenant import current_tenant, current_tenant_tables, names_tenant
from .lookups import lookups
from .owner import forced_owner, owner_tables
from .partition_probes import CHECKS as PARTITION_CHECKS
from .partition_probes import CONTROLS as PARTITION_CONTROLS
from .partition_probes import partition_tables, partitions
from .prober import FOREIGN_KEY_VIOLATION, INSUFFICIENT_PRIVILEGE, Outcome, Prober, attempt
from .report import ERROR, FAIL, PASS, IsolationReport
from .rows import count_rows, delete_rows, ident, insert_statement, touch_rows, update_statement, where
from .seeding import Seed
from .soft_delete import soft_delete, soft_delete_tables
from .tenancy import qualified as qn


@dataclass(frozen=True)
class Probe:
    family: str
    checks: tuple[str, ...]                        # what it reports (besides "seed" errors)
    controls: tuple[str, ...]                      # positive controls, reported before the checks
    tables: Callable[[Seed], list[str | None]]     # [None]: once per database
    run: Callable[[Prober, Any], bool | None]      # True: the table counts as probed
    applies: Callable[[Seed], bool] | None = None  # None: always; else the family runs where True


def tenant_table(p: Prober, qualified: str) -> bool:
    """(a)-(e): A reads, inserts, updates, deletes, moves to and points at B's rows."""
    info = p.seed.info[qualified]
    col = p.t.column
    probes_before = len(p.findings)
    a_row = p.a.rows.get(qualified)
    b_row = p.b.rows.get(qualified)
    with p.scope():
        b_count = catalog.scalar(p.conn, count_rows(qualified, col), (p.b.id,))
        if a_row is None or b_row is None or not b_count:
            p.add(qualified, "seed", "superuser", ERROR, "no seeded row for tenant A or B: nothing to probe")
            return False
        try:
            b_values = {role: _b_values(p, qualified, role) for role in p.roles}
            a_values = p.seed.valid_values(p.conn, qualified, "A")
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc))
            return False
        a_key = p.seed.key_of(qualified, a_row)
        fk_targets = _fk_targets(p, info)

        p.select_other(qualified, col, "select_other_tenant", control=True)
        p.own_writes(qualified, {
            "insert": insert_statement(info, a_values),
            "update": (sql.SQL("update {t} set {c} = {c} where {w}").format(
                t=ident(qualified), c=sql.Identifier(col), w=where(a_key)), list(a_key.values())),
        })
        for role in p.roles:
            _attack(p, info, role, b_values[role], a_values, a_key, fk_targets)
    return len(p.findings) > probes_before


def _b_values(p: Prober, qualified: str, role: str) -> dict[str, Any]:
    """A valid row of B; on the membership table: make yourself (the acting member of A) a
    member of B with the top role."""
    return p.attack_values(qualified, "B", p.a.users[role])


def _attack(p: Prober, info: TableInfo, role: str, b_values, a_values, a_key, fk_targets) -> None:
    """(b)-(e) as the member of A with ``role``."""
    qualified, col, actor = info.qualified, p.t.column, p.actor(role)
    with p.as_member(role) as s:
        # (b) insert a valid row of B
        q, params = insert_statement(info, b_values)
        p.refused(qualified, "insert_other_tenant", actor, attempt(s.conn, q, params),
                  f"insert a valid row with {col} = B")
        # (c) update / delete B's rows
        _write_other(p, s, qualified, col, (("update_other_tenant", "update B's rows"),
                                            ("delete_other_tenant", "delete B's rows")), actor)
        # (d) move A's own row to B
        q, params = update_statement(qualified, {col: p.b.id}, a_key)
        out = attempt(s.conn, q, params)
        if out.error is None and out.rowcount == 0:
            p.add(qualified, "move_to_other_tenant", actor, PASS,
                  f"set {col} = B on A's row: 0 rows (the actor cannot update it)", out)
        else:
            p.refused(qualified, "move_to_other_tenant", actor, out, f"set {col} = B on A's row")
        # (e) point each tenant-scoped foreign key at B's row
        for fk, sets in fk_targets:
            q, params = update_statement(qualified, sets, a_key)
            _fk_result(p, qualified, actor, attempt(s.conn, q, params), fk.name, "update A's row")
            q, params = insert_statement(info, {**a_values, **sets})
            _fk_result(p, qualified, actor, attempt(s.conn, q, params), fk.name, "insert an A row")


def _write_other(p: Prober, session, qualified: str, column: str, probes, actor: str) -> None:
    """Touch (update), then delete, the rows whose ``column`` is B's id: each must be refused
    or reach 0 rows."""
    for (probe, what), query in zip(probes, (touch_rows(qualified, column), delete_rows(qualified, column))):
        p.refused_or_none(qualified, probe, actor, attempt(session.conn, query, (p.b.id,)), what)


def _fk_targets(p: Prober, info: TableInfo) -> list[tuple[Any, dict[str, Any]]]:
    targets = []
    for fk in info.fks:
        ref = qn(fk.ref_schema, fk.ref_table)
        ref_info = p.seed.info.get(ref)
        if ref_info is None or ref_info.table.kind != "tenant":
            continue   # the root (that is the tenant column itself) or a shared table
        parent = next(iter(p.b.memberships.values())) if ref == p.seed.membership else p.b.rows.get(ref)
        if parent is None:
            continue
        sets = {c: parent[r] for c, r in zip(fk.columns, fk.ref_columns) if c != p.t.column}
        if sets:
            targets.append((fk, sets))
    return targets


def _fk_result(p: Prober, table, actor, out: Outcome, subject: str, what: str) -> None:
    what = f"{what} with {subject} -> B's row"
    if out.error is None:
        if out.rowcount == 0:
            p.add(table, "fk_to_other_tenant", actor, PASS, f"{what}: 0 rows (the actor cannot write it)", out, subject)
        else:
            p.add(table, "fk_to_other_tenant", actor, FAIL, f"{what}: succeeded", out, subject)
    elif out.sqlstate in (FOREIGN_KEY_VIOLATION, INSUFFICIENT_PRIVILEGE):
        p.add(table, "fk_to_other_tenant", actor, PASS, f"{what}: refused ({out.describe()})", out, subject)
    else:
        p.add(table, "fk_to_other_tenant", actor, ERROR, f"{what}: inconclusive ({out.describe()})", out, subject)


def audit_table(p: Prober, qualified: str) -> None:
    """(g): a member writes no audit row, not even its own tenant's, and reads none of B's."""
    info = p.seed.info[qualified]
    col = p.t.column
    if col not in info.columns:
        p.add(qualified, "audit", "superuser", ERROR, f"audit table has no {col} column")
        return
    with p.scope():
        own = catalog.scalar(p.conn, count_rows(qualified, col), (p.a.id,))
        try:
            a_values = p.seed.valid_values(p.conn, qualified, "A")
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc))
            return
        p.select_other(qualified, col, "select_other_tenant")
        for role in p.roles:
            actor = p.actor(role)
            with p.as_member(role) as s:
                q, params = insert_statement(info, a_values)
                p.refused(qualified, "audit_insert", actor, attempt(s.conn, q, params), "insert an audit row for A")
                for a_probe, b_probe, verb in (("audit_update", "update_other_tenant", "update"),
                                               ("audit_delete", "delete_other_tenant", "delete")):
                    query = (touch_rows if verb == "update" else delete_rows)(qualified, col)
                    p.refused_or_none(qualified, a_probe, actor, attempt(s.conn, query, (p.a.id,)),
                                      f"{verb} A's audit rows ({own} present)")
                    p.refused_or_none(qualified, b_probe, actor, attempt(s.conn, query, (p.b.id,)),
                                      f"{verb} B's audit rows")


def root_table(p: Prober, root: str) -> None:
    """(h): the tenant root shows A's member only A; B's root row cannot be written."""
    key = p.t.root_key
    with p.scope():
        p.select_other(root, key, "root_select_other", control=True)
        p.own_writes(root, {"update": (touch_rows(root, key), [p.a.id])})
        for role in p.roles:
            with p.as_member(role) as s:
                _write_other(p, s, root, key, (("root_update_other", "update B's root row"),
                                               ("root_delete_other", "delete B's root row")), p.actor(role))


def anon(p: Prober, qualified: str) -> None:
    """(f): anon reads rows only where select access is public, and writes nothing."""
    info = p.seed.info[qualified]
    table = info.table
    # a policy for anon by name makes reads public, or (off Supabase, one role for every caller)
    # a tenant fence that admits a request with no signed-in user
    public = open_to_nobody(p.seed.model, table) or any(
        o.table == table.name and o.schema == table.schema and o.command in ("select", "all")
        and "anon" in o.roles for o in p.seed.model.of("policy"))
    tenant = "A" if table.kind in ("tenant", "audit") else None
    with p.scope():
        try:
            values = p.seed.valid_values(p.conn, qualified, tenant)
        except SeedError as exc:
            p.add(qualified, "seed", "superuser", ERROR, str(exc))
            values = None
        first = next(c for c in info.columns.values() if not c.generated and c.identity != "a")
        if public:
            p.anon_reads(qualified, "anon_select", lambda n: (PASS, f"select is public: anon reads {n} row(s)"))
        else:
            p.anon_reads(qualified, "anon_select", lambda n: (PASS if n == 0 else FAIL,
                                                              f"select is not public: anon reads {n} row(s)"))
        with p.as_anon() as s:
            if values is not None:
                q, params = insert_statement(info, values)
                p.refused(qualified, "anon_insert", "anon", attempt(s.conn, q, params), "insert a valid row")
            q = sql.SQL("update {t} set {c} = {c}").format(t=ident(qualified), c=sql.Identifier(first.name))
            p.refused_or_none(qualified, "anon_update", "anon", attempt(s.conn, q), "update every row")
            q = sql.SQL("delete from {t}").format(t=ident(qualified))
            p.refused_or_none(qualified, "anon_delete", "anon", attempt(s.conn, q), "delete every row")


def views(p: Prober, _=None) -> None:
    """Views readable by the API roles show no other tenant's rows."""
    views = p.seed.model.of("view")
    if not views:
        return
    with p.scope():
        p.refresh_materialized_views()
        for v in views:
            qualified = qn(v.schema, v.name)
            if not catalog.has_column(p.conn, v.schema, v.name, p.t.column):
                continue
            if catalog.table_privilege(p.conn, "authenticated", v.schema, v.name, "select"):
                p.select_other(qualified, p.t.column, "view_select_other")
            if catalog.table_privilege(p.conn, "anon", v.schema, v.name, "select"):
                p.anon_reads(qualified, "anon_select", lambda n: (PASS if n == 0 else FAIL,
                                                                  f"anon reads {n} row(s) of the view"))


def sequences(p: Prober, _=None) -> None:
    """A sequence behind a table is shared by every tenant: an API role that can read it
    learns how many rows all tenants wrote; one that can ``setval`` it can exhaust it and make
    every tenant's inserts fail.  Checked in the catalog: ``setval`` is not transactional."""
    rows = catalog.sequences_by_table(p.conn)
    roles = catalog.api_roles(p.conn)
    for sequence, schema, name in rows:
        qualified = qn(schema, name)
        if qualified not in p.seed.info:
            continue
        for role in roles:
            select, update = catalog.sequence_privileges(p.conn, role, sequence)
            if select or update:
                what = [w for w, ok in (("read last_value (a count across all tenants)", select),
                                        ("setval (exhaust it for every tenant)", update)) if ok]
                p.add(qualified, "sequence_privileges", role, FAIL,
                      f"{role} can {' and '.join(what)} of sequence {sequence}", subject=sequence)
            else:
                p.add(qualified, "sequence_privileges", role, PASS,
                      f"{role} can neither read nor set sequence {sequence}", subject=sequence)


def _once(seed: Seed) -> list[None]:
    return [None]


OWN_ROWS = ("own_rows_visible", "own_insert", "own_update")

PROBES: tuple[Probe, ...] = (
    Probe("tenant_tables", ("select_other_tenant", "insert_other_tenant", "update_other_tenant",
                            "delete_other_tenant", "move_to_other_tenant", "fk_to_other_tenant"),
          OWN_ROWS, lambda seed: seed.tables_of_kind("tenant"), tenant_table),
    Probe("root", ("root_select_other", "root_update_other", "root_delete_other"),
          ("own_rows_visible", "own_update"), lambda seed: [seed.root], root_table),
    Probe("current_tenant", ("forged_select", "forged_insert", "forged_update", "forged_delete",
                             "tenant_not_uuid", "tenant_missing", "tenant_missing_root"), ("forged_own_rows",),
          current_tenant_tables, current_tenant, applies=names_tenant),
    Probe("audit", ("select_other_tenant", "audit_insert", "audit_update", "update_other_tenant",
                    "audit_delete", "delete_other_tenant"), (), lambda seed: seed.tables_of_kind("audit"),
          audit_table),
    Probe("anon", ("anon_select", "anon_insert", "anon_update", "anon_delete"), (),
          lambda seed: seed.tables_of_kind("root", "tenant", "shared", "audit"), anon),
    Probe("views", ("view_select_other", "anon_select"), (), _once, views),
    Probe("lookups", ("lookup_other_tenant",), ("lookup_answers_own",), _once, lookups),
    Probe("sequences", ("sequence_privileges",), (), _once, sequences),
    Probe("access_rules", ("access_rules",), (), rule_tables, access_rules),
    Probe("owner", ("owner_select_other", "owner_update_other", "owner_insert_other"), ("owner_own_rows",),
          owner_tables, forced_owner),
    Probe("soft_delete", ("soft_deleted_hidden", "undelete_by_update", "soft_delete_by_update",
                          "soft_delete_marks"), ("soft_delete_live_visible",), soft_delete_tables, soft_delete),
    Probe("partitions", PARTITION_CHECKS, PARTITION_CONTROLS, partition_tables, partitions),
)


def run_probes(prober: Prober, probes: tuple[Probe, ...] = PROBES,
               progress: Callable[[str], None] | None = None) -> IsolationReport:
    """The ``sign_in`` control first (nothing else runs when it fails), then every family;
    ``progress`` hears one line per family."""
    tenant_tables = tuple(prober.seed.tables_of_kind("tenant"))
    if not prober.signed_in():
        return IsolationReport(findings=prober.findings, tenant_tables=tenant_tables, tables_probed=())
    probed = []
    for probe in probes:
        if probe.applies is not None and not probe.applies(prober.seed):
            continue
        tables = probe.tables(prober.seed)
        if progress:
            progress(f"isolation: {probe.family} ({len(tables)} target(s))")
        probed += [table for table in tables if probe.run(prober, table)]
    return IsolationReport(findings=prober.findings, tenant_tables=tenant_tables, tables_probed=tuple(probed))
