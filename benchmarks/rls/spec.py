"""The spec under test: copied into a temporary folder with `project.tenancy.current_tenant` set
to the mode asked for, compiled (compiler.pipeline), and the table to measure found in its model.

The compiled `up` of a build from nothing is what gets applied; nothing is written to build/.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from compiler.model import Model, Table
from compiler.pipeline import compile_folder, fresh_build

MODES = ("memberships", "claim", "setting")


def patch_tenancy(src: Path, dest: Path, mode: str, key: str | None) -> Path:
    """A copy of the spec folder `src` in `dest` whose project file says `current_tenant: mode`
    (with the claim path or setting name `key`). Memberships on a spec that says nothing is left
    as written (today's default)."""
    shutil.copytree(src, dest)
    for path in sorted(dest.rglob("*.y*ml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not (isinstance(data, dict) and isinstance(data.get("project"), dict)):
            continue
        tenancy = data["project"].setdefault("tenancy", {})
        if mode == "memberships" and "current_tenant" not in tenancy:
            return dest
        key = key or tenancy.get("column", "organization_id")   # claim: named after the tenant column
        tenancy["current_tenant"] = mode if mode == "memberships" else {mode: key}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return dest
    raise SystemExit(f"no file with a `project:` key in {src}")


def compile_mode(src: Path, work: Path, mode: str, key: str | None) -> tuple[Model, str]:
    """The model and the initial migration's `up` SQL of `src` in tenancy mode `mode`."""
    model = compile_folder(patch_tenancy(src, work / f"spec-{mode}", mode, key))
    return model, fresh_build(model)


@dataclass
class Target:
    """The tenant table measured, and the columns its queries use (all discovered from the model
    unless the command line names them)."""

    table: str
    tenant: str
    pk: str
    pk_generated: bool           # an identity/serial key the seed leaves to the database
    status: str | None           # an enum column: the page's filter and the count's group
    status_values: tuple[str, ...]
    recency: str                 # the page's order (created_at when the table has it)
    soft_delete: str | None      # rows the select policy hides when set
    shown: tuple[str, ...]       # the page's select list
    table_obj: Table

    @property
    def qualified(self) -> str:
        return f"{self.table_obj.schema}.{self.table}"


def _enum_values(model: Model) -> dict[str, tuple[str, ...]]:
    return {f"{e.schema}.{e.name}": e.values for e in model.of("enum")}


def find_target(model: Model, table: str | None = None, status: str | None = None,
                tenant: str | None = None) -> Target:
    """The named table, else the tenant table with the most columns."""
    tables = [t for t in model.of("table") if t.kind == "tenant"]
    if table:
        matches = [t for t in tables if t.name == table]
        if not matches:
            raise SystemExit(f"no tenant table {table!r}; tenant tables: {', '.join(t.name for t in tables)}")
        chosen = matches[0]
    else:
        chosen = max(tables, key=lambda t: (len(t.columns), t.name))
    enums = _enum_values(model)
    tenant = tenant or model.tenancy.column
    (pk,) = next(c.columns for c in chosen.constraints if c.kind == "primary_key")
    pk_col = chosen.column(pk)
    generated = bool(pk_col.identity) or (pk_col.type in ("integer", "bigint") and bool(pk_col.default))
    indexed = [k.column for i in model.of("index") if i.table == chosen.name for k in i.keys]
    enum_cols = [c for c in chosen.columns if c.type.removesuffix("[]") == c.type and c.type in enums]
    if status is None and enum_cols:
        # Prefer an enum a declared index uses (the app filters by it), then a NOT NULL one.
        status = min(enum_cols, key=lambda c: (c.name not in indexed, c.nullable)).name
    values = enums[chosen.column(status).type] if status else ()
    recency = next((c.name for c in chosen.columns if c.name == "created_at"), None) or next(
        (c.name for c in chosen.columns if c.type.startswith("timestamp") and not c.nullable), pk)
    soft = next((c.name for c in chosen.columns if c.origin == "soft_delete"), None)
    text = next((c.name for c in chosen.columns if c.type == "text" and not c.nullable), None)
    shown = tuple(dict.fromkeys(n for n in (pk, text, status) if n))
    return Target(chosen.name, tenant, pk, generated, status, values, recency, soft, shown, chosen)


@dataclass
class SignIn:
    """How a request of member `user` of tenant `org` signs in, PostgREST's way: one statement
    setting the role and the JWT claims (and, in setting mode, the tenant setting)."""

    mode: str
    key: str | None                  # claim path or setting name of a scalar mode
    user_setting: str | None         # current_user_id read from a setting, not auth.uid()

    def claims_json_sql(self, user_sql: str, org_sql: str) -> str:
        """SQL building the claims JSON from SQL expressions of the user and tenant ids."""
        fields = f"'sub', {user_sql}, 'role', 'authenticated', 'aud', 'authenticated'"
        if self.mode == "claim":
            *outer, last = self.key.split(".")
            value = f"json_build_object('{last}', {org_sql})"
            for part in reversed(outer):
                value = f"json_build_object('{part}', {value})"
            fields += ", " + value.removeprefix("json_build_object(").removesuffix(")")
        return f"json_build_object({fields})::text"

    def claims(self, user: str, org: str) -> dict:
        claims: dict = {"sub": user, "role": "authenticated", "aud": "authenticated"}
        if self.mode == "claim":
            *outer, last = self.key.split(".")
            node = claims
            for part in outer:
                node = node.setdefault(part, {})
            node[last] = org
        return claims

    def statement(self, user: str, org: str) -> str:
        """The sign-in statement with literal ids and the claims as a JSON literal."""
        claims = json.dumps(self.claims(user, org)).replace("'", "''")
        return self._statement(f"'{claims}'", f"'{user}'", f"'{org}'")

    def statement_sql(self, user_sql: str, org_sql: str) -> str:
        """The sign-in statement from SQL expressions of the ids (pgbench's variables)."""
        return self._statement(self.claims_json_sql(user_sql, org_sql), user_sql, org_sql)

    def _statement(self, claims_sql: str, user_sql: str, org_sql: str) -> str:
        parts = ["set_config('role', 'authenticated', true)",
                 f"set_config('request.jwt.claims', {claims_sql}, true)"]
        if self.mode == "setting":
            parts.append(f"set_config('{self.key}', ({org_sql})::text, true)")
        if self.user_setting:
            parts.append(f"set_config('{self.user_setting}', ({user_sql})::text, true)")
        return "select " + ", ".join(parts)


def sign_in(model: Model) -> SignIn:
    tenancy = model.tenancy
    found = re.search(r"current_setting\(\s*'([^']+)'", tenancy.current_user_id)
    return SignIn(tenancy.current_tenant, tenancy.current_tenant_key, found.group(1) if found else None)
