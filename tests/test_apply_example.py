"""The example schema's released migrations on a real PostgreSQL.

The example is a living project: build/ holds its initial migration and the evolutions after
it. Up through the chain must give a fresh build of today's spec; down back to the start must
give what the initial migration alone gives (the fresh build of the first spec), rows included;
down once more gives the empty database.
"""
from pathlib import Path

from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.chain import apply_file, migrate_down, migrate_up, released
from compiler.verify.evolution import live_catalog, table_rows

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# Rows that every version of the example can hold; written against the initial spec.
SEED = """
insert into organizations (id, name, slug) values
  ('00000000-0000-0000-0000-00000000000a', 'Iron Gym', 'iron-gym'),
  ('00000000-0000-0000-0000-00000000000b', 'Zen Yoga', 'zen-yoga');
insert into auth_users (id, organization_id, auth_id, email, role) values
  ('10000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000a',
   '20000000-0000-0000-0000-00000000000a', 'owner@iron.example', 'owner');
insert into leads (id, organization_id, email, full_name, phone, utm_campaign, owner_id) values
  ('30000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', 'ann@example.com', 'Ann',
   '+441234', 'spring', '10000000-0000-0000-0000-00000000000a');
insert into tasks (organization_id, title, lead_id)
  values ('00000000-0000-0000-0000-00000000000a', 'Call Ann', '30000000-0000-0000-0000-000000000001');
insert into notes (organization_id, lead_id, author_id, body) values ('00000000-0000-0000-0000-00000000000a',
  '30000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-00000000000a', 'Wants a trial class');
insert into message_templates (organization_id, name, channel, subject, body)
  values ('00000000-0000-0000-0000-00000000000a', 'Welcome', 'email', 'Welcome!', 'Hi there');
"""


def test_the_example_is_a_chain_of_at_least_three_evolutions():
    names = released(BUILD)
    assert names[0] == "0001_initial" and len(names) >= 4, names


def test_chain_up_equals_fresh_build_and_down_returns_to_the_start(pg_cluster, tmp_path):
    names = released(BUILD)
    fresh = tmp_path / "fresh"
    write_files(fresh, next_migration(ROOT / "schema", fresh).files)
    chain_db = pg_cluster.create_database(pg_cluster.unique_database_name("chain"), template=SUPABASE_TEMPLATE)
    first_db = pg_cluster.create_database(pg_cluster.unique_database_name("first"), template=SUPABASE_TEMPLATE)
    fresh_db = pg_cluster.create_database(pg_cluster.unique_database_name("fresh"), template=SUPABASE_TEMPLATE)
    try:
        with chain_db.connect() as chain, first_db.connect() as first, fresh_db.connect() as latest:
            empty = snapshot_catalog(chain)   # atlas_archive included: down must leave no archive behind
            migrate_up(chain, BUILD, names[:1])
            apply_file(first, BUILD / "migrations" / "0001_initial.up.sql")
            with chain.transaction():
                chain.execute(SEED)
            start_rows = table_rows(chain)
            migrate_up(chain, BUILD, names[1:])
            migrate_up(latest, fresh)
            assert diff_catalogs(live_catalog(chain), live_catalog(latest), labels=("chain", "fresh")) == []
            migrate_down(chain, BUILD, names[1:])
            after_down = live_catalog(chain)
            start = live_catalog(first)
            # lead_status included: 0002's down rebuilds the type without the label its up added
            assert "nurturing" not in str(after_down["enums"]["public.lead_status"])
            assert diff_catalogs(after_down, start, labels=("down", "first")) == []
            assert table_rows(chain) == start_rows
            migrate_down(chain, BUILD, names[:1])
            assert diff_catalogs(snapshot_catalog(chain), empty, labels=("down", "empty")) == []
    finally:
        for db in (chain_db, first_db, fresh_db):
            db.drop()


def test_initial_up_down_up_restores_catalog(fresh_db):
    up = BUILD / "migrations" / "0001_initial.up.sql"
    down = BUILD / "migrations" / "0001_initial.down.sql"
    with fresh_db.connect() as conn:
        empty = snapshot_catalog(conn)
        apply_file(conn, up)
        built = snapshot_catalog(conn)
        assert diff_catalogs(empty, built), "up created nothing"
        apply_file(conn, down)
        assert diff_catalogs(empty, snapshot_catalog(conn)) == []
        apply_file(conn, up)
        assert diff_catalogs(built, snapshot_catalog(conn)) == []
