"""Each migration layout's files, applied by the runner teams use, on the real PostgreSQL.

First the harness itself (tests/runners.py), on hand-written folders: what every runner must
accept (a lone CREATE INDEX CONCURRENTLY in a file or section of its own) and what it must refuse
(the same statement beside another one), which proves an emulation can fail as its runner does.

Then the layouts as `build` writes them: the helpdesk spec evolved over three builds (v1, v2 of
tests/cases/verify/helpdesk, then tests/cases/layouts/helpdesk_v3: a NOT NULL column backfilled
and a unique constraint added online on filled tables), rows seeded between the builds, each
build applied by the runner. The catalog after the runner must be a fresh build's, the rows kept;
rolling everything back (dbmate rollback, golang-migrate down, flyway undo, supabase/rollbacks
with psql) must give the empty database's catalog, and applying again the fresh build's.
Last, the runner's own one-step rollback (`dbmate rollback`, `migrate down 1`): each file's down takes
back that file alone (compiler/unit_downs.py), so one step back then up again gives the same
database, and walking down one file at a time gives, at every step, the catalog recorded after
the file before it went up (the helpdesk chain; then a migration that drops an index of a kept
table in a part of its own before the main transaction, swaps a changed index and makes a
filled column NOT NULL through a validated check).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from runners import (
    FLYWAY_HISTORY,
    RunnerError,
    dbmate_rollback_all,
    dbmate_up,
    flyway_migrate,
    flyway_undo,
    golang_migrate_down,
    golang_migrate_up,
    psql_binary,
    supabase_migration_up,
    supabase_roll_back,
    without_bookkeeping,
)

from compiler.migrate.apply import apply_text
from compiler.postgres import diff_catalogs, snapshot_catalog
from compiler.verify.evolution import live_catalog

ROOT = Path(__file__).resolve().parent.parent
RUNNERS = ("supabase", "dbmate", "golang-migrate", "flyway")

# -- the harness on hand-written folders ---------------------------------------------------------

CIC = "CREATE INDEX CONCURRENTLY t_a ON public.t (a);"
DO_COMMIT = "DO $$ BEGIN UPDATE public.t SET a = a + 1; COMMIT; END $$;"


def write_units(runner: str, root: Path, units: list[tuple[str, str, bool]]) -> Path:
    """A folder in the runner's own format, one file per (up, down, outside a transaction) unit;
    returns the folder the runner is pointed at."""
    folder = root / {"supabase": "supabase/migrations", "dbmate": "db/migrations",
                     "golang-migrate": "migrations", "flyway": "sql"}[runner]
    folder.mkdir(parents=True, exist_ok=True)
    for number, (up, down, outside) in enumerate(units, 1):
        stamp = 20240101000000 + number
        if runner == "supabase":
            (folder / f"{stamp}_u{number}.sql").write_text(up + "\n")
            (root / "supabase" / "rollbacks").mkdir(exist_ok=True)
            (root / "supabase" / "rollbacks" / f"{stamp}_u{number}.down.sql").write_text(down + "\n")
        elif runner == "dbmate":
            flag = " transaction:false" if outside else ""
            (folder / f"{stamp}_u{number}.sql").write_text(f"-- migrate:up{flag}\n{up}\n\n-- migrate:down\n{down}\n")
        elif runner == "golang-migrate":
            (folder / f"{number:06d}_u{number}.up.sql").write_text(up + "\n")
            (folder / f"{number:06d}_u{number}.down.sql").write_text(down + "\n")
        else:
            (folder / f"V{number}__u{number}.sql").write_text(up + "\n")
            (folder / f"U{number}__u{number}.sql").write_text(down + "\n")
            if outside:
                (folder / f"V{number}__u{number}.sql.conf").write_text("executeInTransaction=false\n")
    return folder


def run_up(runner: str, db, folder: Path) -> None:
    if runner == "dbmate":
        dbmate_up(db, folder)
        return
    with db.connect() as conn:
        {"supabase": supabase_migration_up, "golang-migrate": golang_migrate_up,
         "flyway": flyway_migrate}[runner](conn, folder)


def run_down_all(runner: str, db, folder: Path) -> None:
    if runner == "dbmate":
        dbmate_rollback_all(db, folder)
    elif runner == "supabase":
        supabase_roll_back(db, folder, folder.parent / "rollbacks", psql_binary(db.cluster))
    else:
        with db.connect() as conn:
            if runner == "golang-migrate":
                golang_migrate_down(conn, folder)
            else:
                flyway_undo(conn, folder, count=1000)


def relation(db, name: str):
    with db.connect() as conn:
        return conn.execute("select to_regclass(%s)", [name]).fetchone()[0]


TABLE = ("CREATE TABLE public.t (a int); INSERT INTO public.t VALUES (1), (2);", "DROP TABLE public.t;", False)


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_lone_concurrent_index_runs_rolls_back_and_runs_again(runner, fresh_db, tmp_path):
    folder = write_units(runner, tmp_path, [
        TABLE, ("SET lock_timeout = '1s';", "-- nothing to undo", True),
        (CIC, "-- rolled back by the first unit", True)])
    with fresh_db.connect() as conn:
        empty = without_bookkeeping(snapshot_catalog(conn), runner)
    run_up(runner, fresh_db, folder)
    with fresh_db.connect() as conn:
        valid = conn.execute("select indisvalid from pg_index where indexrelid = 'public.t_a'::regclass").fetchone()
        assert valid == (True,)
        built = without_bookkeeping(snapshot_catalog(conn), runner)
    run_down_all(runner, fresh_db, folder)
    with fresh_db.connect() as conn:
        assert diff_catalogs(without_bookkeeping(snapshot_catalog(conn), runner), empty) == []
    run_up(runner, fresh_db, folder)
    with fresh_db.connect() as conn:
        assert diff_catalogs(without_bookkeeping(snapshot_catalog(conn), runner), built) == []
        assert conn.execute("select count(*) from public.t").fetchone() == (2,)


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_concurrent_index_beside_another_statement_fails_and_leaves_nothing(runner, fresh_db, tmp_path):
    """The proof that each emulation can fail: a file (dbmate: a transaction:false section;
    flyway: a script without executeInTransaction=false) holding CREATE TABLE and CREATE INDEX
    CONCURRENTLY is refused, and nothing of it stays."""
    folder = write_units(runner, tmp_path, [(f"CREATE TABLE public.t (a int);\n{CIC}", "DROP TABLE public.t;",
                                             runner != "flyway")])
    with pytest.raises(RunnerError, match="CONCURRENTLY|non-transactional"):
        run_up(runner, fresh_db, folder)
    assert relation(fresh_db, "public.t") is None


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_do_block_that_commits_runs_alone_outside_a_transaction_but_not_under_supabase(
        runner, fresh_db, tmp_path):
    """A batched backfill (DO ... COMMIT) needs a statement of its own outside any transaction:
    dbmate (transaction:false), golang-migrate (one Exec of one statement) and flyway
    (executeInTransaction=false) give it that; the Supabase CLI runs it in the file's batch."""
    folder = write_units(runner, tmp_path, [TABLE, (DO_COMMIT, "-- nothing", True)])
    if runner == "supabase":
        with pytest.raises(RunnerError, match="invalid transaction termination"):
            run_up(runner, fresh_db, folder)
        return
    run_up(runner, fresh_db, folder)
    with fresh_db.connect() as conn:
        assert conn.execute("select array_agg(a order by a) from public.t").fetchone() == ([2, 3],)


