"""Structural pgTAP assertions: what the catalog must hold for the spec's promises to stand.

Per table: row level security enabled and forced (pgTAP has no ``has_rls``: ``is()`` on
``pg_class``), exactly the spec's policies (``policies_are``: an added permissive policy fails
it), each policy's command, roles, permissive or restrictive, and its USING / WITH CHECK
expressions, and the table privileges of the API roles (``table_privs_are``).

Expressions are compared without depending on the server's deparse of a given version: inside
the test transaction a throwaway restrictive policy (to the current user, so it can only narrow
access) is created on the same table with the spec's expression text, and ``pg_get_expr`` of both
is compared -- the same server deparses both the same way.  The throwaway policies are dropped
before anything else runs.

Catalog-wide: each function exists, is security definer or invoker as the spec says, its body
(md5 of ``prosrc``) and its ``search_path``, and who may EXECUTE it; the API roles' privileges on
the identity sequences (a counter shared by every tenant) and on the spec's schemas; views'
privileges and ``security_invoker``.
"""

from __future__ import annotations

import hashlib

from ..model import Function, Model, Policy, SchemaObject, Table, View
from ..names import identity_sequence_name
from ..sqltext import dollar_quote, qualified
from .pgtap_script import TapFile, lit, names, texts

PUBLIC = "public"
EXPECTED = "atlas_expected_{}"   # throwaway policies holding the spec's expressions


def regclass(schema: str, name: str) -> str:
    return f"pg_catalog.to_regclass({lit(qualified(schema, name))})"


def _policy_field(table: Table, policy: str, field: str) -> str:
    return f"(pg_temp.atlas_policy({lit(qualified(table.schema, table.name))}, {lit(policy)})).{field}"


def _policy_expr(table: Table, policy: str, clause: str) -> str:
    return f"pg_temp.atlas_policy_expr({lit(qualified(table.schema, table.name))}, {lit(policy)}, {lit(clause)})"


def row_security(f: TapFile, table: Table) -> None:
    q = qualified(table.schema, table.name)
    for column, what in (("relrowsecurity", "enabled"), ("relforcerowsecurity", "forced")):
        value = "true" if table.row_security else "false"
        f.test(f"is((select {column} from pg_catalog.pg_class where oid = {regclass(table.schema, table.name)}), "
               f"{value}, {lit(f'{q}: row level security {what}' if table.row_security else f'{q}: row level security not {what}')})")


def policies(f: TapFile, table: Table, rules: list[Policy]) -> None:
    q = qualified(table.schema, table.name)
    f.test(f"policies_are({lit(table.schema)}, {lit(table.name)}, {names(sorted(p.name for p in rules))}, "
           f"{lit(f'{q}: exactly the policies of the spec')})")
    for p in rules:
        who = f"{q}: policy {p.name}"
        f.test(f"policy_cmd_is({lit(p.schema)}, {lit(p.table)}, {lit(p.name)}, {lit(p.command.upper())}, "
               f"{lit(f'{who} applies to {p.command.upper()}')})")
        if PUBLIC in p.roles:   # policy_roles_are cannot name PUBLIC (role oid 0)
            roles = (f"array(select case when r = 0 then 'public' else r::regrole::text end from "
                     f"unnest({_policy_field(table, p.name, 'polroles')}) r order by 1)")
            f.test(f"is({roles}, {texts(sorted(p.roles))}, {lit(f'{who} applies to roles ' + ', '.join(p.roles))})")
        else:
            f.test(f"policy_roles_are({lit(p.schema)}, {lit(p.table)}, {lit(p.name)}, {names(p.roles)}, "
                   f"{lit(f'{who} applies to roles ' + ', '.join(p.roles))})")
        kind = "permissive" if p.permissive else "restrictive"
        f.test(f"is({_policy_field(table, p.name, 'polpermissive')}, {'true' if p.permissive else 'false'}, "
               f"{lit(f'{who} is {kind}')})")
    expressions(f, table, rules)


def clauses_of(p: Policy) -> list[str]:
    return [f"using ({p.using})" if p.using is not None else "",
            f"with check ({p.with_check})" if p.with_check is not None else ""]


def expressions(f: TapFile, table: Table, rules: list[Policy]) -> None:
    """USING and WITH CHECK of each policy against the spec's text, deparsed by this server."""
    name = qualified(table.schema, table.name)
    for i, p in enumerate(rules):
        if any(clauses_of(p)):
            f.run(f"create policy {EXPECTED.format(i)} on {name} as restrictive for all to current_user "
                  + " ".join(c for c in clauses_of(p) if c))
    for i, p in enumerate(rules):
        for clause, label, text in (("using", "USING", p.using), ("check", "WITH CHECK", p.with_check)):
            want = _policy_expr(table, EXPECTED.format(i), clause) if any(clauses_of(p)) else "null"
            what = "none" if text is None else "the spec's"
            f.test(f"is({_policy_expr(table, p.name, clause)}, {want}, "
                   f"{lit(f'{name}: policy {p.name} {label} is {what}')})")
    for i, p in enumerate(rules):
        if any(clauses_of(p)):
            f.run(f"drop policy {EXPECTED.format(i)} on {name}")


def granted(grants, role: str) -> list[str]:
    return sorted({priv.upper() for g in grants if g.role == role for priv in g.privileges})


