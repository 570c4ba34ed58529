"""OID-free, order-free snapshots of a database's catalog, and their diff.

``snapshot_catalog(conn)`` returns ``{category: {key: facts}}`` where keys are
readable names (``"public.todos"``, ``"public.todos.title"``,
``"public.f(integer, text)"``) and facts are dicts of plain Python values.
Two databases with the same schema give equal snapshots (compare with
``==``); :func:`diff_catalogs` lists the differences in words.

Conventions:
  * Everything is keyed by name, never by OID or column/attribute position.
  * Expressions (defaults, constraint/index/view/function/policy text) are
    deparsed with ``search_path = pg_catalog`` so names are always
    schema-qualified the same way.
  * ACLs are lists of ``(grantor, grantee, privilege, grantable)`` tuples
    from ``aclexplode``; a NULL ACL is replaced by ``acldefault`` (what it
    means), so "never granted" and "explicitly the default" compare equal.
    The grantee of PUBLIC is ``'PUBLIC'``.
  * Objects that belong to an extension are left out.
  * ``schemas`` and ``extensions`` cover the whole database (any schema that
    is not pg_* / information_schema); the other categories only the
    requested schemas.  Publications and their explicit tables (``ALTER
    PUBLICATION ... ADD TABLE``, ``TABLES IN SCHEMA``) cover the whole
    database.
  * Default privileges (pg_default_acl) are not snapshotted.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, Iterable, Sequence

import psycopg

__all__ = ["CATEGORIES", "DEFAULT_SCHEMAS", "diff_catalogs", "snapshot_catalog"]

DEFAULT_SCHEMAS: tuple[str, ...] = ("public", "atlas_private", "atlas_archive")

CATEGORIES: tuple[str, ...] = (
    "schemas",
    "extensions",
    "relations",
    "columns",
    "constraints",
    "indexes",
    "policies",
    "triggers",
    "functions",
    "enums",
    "domains",
    "views",
    "sequences",
    "comments",
    "publications",
    "publication_tables",
)


def _acl(expr: str) -> str:
    """SQL producing a jsonb array of [grantor, grantee, privilege, grantable]."""
    return f"""(
        select coalesce(jsonb_agg(jsonb_build_array(
                   case when x.grantor = 0 then 'PUBLIC' else pg_get_userbyid(x.grantor)::text end,
                   case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee)::text end,
                   x.privilege_type,
                   x.is_grantable)), '[]'::jsonb)
        from aclexplode({expr}) as x)"""


def _not_ext_member(classid: str, objid: str) -> str:
    return f"""not exists (
        select from pg_depend dep
        where dep.classid = '{classid}'::regclass and dep.objid = {objid} and dep.deptype = 'e')"""


_Q_SCHEMAS = f"""
select n.nspname as key,
       pg_get_userbyid(n.nspowner)::text as owner,
       {_acl("coalesce(n.nspacl, acldefault('n', n.nspowner))")} as acl
from pg_namespace n
where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
"""

_Q_EXTENSIONS = """
select e.extname as key, n.nspname as schema
from pg_extension e join pg_namespace n on n.oid = e.extnamespace
"""

_REL_FILTER = f"""
    n.nspname = any(%(schemas)s) and {_not_ext_member('pg_class', 'c.oid')}
"""

_Q_RELATIONS = f"""
select n.nspname || '.' || c.relname as key,
       c.relkind::text as relkind,
       pg_get_userbyid(c.relowner)::text as owner,
       c.relrowsecurity as rowsecurity,
       c.relforcerowsecurity as forcerowsecurity,
       c.relpersistence::text as persistence,
       c.relreplident::text as replica_identity,
       coalesce((select jsonb_agg(o order by o) from unnest(c.reloptions) as o), '[]'::jsonb) as reloptions,
       (select jsonb_agg(pn.nspname || '.' || pc.relname order by pn.nspname, pc.relname)
          from pg_inherits i
          join pg_class pc on pc.oid = i.inhparent
          join pg_namespace pn on pn.oid = pc.relnamespace
         where i.inhrelid = c.oid) as inherits,
       pg_get_expr(c.relpartbound, c.oid) as partition_bound,
       case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end as partition_key,
       case when c.relkind = 'c' then null else
           {_acl("coalesce(c.relacl, case when c.relkind = 'S' then acldefault('s', c.relowner) else acldefault('r', c.relowner) end)")}
       end as acl
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c') and {_REL_FILTER}
"""

_Q_COLUMNS = f"""
select n.nspname || '.' || c.relname || '.' || a.attname as key,
       format_type(a.atttypid, a.atttypmod) as type,
       a.attnotnull as not_null,
       pg_get_expr(ad.adbin, ad.adrelid) as "default",
       nullif(a.attidentity::text, '') as identity,
       nullif(a.attgenerated::text, '') as generated,
       case when a.attcollation = 0 then null
            when cn.nspname = 'pg_catalog' then co.collname::text
            else cn.nspname || '.' || co.collname end as collation,
       {_acl("a.attacl")} as acl
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
left join pg_collation co on co.oid = a.attcollation
left join pg_namespace cn on cn.oid = co.collnamespace
where a.attnum > 0 and not a.attisdropped
  and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c') and {_REL_FILTER}