def test_supabase_refuses_a_migration_older_than_the_last_applied(fresh_db, tmp_path):
    folder = write_units("supabase", tmp_path, [TABLE])
    run_up("supabase", fresh_db, folder)
    (folder / "20230101000000_old.sql").write_text("CREATE TABLE public.old (a int);\n")
    with pytest.raises(RunnerError, match="inserted before the last migration"):
        run_up("supabase", fresh_db, folder)


def test_golang_migrate_leaves_a_failed_file_dirty_and_refuses_to_go_on(fresh_db, tmp_path):
    folder = write_units("golang-migrate", tmp_path, [TABLE, ("CREATE TABLE public.u (a int); " + CIC, "", True)])
    with pytest.raises(RunnerError, match="left dirty at 2"):
        run_up("golang-migrate", fresh_db, folder)
    assert relation(fresh_db, "public.u") is None
    with pytest.raises(RunnerError, match="Dirty database version 2"):
        run_up("golang-migrate", fresh_db, folder)


def test_flyway_validates_checksums_and_order(fresh_db, tmp_path):
    folder = write_units("flyway", tmp_path, [TABLE, (CIC, "-- nothing", True)])
    run_up("flyway", fresh_db, folder)
    with fresh_db.connect() as conn:
        rows = conn.execute(f"select version, type, success from {FLYWAY_HISTORY} order by installed_rank").fetchall()
    assert rows == [("1", "SQL", True), ("2", "SQL", True)]
    (folder / "V1__u1.sql").write_text(TABLE[0] + "\n-- edited\n")
    with pytest.raises(RunnerError, match="checksum mismatch"):
        run_up("flyway", fresh_db, folder)
    (folder / "V1__u1.sql").write_text(TABLE[0] + "\n")
    (folder / "V1_5__late.sql").write_text("SELECT 1;\n")
    with pytest.raises(RunnerError, match="not applied to database"):
        run_up("flyway", fresh_db, folder)


