"""Enum rebuilds beyond the acceptance cases (tests/cases/migrations/enums/): the `down` of an
added label refuses rows that hold it, the build's warning for removed labels, and temporary
type names that are taken or too long."""
from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
from helpers import MIGRATION_CASES

from compiler.codes import WARNINGS
from compiler.kinds import StageEnum
from compiler.names import MAX_IDENTIFIER_BYTES
from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.postgres.catalog import snapshot_catalog
from compiler.postgres.scratch import SUPABASE_TEMPLATE
from compiler.verify.chain import apply_file, migrate_up, released
from compiler.verify.evolution import check_evolution

BASE = MIGRATION_CASES / "_base"
NOTES = """tables:
  notes:
    columns:
      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}
      title: {type: text, nullable: false}
      kind: {type: ENUM, nullable: false, default: general}
"""


def spec(folder: Path, labels: str, enum: str = "note_kind", extra: str = "") -> Path:
    """The shared base project with note_kind (or `enum`) and notes; `extra` follows the columns."""
    shutil.copytree(BASE / "schema", folder)
    (folder / "note_kind.yaml").write_text(f"enums:\n  {enum}: [{labels}]\n", encoding="utf-8")
    (folder / "notes.yaml").write_text(NOTES.replace("ENUM", enum) + extra, encoding="utf-8")
    return folder


def labels_of(conn, enum: str = "note_kind") -> list[str]:
    return [r[0] for r in conn.execute(
        "select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid "
        "where t.typname = %s order by e.enumsortorder", [enum]).fetchall()]


def test_down_of_an_added_label_refuses_rows_that_hold_it_then_restores_the_exact_type(fresh_db, tmp_path):
    out = tmp_path / "build"
    write_files(out, next_migration(spec(tmp_path / "before", "general, sales"), out).files)
    step = next_migration(spec(tmp_path / "after", "general, todo, sales"), out)
    write_files(out, step.files)
    assert step.warnings == []   # an added label warns of nothing: only its down can fail
    with fresh_db.connect() as conn:
        migrate_up(conn, out)
        assert labels_of(conn) == ["general", "todo", "sales"]
        conn.execute("insert into public.organizations (id, name) values "
                     "('0a000000-0000-4000-8000-000000000001', 'Northside Gym')")
        conn.execute("insert into public.notes (organization_id, title, kind) values "
                     "('0a000000-0000-4000-8000-000000000001', 'Boiler', 'todo')")
        down = out / "migrations" / f"{released(out)[-1]}.down.sql"
        before = snapshot_catalog(conn)
        with pytest.raises(psycopg.errors.RaiseException) as failure:
            apply_file(conn, down)
        assert "table public.notes column kind still holds removed value(s) of enum note_kind: todo" in str(failure.value)
        assert snapshot_catalog(conn) == before, "the failed down must change nothing"
        conn.execute("update public.notes set kind = 'sales'")
        apply_file(conn, down)
        assert labels_of(conn) == ["general", "sales"]
        assert conn.execute("select kind::text from public.notes").fetchall() == [("sales",)]


def test_removed_labels_warn_at_the_enum_definition(tmp_path):
    out = tmp_path / "build"
    write_files(out, next_migration(spec(tmp_path / "before", "general, maintenance, sales"), out).files)
    step = next_migration(spec(tmp_path / "after", "sales, general"), out)
    [warning] = step.warnings
    assert warning.code == "W002" and warning.code in WARNINGS
    assert warning.render().endswith(
        "note_kind.yaml:2:3: warning[W002]: enum note_kind: value(s) maintenance are removed: the migration "
        "fails while rows still hold them (update those rows first)"), warning.render()
    assert step.migration.startswith("0002_rebuild_note_kind"), step.migration


def test_a_temporary_name_that_is_taken_is_not_used(pg_cluster, tmp_path):
    """A table's row type shares pg_type with enums: `note_kind__new` taken, the next is used."""
    taken = ("  note_kind__new:\n    columns:\n"
             "      id: {type: uuid, primary_key: true, default_sql: gen_random_uuid()}\n")
    before = spec(tmp_path / "before", "general, sales", extra=taken)
    after = spec(tmp_path / "after", "sales, general", extra=taken)
    report = check_evolution(pg_cluster, SUPABASE_TEMPLATE, before, after, tmp_path / "work",
                             "insert into public.organizations (id, name) values "
                             "('0a000000-0000-4000-8000-000000000001', 'Northside Gym');\n"
                             "insert into public.notes (organization_id, title, kind) values "
                             "('0a000000-0000-4000-8000-000000000001', 'Boiler', 'sales');")
    assert report.problems == []
    assert "CREATE TYPE public.note_kind__new2 AS ENUM" in report.up_sql


def test_the_temporary_name_of_a_long_enum_fits_in_63_bytes(pg_cluster, tmp_path):
    long_name = "note_kind_" + "x" * 53   # 63 bytes: name + "__new" would be cut by PostgreSQL
    before = spec(tmp_path / "before", "general, sales", enum=long_name)
    after = spec(tmp_path / "after", "general", enum=long_name)
    out = tmp_path / "build"
    write_files(out, next_migration(before, out).files)
    [stage] = [op for op in next_migration(after, out).operations if isinstance(op, StageEnum)]
    assert len(stage.temp.encode()) <= MAX_IDENTIFIER_BYTES and stage.temp != long_name
    report = check_evolution(pg_cluster, SUPABASE_TEMPLATE, before, after, tmp_path / "work")
    assert report.problems == []


def test_a_removed_label_held_inside_an_array_fails_the_up_and_changes_nothing(pg_cluster, tmp_path):
    array = "      also: {type: 'note_kind[]', nullable: false, default: []}\n"
    before = spec(tmp_path / "before", "general, sales", extra=array)
    after = spec(tmp_path / "after", "general", extra=array)
    seed = ("insert into public.organizations (id, name) values "
            "('0a000000-0000-4000-8000-000000000001', 'Northside Gym');\n"
            "insert into public.notes (organization_id, title, kind, also) values "
            "('0a000000-0000-4000-8000-000000000001', 'Boiler', 'general', '{general,sales}');")
    report = check_evolution(pg_cluster, SUPABASE_TEMPLATE, before, after, tmp_path / "work", seed,
                             up_fails="table public.notes column also still holds removed value(s) of enum note_kind: sales")
    assert report.problems == []