"""

_Q_CONSTRAINTS = f"""
select n.nspname || '.' || c.relname || '.' || con.conname as key,
       con.contype::text as type,
       pg_get_constraintdef(con.oid) as definition,
       con.condeferrable as deferrable,
       con.condeferred as deferred,
       con.convalidated as validated
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
where {_REL_FILTER}
"""

_Q_INDEXES = f"""
select n.nspname || '.' || ic.relname as key,
       n.nspname || '.' || c.relname as "table",
       pg_get_indexdef(i.indexrelid) as definition,
       i.indisprimary as "primary",
       i.indisunique as "unique",
       i.indisvalid as valid
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_class c on c.oid = i.indrelid
join pg_namespace n on n.oid = c.relnamespace
where {_REL_FILTER}
"""

_Q_POLICIES = """
select p.schemaname || '.' || p.tablename || '.' || p.policyname as key,
       p.permissive,
       (select jsonb_agg(r order by r) from unnest(p.roles) as r) as roles,
       p.cmd,
       p.qual,
       p.with_check
from pg_policies p
where p.schemaname = any(%(schemas)s)
"""

_Q_TRIGGERS = f"""
select n.nspname || '.' || c.relname || '.' || t.tgname as key,
       pg_get_triggerdef(t.oid) as definition,
       t.tgenabled::text as enabled
from pg_trigger t
join pg_class c on c.oid = t.tgrelid
join pg_namespace n on n.oid = c.relnamespace
where not t.tgisinternal and {_REL_FILTER}
"""

_Q_FUNCTIONS = f"""
select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as key,
       p.prokind::text as kind,
       pg_get_function_result(p.oid) as result,
       pg_get_userbyid(p.proowner)::text as owner,
       p.prosecdef as security_definer,
       case when p.prokind <> 'a' then pg_get_functiondef(p.oid) end as definition,
       {_acl("coalesce(p.proacl, acldefault('f', p.proowner))")} as acl
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%(schemas)s) and {_not_ext_member('pg_proc', 'p.oid')}
"""

def _types_query(typtype: str, facts: str) -> str:
    """Types of one kind (pg_type.typtype) in the requested schemas: key, ``facts``, owner, acl."""
    return f"""
select n.nspname || '.' || t.typname as key,
       {facts},
       pg_get_userbyid(t.typowner)::text as owner,
       {_acl("coalesce(t.typacl, acldefault('T', t.typowner))")} as acl
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where t.typtype = '{typtype}' and n.nspname = any(%(schemas)s) and {_not_ext_member('pg_type', 't.oid')}
"""


_Q_ENUMS = _types_query("e", """
       (select jsonb_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) as labels""")

_Q_DOMAINS = _types_query("d", """
       format_type(t.typbasetype, t.typtypmod) as base_type,
       t.typnotnull as not_null,
       pg_get_expr(t.typdefaultbin, 0) as "default",
       (select jsonb_agg(jsonb_build_array(con.conname, pg_get_constraintdef(con.oid)) order by con.conname)
          from pg_constraint con where con.contypid = t.oid) as constraints""")

_Q_VIEWS = f"""
select n.nspname || '.' || c.relname as key,
       c.relkind::text as relkind,
       pg_get_viewdef(c.oid) as definition
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm') and {_REL_FILTER}
"""

_Q_SEQUENCES = f"""
select n.nspname || '.' || c.relname as key,
       format_type(s.seqtypid, null) as type,
       s.seqstart as start,
       s.seqincrement as increment,
       s.seqmin as min,
       s.seqmax as max,
       s.seqcache as cache,
       s.seqcycle as cycle,
       (select dn.nspname || '.' || dc.relname || '.' || da.attname
          from pg_depend d
          join pg_class dc on dc.oid = d.refobjid
          join pg_namespace dn on dn.oid = dc.relnamespace
          join pg_attribute da on da.attrelid = d.refobjid and da.attnum = d.refobjsubid
         where d.classid = 'pg_class'::regclass and d.objid = c.oid
           and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0
           and d.deptype in ('a', 'i')
         order by 1 limit 1) as owned_by
