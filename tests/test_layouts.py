"""Migration layouts (compiler/layouts): the help desk spec (tests/cases/verify/helpdesk v1, v2;
tests/cases/layouts/helpdesk_v3 adds a batched backfill) built in every layout: file names and
versions, reproducible stamps, hand-written migrations kept below ours, the sum guarding the
layout's files, a layout fixed by the first build, and `atlas-compile migrate` applying each
layout's files up and down on the suite's PostgreSQL. How each runner itself applies the files
is tests/test_layout_runners.py."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, tree

from compiler.cli import main
from compiler.diagnostics import CompileError
from compiler.layouts import LAYOUTS
from compiler.layouts.units import cut
from compiler.migration_parts import split_migration
from compiler.output import write_files
from compiler.pipeline import fresh_build, next_migration
from compiler.postgres import DEFAULT_SCHEMAS, diff_catalogs, scratch_database, snapshot_catalog
from compiler.released import LOCK, SUM, migration_text, read_state
from compiler.verify.chain import apply_sql

SPECS = [ROOT / "tests/cases/verify/helpdesk/v1", ROOT / "tests/cases/verify/helpdesk/v2",
         ROOT / "tests/cases/layouts/helpdesk_v3"]
EPOCH = "1700000000"          # 2023-11-14 22:13:20 UTC
STAMP = "20231114221320"
OTHERS = [name for name in LAYOUTS if name != "atlas"]
SECOND = "0002_rename_tickets_title_add_ticket_comments_author_id_and_more"
SLUG = SECOND.split("_", 1)[1]

# The files of v1 then v2 (four units: part 1, the index's DROP and CREATE, part 3; flyway keeps
# the outside part whole: three), relative to the project root.
EXPECTED = {
    "supabase": ["supabase/migrations/20231114221320_initial.sql", "supabase/rollbacks/20231114221320_initial.down.sql",
                 f"supabase/migrations/20231114221321_{SLUG}.sql", f"supabase/migrations/20231114221322_{SLUG}_part2.sql",
                 f"supabase/migrations/20231114221323_{SLUG}_part3.sql",
                 f"supabase/migrations/20231114221324_{SLUG}_part4.sql",
                 f"supabase/rollbacks/20231114221321_{SLUG}.down.sql"],
    "dbmate": ["db/migrations/20231114221320_initial.sql", f"db/migrations/20231114221321_{SLUG}.sql",
               f"db/migrations/20231114221322_{SLUG}_part2.sql", f"db/migrations/20231114221323_{SLUG}_part3.sql",
               f"db/migrations/20231114221324_{SLUG}_part4.sql"],
    "flyway": ["sql/V1__initial.sql", "sql/U1__initial.sql", f"sql/V2__{SLUG}.sql", f"sql/U2__{SLUG}.sql",
               f"sql/V3__{SLUG}_part2.sql", f"sql/V3__{SLUG}_part2.sql.conf", f"sql/U3__{SLUG}_part2.sql",
               f"sql/U3__{SLUG}_part2.sql.conf", f"sql/V4__{SLUG}_part3.sql", f"sql/U4__{SLUG}_part3.sql"],
    "golang-migrate": ["migrations/000001_initial.up.sql", "migrations/000001_initial.down.sql",
                       f"migrations/000002_{SLUG}.up.sql", f"migrations/000002_{SLUG}.down.sql",
                       f"migrations/000003_{SLUG}_part2.up.sql", f"migrations/000003_{SLUG}_part2.down.sql",
                       f"migrations/000004_{SLUG}_part3.up.sql", f"migrations/000004_{SLUG}_part3.down.sql",
                       f"migrations/000005_{SLUG}_part4.up.sql", f"migrations/000005_{SLUG}_part4.down.sql"],
}
FIRST_VERSIONS = {"supabase": (STAMP, "20231114221321"), "dbmate": (STAMP, "20231114221321"),
                  "flyway": ("1", "2"), "golang-migrate": ("000001", "000002")}


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def spec(tmp_path: Path, version: int, layout: str | None = None, migrations_dir: str | None = None) -> Path:
    """Help desk spec `version` (1-3) in tmp_path/schema, with project.layout (and migrations_dir)."""
    folder = tmp_path / f"schema{version}"
    folder.mkdir(parents=True, exist_ok=True)
    for source in SPECS[version - 1].iterdir():
        text = source.read_text(encoding="utf-8")
        if source.name == "_project.yaml":
            extra = (f"  layout: {layout}\n" if layout else "") + \
                (f"  migrations_dir: {migrations_dir}\n" if migrations_dir else "")
            text = text.replace("  target: supabase\n", "  target: supabase\n" + extra)
        (folder / source.name).write_text(text, encoding="utf-8")
    return folder


def build(tmp_path: Path, version: int, layout: str | None = None, out: Path | None = None, **kwargs):
    out = out or tmp_path / "build"
    result = next_migration(spec(tmp_path, version, layout, **kwargs), out)
    write_files(out, result.files)
    return result


def layout_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and not p.relative_to(root).as_posix().startswith(("build/", "schema")))


# -- files, versions, lock ---------------------------------------------------------------------

@pytest.mark.parametrize("layout", OTHERS)
def test_file_names_versions_and_lock(tmp_path, layout):
    first = build(tmp_path, 1, layout)
    second = build(tmp_path, 2, layout)
    assert layout_files(tmp_path) == sorted(EXPECTED[layout])
    assert [Path(p).resolve() for p in first.written + second.written] == \
        [(tmp_path / rel).resolve() for rel in EXPECTED[layout]]
    lock = json.loads((tmp_path / "build" / LOCK).read_text())
    assert lock["layout"] == layout and "migrations_dir" not in lock
    assert lock["versions"] == dict(zip(["0001_initial", SECOND], FIRST_VERSIONS[layout]))
    assert list(lock)[:4] == ["format", "layout", "migrations", "versions"]
    sums = [line.split(" ")[0] for line in (tmp_path / "build" / SUM).read_text().splitlines()[1:]]
    assert sums == [f"../{rel}" for rel in EXPECTED[layout]] + [LOCK]
    assert not (tmp_path / "build" / "migrations").exists()
    assert read_state(tmp_path / "build").layout.name == layout


def test_atlas_lock_and_files_are_as_before(tmp_path):
    build(tmp_path, 1, "atlas")
    lock = json.loads((tmp_path / "build" / LOCK).read_text())
    assert "layout" not in lock and "versions" not in lock
    assert layout_files(tmp_path) == []
    assert sorted(tree(tmp_path / "build")) == ["migrations.sum", "migrations/0001_initial.down.sql",
                                                 "migrations/0001_initial.up.sql", "schema.lock.json"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_files_read_back_as_the_canonical_migration(tmp_path, layout):
    """The canonical up, byte for byte, in every layout; the canonical down where the layout keeps
    it (atlas, supabase), else the units' downs (compiler/unit_downs.py): one part per file of the
    up, the last file's first, each part outside a transaction where its file's up is."""
    canonical = tmp_path / "canonical"
    for version in (1, 2, 3):
        build(tmp_path, version, layout)
        build(canonical, version, "atlas")
    out = tmp_path / "build"
    for name in read_state(out).migrations:
        up = (canonical / "build" / "migrations" / f"{name}.up.sql").read_text()
        down = (canonical / "build" / "migrations" / f"{name}.down.sql").read_text()
        assert migration_text(out, name, "up") == up
        if layout in ("atlas", "supabase"):
            assert migration_text(out, name, "down") == down
        else:
            ups = cut(up, layout != "flyway")
            downs = split_migration(migration_text(out, name, "down")).parts
            assert [p.transactional for p in downs] == [u.transactional for u in reversed(ups)]
            if layout != "flyway":   # a file that refuses a transaction holds one statement, its down too
                assert all(len([s for s in p.statements if not s.startswith("SET ")]) <= 1
                           for p in downs if not p.transactional)


@pytest.mark.parametrize("layout", OTHERS)
def test_a_file_that_refuses_a_transaction_holds_one_statement(tmp_path, layout):
    build(tmp_path, 1, layout)
    second = build(tmp_path, 2, layout)
    texts = {rel: text.decode() for rel, text in second.files.items() if rel.startswith("../")}
    concurrent = [t for rel, t in texts.items() if not re.search(r"/rollbacks/|/U\d|\.down\.sql$", rel)
                  and any("CONCURRENTLY" in line for line in t.split("-- migrate:down")[0].splitlines()
                          if not line.startswith("--"))]
    if layout == "flyway":   # one file for the outside part, run statement by statement
        assert len(concurrent) == 1 and f"../sql/V3__{SLUG}_part2.sql.conf" in texts
        assert texts[f"../sql/V3__{SLUG}_part2.sql.conf"] == "executeInTransaction=false\n"
        return
    assert len(concurrent) == 2
    for text in concurrent:
        body = text.split("-- migrate:down")[0].replace("-- migrate:up transaction:false\n", "")
        run = [line for line in body.splitlines() if line and not line.startswith("--")]
        assert len(run) == 1 and "CONCURRENTLY" in run[0], text
    if layout == "dbmate":
        assert sum(t.startswith("-- migrate:up transaction:false\n") for t in texts.values()) == 2


def test_the_dbmate_format(tmp_path):
    build(tmp_path, 1, "dbmate")
    build(tmp_path, 2, "dbmate")
    first = (tmp_path / f"db/migrations/20231114221321_{SLUG}.sql").read_text()
    assert first.startswith(f"-- migrate:up\n-- atlas-compile migration {SECOND} (up)\n")
    up, down = first.split("\n-- migrate:down\n")
    assert "-- migrate only: BEGIN;\n" in up and up.endswith("-- migrate only: COMMIT;\n\n")
    assert down.startswith(f"-- atlas-compile migration {SECOND} (down), takes back file 1/4 of the up: part 4/4, "
                           "transaction\nSET search_path = public, extensions;\n\n")
    assert "DROP INDEX" not in down and "DROP COLUMN author_id;" in down and "-- migrate only: COMMIT;" in down
    build_ = (tmp_path / f"db/migrations/20231114221323_{SLUG}_part3.sql").read_text()
    up, down = build_.split("\n-- migrate:down transaction:false\n")
    assert up.startswith("-- migrate:up transaction:false\n") and "CREATE INDEX CONCURRENTLY" in up
    assert [line for line in down.splitlines() if not line.startswith("--")] == \
        ["", "", "DROP INDEX CONCURRENTLY IF EXISTS public.idx_ticket_comments_author_id;", ""]
    last = (tmp_path / f"db/migrations/20231114221324_{SLUG}_part4.sql").read_text()
    assert last.startswith(f"-- migrate:up\n-- atlas-compile migration {SECOND} (up), file 4/4: part 3/3, "
                           "transaction\nSET search_path = public, extensions;\n\n")
    up, down = last.split("\n-- migrate:down\n")
    assert down.startswith(f"-- atlas-compile migration {SECOND} (down)\n")
    assert "DROP CONSTRAINT ticket_comments_author_id_fkey;" in down and down.count(" NOT VALID;") == 2


def test_supabase_backfill_commits_with_its_file(tmp_path):
    """The Supabase CLI runs even a lone DO block in a transaction: its COMMITs are commented."""
    for version in (1, 2, 3):
        build(tmp_path, version, "supabase")
    [backfill] = [p for p in (tmp_path / "supabase/migrations").iterdir() if "DO $backfill$" in p.read_text()]
    text = backfill.read_text()
    assert "-- migrate only:         COMMIT;\n" in text and "\n        COMMIT;" not in text


# -- versions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", OTHERS)
def test_source_date_epoch_gives_the_same_bytes_in_two_fresh_folders(tmp_path, layout):
    for where in ("one", "two"):
        for version in (1, 2):
            build(tmp_path / where, version, layout)
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert {k: v for k, v in one.items() if not k.startswith("schema")} == \
        {k: v for k, v in two.items() if not k.startswith("schema")}


HAND_WRITTEN = {"supabase": ("supabase/migrations/20991231235959_hand_written.sql", "20991231235960"),
                "dbmate": ("db/migrations/20991231235959_hand_written.sql", "20991231235960"),
                "flyway": ("sql/V40__hand_written.sql", "41"),
                "golang-migrate": ("migrations/000040_hand_written.up.sql", "000041")}


@pytest.mark.parametrize("layout", OTHERS)
def test_a_later_hand_written_migration_sorts_before_the_new_one(tmp_path, layout):
    build(tmp_path, 1, layout)
    path, expected = HAND_WRITTEN[layout]
    (tmp_path / path).write_text("create table hand_written (id int);\n")
    build(tmp_path, 2, layout)
    versions = json.loads((tmp_path / "build" / LOCK).read_text())["versions"]
    if layout in ("supabase", "dbmate"):
        expected = "21000101000000"   # 2099-12-31 23:59:59 + 1 second
    assert versions[SECOND] == expected
    assert read_state(tmp_path / "build").migrations[-1] == SECOND   # the hand-written file is the team's


# -- the sum and --check -----------------------------------------------------------------------

def cli(*args: str, cwd: Path):
    """The command line in-process (click's runner), run from `cwd`."""
    before = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(before)


@pytest.mark.parametrize("layout", OTHERS)
def test_build_check_up_to_date_then_stale(tmp_path, layout):
    build(tmp_path, 1, layout)
    assert cli("build", "--check", "--schema", "schema1", "--out", "build", cwd=tmp_path).exit_code == 0
    spec(tmp_path, 2, layout)
    stale = cli("build", "--check", "--schema", "schema2", "--out", "build", cwd=tmp_path)
    assert stale.exit_code == 1 and "E903" in stale.output
    assert cli("build", "--schema", "schema2", "--out", "build", cwd=tmp_path).exit_code == 0
    assert cli("build", "--check", "--schema", "schema2", "--out", "build", cwd=tmp_path).exit_code == 0


def first_file(tmp_path: Path, layout: str) -> Path:
    return tmp_path / EXPECTED[layout][0]


@pytest.mark.parametrize("layout", OTHERS)
def test_an_edited_removed_or_unlisted_layout_file_is_e901(tmp_path, layout):
    build(tmp_path, 1, layout)
    build(tmp_path, 2, layout)
    out = tmp_path / "build"
    unit = tmp_path / EXPECTED[layout][-1]
    original = unit.read_bytes()
    unit.write_bytes(original + b"-- edited\n")
    with pytest.raises(CompileError) as edited:
        next_migration(spec(tmp_path, 2, layout), out)
    assert edited.value.diagnostics[0].code == "E901" and "was edited" in edited.value.diagnostics[0].message
    unit.unlink()
    with pytest.raises(CompileError) as removed:
        read_state(out)
    assert removed.value.diagnostics[0].code == "E901"
    unit.write_bytes(original)
    read_state(out)
    # a file claiming the version of a released unit, which the sum does not list
    claimed = tmp_path / EXPECTED[layout][-1]
    intruder = claimed.with_name(claimed.name.replace(SLUG, "intruder"))
    intruder.write_text("select 1;\n")
    with pytest.raises(CompileError) as unlisted:
        read_state(out)
    assert unlisted.value.diagnostics[0].code == "E901" and "is not a released migration" in \
        unlisted.value.diagnostics[0].message


# -- a layout is fixed by the first build ------------------------------------------------------

@pytest.mark.parametrize("layout", OTHERS)
def test_switching_the_layout_after_a_release_is_e904_and_writes_nothing(tmp_path, layout):
    build(tmp_path, 1, layout)
    before = tree(tmp_path)
    other = "dbmate" if layout != "dbmate" else "flyway"
    with pytest.raises(CompileError) as switched:
        next_migration(spec(tmp_path, 2, other), tmp_path / "build")
    [error] = switched.value.diagnostics
    assert error.code == "E904" and error.location.path.endswith("_project.yaml") and error.location.line
    with pytest.raises(CompileError) as overridden:
        next_migration(spec(tmp_path, 2, layout), tmp_path / "build", layout="atlas")
    assert overridden.value.diagnostics[0].code == "E904"
    assert overridden.value.diagnostics[0].location.path.endswith(LOCK)
    result = cli("build", "--schema", "schema2", "--out", "build", "--layout", "atlas", cwd=tmp_path)
    assert result.exit_code == 1 and "E904" in result.output
    (tmp_path / "schema2" / "_project.yaml").unlink()
    spec(tmp_path, 2, layout)
    assert {k: v for k, v in tree(tmp_path).items() if not k.startswith("schema2")} == \
        {k: v for k, v in before.items() if not k.startswith("schema2")}


@pytest.mark.parametrize("layout", OTHERS)
def test_a_build_that_names_no_layout_follows_the_released_one(tmp_path, layout):
    first = next_migration(spec(tmp_path, 1), tmp_path / "build", layout=layout)   # --layout once
    write_files(tmp_path / "build", first.files)
    second = next_migration(spec(tmp_path, 2), tmp_path / "build")                 # then neither
    assert second.files and all(not rel.startswith("migrations/") for rel in second.files)
    write_files(tmp_path / "build", second.files)
    assert read_state(tmp_path / "build").layout.name == layout
    assert layout_files(tmp_path) == sorted(EXPECTED[layout])


def test_the_atlas_release_cannot_become_a_layout(tmp_path):
    build(tmp_path, 1)
    with pytest.raises(CompileError) as switched:
        next_migration(spec(tmp_path, 2, "supabase"), tmp_path / "build")
    assert switched.value.diagnostics[0].code == "E904"


def test_migrations_dir_moves_the_files_and_the_lock_records_it(tmp_path):
    build(tmp_path, 1, "golang-migrate", migrations_dir="database/migrate")
    assert layout_files(tmp_path) == ["database/migrate/000001_initial.down.sql", "database/migrate/000001_initial.up.sql"]
    assert json.loads((tmp_path / "build" / LOCK).read_text())["migrations_dir"] == "database/migrate"
    assert migration_text(tmp_path / "build", "0001_initial", "up").startswith("-- atlas-compile migration 0001_initial")
    with pytest.raises(CompileError) as moved:
        next_migration(spec(tmp_path, 2, "golang-migrate"), tmp_path / "build")
    assert moved.value.diagnostics[0].code == "E904"
    with pytest.raises(CompileError) as atlas:
        next_migration(spec(tmp_path / "other", 1, "atlas", migrations_dir="x"), tmp_path / "other" / "build")
    assert atlas.value.diagnostics[0].code == "E904"


def test_writing_beside_the_build_folder_is_all_or_nothing(tmp_path):
    """A file that cannot be written (its name taken by a folder) leaves no file and no folder."""
    result = next_migration(spec(tmp_path, 1, "supabase"), tmp_path / "build")
    (tmp_path / "supabase" / "rollbacks" / "20231114221320_initial.down.sql").mkdir(parents=True)
    with pytest.raises(OSError):
        write_files(tmp_path / "build", result.files)
    assert layout_files(tmp_path) == [] and not (tmp_path / "build").exists()
    assert not (tmp_path / "supabase" / "migrations").exists()


# -- migrate, on PostgreSQL --------------------------------------------------------------------

def catalog(conn) -> dict:
    """The compiler's schemas; the runner's own atlas_migrate schema left out."""
    snapshot = snapshot_catalog(conn, DEFAULT_SCHEMAS)
    snapshot["schemas"] = {k: v for k, v in snapshot["schemas"].items() if k != "atlas_migrate"}
    return snapshot


@pytest.mark.parametrize("layout", LAYOUTS)
def test_migrate_applies_every_layout_and_rolls_it_back(tmp_path, pg_cluster, fresh_db, layout):
    """`atlas-compile migrate` through the layout's files: up to a catalog equal to a fresh build,
    one down (the units' downs for dbmate, flyway, golang-migrate) back to v2's, all down to none."""
    for version in (1, 2, 3):
        build(tmp_path, version, layout)
    out = tmp_path / "build"
    models = {}
    for version in (2, 3):
        models[version] = next_migration(spec(tmp_path / "fresh", version), tmp_path / "fresh" / f"b{version}").model
    expected = {}
    for version, model in models.items():
        with scratch_database(pg_cluster, "layout_fresh") as db, db.connect() as conn:
            apply_sql(conn, fresh_build(model))
            expected[version] = catalog(conn)
    with fresh_db.connect() as conn:
        empty = catalog(conn)
    url = fresh_db.conninfo()
    up = cli("migrate", "--database-url", url, "--out", str(out), cwd=tmp_path)
    assert up.exit_code == 0, up.output
    with fresh_db.connect() as conn:
        assert diff_catalogs(expected[3], catalog(conn)) == []
        rows = conn.execute("select version, checksum, parts_done, parts_total from atlas_migrate.history "
                            "order by version").fetchall()
    assert [r[0] for r in rows] == read_state(out).migrations and all(r[2] == r[3] for r in rows)
    down = cli("migrate", "--database-url", url, "--out", str(out), "--down", "1", cwd=tmp_path)
    assert down.exit_code == 0, down.output
    with fresh_db.connect() as conn:
        assert diff_catalogs(expected[2], catalog(conn)) == []
    down = cli("migrate", "--database-url", url, "--out", str(out), "--down", "2", cwd=tmp_path)
    assert down.exit_code == 0, down.output
    with fresh_db.connect() as conn:
        assert diff_catalogs(empty, catalog(conn)) == []
    again = cli("migrate", "--database-url", url, "--out", str(out), cwd=tmp_path)
    assert again.exit_code == 0, again.output
    status = cli("migrate", "status", "--database-url", url, "--out", str(out), cwd=tmp_path)
    assert status.exit_code == 0 and status.output.count("applied ") == 3, status.output


def test_the_history_checksum_of_a_layout_is_the_canonical_ups(tmp_path, pg_cluster):
    """The same migration in atlas and supabase is recorded alike: sha256 of the canonical up,
    for atlas the up file's bytes as before."""
    build(tmp_path / "a", 1, "atlas")
    build(tmp_path / "s", 1, "supabase")
    recorded = []
    for where in ("a", "s"):
        with scratch_database(pg_cluster, "layout_sum") as db:
            assert cli("migrate", "--database-url", db.conninfo(), "--out", str(tmp_path / where / "build"),
                       cwd=tmp_path).exit_code == 0
            with db.connect() as conn:
                recorded.append(conn.execute("select checksum from atlas_migrate.history").fetchone()[0])
    up = (tmp_path / "a/build/migrations/0001_initial.up.sql").read_bytes()
    assert recorded[0] == recorded[1] == hashlib.sha256(up).hexdigest()


@pytest.mark.parametrize("layout", ["supabase", "golang-migrate"])
def test_verify_round_trips_the_chain_of_a_layout(tmp_path, pg_cluster, layout):
    """verify's chain round trip reads the migrations through the layout: the canonical ups, and
    the canonical (supabase) or the units' (golang-migrate) downs, all restore the catalog."""
    from compiler.verify.roundtrip import check_chain
    for version in (1, 2, 3):
        build(tmp_path, version, layout)
    checks = check_chain(pg_cluster, tmp_path / "build", None, lambda line: None)
    assert checks and not [c for c in checks if c.failed], [c for c in checks if c.failed]
