"""Red team 12 A's F1 and F4 on the real server.

F1: on a soft_delete table partitioned by date, an UPDATE that moves a row to another partition
moves it (PostgreSQL runs it as a DELETE + INSERT; the soft delete lets a marked move through),
the delete rule stays the only way to soft-delete, and a mark cannot be forged.
F4: pg_partman cannot attach a partition whose range the default partition holds rows of;
maintain_partitions() moves them out first (partition_data_time), so maintenance goes on."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import SNAPSHOT_CASES

from compiler.pipeline import next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.verify.chain import apply_sql

CASE = SNAPSHOT_CASES / "partitioned_messages" / "schema"
PARTMAN_CASE = SNAPSHOT_CASES / "partitioned_events_partman" / "schema"
ORG = "0a000000-0000-4000-8000-000000000001"
MEMBER, ADMIN = "0b000000-0000-4000-8000-000000000001", "0b000000-0000-4000-8000-000000000002"
MEMBER_ROW, ADMIN_ROW = "0e000000-0000-4000-8000-000000000001", "0e000000-0000-4000-8000-000000000002"


def build(tmp_path: Path, schema: Path, edit=None) -> tuple[str, str]:
    spec = tmp_path / "schema"
    shutil.copytree(schema, spec)
    if edit:
        path = spec / "tables.yaml"
        path.write_text(edit(path.read_text()))
    files = next_migration(spec, tmp_path / "build").files
    return files["migrations/0001_initial.up.sql"].decode(), files["migrations/0001_initial.down.sql"].decode()


def signed_in(conn, user: str, statement: str, *params, commit: bool = True):
    """A statement as a signed-in user (as PostgREST runs it), committed: its row count."""
    with conn.transaction(force_rollback=not commit):
        conn.execute("SET LOCAL ROLE authenticated")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"sub": user, "role": "authenticated"}),))
        return conn.execute(statement, params).rowcount


def where(conn, message: str) -> tuple:
    """As the superuser: the message's partition, created_at month offset and deleted_at."""
    return conn.execute("SELECT replace(tableoid::regclass::text, 'public.', ''), deleted_at IS NULL "
                        "FROM public.messages WHERE id = %s", (message,)).fetchone()


def month(conn, offset: int) -> str:
    return conn.execute("SELECT 'messages_p' || to_char(date_trunc('month', (now() AT TIME ZONE 'UTC') "
                        "+ make_interval(months => %s)), 'YYYYMMDD')", (offset,)).fetchone()[0]


@pytest.fixture
def messages(fresh_db, tmp_path):
    """partitioned_messages with `delete: role:admin` (a plain member may update its own
    messages but not delete them), applied and seeded: a member, an admin, one message each."""
    up, down = build(tmp_path, CASE, lambda text: text.replace("delete: [owner, role:admin]", "delete: role:admin"))
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_sql(conn, up)
        built = snapshot_catalog(conn)
        apply_sql(conn, f"""
            INSERT INTO auth.users (id, email) VALUES ('{MEMBER}', 'm@x.test'), ('{ADMIN}', 'a@x.test');
            INSERT INTO public.organizations (id, name) VALUES ('{ORG}', 'acme');
            INSERT INTO public.members (id, organization_id, user_id, role) VALUES
              ('{MEMBER_ROW}', '{ORG}', '{MEMBER}', 'member'),
              ('0e000000-0000-4000-8000-000000000002', '{ORG}', '{ADMIN}', 'admin');
            INSERT INTO public.channels (id, organization_id, name) VALUES ('0c000000-0000-4000-8000-000000000001', '{ORG}', 'g');
        """)
        yield conn, (empty, built, up, down)


def post(conn, body: str, author: str = MEMBER_ROW) -> str:
    return conn.execute("INSERT INTO public.messages (organization_id, channel_id, author_id, body) VALUES "
                        "(%s, '0c000000-0000-4000-8000-000000000001', %s, %s) RETURNING id",
                        (ORG, author, body)).fetchone()[0]


