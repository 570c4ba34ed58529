"""Snapshots of the generated SQL, one reviewable ``.sql`` file per snapshot.

The example schema's initial migration (up and down), and a few small specs under
``tests/cases/snapshots/<name>/schema/`` that each exercise one feature so a reviewer can read
its SQL in isolation. Update with ``python3 -m pytest tests/test_snapshots.py --snapshot-update``
and review the diff of ``tests/__snapshots__/test_snapshots/``.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, snapshot_cases
from helpers import SNAPSHOT_CASES as CASES
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from compiler.pipeline import next_migration

UP = "migrations/0001_initial.up.sql"
DOWN = "migrations/0001_initial.down.sql"

CASE_NAMES = [
    "column_options",      # a tenant table with every column option
    "reserved_words",      # columns named order, user, group: quoting
    "fk_cycle",            # two tables pointing at each other: FKs after both tables
    "soft_delete_audit",   # soft_delete + audit with a sensitive column
    "access_rules",        # owner, role:x, public, service, none, and a raw policy
    "materialized_view",   # materialized view with indexes
    "matview_refresh",     # refresh functions, concurrently with its unique index, pg_cron schedules
    "partitioned_messages",   # monthly partitions on created_at: keys with it, default partition, maintenance, fence
    "partitioned_events_partman",   # daily partitions handed to pg_partman (create_parent by version), fenced
    "target_postgres",     # no Supabase grants or realtime publication
    "encrypted_columns",   # encrypted: true: key made on the server, encrypt triggers, the decrypted accessor
    "citus_crm",           # target citus: distribution calls, keys with the tenant column, call-form policies
    "long_names",          # generated names over 63 bytes shortened with a hash
    "hostile_names",       # reserved words as table and column names, quotes, $body$, "; drop" in strings
    "help_desk",           # a new domain written from the SPEC and README: auth.users, join table, public, views
    "clinic_postgres",     # target postgres, app.user_id, audit + soft delete + identity: sequences kept from the app role
    "crm_supabase",        # B2B CRM: members on auth.users soft-deleted, owner rules two ways, public + shared tables, raw policy
    "materialized_view_over_view",   # a materialized view reading tenant rows through a plain view: still filtered
    "event_ticketing",     # written from the README alone: sql functions (args, definer, setof, table), enum literals
    "current_tenant_claim",    # crm_supabase naming its workspace in a nested JWT claim: the scalar fence
    "current_tenant_setting",  # clinic_postgres naming its clinic in a transaction setting
]


class SQLSnapshotExtension(SingleFileSnapshotExtension):
    """Stores each snapshot as its own UTF-8 text ``.sql`` file."""

    # syrupy >= 5 reads `file_extension`; syrupy 4 read `_file_extension`.
    file_extension = "sql"
    _file_extension = "sql"
    _write_mode = WriteMode.TEXT


@pytest.fixture
def sql_snapshot(snapshot):
    return snapshot.use_extension(SQLSnapshotExtension)


def _build(schema: Path, tmp_path: Path) -> dict[str, str]:
    result = next_migration(schema, tmp_path / "out")
    assert result.migration == "0001_initial"
    return {rel: data.decode("utf-8") for rel, data in result.files.items()}


def test_example_schema(sql_snapshot, tmp_path):
    files = _build(ROOT / "schema", tmp_path)
    assert files[UP] == sql_snapshot(name="up")
    assert files[DOWN] == sql_snapshot(name="down")


def test_case_list_matches_folders():
    assert snapshot_cases() == sorted(CASE_NAMES)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_case(case, sql_snapshot, tmp_path):
    files = _build(CASES / case / "schema", tmp_path)
    assert files[UP] == sql_snapshot(name="up")
    assert files[DOWN] == sql_snapshot(name="down")