from pg_sequence s
join pg_class c on c.oid = s.seqrelid
join pg_namespace n on n.oid = c.relnamespace
where {_REL_FILTER}
"""

# Comments on objects in the requested schemas, keyed by pg_identify_object's
# (type, identity), e.g. ("table", "public.todos"), ("table column",
# "public.todos.title"), ("function", "public.f(integer)"),
# ("policy", "p on public.todos").
_Q_COMMENTS = """
with rels as (
    select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any(%(schemas)s)
)
select io.type || ' ' || io.identity as key, d.description
from pg_description d
cross join lateral pg_identify_object(d.classoid, d.objoid, d.objsubid) as io
where (
       (d.classoid = 'pg_class'::regclass and d.objoid in (select oid from rels))
    or (d.classoid = 'pg_proc'::regclass and d.objoid in (
            select p.oid from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = any(%(schemas)s)))
    or (d.classoid = 'pg_type'::regclass and d.objoid in (
            select t.oid from pg_type t join pg_namespace n on n.oid = t.typnamespace
            where n.nspname = any(%(schemas)s)))
    or (d.classoid = 'pg_namespace'::regclass and d.objoid in (
            select n.oid from pg_namespace n where n.nspname = any(%(schemas)s)))
    or (d.classoid = 'pg_constraint'::regclass and d.objoid in (
            select con.oid from pg_constraint con join pg_namespace n on n.oid = con.connamespace
            where n.nspname = any(%(schemas)s)))
    or (d.classoid = 'pg_trigger'::regclass and d.objoid in (
            select t.oid from pg_trigger t where t.tgrelid in (select oid from rels)))
    or (d.classoid = 'pg_policy'::regclass and d.objoid in (
            select p.oid from pg_policy p where p.polrelid in (select oid from rels)))
  )
  and not exists (
        select from pg_depend e
        where e.classid = d.classoid and e.objid = d.objoid and e.deptype = 'e')
"""

_Q_PUBLICATIONS = """
select p.pubname as key,
       p.puballtables as all_tables,
       p.pubinsert as "insert",
       p.pubupdate as "update",
       p.pubdelete as "delete",
       p.pubtruncate as "truncate",
       p.pubviaroot as via_root
from pg_publication p
"""

# Explicit publication membership, read from pg_publication_rel and
# pg_publication_namespace rather than the pg_publication_tables view (which
# costs ~0.2 s even for an empty publication).  FOR ALL TABLES publications
# show up as all_tables in "publications".
_Q_PUBLICATION_TABLES_15 = """
select p.pubname || ': ' || n.nspname || '.' || c.relname as key,
       (select jsonb_agg(a.attname order by a.attname)
          from pg_attribute a
         where a.attrelid = pr.prrelid and a.attnum = any(pr.prattrs::int2[])) as columns,
       pg_get_expr(pr.prqual, pr.prrelid) as row_filter