# -- the layouts as `build` writes them ----------------------------------------------------------

SPECS = [ROOT / "tests/cases/verify/helpdesk/v1", ROOT / "tests/cases/verify/helpdesk/v2",
         ROOT / "tests/cases/layouts/helpdesk_v3"]
WORKSPACE, LEAD, AGENT = ("b0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000001",
                          "c0000000-0000-4000-8000-000000000002")
LONG = "Have you tried turning it off and on again, twice?"   # longer than the 40 the backfill keeps
PEOPLE = f"""
insert into auth.users (id) values ('a0000000-0000-4000-8000-000000000001'), ('a0000000-0000-4000-8000-000000000002');
insert into public.workspaces (id, name) values ('{WORKSPACE}', 'Acme');
insert into public.agents (id, workspace_id, user_id, role) values
  ('{LEAD}', '{WORKSPACE}', 'a0000000-0000-4000-8000-000000000001', 'lead'),
  ('{AGENT}', '{WORKSPACE}', 'a0000000-0000-4000-8000-000000000002', 'agent');"""
SEEDS = [PEOPLE + f"""
insert into public.tickets (id, workspace_id, subject, assignee_id) values
  (1, '{WORKSPACE}', 'Printer on fire', '{LEAD}'), (2, '{WORKSPACE}', 'VPN down', null);
insert into public.ticket_comments (workspace_id, ticket_id, body) values
  ('{WORKSPACE}', 1, '{LONG}'), ('{WORKSPACE}', 2, 'Looking');
insert into public.help_articles (workspace_id, title, body) values ('{WORKSPACE}', 'Reset your password', 'Click.');
""", f"""
insert into public.tickets (id, workspace_id, title, priority) values (3, '{WORKSPACE}', 'Badge reader', 5);
insert into public.ticket_comments (workspace_id, ticket_id, body, author_id) values
  ('{WORKSPACE}', 3, 'Replaced the battery', '{AGENT}');
insert into public.help_articles (workspace_id, title, body) values ('{WORKSPACE}', 'Book a room', 'Ask.');
""", None]
ROWS = {   # after the last build: the seeded rows, renamed, defaulted and backfilled
    "select id, title, priority from public.tickets order by id":
        [(1, "Printer on fire", 3), (2, "VPN down", 3), (3, "Badge reader", 5)],
    "select body, summary from public.ticket_comments order by body":
        [(LONG, LONG[:40]), ("Looking", "Looking"), ("Replaced the battery", "Replaced the battery")],
    "select title from public.help_articles order by title": [("Book a room",), ("Reset your password",)],
    "select count(*) from public.agents": [(2,)],
}
# A migration the team wrote before adopting atlas-compile, dated after the builds' clock
# (SOURCE_DATE_EPOCH below is 2023-11-14): the layout's versions must still sort after it.
EXISTING_UP, EXISTING_DOWN = "CREATE SCHEMA legacy; CREATE TABLE legacy.notes (id int PRIMARY KEY);", \
    "DROP SCHEMA legacy CASCADE;"
EPOCH = 1_700_000_000


