"""`encrypted: true` columns (issue 12): checked, marked on their table, and given what they need
(the project's key, a trigger per column, an accessor view per table).

The column holds ciphertext (text: a version prefix and base64), a BEFORE trigger encrypts what
the application writes, and `public.<table>_decrypted` (security_invoker, so the table's row level
security decides which rows a caller sees) shows the plaintext. A value that PostgreSQL must
compare, hash, order or read in a rule cannot be ciphertext (pgp_sym_encrypt is randomized: equal
values encrypt differently), so a column in a key, index, check, foreign key, policy, view query
or partition is refused (E414) instead of compiled into SQL that cannot mean what it says."""
from __future__ import annotations

from dataclasses import replace

from pglast import ast, parse_sql
from pglast.visitors import Visitor

from ..expressions import column_refs, function_calls, statement_relations
from ..meaning.context import Context
from ..model import PRIVATE, PUBLIC, EncryptedColumn, EncryptionKey, Grant, Table, View
from ..names import fit
from ..sqltext import ident, literal, qualified
from .access import user_id
from .tables import TableDraft

DECRYPT = qualified(PRIVATE, "decrypt_value")   # made with the key (kinds/encryption.py)
CIPHERTEXT_TYPES = {"text"}


def accessor_name(table: str) -> str:
    return fit(f"{table}_decrypted")


def with_encryption(ctx: Context, drafts: dict[str, TableDraft], objects: list) -> list:
    """The objects with every encrypted column checked (E414) and marked, plus the project's key,
    each column's trigger and each table's accessor."""
    wanted = {name: [c for c, spec in (d.entry.get("columns") or {}).items() if (spec or {}).get("encrypted")]
              for name, d in drafts.items()}
    wanted = {name: columns for name, columns in wanted.items() if columns}
    if not wanted:
        return objects
    tables = {o.name: o for o in objects if isinstance(o, Table) and o.schema == PUBLIC}
    for name, columns in wanted.items():
        for column in columns:
            _check(ctx, drafts[name], tables[name], column, objects)
    result, added, readers = [], [], set()
    for obj in objects:
        if isinstance(obj, Table) and obj.schema == PUBLIC and obj.name in wanted:
            obj = replace(obj, columns=tuple(replace(c, encrypted=True) if c.name in wanted[obj.name] else c
                                             for c in obj.columns))
            view = _accessor(ctx, obj)
            readers |= {g.role for g in view.grants}
            added += [view, *(EncryptedColumn(PUBLIC, obj.name, c) for c in wanted[obj.name])]
        result.append(obj)
    execute = tuple(sorted(readers)) if ctx.project.supabase else ("public",)
    return result + added + [EncryptionKey(readers=execute)]


def _check(ctx: Context, draft: TableDraft, table: Table, column: str, objects: list) -> None:
    entry, spec = draft.entry, (draft.entry.get("columns") or {}).get(column) or {}
    where = ("columns", column, "encrypted")
    said = f"encrypted column '{table.name}.{column}'"
    if not spec.get("sensitive"):
        ctx.error("E414", f"{said} must also be sensitive: true (its values must never reach the audit rows)",
                  entry, *where, hint="add sensitive: true beside encrypted: true")
    if ctx.project.target == "citus":
        ctx.error("E414", f"{said} cannot be used under target citus: the key table is a local table of the "
                  "coordinator, while the encrypting trigger and the accessor's decrypt run on the workers beside "
                  "the shards, where there is no key", entry, *where,
                  hint="do not encrypt columns of a Citus project")
    if "pgcrypto" not in ctx.project.extensions:
        ctx.error("E414", f"{said} needs the pgcrypto extension (pgp_sym_encrypt, gen_random_bytes)", entry, *where,
                  hint="add pgcrypto to project.extensions")
    found = table.column(column)
    if found is not None and found.type not in CIPHERTEXT_TYPES:
        ctx.error("E414", f"{said} is {found.type}: the column holds the ciphertext as text", entry,
                  "columns", column, "type", hint="declare it type: text (the accessor shows the plaintext as text)")
    _check_triggers(ctx, entry, said, EncryptedColumn(PUBLIC, table.name, column))
    for what, why in _uses(table, column, objects):
        ctx.error("E414", f"{said} is in {what}: {why}", entry, *where,
                  hint="keep encrypted columns out of keys, indexes, checks, policies and view queries, "
                       "or do not encrypt this column")


def _check_triggers(ctx: Context, entry, said: str, encrypted: EncryptedColumn) -> None:
    """The spec's own triggers on the table. PostgreSQL fires BEFORE row triggers by name
    (byte order): one that sorts after the encrypting trigger sees, or overwrites, the
    ciphertext (a trim or upper() corrupts it; an assignment stores plaintext at rest). One that
    sorts before sees the plaintext and whatever it assigns is encrypted after it. A WHEN
    condition reading the column would compare ciphertext."""
    for name, spec in (entry.get("triggers") or {}).items():
        spec = spec or {}
        rows = spec.get("timing") == "before" and spec.get("for_each", "row") == "row"
        if rows and {"insert", "update"} & set(spec.get("events") or ()) and \
                name.encode() > encrypted.trigger.encode():
            ctx.error("E414", f"the trigger {name} fires after {encrypted.trigger}, which encrypts {said}: "
                      "PostgreSQL fires BEFORE row triggers in name order, so it would see the ciphertext, and a "
                      "value it assigns would be stored unencrypted", entry, "triggers", name,
                      hint=f"rename it to sort before {encrypted.trigger!r} (e.g. prefix it with 'a_'): it then "
                           "sees the plaintext, and what it assigns is encrypted after it")
        when = spec.get("when")
        if when and _reads_column(when, encrypted.column, ("new", "old")):
            ctx.error("E414", f"{said} is in the when condition of the trigger {name}: {EVALUATED}", entry,
                      "triggers", name, "when", hint="test another column, or the value inside the trigger function")


