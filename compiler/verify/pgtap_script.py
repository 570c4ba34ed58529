"""One pgTAP test file as it is written: its statements, its plan (assertions are counted as they
are added, so ``plan(N)`` is always right), and the frame every file shares.

The frame: ``begin``; pgTAP created for this transaction only when it is not installed
(``supabase test db`` has created it in ``extensions``; a plain database may have none) and its
schema appended to the search path; a ``pg_temp`` helper that runs a statement, undoes it and
says what happened; ``plan``; the assertions; ``finish``; ``rollback`` -- so a run leaves the
database as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

from ..postgres.session import jwt_claims
from ..sqltext import dollar_quote, ident, literal

TAG = "$atlas$"

FRAME_START = f"""begin;

-- pgTAP: installed already (`supabase test db` creates it in `extensions`), or created here for
-- this transaction only; its schema goes last on the search path
do {TAG}
begin
  if not exists (select from pg_catalog.pg_extension where extname = 'pgtap') then
    if exists (select from pg_catalog.pg_namespace where nspname = 'extensions') then
      create extension pgtap with schema extensions;
    else
      create extension pgtap;
    end if;
  end if;
  perform pg_catalog.set_config('search_path', pg_catalog.current_setting('search_path') || ', ' ||
    (select pg_catalog.quote_ident(n.nspname) from pg_catalog.pg_extension e
       join pg_catalog.pg_namespace n on n.oid = e.extnamespace where e.extname = 'pgtap'), true);
end
{TAG};

-- pg_temp.atlas_outcome(statement): runs it as the current role, undoes whatever it did, and
-- returns '<n> rows' or '<sqlstate> <message>' (a leak changes nothing the later tests read)
create function pg_temp.atlas_outcome(statement text) returns text
language plpgsql as {TAG}
declare
  n bigint;
begin
  begin
    execute statement;
    get diagnostics n = row_count;
    raise sqlstate 'AT000';
  exception when sqlstate 'AT000' then
    return n || ' rows';
  end;
exception when others then
  return sqlstate || ' ' || sqlerrm;
end
{TAG};
"""

HELPERS = f"""
-- pg_temp.atlas_policy(table, name): the policy's catalog row; pg_temp.atlas_policy_expr(table,
-- name, 'using' | 'check'): its expression as this server deparses it
create function pg_temp.atlas_policy(tbl text, policy name) returns pg_catalog.pg_policy
language sql stable as {TAG}
  select p from pg_catalog.pg_policy p where polrelid = pg_catalog.to_regclass(tbl) and polname = policy
{TAG};
create function pg_temp.atlas_policy_expr(tbl text, policy name, clause text) returns text
language sql stable as {TAG}
  select pg_catalog.pg_get_expr(case clause when 'using' then polqual else polwithcheck end, polrelid)
  from pg_catalog.pg_policy where polrelid = pg_catalog.to_regclass(tbl) and polname = policy
{TAG};
"""

# What the "nothing extra" assertions read through the server's deparse: each helper fixes its
# own search_path, so the text is the same where the files were written and where they run
CONTENT_HELPERS = f"""
-- pg_temp.atlas_functions(schema): signatures of its functions, members of extensions aside
create function pg_temp.atlas_functions(nsp name) returns text[]
language sql stable set search_path = pg_catalog as {TAG}
  select coalesce(array_agg(s order by s), '{{}}') from (
    select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as s
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = nsp and not exists (select from pg_depend d where d.classid = 'pg_proc'::regclass
                                          and d.objid = p.oid and d.deptype = 'e')) q
{TAG};
-- pg_temp.atlas_column_grants(schema, roles): column-level privileges held by roles (or PUBLIC)
create function pg_temp.atlas_column_grants(nsp name, roles text[]) returns text[]
language sql stable set search_path = pg_catalog as {TAG}
  select coalesce(array_agg(s order by s), '{{}}') from (
    select format('%I.%I %s %s', c.relname, a.attname,
                  case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee)::text end, x.privilege_type) as s
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attacl is not null
    cross join lateral aclexplode(a.attacl) x
    where n.nspname = nsp and (x.grantee = 0 or pg_get_userbyid(x.grantee) = any(roles))) q
{TAG};
-- pg_temp.atlas_default(table, column): the column's default as deparsed, null when it has none
create function pg_temp.atlas_default(tbl text, col name) returns text
language sql stable set search_path = pg_catalog as {TAG}
  select pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d
  join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
  where d.adrelid = to_regclass(tbl) and a.attname = col
{TAG};
"""

FRAME_END = """
reset role;
select * from finish();
rollback;
"""

REFUSED = "^42501 "                     # insufficient privilege, or refused by row level security
NO_ROWS_OR_REFUSED = "^(0 rows|42501 .*)$"


def lit(value) -> str:
    return literal(value)


def names(values: Iterable[str]) -> str:
    """A ``name[]`` literal (pgTAP's ``*_are`` functions take them)."""
    values = list(values)
    if not values:
        return "'{}'::name[]"
    return "array[" + ", ".join(lit(v) for v in values) + "]::name[]"


def texts(values: Iterable[str]) -> str:
    values = list(values)
    if not values:
        return "'{}'::text[]"
    return "array[" + ", ".join(lit(v) for v in values) + "]::text[]"


def quoted(statement: str) -> str:
    """A statement as a text argument (dollar quoted, so it stays readable)."""
    return dollar_quote(statement)


def setting_name(name: str) -> str:
    return ".".join(ident(part) for part in name.split("."))


@dataclass
class TapFile:
    """The body of one file; :meth:`text` adds the frame and the plan."""

    name: str
    title: str
    lines: list[str] = field(default_factory=list)
    tests: int = 0

    def test(self, call: str) -> None:
        """One assertion: ``call`` is a pgTAP call (``is(...)``, ``ok(...)``...)."""
        self.lines.append(f"select {call};")
        self.tests += 1

    def run(self, statement: str) -> None:
        """A statement that is not an assertion (sign-in, seed rows, a throwaway policy)."""
        self.lines.append(statement.rstrip().rstrip(";") + ";")

    def section(self, text: str) -> None:
        self.lines.append("")
        self.lines.append(f"-- {text}")

    def sign_in(self, role: str, user_id: str | None, settings: dict[str, str],
                claims: dict | None = None) -> None:
        """Act as PostgREST does for a request: the JWT's role for the transaction, the claims
        (``request.jwt.claims`` and the legacy ``request.jwt.claim.sub``; ``claims`` merged in,
        the current tenant's claim in claim mode), and the further settings: those a
        ``current_setting('<name>')`` form of ``current_user_id`` reads, the current tenant's
        in setting mode."""
        self.run(f"set local role {ident(role)}")
        self.run(f"set local request.jwt.claims = {lit(json.dumps(jwt_claims(user_id, role, claims)))}")
        self.run(f"set local request.jwt.claim.sub = {lit('' if user_id is None else user_id)}")
        for name, value in settings.items():
            self.run(f"set local {setting_name(name)} = {lit(value)}")

    def sign_out(self) -> None:
        self.run("reset role")

    def text(self) -> str:
        head = f"-- {self.title}\n-- Written by `atlas-compile verify --emit-pgtap`; run with pg_prove or `supabase test db`.\n"
        body = "\n".join(self.lines)
        return f"{head}{FRAME_START}{HELPERS}{CONTENT_HELPERS}\nselect plan({self.tests});\n{body}\n{FRAME_END}"