def existing_migration(runner: str, root: Path) -> Path:
    folder = write_units(runner, root, [(EXISTING_UP, EXISTING_DOWN, False)])
    shutil.rmtree(root / "supabase" / "rollbacks", ignore_errors=True)   # the team kept no down
    return folder


def comparable(snapshot: dict, runner: str) -> dict:
    """Without the runner's bookkeeping and the team's own legacy schema."""
    snapshot = without_bookkeeping(snapshot, runner)
    return {**snapshot, "schemas": {k: v for k, v in snapshot["schemas"].items() if k != "legacy"}}


def fresh_catalog(pg_cluster, spec: Path) -> dict:
    """The live catalog of a fresh build of `spec`, applied as a migration."""
    from compiler.pipeline import compile_folder, fresh_build
    from compiler.postgres.scratch import scratch_database

    with scratch_database(pg_cluster, "fresh") as db, db.connect() as conn:
        apply_text(conn, fresh_build(compile_folder(spec)))
        return live_catalog(conn)


def build(spec: Path, out: Path, runner: str, number: int, monkeypatch) -> list[str]:
    from compiler.output import write_files
    from compiler.pipeline import next_migration

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + number * 86_400))
    result = next_migration(spec, out, layout=runner)
    assert result.files, f"build {number} of {spec.name} wrote nothing"
    write_files(out, result.files)
    missing = [path for path in result.written if not Path(path).is_file()]
    assert result.written and not missing, f"written names files that are not there: {missing}"
    return result.written


@pytest.mark.parametrize("runner", RUNNERS)
def test_the_layout_evolves_under_its_runner_keeps_rows_and_rolls_back(runner, pg_cluster, fresh_db, tmp_path,
                                                                        monkeypatch):
    evolve_and_roll_back(runner, SPECS, ROWS, pg_cluster, fresh_db, tmp_path / "project", monkeypatch)


def test_supabase_two_builds_without_a_backfill_and_their_rollbacks(pg_cluster, fresh_db, tmp_path, monkeypatch):
    """v1 and v2 only (an index built concurrently, no batched backfill): the Supabase files and
    the psql-run downs of supabase/rollbacks, whatever becomes of the backfill above."""
    rows = {"select id, title, priority from public.tickets order by id": [(1, "Printer on fire", 3), (2, "VPN down", 3),
                                                                          (3, "Badge reader", 5)]}
    evolve_and_roll_back("supabase", SPECS[:2], rows, pg_cluster, fresh_db, tmp_path / "project", monkeypatch)


def evolve_and_roll_back(runner: str, specs: list[Path], rows: dict, pg_cluster, db, root: Path, monkeypatch,
                         seeds: list[str | None] = SEEDS) -> None:
    """After the team's own migration, each spec built in the runner's layout, applied by the
    runner, then seeded; the catalog must be a fresh build's of the last spec and `rows` hold.
    Then everything rolled back (the empty catalog) and applied again (the fresh one)."""
    from compiler.layouts import layout

    folder = existing_migration(runner, root)
    assert folder == root / layout(runner).folder
    with db.connect() as conn:
        empty = comparable(snapshot_catalog(conn), runner)
    run_up(runner, db, folder)
    for number, (spec, seed) in enumerate(zip(specs, seeds), 1):
        build(spec, root / "build", runner, number, monkeypatch)
        run_up(runner, db, folder)
        if seed:
            with db.connect() as conn, conn.transaction():
                conn.execute(seed)
    with db.connect() as conn:
        for query, expected in rows.items():
            assert conn.execute(query).fetchall() == expected, query
        built = comparable(live_catalog(conn), runner)
    fresh = comparable(fresh_catalog(pg_cluster, specs[-1]), runner)
    assert diff_catalogs(built, fresh, labels=(runner, "fresh")) == []

    run_down_all(runner, db, folder)
    with db.connect() as conn:
        assert diff_catalogs(comparable(snapshot_catalog(conn), runner), empty, labels=("down", "empty")) == []
    run_up(runner, db, folder)
    with db.connect() as conn:
        assert diff_catalogs(comparable(live_catalog(conn), runner), fresh, labels=("again", "fresh")) == []


