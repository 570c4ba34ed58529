"""``atlas-compile verify --emit-pgtap DIR``: the checks of ``verify`` as pgTAP tests a project
keeps in its own CI (``supabase/tests`` style: run them with ``pg_prove`` or ``supabase test db``).

:func:`write_pgtap` writes one file per table of the spec (``<schema>.<table>.test.sql``:
structure, contents, then behaviour for the tables whose rows belong to a tenant) and one for
the catalog-wide checks (``00_catalog.test.sql``: functions, sequences, schemas, views, and the
contents of every managed schema).  Each file is self-contained: it creates pgTAP for itself
when the database has none, inserts its own two tenants, plans exactly the number of assertions
it makes, and rolls everything back.  They are meant for databases with real data in every
table (staging, a Supabase branch): the seed's keys are computed when the file runs, past the
rows already there (:mod:`.pgtap_keys`), and no pre-existing row is touched.

What they check is in :mod:`.pgtap_structure` (the catalog: row level security, policies and
their expressions, privileges, security definer functions), :mod:`.pgtap_contents` (nothing
extra: exactly the spec's tables, views, functions, enum labels, columns, triggers, indexes,
foreign keys, defaults, column privileges) and :mod:`.pgtap_behaviour` (signed in as members of
A and as anon: B's rows invisible and unwritable, A's own rows visible).  The seed rows are found
once on the database given (:mod:`.pgtap_seed`).

What the files cannot see: a superuser, the table owner without ``FORCE`` or any ``BYPASSRLS``
role skips row level security by design, so the files must run as a role that does not (they
sign in as ``authenticated`` and ``anon`` themselves; the seed inserts need a role that may
write every table, the superuser or ``postgres`` of Supabase).  Rows written by triggers (audit
rows) draw from their identity sequence, which no rollback undoes.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from ..isolation.catalog import api_roles
from ..isolation.partitions import maintain_call, partition_tree, partitioned_tables
from ..model import Model
from ..output import write_files
from . import pgtap_behaviour, pgtap_contents, pgtap_partitions, pgtap_structure
from .pgtap_inventory import read_inventory
from .pgtap_script import TapFile
from .pgtap_seed import behaviour_tables, capture

__all__ = ["CATALOG_FILE", "write_pgtap", "pgtap_files"]

CATALOG_FILE = "00_catalog.test.sql"


def file_name(schema: str, table: str) -> str:
    return f"{schema}.{table}.test.sql"


def pgtap_files(conn: psycopg.Connection, model: Model) -> list[TapFile]:
    """The files, in name order.  ``conn``: a superuser connection to a database where the
    migrations of ``model`` are applied; it is left as it was (the seed is rolled back)."""
    roles = api_roles(conn)
    captured = capture(conn, model)
    tenant_tables = set(behaviour_tables(captured.seed))
    inventory = read_inventory(conn, model.managed_schemas(), roles)
    files = []
    catalog = TapFile(CATALOG_FILE, f"{model.project or 'project'}: functions, sequences, schemas, views, contents")
    pgtap_structure.catalog_file(catalog, model, roles)
    for contents in inventory:
        pgtap_contents.schema_contents(catalog, contents, roles)
    files.append(catalog)
    tables = {(s.name, t): c for s in inventory for t, c in s.tables_of.items()}
    partitioned = set(partitioned_tables(conn, model))
    maintain = maintain_call(conn)[0] if partitioned else None
    for table in sorted(model.of("table"), key=lambda t: (t.schema, t.name)):
        qualified = f"{table.schema}.{table.name}"
        behaves = qualified in tenant_tables
        f = TapFile(file_name(table.schema, table.name), f"{qualified} ({table.kind} table)")
        pgtap_structure.table_file(f, table, model, roles)
        if (table.schema, table.name) in tables:
            pgtap_contents.table_contents(f, table.schema, table.name, tables[(table.schema, table.name)])
        if behaves:
            pgtap_behaviour.seed_rows(f, captured)
            pgtap_behaviour.table_behaviour(f, captured, qualified)
        if qualified in partitioned:
            pgtap_partitions.table_partitions(f, captured if behaves else None, qualified, roles,
                                              any(p.default for p in partition_tree(conn, qualified, roles)),
                                              maintain)
        files.append(f)
    return files


def write_pgtap(conn: psycopg.Connection, model: Model, directory: Path) -> list[Path]:
    """Write the pgTAP files into ``directory`` (created if needed; files of other names are left
    alone); returns their paths in name order."""
    files = pgtap_files(conn, model)
    directory.mkdir(parents=True, exist_ok=True)
    write_files(directory, {f.name: f.text().encode("utf-8") for f in files})
    return [directory / f.name for f in files]