def _reads_column(expression: str, column: str, qualifiers: tuple[str, ...]) -> bool:
    try:
        return column in column_refs(expression, qualifiers)
    except Exception:   # noqa: BLE001 - an expression that does not parse is reported (E501) where it is read
        return False


def _subquery_reads(expression: str | None, table: str, column: str) -> bool:
    """A subquery of a rule that reads the table and names the column (by any alias: a column
    of that name in another table of the subquery is refused too, the safe side)."""
    if not expression or table not in statement_relations("SELECT " + expression):
        return False
    try:
        return column in column_names_anywhere("SELECT " + expression)
    except Exception:   # noqa: BLE001 - see _reads_column
        return False


class _LastNames(Visitor):
    """The column part of every column reference, however qualified."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_ColumnRef(self, ancestors, node):
        last = node.fields[-1]
        if isinstance(last, ast.String):
            self.names.add(last.sval)


def column_names_anywhere(sql: str) -> set[str]:
    found = _LastNames()
    for raw in parse_sql(sql):
        found(raw.stmt)
    return found.names


COMPARED = "equal values encrypt to different ciphertexts (pgp_sym_encrypt is randomized), so PostgreSQL would compare ciphertexts"
EVALUATED = "PostgreSQL would evaluate it on the ciphertext, not the value written"
_KINDS = {"primary_key": "primary key", "unique": "unique constraint", "foreign_key": "foreign key"}


def _uses(table: Table, column: str, objects: list) -> list[tuple[str, str]]:
    """(what, why) for everything that reads the column's stored value: nothing of it can work
    on ciphertext."""
    found = []
    qualifiers = (table.name, f"{PUBLIC}.{table.name}")
    for c in table.constraints:
        if c.kind == "check":
            if column in column_refs(c.expression, qualifiers):
                found.append((f"the check {c.name}", EVALUATED))
        elif column in c.columns:
            found.append((f"the {_KINDS.get(c.kind, c.kind)} {c.name}", COMPARED))
    if table.partition is not None and table.partition.column == column:
        found.append(("the partition key", COMPARED))
    for obj in objects:
        family = obj.family
        if family == "table" and obj is not table:
            found += [(f"the foreign key {c.name} of {obj.name}", COMPARED) for c in obj.constraints
                      if c.kind == "foreign_key" and c.ref_table == table.name and column in c.ref_columns]
        elif family == "foreign_key":
            c = obj.constraint
            if (obj.table == table.name and column in c.columns) or (c.ref_table == table.name and column in c.ref_columns):
                found.append((f"the foreign key {c.name}", COMPARED))
        elif family == "index" and obj.table == table.name and not obj.on_view:
            if column in {k.column for k in obj.keys} or (obj.where and column in column_refs(obj.where)):
                found.append((f"the index {obj.name}", COMPARED))
        elif family == "policy":
            expressions = (obj.using, obj.with_check)
            if obj.table == table.name and any(e and column in column_refs(e, qualifiers) for e in expressions):
                found.append((f"the policy {obj.name}", EVALUATED))
            elif any(_subquery_reads(e, table.name, column) for e in expressions):
                found.append((f"a subquery of the policy {obj.name} on {obj.table}", EVALUATED))
        elif family == "view" and ("column", PUBLIC, table.name, column) in obj.reads:
            found.append((f"the query of the view {obj.name}", "the view would read the ciphertext; members read "
                          f"the plaintext through {accessor_name(table.name)}"))
    return found


def _accessor(ctx: Context, table: Table) -> View:
    """`<table>_decrypted`: every column of the table, the encrypted ones decrypted. security_invoker:
    the caller's own privileges and the table's row level security choose the rows, so a member
    sees the plaintext of exactly the rows the select rules let them read."""
    source = qualified(PUBLIC, table.name)
    # A request with no signed-in user reads no plaintext, on every target (Supabase's anon has
    # no grant on the accessor; off Supabase the no-user request is the same role, so the view
    # says it): the value is NULL under row level security without a user. A caller that row
    # level security does not apply to (superuser, owner, BYPASSRLS: the migration, service
    # jobs) reads it.
    anonymous = f"pg_catalog.row_security_active({literal(source)}::regclass) AND {user_id(ctx)} IS NULL"
    lines = [f"CASE WHEN {anonymous} THEN NULL ELSE {DECRYPT}({ident(c.name)}) END AS {ident(c.name)}"
             if c.encrypted else ident(c.name) for c in table.columns]
    query = "SELECT " + ",\n       ".join(lines) + f"\n  FROM {source}"
    grants = tuple(Grant(g.role, ("SELECT",)) for g in table.grants if "SELECT" in g.privileges)
    reads = (("table", PUBLIC, table.name), *(("column", PUBLIC, table.name, c.name) for c in table.columns),
             ("encryption_key", EncryptionKey.name),
             *(("function", PUBLIC, f) for f in function_calls(ctx.project.current_user_id)))
    return View(PUBLIC, accessor_name(table.name), query, comment=(
        f"{table.name} with its encrypted columns decrypted, for the rows the caller may read (atlas-compile)."),
        grants=grants, revoke_from=table.revoke_from, reads=reads)