@pytest.mark.parametrize("runner", ("dbmate", "golang-migrate", "flyway"))
def test_one_step_back_and_up_again(runner, fresh_db, tmp_path, monkeypatch):
    """The runner's own one-step rollback (`dbmate rollback`, `migrate down 1`, `flyway undo`)
    then up again, after the last build: the database must be what it was."""
    root = tmp_path / "project"
    folder = root / {"dbmate": "db/migrations", "golang-migrate": "migrations", "flyway": "sql"}[runner]
    for number, spec in enumerate(SPECS, 1):
        build(spec, root / "build", runner, number, monkeypatch)
    run_up(runner, fresh_db, folder)
    with fresh_db.connect() as conn:
        before = comparable(live_catalog(conn), runner)
    if runner == "dbmate":
        from runners import dbmate
        dbmate(fresh_db, folder, "rollback")
    else:
        with fresh_db.connect() as conn:
            (golang_migrate_down(conn, folder, 1) if runner == "golang-migrate" else flyway_undo(conn, folder, 1))
    run_up(runner, fresh_db, folder)
    with fresh_db.connect() as conn:
        assert diff_catalogs(comparable(live_catalog(conn), runner), before) == []


STEP_RUNNERS = ("dbmate", "golang-migrate", "flyway")


def one_step_back(runner: str, db, folder: Path) -> None:
    """The runner's own one-step rollback: the last applied file's down, once."""
    if runner == "dbmate":
        from runners import dbmate
        dbmate(db, folder, "rollback")
        return
    with db.connect() as conn:
        undone = golang_migrate_down(conn, folder, 1) if runner == "golang-migrate" else flyway_undo(conn, folder, 1)
    assert len(undone) == 1


def units_of(runner: str, paths: list[Path]) -> list[list[Path]]:
    """Files grouped by their version (one unit: dbmate's file, golang-migrate's up and down,
    flyway's V, U and their .conf), in version order."""
    from compiler.layouts import layout

    groups: dict[int, list[Path]] = {}
    for path in paths:
        groups.setdefault(layout(runner).version_of(path.name), []).append(path)
    return [groups[version] for version in sorted(groups)]


def walk_one_file_at_a_time(runner: str, specs: list[Path], seeds: list[str | None], db, root: Path,
                            monkeypatch, rows_back: dict[int, dict] | None = None) -> int:
    """Every spec built in the runner's layout; then the files handed to the runner one unit at a
    time (each `up` applies that unit), the catalog recorded after each and each build's seed run
    after its last unit; then the runner's one-step rollback, once per unit: after undoing unit j
    the catalog must be the one recorded after unit j-1 (and `rows_back[j-1]` hold). Returns the
    number of units walked."""
    from compiler.layouts import layout

    folder = root / layout(runner).folder
    builds = []
    for number, spec in enumerate(specs, 1):
        before = set(folder.iterdir()) if folder.is_dir() else set()
        build(spec, root / "build", runner, number, monkeypatch)
        builds.append(units_of(runner, sorted(set(folder.iterdir()) - before)))
    hold = root / "hold"
    shutil.move(folder, hold)
    folder.mkdir()
    with db.connect() as conn:
        recorded = [comparable(snapshot_catalog(conn), runner)]
    for units, seed in zip(builds, seeds):
        for unit in units:
            for path in unit:
                shutil.copy(hold / path.name, folder / path.name)
            run_up(runner, db, folder)
            with db.connect() as conn:
                recorded.append(comparable(snapshot_catalog(conn), runner))
        if seed:
            with db.connect() as conn, conn.transaction():
                conn.execute(seed)
    for position in reversed(range(1, len(recorded))):
        one_step_back(runner, db, folder)
        with db.connect() as conn:
            now = comparable(snapshot_catalog(conn), runner)
            assert diff_catalogs(now, recorded[position - 1],
                                 labels=(f"unit {position} undone", f"after unit {position - 1}")) == []
            for query, expected in (rows_back or {}).get(position - 1, {}).items():
                assert conn.execute(query).fetchall() == expected, (position - 1, query)
    return len(recorded) - 1


