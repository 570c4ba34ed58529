"""pgTAP assertions for a partitioned table: the partition checks of ``verify``
(:mod:`.partition_checks`, :mod:`compiler.isolation.partition_probes`) in the table's file.

Partition names depend on the date a partition was made, so the files do not list them: the
helpers below find every partition when the file runs (``pg_partition_tree``: sub-partitions
and the default one too), and each assertion covers all of them.

* the table has partitions (and its default partition, where it had one when written);
* where ``atlas_private.maintain_partitions`` exists: called as the superuser with a date ahead
  (rolled back with the file), it makes new partitions, which the assertions below cover too;
* every partition has row level security enabled, forced, and no privilege (table or column)
  for an API role;
* signed in as every role of A (tenant tables): naming each partition directly, a select reads
  no row, inserting the row of B the other tests try is refused (42501), an update or delete of
  every row touches none or is refused.
"""

from __future__ import annotations

from psycopg import sql

from ..isolation.rows import ident
from .pgtap_behaviour import _sign_in
from .pgtap_script import TAG, TapFile, lit, quoted, texts
from .pgtap_seed import Captured

HELPERS = f"""
-- pg_temp.atlas_partition_facts(table, roles): every partition of the table (found now,
-- recursively), its row level security and what the API roles may do to it
create function pg_temp.atlas_partition_facts(parent regclass, roles text[])
returns table (name text, is_default boolean, rls boolean, forced boolean, grants text[])
language sql stable set search_path = pg_catalog as {TAG}
  select n.nspname || '.' || c.relname, coalesce(pg_get_expr(c.relpartbound, c.oid), '') = 'DEFAULT',
         c.relrowsecurity, c.relforcerowsecurity,
         array(select r || ' ' || p from unnest(roles) r
               cross join unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
               where has_table_privilege(r, c.oid, p))
         || array(select case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee)::text end
                         || ' ' || x.privilege_type || ' (' || a.attname || ')'
                  from pg_attribute a cross join lateral aclexplode(a.attacl) x
                  where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                    and (x.grantee = 0 or pg_get_userbyid(x.grantee) = any(roles)))
  from pg_partition_tree(parent) t join pg_class c on c.oid = t.relid
  join pg_namespace n on n.oid = c.relnamespace
  where t.level > 0
{TAG};
-- pg_temp.atlas_partition_leaks(table, parent as written, tenant column, insert): as the current
-- role, every partition named directly: what a select read, an insert (the statement with the
-- parent replaced by the partition) did unrefused, an update or delete touched
create function pg_temp.atlas_partition_leaks(parent regclass, written text, col name, ins text)
returns text[] language plpgsql as {TAG}
declare
  part text;
  n bigint;
  got text;
  leaks text[] := '{{}}';
begin
  for part in select pg_catalog.format('%I.%I', s.nspname, c.relname)
              from pg_catalog.pg_partition_tree(parent) t join pg_catalog.pg_class c on c.oid = t.relid
              join pg_catalog.pg_namespace s on s.oid = c.relnamespace where t.level > 0 order by 1 loop
    begin
      execute pg_catalog.format('select count(*) from %s', part) into n;
      if n > 0 then leaks := leaks || (part || ': select read ' || n || ' rows'); end if;
    exception when insufficient_privilege then null;
    end;
    got := pg_temp.atlas_outcome(pg_catalog.replace(ins, written, part));
    if got !~ '^42501 ' then leaks := leaks || (part || ': insert ' || got); end if;
    foreach got in array array[
        pg_temp.atlas_outcome(pg_catalog.format('update %s set %I = %I', part, col, col)),
        pg_temp.atlas_outcome(pg_catalog.format('delete from %s', part))] loop
      if got !~ '^(0 rows|42501 .*)$' then leaks := leaks || (part || ': ' || got); end if;
    end loop;
  end loop;
  return leaks;
end
{TAG};
"""


def table_partitions(f: TapFile, captured: Captured | None, qualified: str, roles: list[str],
                     has_default: bool, maintain: str | None) -> None:
    """The partition assertions of ``qualified``'s file (``captured``: its seed, None where the
    table holds no tenant's rows)."""
    facts = f"pg_temp.atlas_partition_facts({lit(qualified)}, {texts(roles)})"
    f.section(f"partitions of {qualified}: each one fenced by itself (found when the file runs)")
    f.sign_out()
    f.run(HELPERS)
    f.test(f"cmp_ok((select count(*) from {facts})::integer, '>', 0, {lit(f'{qualified} has partitions')})")
    if has_default:
        f.test(f"ok(exists (select from {facts} where is_default), {lit(f'{qualified} has a default partition')})")
    _fence(f, facts, f"every partition of {qualified}", "")
    if captured is not None and captured.facts.get(qualified) and captured.facts[qualified].insert_other:
        _direct(f, captured, qualified)
    if maintain is not None:   # last: it fences every partition it finds, so it would hide a break
        before = "pg_catalog.current_setting('atlas.partitions_before')::text[]"
        f.run(f"do {TAG} begin perform pg_catalog.set_config('atlas.partitions_before', "
              f"array(select name from {facts})::text, true); perform {maintain}; end {TAG}")
        f.test(f"ok(exists (select from {facts} where name <> all({before})), "
               f"{lit(f'maintain_partitions() with a date ahead makes new partitions of {qualified}')})")
        _fence(f, facts, f"every partition of {qualified} made later", f" and name <> all({before})")


def _direct(f: TapFile, captured: Captured, qualified: str) -> None:
    """As every role of A, each partition named directly: nothing read, nothing written."""
    written = captured.bind(sql.SQL("{}").format(ident(qualified)))
    column = captured.seed.tenancy.column
    sign_in = _sign_in(captured)
    for role in captured.seed.tenants["A"].users:
        sign_in(f, role)
        leaks = (f"pg_temp.atlas_partition_leaks({lit(qualified)}, {lit(written)}, {lit(column)}, "
                 f"{quoted(captured.facts[qualified].insert_other)})")
        f.test(f"is({leaks}, '{{}}'::text[], "
               f"{lit(f'{qualified}: A:{role} reads and writes no partition directly')})")
    f.sign_out()

def _fence(f: TapFile, facts: str, which: str, only: str) -> None:
    """Row level security enabled and forced, and no grant, on the partitions ``only`` selects."""
    for column, what in (("rls", "row level security enabled"), ("forced", "row level security forced")):
        f.test(f"is(array(select name from {facts} where not {column}{only} order by 1), '{{}}'::text[], "
               f"{lit(f'{which} has {what}')})")
    f.test(f"is(array(select name || ': ' || array_to_string(grants, ', ') from {facts} "
           f"where grants <> '{{}}'{only} order by 1), '{{}}'::text[], "
           f"{lit(f'{which}: no grant to the API roles')})")