def test_a_member_moves_a_row_by_its_date_and_cannot_delete_it(messages):
    conn, (empty, built, up, down) = messages
    message = str(post(conn, "hello"))
    assert where(conn, message) == (month(conn, 0), True)
    audited = conn.execute("SELECT count(*) FROM public.messages_audit").fetchone()[0]
    moved = signed_in(conn, MEMBER, "UPDATE public.messages SET created_at = now() + interval '1 month' "
                                    "WHERE id = %s RETURNING id", message)
    assert moved == 1
    assert where(conn, message) == (month(conn, 1), True), "moved into next month's partition, live"
    assert signed_in(conn, MEMBER, "SELECT 1 FROM public.messages WHERE id = %s", message, commit=False) == 1
    # What audit records for a move: PostgreSQL's DELETE from the old partition and INSERT into
    # the new one (no AFTER UPDATE fires for a moved row), both by the member.
    ops = conn.execute("SELECT operation, changed_by::text, new_data ->> 'deleted_at' FROM public.messages_audit "
                       "ORDER BY id OFFSET %s", (audited,)).fetchall()
    assert ops == [("DELETE", MEMBER, None), ("INSERT", MEMBER, None)]
    # The marks the move used are the owner's: a member cannot write one.
    with pytest.raises(Exception, match="permission denied"):
        signed_in(conn, MEMBER, "INSERT INTO pg_temp.atlas_partition_moves VALUES (0, '{}')")
    # The delete rule is the only way to soft-delete: the member's DELETE reaches no row.
    assert signed_in(conn, MEMBER, "DELETE FROM public.messages WHERE id = %s", message) == 0
    assert where(conn, message) == (month(conn, 1), True)
    # A move within its partition and a move back both leave no mark behind.
    assert signed_in(conn, MEMBER, "UPDATE public.messages SET created_at = created_at + interval '1 second' "
                                   "WHERE id = %s", message) == 1
    assert signed_in(conn, MEMBER, "UPDATE public.messages SET created_at = now() WHERE id = %s", message) == 1
    assert where(conn, message) == (month(conn, 0), True)
    # The admin's DELETE still soft-deletes (kept, hidden), and its own move works too.
    other = str(post(conn, "second", ADMIN_ROW))   # update: owner
    assert signed_in(conn, ADMIN, "UPDATE public.messages SET created_at = now() + interval '2 months' "
                                  "WHERE id = %s", other) == 1
    assert where(conn, other) == (month(conn, 2), True)
    assert signed_in(conn, ADMIN, "DELETE FROM public.messages WHERE id = %s", message) == 0
    assert where(conn, message) == (month(conn, 0), False), "soft-deleted, kept in its partition"
    assert signed_in(conn, MEMBER, "SELECT 1 FROM public.messages WHERE id = %s", message, commit=False) == 0
    apply_sql(conn, down)
    assert diff_catalogs(empty, snapshot_catalog(conn)) == []
    apply_sql(conn, up)
    assert diff_catalogs(built, snapshot_catalog(conn)) == []


def test_a_forged_mark_does_not_turn_a_delete_into_a_hard_delete(messages):
    """The admin (who may delete) forges every mark it can: a setting, and a temporary table of
    the mark's name holding the row's key. Its DELETE stays a soft delete; a move in that
    session is refused rather than soft-deleting."""
    conn, _ = messages
    message = str(post(conn, "keep me"))
    partition = month(conn, 0)
    forged = f"""
        SELECT set_config('atlas.partition_move', %s, true);
        CREATE TEMPORARY TABLE IF NOT EXISTS atlas_partition_moves (relid oid, row_key jsonb);
        INSERT INTO pg_temp.atlas_partition_moves
          SELECT 'public.{partition}'::regclass::oid, jsonb_build_object('id', id, 'created_at', created_at)
          FROM public.messages WHERE id = %s;
        DELETE FROM public.messages WHERE id = %s"""
    with conn.transaction():
        conn.execute("SET LOCAL ROLE authenticated")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps({"sub": ADMIN}),))
        for statement, params in zip(forged.split(";"), [(message,), (), (message,), (message,)]):
            conn.execute(statement, params)
    assert where(conn, message) == (partition, False), "soft-deleted, not removed"
    other = str(post(conn, "move me", ADMIN_ROW))
    with pytest.raises(Exception, match="is not the table owner's"):
        signed_in(conn, ADMIN, "UPDATE public.messages SET created_at = now() + interval '1 month' WHERE id = %s",
                  other)
    assert where(conn, other) == (partition, True)