from pg_publication_rel pr
join pg_publication p on p.oid = pr.prpubid
join pg_class c on c.oid = pr.prrelid
join pg_namespace n on n.oid = c.relnamespace
union all
select p.pubname || ': TABLES IN SCHEMA ' || n.nspname, null, null
from pg_publication_namespace pn
join pg_publication p on p.oid = pn.pnpubid
join pg_namespace n on n.oid = pn.pnnspid
"""

_Q_PUBLICATION_TABLES_OLD = """
select p.pubname || ': ' || n.nspname || '.' || c.relname as key
from pg_publication_rel pr
join pg_publication p on p.oid = pr.prpubid
join pg_class c on c.oid = pr.prrelid
join pg_namespace n on n.oid = c.relnamespace
"""

_QUERIES: dict[str, str] = {
    "schemas": _Q_SCHEMAS,
    "extensions": _Q_EXTENSIONS,
    "relations": _Q_RELATIONS,
    "columns": _Q_COLUMNS,
    "constraints": _Q_CONSTRAINTS,
    "indexes": _Q_INDEXES,
    "policies": _Q_POLICIES,
    "triggers": _Q_TRIGGERS,
    "functions": _Q_FUNCTIONS,
    "enums": _Q_ENUMS,
    "domains": _Q_DOMAINS,
    "views": _Q_VIEWS,
    "sequences": _Q_SEQUENCES,
    "comments": _Q_COMMENTS,
    "publications": _Q_PUBLICATIONS,
    "publication_tables": _Q_PUBLICATION_TABLES_15,
}

# Fields holding (jsonb) lists whose order carries no meaning.
_ACL_FIELDS = {"acl"}


def _normalise(field: str, value: Any) -> Any:
    if field in _ACL_FIELDS and value is not None:
        return sorted(tuple(entry) for entry in value)
    return value


def snapshot_catalog(
    conn: psycopg.Connection, schemas: Sequence[str] = DEFAULT_SCHEMAS
) -> dict[str, dict[str, Any]]:
    """Snapshot the catalog facts of the connected database (see module doc).

    Runs in its own transaction or savepoint, which is rolled back, so it can
    be used on any connection that is not in a failed transaction.
    """
    params = {"schemas": list(schemas)}
    queries = dict(_QUERIES)
    if conn.info.server_version < 150000:
        queries["publication_tables"] = _Q_PUBLICATION_TABLES_OLD
    snapshot: dict[str, dict[str, Any]] = {}
    with conn.transaction(force_rollback=True):
        conn.execute("set local search_path = pg_catalog")
        for category in CATEGORIES:
            cur = conn.execute(queries[category], params)  # type: ignore[arg-type]
            names = [d.name for d in cur.description or ()]
            rows: dict[str, Any] = {}
            for row in cur.fetchall():
                key = row[0]
                facts = {
                    name: _normalise(name, value) for name, value in zip(names[1:], row[1:])
                }
                rows[key] = facts
            snapshot[category] = {key: rows[key] for key in sorted(rows)}
    return snapshot


# -- diff ------------------------------------------------------------------------

def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _diff_value(path: str, a: Any, b: Any, labels: tuple[str, str]) -> list[str]:
    la, lb = labels
    if a == b:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in b:
                out.append(f"{path}.{key}: only in {la}: {_fmt(a[key])}")
            elif key not in a:
                out.append(f"{path}.{key}: only in {lb}: {_fmt(b[key])}")
            else:
                out.extend(_diff_value(f"{path}.{key}", a[key], b[key], labels))
        return out
    if isinstance(a, list) and isinstance(b, list):
        try:
            sa, sb = set(map(_hashable, a)), set(map(_hashable, b))
        except TypeError:
            sa = sb = None  # type: ignore[assignment]
        if sa is not None and sa != sb:
            parts = []
            if sa - sb:
                parts.append(f"only in {la}: {sorted(sa - sb, key=repr)}")
            if sb - sa:
                parts.append(f"only in {lb}: {sorted(sb - sa, key=repr)}")
            return [f"{path}: " + "; ".join(parts)]
        return [f"{path}: {la}={_fmt(a)} != {lb}={_fmt(b)}"]
    if isinstance(a, str) and isinstance(b, str) and ("\n" in a or "\n" in b):
        udiff = difflib.unified_diff(
            a.splitlines(), b.splitlines(), fromfile=la, tofile=lb, lineterm="", n=1
        )
        return [f"{path}: differs:\n    " + "\n    ".join(udiff)]
    return [f"{path}: {la}={_fmt(a)} != {lb}={_fmt(b)}"]


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        raise TypeError("dict")
    return value


def diff_catalogs(
    a: dict[str, dict[str, Any]],
    b: dict[str, dict[str, Any]],
    labels: Iterable[str] = ("a", "b"),
) -> list[str]:
    """Human-readable differences between two snapshots; [] when equal.

    Lines look like ``relations: public.todos: only in b`` or
    ``columns: public.todos.title.not_null: a=False != b=True``.
    """
    la, lb = tuple(labels)
    out: list[str] = []
    categories = [c for c in CATEGORIES if c in a or c in b]
    categories += sorted((set(a) | set(b)) - set(CATEGORIES))
    for category in categories:
        ca, cb = a.get(category, {}), b.get(category, {})
        for key in sorted(set(ca) | set(cb)):
            if key not in cb:
                out.append(f"{category}: {key}: only in {la}")
            elif key not in ca:
                out.append(f"{category}: {key}: only in {lb}")
            else:
                out.extend(
                    f"{category}: {line}" for line in _diff_value(key, ca[key], cb[key], (la, lb))
                )
    return out