def relation_privileges(f: TapFile, obj: Table | View, roles: list[str]) -> None:
    """Exactly the spec's privileges for each API role the spec revokes everything from (the
    others keep what the schema's default privileges gave them, which the spec does not say)."""
    q = qualified(obj.schema, obj.name)
    for role in roles:
        if role in obj.revoke_from:
            privs = granted(obj.grants, role)
            f.test(f"table_privs_are({lit(obj.schema)}, {lit(obj.name)}, {lit(role)}, {names(privs)}, "
                   f"{lit(f'{q}: {role} holds ' + (', '.join(privs) or 'no privileges'))})")


def table_file(f: TapFile, table: Table, model: Model, roles: list[str]) -> None:
    rules = sorted((p for p in model.of("policy") if (p.schema, p.table) == (table.schema, table.name)),
                   key=lambda p: p.name)
    f.section("structure: row level security, policies, privileges")
    row_security(f, table)
    policies(f, table, rules)
    relation_privileges(f, table, roles)


# -- catalog-wide -------------------------------------------------------------------------------

def signature(fn: Function) -> str:
    return f"{qualified(fn.schema, fn.name)}({', '.join(a.type for a in fn.arguments)})"


def prosrc(fn: Function) -> str:
    """The text PostgreSQL keeps as the body: what is between the dollar quotes the render wrote."""
    quoted = dollar_quote(fn.body)
    tag = quoted.split("\n", 1)[0]
    return quoted[len(tag):-len(tag)]


def proconfig(search_path: str) -> list[str]:
    """``SET search_path = ...`` as PostgreSQL stores it (an empty name is quoted)."""
    parts = [p.strip() for p in search_path.split(",")] if search_path else [""]
    return ["search_path=" + ", ".join('""' if p in ("", "''") else p for p in parts)]


def _proc(fn: Function, field: str) -> str:
    return f"(select {field} from pg_catalog.pg_proc where oid = pg_catalog.to_regprocedure({lit(signature(fn))}))"


def function_checks(f: TapFile, fn: Function, roles: list[str]) -> None:
    sig = signature(fn)
    f.test(f"ok(pg_catalog.to_regprocedure({lit(sig)}) is not null, {lit(f'function {sig} exists')})")
    definer = fn.security == "definer"
    f.test(f"is({_proc(fn, 'prosecdef')}, {'true' if definer else 'false'}, "
           f"{lit(f'{sig} is security ' + fn.security)})")
    digest = hashlib.md5(prosrc(fn).encode("utf-8")).hexdigest()
    f.test(f"is({_proc(fn, 'md5(prosrc)')}, {lit(digest)}, {lit(f'{sig}: body as the spec wrote it')})")
    config = proconfig(fn.search_path) if fn.search_path is not None else None
    f.test(f"is({_proc(fn, 'proconfig')}, {texts(config) if config else 'null::text[]'}, "
           f"{lit(f'{sig}: search_path ' + (repr(fn.search_path) if config else 'not set'))})")
    args = names(a.type for a in fn.arguments)
    for role in roles:
        may = role in fn.execute_roles or PUBLIC in fn.execute_roles or fn.executable_by_public
        f.test(f"function_privs_are({lit(fn.schema)}, {lit(fn.name)}, {args}, {lit(role)}, "
               f"{names(['EXECUTE'] if may else [])}, {lit(f'{sig}: {role} ' + ('may' if may else 'may not') + ' execute')})")


def schema_checks(f: TapFile, schema: SchemaObject, roles: list[str]) -> None:
    for role in roles:
        privs = ["USAGE"] if role in schema.usage_roles or PUBLIC in schema.usage_roles else []
        f.test(f"schema_privs_are({lit(schema.name)}, {lit(role)}, {names(privs)}, "
               f"{lit(f'schema {schema.name}: {role} holds ' + (', '.join(privs) or 'no privileges'))})")


def sequence_checks(f: TapFile, table: Table, roles: list[str]) -> None:
    """Identity sequences: no API role may read or set them (one counter for every tenant)."""
    for column in table.columns:
        if not column.identity:
            continue
        sequence = identity_sequence_name(table.name, column.name)
        for role in roles:
            if table.revoke_from and role not in table.revoke_from:
                continue
            f.test(f"sequence_privs_are({lit(table.schema)}, {lit(sequence)}, {lit(role)}, {names([])}, "
                   f"{lit(f'sequence {qualified(table.schema, sequence)}: {role} holds no privileges')})")


def view_checks(f: TapFile, view: View, roles: list[str]) -> None:
    relation_privileges(f, view, roles)
    if not view.materialized:
        q = qualified(view.schema, view.name)
        options = f"(select reloptions from pg_catalog.pg_class where oid = {regclass(view.schema, view.name)})"
        f.test(f"is(coalesce(array['security_invoker=true'] <@ {options}, false), "
               f"{'true' if view.security_invoker else 'false'}, "
               f"{lit(f'view {q}: security_invoker ' + ('on' if view.security_invoker else 'off'))})")


CATALOG_SECTIONS = (
    ("schemas", "schema", schema_checks),
    ("functions: security, body, search_path, EXECUTE", "function", function_checks),
    ("identity sequences", "table", sequence_checks),
    ("views", "view", view_checks),
)


def catalog_file(f: TapFile, model: Model, roles: list[str]) -> None:
    for title, family, checks in CATALOG_SECTIONS:
        f.section(title)
        for obj in model.of(family):
            checks(f, obj, roles)