def landed(conn) -> dict[int, str]:
    """Each event's day offset from today (UTC) -> the partition it is in."""
    return dict(conn.execute(
        "SELECT ((created_at AT TIME ZONE 'UTC')::date - (now() AT TIME ZONE 'UTC')::date), "
        "replace(tableoid::regclass::text, 'public.', '') FROM public.events").fetchall())


def test_partman_maintenance_moves_the_default_rows_it_needs_out_first(fresh_db, tmp_path):
    """Rows sit in the default partition for days pg_partman will make partitions for (time went
    on: the newest partitions are gone; and a date ahead): before, run_maintenance and
    create_partition_time failed ("updated partition constraint for default partition ... would
    be violated") on every run. Now maintenance makes them with the rows moved in, nothing lost,
    no audit row, every partition fenced; rows of no partition partman makes stay in the default."""
    up, _ = build(tmp_path, PARTMAN_CASE)
    with fresh_db.connect() as conn:
        apply_sql(conn, up)
        schema = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension "
                              "WHERE extname = 'pg_partman'").fetchone()[0]
        newest = [r[0] for r in conn.execute(f"SELECT partition_tablename FROM {schema}.show_partitions('public.events', "
                                             "'DESC') LIMIT 3")]
        for name in newest:   # as if the clock had gone on three days without maintenance
            conn.execute(f"DROP TABLE public.{name}")
        org = conn.execute("INSERT INTO public.organizations (name) VALUES ('acme') RETURNING id").fetchone()[0]
        for day in [-100, *range(0, 41)]:
            conn.execute("INSERT INTO public.events (organization_id, name, created_at) VALUES "
                         "(%s, 'x', now() + make_interval(days => %s))", (org, day))
        before = landed(conn)
        assert {before[d] for d in (5, 6, 7, 20, 30, -100)} == {"events_default"}
        audit = conn.execute("SELECT count(*) FROM public.events_audit").fetchone()[0] if conn.execute(
            "SELECT to_regclass('public.events_audit')").fetchone()[0] else None
        warnings = []
        conn.add_notice_handler(lambda notice: warnings.append(notice.message_primary))
        conn.execute("SELECT atlas_private.maintain_partitions()")
        now = landed(conn)
        assert all(now[d] != "events_default" for d in range(0, 8)), now
        conn.execute("SELECT atlas_private.maintain_partitions(now() + interval '30 days')")
        ahead = landed(conn)
        assert len(ahead) == 42 and set(ahead) == set(before), "nothing lost"
        assert all(ahead[d] != "events_default" for d in [*range(0, 8), *range(30, 38)]), ahead
        assert {ahead[d] for d in (-100, 20, 38, 40)} == {"events_default"}
        assert conn.execute("SELECT count(*) FROM public.events").fetchone()[0] == 42
        if audit is not None:
            assert conn.execute("SELECT count(*) FROM public.events_audit").fetchone()[0] == audit
        fenced = conn.execute("SELECT bool_and(c.relrowsecurity AND c.relforcerowsecurity AND "
                              "coalesce(c.relacl::text, '') NOT LIKE '%%authenticated%%') FROM pg_inherits AS i "
                              "JOIN pg_class AS c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.events'::regclass"
                              ).fetchone()[0]
        assert fenced
        conn.execute("SELECT atlas_private.maintain_partitions()")   # idempotent
        assert landed(conn) == ahead
        assert not [w for w in warnings if "not maintained" in w], warnings
