"""The migration runners' own history tables, recognised by name, so that `drift` and `verify
--database-url` say what such a table is and how to move it, instead of flagging an unknown
relation. dbmate and golang-migrate create ``schema_migrations`` and Flyway
``flyway_schema_history`` in the connection's default schema: ``public`` on Supabase, where the
default privileges give anon and authenticated ALL on it, without row level security (readable
and deletable through the API). The Supabase CLI keeps its own in ``supabase_migrations``.

What works was tried with the real dbmate (2.36): ``--migrations-table dbmate.schema_migrations``
(or DBMATE_MIGRATIONS_TABLE) creates the schema ``dbmate`` itself, and a history moved there with
``ALTER TABLE ... SET SCHEMA`` is read as before. Not ``atlas_private``: dbmate would create that
schema before the first migration's ``CREATE SCHEMA atlas_private`` runs, which then fails."""
from __future__ import annotations

_MOVE = "CREATE SCHEMA {schema}; ALTER TABLE {key} SET SCHEMA {schema};"


def runner_table_note(key: str) -> str | None:
    """What the relation ``schema.table`` is and how to move it, when it is a runner's table."""
    schema, _, table = key.partition(".")
    if schema == "supabase_migrations":
        return "the Supabase CLI's migration history (schema supabase_migrations, not exposed to the API)"
    if table == "schema_migrations":
        return (f"the migration history of dbmate or golang-migrate, which they create in the default schema; "
                f"keep it out of the API's schemas: {_MOVE.format(schema='dbmate', key=key)} then run "
                "dbmate with --migrations-table dbmate.schema_migrations (or DBMATE_MIGRATIONS_TABLE; it creates "
                "the schema), golang-migrate with "
                "x-migrations-table=\"dbmate\".\"schema_migrations\"&x-migrations-table-quoted=1 in the URL "
                "(it does not create the schema)")
    if table == "flyway_schema_history":
        return (f"Flyway's migration history, which it creates in the default schema; keep it out of the "
                f"API's schemas: {_MOVE.format(schema='flyway', key=key)} then set defaultSchema=flyway "
                "(the migrations set their own search_path)")
    return None