@pytest.mark.parametrize("runner", STEP_RUNNERS)
def test_the_helpdesk_chain_steps_back_one_file_at_a_time(runner, fresh_db, tmp_path, monkeypatch):
    """v1 (one file), v2 (four: an index built concurrently, a foreign key and a check NOT VALID
    then validated; flyway three) and v3 (six: a batched backfill, NOT NULL through a check, a
    unique built concurrently then attached; flyway four), on seeded rows."""
    tickets = "select id, title, priority from public.tickets order by id"
    after_v2 = {tickets: ROWS[tickets], "select count(*) from public.ticket_comments": [(3,)]}
    walked = walk_one_file_at_a_time(runner, SPECS, SEEDS, fresh_db, tmp_path / "project", monkeypatch,
                                     {(5 if runner != "flyway" else 4): after_v2})
    assert walked == (11 if runner != "flyway" else 8)


V4_BASE_SEED = PEOPLE + f"""
insert into public.tickets (id, workspace_id, title, status) values
  (1, '{WORKSPACE}', 'Printer on fire', 'open'), (2, '{WORKSPACE}', 'VPN down', 'solved');
insert into public.ticket_comments (workspace_id, ticket_id, body, summary, author_id) values
  ('{WORKSPACE}', 1, 'Looking', 'Looking', '{AGENT}'), ('{WORKSPACE}', 2, 'Fixed', 'Fixed', '{LEAD}');
"""


@pytest.mark.parametrize("runner", STEP_RUNNERS)
def test_a_pre_part_an_index_swap_and_not_null_step_back_one_file_at_a_time(runner, fresh_db, tmp_path,
                                                                            monkeypatch):
    """v3 as the first build, seeded, then tests/cases/layouts/helpdesk_v4: the index of a
    dropped foreign key dropped before the main transaction (its undo builds it again), the
    foreign key dropped and NOT NULL's check added NOT VALID in the main one, the tickets index
    swapped for one with a predicate (four statements, each undone alone), the check validated,
    then SET NOT NULL: eight files (flyway: five)."""
    specs = [ROOT / "tests/cases/layouts/helpdesk_v3", ROOT / "tests/cases/layouts/helpdesk_v4"]
    comments = "select body, author_id::text from public.ticket_comments order by body"
    kept = {comments: [("Fixed", LEAD), ("Looking", AGENT)]}
    walked = walk_one_file_at_a_time(runner, specs, [V4_BASE_SEED, None], fresh_db, tmp_path / "project",
                                     monkeypatch, {1: kept})
    assert walked == (9 if runner != "flyway" else 6)


V5 = [ROOT / "tests/cases/layouts/helpdesk_v3", ROOT / "tests/cases/layouts/helpdesk_v5"]
FILLED = {   # v5 on the seeded v3: every backfilled column filled, row triggers off while it ran
    "select id, slug, code from public.tickets order by id": [(1, "printer on fire", "T-1"), (2, "vpn down", "T-2")],
    "select count(distinct ref) from public.tickets": [(2,)],
    "select count(*) from public.tickets where updated_at <> created_at": [(0,)],
    "select count(*) from public.tickets_audit": [(2,)],
}


@pytest.mark.parametrize("runner", RUNNERS)
def test_two_backfills_and_a_volatile_default_on_one_filled_table_under_the_runner(runner, pg_cluster, fresh_db,
                                                                                   tmp_path, monkeypatch):
    """v3 built and seeded, then tests/cases/layouts/helpdesk_v5: the audited tickets table gains
    two NOT NULL backfill_sql columns and a NOT NULL volatile default. Each one's NOT VALID check
    holds every row written after the main transaction, so one batched UPDATE fills all three
    (one backfill per column would fail: 23514); the runner applies it, the rows are filled, no
    updated_at or audit row changes, and everything rolls back and goes up again."""
    evolve_and_roll_back(runner, V5, FILLED, pg_cluster, fresh_db, tmp_path / "project", monkeypatch,
                         seeds=[V4_BASE_SEED, None])


@pytest.mark.parametrize("runner", STEP_RUNNERS)
def test_the_backfill_of_several_columns_steps_back_one_file_at_a_time(runner, fresh_db, tmp_path, monkeypatch):
    """The same, one file at a time: v3 (one file), then v5's main transaction, the one backfill
    (its down takes back nothing: the main transaction's down drops the columns), the
    validations and SET NOT NULL: five files."""
    walked = walk_one_file_at_a_time(runner, V5, [V4_BASE_SEED, None], fresh_db, tmp_path / "project", monkeypatch)
    assert walked == 5
