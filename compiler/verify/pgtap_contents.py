""""Nothing extra" pgTAP assertions: the managed schemas hold exactly what the spec compiles to.

The checks of :mod:`.pgtap_structure` follow the spec's promises object by object; they cannot
see what was added beside them, nor a trigger or a foreign key the spec did not phrase as an
access rule.  These pin the contents, with the expected values read where the files are written
(:mod:`.pgtap_inventory`):

* per managed schema (public, atlas_private and the spec's other schemas; not auth, storage,
  extensions or atlas_archive), in the catalog file: ``tables_are``, ``views_are``,
  ``materialized_views_are``, ``enums_are`` and each enum's labels in order
  (``enum_has_labels``: a label added fails), the functions by signature, and the column-level
  privileges of the API roles and PUBLIC (a ``grant select (col)`` to anon fails);
* per table, in its file: ``columns_are``, ``triggers_are`` (the soft-delete, updated_at and
  audit triggers), ``indexes_are``, ``fk_ok`` for each foreign key with its exact columns (a
  tenant-composite key replaced by a plain one, or dropped, fails), and each column's default.

Two are written with ``is()`` over a ``pg_temp`` helper rather than pgTAP's own function, for a
reason each: ``functions_are`` lists every function of the schema, pgTAP's own when it is
installed there (a plain database without an ``extensions`` schema), and compares names only,
so an overload added passes; ``col_default_is`` compares the server's deparse under the
caller's search path, which differs between the writing connection and ``supabase test db``
(``'open'::issue_state`` against ``'open'::public.issue_state``).  The helpers deparse under
``search_path = pg_catalog`` on both sides.  Columns without a default get ``col_hasnt_default``.
"""

from __future__ import annotations

from ..sqltext import qualified
from .pgtap_inventory import SchemaContents, TableContents
from .pgtap_script import TapFile, lit, names, texts

SCHEMA_CHECKS = (
    ("tables", "tables_are"),
    ("views", "views_are"),
    ("materialized_views", "materialized_views_are"),
)


def schema_contents(f: TapFile, contents: SchemaContents, roles: list[str]) -> None:
    s = contents.name
    f.section(f"schema {s}: exactly what the spec compiles to")
    for attribute, function in SCHEMA_CHECKS:
        listed = getattr(contents, attribute)
        what = attribute.replace("_", " ")
        f.test(f"{function}({lit(s)}, {names(listed)}, {lit(f'schema {s}: exactly the {what} of the spec')})")
    f.test(f"is(pg_temp.atlas_functions({lit(s)}), {texts(contents.functions)}, "
           f"{lit(f'schema {s}: exactly the functions of the spec (by signature)')})")
    f.test(f"enums_are({lit(s)}, {names(contents.enums)}, {lit(f'schema {s}: exactly the enums of the spec')})")
    for enum, labels in contents.enums.items():
        f.test(f"enum_has_labels({lit(s)}, {lit(enum)}, {names(labels)}, "
               f"{lit(f'enum {qualified(s, enum)}: labels ' + ', '.join(labels))})")
    grants = contents.column_grants
    who = ", ".join([*roles, "PUBLIC"])
    f.test(f"is(pg_temp.atlas_column_grants({lit(s)}, {texts(roles)}), {texts(grants)}, "
           f"{lit(f'schema {s}: column privileges of {who}: ' + ('; '.join(grants) or 'none'))})")


def table_contents(f: TapFile, schema: str, table: str, contents: TableContents) -> None:
    q = qualified(schema, table)
    f.section("contents: columns, triggers, indexes, foreign keys, defaults")
    f.test(f"columns_are({lit(schema)}, {lit(table)}, {names(contents.columns)}, {lit(f'{q}: exactly the columns of the spec')})")
    f.test(f"triggers_are({lit(schema)}, {lit(table)}, {names(contents.triggers)}, "
           f"{lit(f'{q}: exactly the triggers of the spec' + (': ' + ', '.join(contents.triggers) if contents.triggers else ''))})")
    f.test(f"indexes_are({lit(schema)}, {lit(table)}, {names(contents.indexes)}, {lit(f'{q}: exactly the indexes of the spec')})")
    for fk in contents.fks:
        text = f"{q}({', '.join(fk.columns)}) references {qualified(fk.ref_schema, fk.ref_table)}({', '.join(fk.ref_columns)})"
        f.test(f"fk_ok({lit(schema)}, {lit(table)}, {names(fk.columns)}, {lit(fk.ref_schema)}, {lit(fk.ref_table)}, "
               f"{names(fk.ref_columns)}, {lit(f'foreign key {text}')})")
    for column, default in contents.defaults.items():
        if default is None:
            f.test(f"col_hasnt_default({lit(schema)}, {lit(table)}, {lit(column)}, {lit(f'{q}.{column} has no default')})")
        else:
            f.test(f"is(pg_temp.atlas_default({lit(qualified(schema, table))}, {lit(column)}), {lit(default)}, "
                   f"{lit(f'{q}.{column} defaults to {default}')})")
