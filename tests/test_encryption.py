"""Encrypted columns (issue 12) on the real PostgreSQL: the raw column holds ciphertext, the
accessor shows plaintext to exactly the members whose select rules reach the row (each allowed
reader seen first), audit rows, the build output, the lock and the server log (log_statement =
all) hold no key and no plaintext; turning encryption on for a filled column encrypts it in
batches while the application writes, and its down decrypts, both back to the exact catalog;
archives of encrypted columns and tables hold ciphertext, and the key outlives the last encrypted
column (archived, brought back by down) so that a restore gives readable values."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from helpers import SNAPSHOT_CASES, tree

from compiler.diagnostics import CompileError
from compiler.migrate.apply import apply_part, run_preamble
from compiler.migration_parts import split_migration
from compiler.output import write_files
from compiler.pipeline import next_migration
from compiler.postgres import acting_as, diff_catalogs, scratch_database, snapshot_catalog
from compiler.postgres.catalog_compare import restrict
from compiler.verify.chain import apply_sql

CASE = SNAPSHOT_CASES / "encrypted_columns" / "schema"
PREFIX = "atlas1:"
ORG_A, ORG_B = str(uuid.uuid4()), str(uuid.uuid4())
ADMIN_A, STAFF_A, ADMIN_B = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
PLAIN_A, PLAIN_B, NOTE_A, DIAGNOSIS_A = "NID-A-7731-SECRET", "NID-B-4410-SECRET", "note-A-only-admins", "diag-A-asthma"
PLAINTEXTS = (PLAIN_A, PLAIN_B, NOTE_A, DIAGNOSIS_A)


def _build(tmp_path: Path) -> Path:
    out = tmp_path / "build"
    write_files(out, next_migration(CASE, out).files)
    return out


def _seed(conn) -> None:
    """Two tenants, an admin and a staff member in A, an admin in B; written as the superuser
    (the trigger encrypts every writer's values, the migration role's too)."""
    conn.execute("INSERT INTO public.organizations (id, name) VALUES (%s, 'A'), (%s, 'B')", (ORG_A, ORG_B))
    conn.execute("INSERT INTO public.auth_users (auth_id, role, organization_id) VALUES "
                 "(%s, 'admin', %s), (%s, 'staff', %s), (%s, 'admin', %s)",
                 (ADMIN_A, ORG_A, STAFF_A, ORG_A, ADMIN_B, ORG_B))
    patient = conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id, diagnosis) "
                           "VALUES (%s, 'Ann', %s, %s) RETURNING id", (ORG_A, PLAIN_A, DIAGNOSIS_A)).fetchone()[0]
    conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id) VALUES (%s, 'Bob', %s)",
                 (ORG_B, PLAIN_B))
    conn.execute("INSERT INTO public.clinician_notes (organization_id, patient_id, body) VALUES (%s, %s, %s)",
                 (ORG_A, patient, NOTE_A))


@pytest.fixture
def applied(fresh_db, tmp_path):
    out = _build(tmp_path)
    conn = fresh_db.connect()
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    _seed(conn)
    return conn, out


def _accessor(conn, user, role="authenticated", table="patients", column="national_id"):
    """What the caller reads through the accessor: the plaintexts, or the error's SQLSTATE."""
    with acting_as(conn, user, role) as session:
        error = session.attempt(f"SELECT {column} FROM public.{table}_decrypted")
        if error is not None:
            return error.sqlstate
        return sorted(v for (v,) in session.fetchall(f"SELECT {column} FROM public.{table}_decrypted"))


def test_the_raw_columns_hold_ciphertext_only(applied):
    conn, _ = applied
    rows = conn.execute("SELECT national_id, diagnosis FROM public.patients").fetchall()
    rows += conn.execute("SELECT body, NULL FROM public.clinician_notes").fetchall()
    values = [v for row in rows for v in row if v is not None]
    assert len(values) == 4 and all(v.startswith(PREFIX) for v in values)
    whole = "\n".join(t for (t,) in conn.execute(
        "SELECT row_to_json(p)::text FROM public.patients AS p UNION ALL "
        "SELECT row_to_json(n)::text FROM public.clinician_notes AS n"))
    assert not [p for p in PLAINTEXTS if p in whole]
    # equal plaintexts encrypt differently: nothing to compare, hash or join on
    twice = conn.execute("SELECT atlas_private.encrypt_value('same'), atlas_private.encrypt_value('same')").fetchone()
    assert twice[0] != twice[1]


def test_members_the_rules_allow_read_plaintext_and_no_one_else(applied):
    conn, _ = applied
    # allowed first: each reader sees its own tenant's plaintext
    assert _accessor(conn, ADMIN_A) == [PLAIN_A]
    assert _accessor(conn, STAFF_A) == [PLAIN_A]
    assert _accessor(conn, ADMIN_A, column="diagnosis") == [DIAGNOSIS_A]
    assert _accessor(conn, ADMIN_A, table="clinician_notes", column="body") == [NOTE_A]
    assert _accessor(conn, ADMIN_B) == [PLAIN_B]
    # then the others: another tenant, a member the role rule excludes, anon
    assert PLAIN_A not in _accessor(conn, ADMIN_B)
    assert _accessor(conn, ADMIN_B, table="clinician_notes", column="body") == []
    assert _accessor(conn, STAFF_A, table="clinician_notes", column="body") == []
    assert _accessor(conn, None, "anon") == "42501"
    assert _accessor(conn, None, "anon", table="clinician_notes", column="body") == "42501"
    # and the raw table gives a member its own rows' ciphertext, never plaintext
    with acting_as(conn, ADMIN_A) as session:
        raw = [v for (v,) in session.fetchall("SELECT national_id FROM public.patients")]
        assert len(raw) == 1 and raw[0].startswith(PREFIX)
        assert session.attempt("SELECT atlas_private.encryption_key()").sqlstate == "42501"
        assert session.attempt("SELECT * FROM atlas_private.encryption_key").sqlstate == "42501"
        assert session.attempt("SELECT atlas_private.encrypt_value('x')").sqlstate == "42501"


def test_a_member_writes_plaintext_and_the_table_stores_ciphertext(applied):
    conn, _ = applied
    with acting_as(conn, STAFF_A) as session:
        session.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                        "VALUES (%s, 'Cy', 'NID-A-NEW')", (ORG_A,))
        session.execute("UPDATE public.patients SET national_id = 'NID-A-CHANGED' WHERE full_name = 'Ann'")
        session.execute("UPDATE public.patients SET full_name = 'Cyd' WHERE full_name = 'Cy'")
        raw = [v for (v,) in session.fetchall("SELECT national_id FROM public.patients")]
        assert len(raw) == 2 and all(v.startswith(PREFIX) for v in raw)
        assert sorted(v for (v,) in session.fetchall("SELECT national_id FROM public.patients_decrypted")) == [
            "NID-A-CHANGED", "NID-A-NEW"]


def test_audit_rows_hold_no_plaintext_and_no_ciphertext(applied):
    conn, _ = applied
    conn.execute("UPDATE public.patients SET national_id = 'NID-A-RENEWED', full_name = 'Anna' WHERE full_name = 'Ann'")
    audit = [t for (t,) in conn.execute("SELECT row_to_json(a)::text FROM public.patients_audit AS a")]
    assert len(audit) == 3   # two inserts, one update
    key = conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone()[0]
    assert not [t for t in audit if PREFIX in t or key in t or any(p in t for p in (*PLAINTEXTS, "NID-A-RENEWED"))]


def test_the_key_is_in_neither_the_build_output_nor_the_lock(applied):
    conn, out = applied
    key = conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone()[0]
    assert len(key) == 44   # 32 random bytes, base64
    files = tree(out)
    assert "schema.lock.json" in files and any(name.startswith("migrations/") for name in files)
    assert [name for name, data in files.items() if key.encode() in data] == []
    # a second database makes a key of its own
    assert key not in (out / "migrations" / "0001_initial.up.sql").read_text()


def test_the_server_log_holds_no_key_with_log_statement_all(pg_cluster, fresh_db, tmp_path):
    out = _build(tmp_path)
    with fresh_db.connect() as admin:
        admin.execute(f'ALTER DATABASE "{fresh_db.name}" SET log_statement = \'all\'')
    start = pg_cluster.log_file.stat().st_size
    conn = fresh_db.connect()   # a new session: log_statement = all from here on
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    _seed(conn)
    with acting_as(conn, ADMIN_A) as session:   # a write and a read as a member
        session.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                        "VALUES (%s, 'Dee', 'NID-A-LOGGED')", (ORG_A,))
        assert "NID-A-LOGGED" in [v for (v,) in session.fetchall("SELECT national_id FROM public.patients_decrypted")]
    conn.execute("UPDATE public.patients SET diagnosis = 'diag-logged' WHERE full_name = 'Bob'")
    assert conn.execute("SELECT diagnosis FROM public.patients_decrypted WHERE full_name = 'Bob'").fetchone() == (
        "diag-logged",)
    key = conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone()[0]
    with pg_cluster.log_file.open("rb") as log:
        log.seek(start)
        logged = log.read().decode("utf-8", "replace")
    assert "patients_decrypted" in logged and "gen_random_bytes" in logged   # statements are logged
    assert key not in logged
    # the statement that asked for the key just now is logged; its answer is not
    assert logged.count("SELECT key FROM atlas_private.encryption_key") >= 1


# -- turning encryption on for a filled column -----------------------------------------------


def _specs(tmp_path: Path) -> tuple[Path, Path]:
    """The case without `encrypted` (before) and as it is (after)."""
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(CASE, after)
    shutil.copytree(CASE, before)
    spec = before / "patients.yaml"
    spec.write_text(spec.read_text().replace(", encrypted: true", ""))
    return before, after


ROWS = 12_000


def _fill(conn) -> dict:
    _seed(conn)
    conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id, diagnosis) "
                 "SELECT CASE WHEN i %% 2 = 0 THEN %s::uuid ELSE %s::uuid END, 'p' || i, 'NID-' || i, "
                 "CASE WHEN i %% 3 = 0 THEN NULL ELSE 'diag-' || i END FROM generate_series(1, %s) AS i",
                 (ORG_A, ORG_B, ROWS))
    return dict(conn.execute("SELECT id, national_id || '|' || coalesce(diagnosis, '-') FROM public.patients"))


def _parts(conn, text: str, between=None) -> None:
    """A migration applied part by part, as the runner does; `between(n)` after part n."""
    migration = split_migration(text)
    run_preamble(conn, migration)
    for number, part in enumerate(migration.parts, 1):
        apply_part(conn, part, len(migration.parts))
        if between:
            between(number)


def test_encryption_turned_on_for_a_filled_column_runs_in_batches_and_down_decrypts(pg_cluster, fresh_db, tmp_path):
    before, after = _specs(tmp_path)
    out = tmp_path / "build"
    write_files(out, next_migration(before, out).files)
    step = next_migration(after, out)
    write_files(out, step.files)
    (name,) = step.migrations
    up = (out / "migrations" / f"{name}.up.sql").read_text()
    down = (out / "migrations" / f"{name}.down.sql").read_text()
    assert "outside a transaction (batched encryption)" in up and "$encrypt$" in up
    assert "outside a transaction (batched decryption)" in down and "$decrypt$" in down
    assert "alter column" not in up   # the flag alone changes no column

    conn = fresh_db.connect()
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    original = _fill(conn)
    plain_catalog = snapshot_catalog(conn)

    def write_meanwhile(number):
        if number == 1:   # the trigger is there, the batches have not run: the application writes
            conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                         "VALUES (%s, 'late', 'NID-late')", (ORG_A,))
            conn.execute("UPDATE public.patients SET full_name = 'renamed' WHERE national_id = 'NID-7'")
            # the insert is encrypted at once, and so is a row any update touches (the trigger
            # fires on every UPDATE); the others wait for their batch
            assert conn.execute("SELECT national_id FROM public.patients WHERE full_name = 'late'").fetchone()[0] \
                .startswith(PREFIX)
            assert conn.execute("SELECT national_id FROM public.patients WHERE full_name = 'renamed'").fetchone()[0] \
                .startswith(PREFIX)
            assert conn.execute("SELECT national_id FROM public.patients WHERE full_name = 'p9'").fetchone() == (
                "NID-9",)

    _parts(conn, up, write_meanwhile)
    original |= dict(conn.execute("SELECT id, 'NID-late|-' FROM public.patients WHERE full_name = 'late'"))
    raw = conn.execute("SELECT national_id, diagnosis FROM public.patients").fetchall()
    assert len(raw) == ROWS + 3
    assert all(n.startswith(PREFIX) and (d is None or d.startswith(PREFIX)) for n, d in raw)
    seen = dict(conn.execute("SELECT id, national_id || '|' || coalesce(diagnosis, '-') FROM public.patients_decrypted"))
    assert seen == original
    with scratch_database(pg_cluster, "fresh") as fresh:
        with fresh.connect() as other:
            apply_sql(other, next_migration(after, tmp_path / "alone").files["migrations/0001_initial.up.sql"].decode())
            assert diff_catalogs(snapshot_catalog(other), snapshot_catalog(conn)) == []

    def write_during_down(number):
        if number == 1:   # trigger gone, rows decrypted: a write stays plaintext
            conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                         "VALUES (%s, 'later', 'NID-later')", (ORG_B,))

    _parts(conn, down, write_during_down)
    assert diff_catalogs(plain_catalog, snapshot_catalog(conn)) == []
    original |= dict(conn.execute("SELECT id, 'NID-later|-' FROM public.patients WHERE full_name = 'later'"))
    back = dict(conn.execute("SELECT id, national_id || '|' || coalesce(diagnosis, '-') FROM public.patients"))
    assert back == original


def test_each_file_of_a_runner_layout_takes_back_its_own_part(fresh_db, tmp_path):
    """Encryption turned off, cut into golang-migrate files (one per part, one per outside
    statement): each file's down alone undoes that file; the first file's down (the rows were
    decrypted, the trigger dropped) puts the trigger back and encrypts the rows again."""
    from runners import BOOKKEEPING, golang_migrate_down, golang_migrate_up

    plain, encrypted = _specs(tmp_path)
    out = tmp_path / "project" / "build"
    write_files(out, next_migration(encrypted, out, layout="golang-migrate").files)
    folder = out.parent / "migrations"
    conn = fresh_db.connect()
    golang_migrate_up(conn, folder)
    _fill(conn)
    original = dict(conn.execute(
        "SELECT id, national_id || '|' || coalesce(diagnosis, '-') FROM public.patients_decrypted"))
    assert "NID-5|diag-5" in original.values()
    skip = {BOOKKEEPING["golang-migrate"]}
    encrypted_catalog = _catalog(conn, skip)
    write_files(out, next_migration(plain, out).files)
    versions = golang_migrate_up(conn, folder)
    assert len(versions) > 1   # cut into several files
    assert dict(conn.execute("SELECT id, national_id || '|' || coalesce(diagnosis, '-') FROM public.patients")) == original
    for _ in versions[:-1]:
        golang_migrate_down(conn, folder, 1)
    golang_migrate_down(conn, folder, 1)   # the first file's down: the trigger again, rows encrypted
    assert _catalog(conn, skip) == encrypted_catalog
    assert all(v.startswith(PREFIX) for (v,) in conn.execute("SELECT national_id FROM public.patients"))
    seen = dict(conn.execute("SELECT id, national_id || '|' || coalesce(diagnosis, '-') FROM public.patients_decrypted"))
    assert seen == original


def _catalog(conn, skip: set) -> dict:
    catalog = snapshot_catalog(conn)
    catalog["relations"] = {k: v for k, v in catalog["relations"].items() if k not in skip}
    catalog["columns"] = {k: v for k, v in catalog["columns"].items() if not any(k.startswith(s + ".") for s in skip)}
    return catalog


# Supabase Vault's interface as the migration uses it (supabase/vault: vault.secrets, the
# vault.decrypted_secrets view, vault.create_secret(new_secret, new_name, new_description)),
# with a stand-in for its encryption: what matters here is where the key goes.
FAKE_VAULT = """
CREATE SCHEMA vault;
CREATE TABLE vault.secrets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text UNIQUE,
                            description text NOT NULL DEFAULT '', secret text NOT NULL);
CREATE VIEW vault.decrypted_secrets AS
    SELECT id, name, description, secret, convert_from(decode(secret, 'base64'), 'utf8') AS decrypted_secret
    FROM vault.secrets;
CREATE FUNCTION vault.create_secret(new_secret text, new_name text DEFAULT NULL, new_description text DEFAULT '')
RETURNS uuid LANGUAGE sql AS $$
    INSERT INTO vault.secrets (name, description, secret)
    VALUES (new_name, new_description, encode(convert_to(new_secret, 'utf8'), 'base64')) RETURNING id
$$;
REVOKE ALL ON ALL TABLES IN SCHEMA vault FROM PUBLIC;
"""


def test_with_vault_the_key_is_a_vault_secret_and_no_key_table_is_made(fresh_db, tmp_path):
    out = _build(tmp_path)
    up = (out / "migrations" / "0001_initial.up.sql").read_text()
    down = (out / "migrations" / "0001_initial.down.sql").read_text()
    conn = fresh_db.connect()
    conn.execute(FAKE_VAULT)
    empty = snapshot_catalog(conn)
    apply_sql(conn, up)
    assert conn.execute("SELECT to_regclass('atlas_private.encryption_key')").fetchone() == (None,)
    (key,) = conn.execute("SELECT decrypted_secret FROM vault.decrypted_secrets WHERE name = 'atlas_encryption_key'"
                          ).fetchone()
    assert len(key) == 44 and key not in up
    _seed(conn)
    assert _accessor(conn, ADMIN_A) == [PLAIN_A]
    assert _accessor(conn, ADMIN_B) == [PLAIN_B]
    assert conn.execute("SELECT national_id FROM public.patients WHERE full_name = 'Ann'").fetchone()[0].startswith(PREFIX)
    # down leaves the secret in Vault; up again takes it rather than making another
    conn.execute("DELETE FROM public.organizations")
    apply_sql(conn, down)
    assert diff_catalogs(empty, snapshot_catalog(conn)) == []
    apply_sql(conn, up)
    assert conn.execute("SELECT count(*), min(decrypted_secret) FROM vault.decrypted_secrets").fetchone() == (1, key)


def test_target_postgres_applies_and_reads_through_the_accessor(fresh_db, tmp_path):
    schema = tmp_path / "schema"
    shutil.copytree(CASE, schema)
    project = schema / "_project.yaml"
    project.write_text(project.read_text().replace("target: supabase", "target: postgres").replace(
        "current_user_id: auth.uid()", "current_user_id: current_setting('app.user_id', true)::uuid"))
    out = tmp_path / "build"
    files = next_migration(schema, out).files
    conn = fresh_db.connect()
    apply_sql(conn, files["migrations/0001_initial.up.sql"].decode())
    _seed(conn)
    raw = conn.execute("SELECT national_id FROM public.patients").fetchall()
    assert all(v.startswith(PREFIX) for (v,) in raw)
    assert sorted(v for (v,) in conn.execute("SELECT national_id FROM public.patients_decrypted")) == sorted(
        [PLAIN_A, PLAIN_B])
    apply_sql(conn, files["migrations/0001_initial.down.sql"].decode())


# -- archives keep ciphertext; the key outlives it ------------------------------------------


def _without(tmp_path: Path, name: str, *, national_id=False, diagnosis=False, notes=False, notes_plain=False) -> Path:
    """The case with encrypted columns removed (archived), the clinician_notes table removed, or
    its body's encryption turned off."""
    spec = tmp_path / name
    shutil.copytree(CASE, spec)
    patients = spec / "patients.yaml"
    text = patients.read_text()
    if national_id:
        text = text.replace("      national_id: {type: text, nullable: false, sensitive: true, encrypted: true}\n", "")
    if diagnosis:
        text = text.replace("      diagnosis: {type: text, sensitive: true, encrypted: true}\n", "")
    if notes:
        text = text[:text.index("  clinician_notes:")]
    if notes_plain:
        text = text.replace("body: {type: text, nullable: false, sensitive: true, encrypted: true}",
                            "body: {type: text, nullable: false, sensitive: true}")
    patients.write_text(text)
    return spec


def _step(spec: Path, out: Path) -> tuple[str, str]:
    step = next_migration(spec, out)
    write_files(out, step.files)
    (name,) = step.migrations
    return ((out / "migrations" / f"{name}.up.sql").read_text(), (out / "migrations" / f"{name}.down.sql").read_text())


def _managed(conn) -> dict:
    """The catalog of the managed schemas: a chain's atlas_archive is its own, not a build's."""
    managed = ("public", "atlas_private")
    return restrict(snapshot_catalog(conn, managed), set(managed))


def _equals_fresh_build(pg_cluster, spec: Path, tmp_path: Path, conn) -> None:
    with scratch_database(pg_cluster, "fresh") as fresh:
        with fresh.connect() as other:
            apply_sql(other, next_migration(spec, tmp_path / f"alone_{spec.name}").files[
                "migrations/0001_initial.up.sql"].decode())
            assert diff_catalogs(_managed(other), _managed(conn)) == []


def _archive_text(conn) -> str:
    """Every row of atlas_archive, as the superuser reads it."""
    tables = [t for (t,) in conn.execute("SELECT quote_ident(relname) FROM pg_class AS c JOIN pg_namespace AS n "
                                         "ON n.oid = c.relnamespace WHERE n.nspname = 'atlas_archive' AND relkind = 'r'")]
    return "\n".join(t for table in tables for (t,) in conn.execute(
        f"SELECT row_to_json(a)::text FROM atlas_archive.{table} AS a"))


def test_an_archived_column_and_table_keep_their_ciphertext_and_down_restores_it(pg_cluster, fresh_db, tmp_path):
    out = tmp_path / "build"
    write_files(out, next_migration(CASE, out).files)
    after = _without(tmp_path, "after", national_id=True, notes=True)
    up, down = _step(after, out)
    assert "decrypt_value(" not in up.split("CREATE VIEW public.patients_decrypted")[0]   # nothing decrypted first
    conn = fresh_db.connect()
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    _seed(conn)
    start = snapshot_catalog(conn)
    _parts(conn, up)
    national = [v for (v,) in conn.execute('SELECT national_id FROM atlas_archive."0002_patients_national_id"')]
    bodies = [v for (v,) in conn.execute('SELECT body FROM atlas_archive."0002_clinician_notes"')]
    assert len(national) == 2 and len(bodies) == 1 and all(v.startswith(PREFIX) for v in national + bodies)
    archived = _archive_text(conn)
    assert PREFIX in archived and not [p for p in PLAINTEXTS if p in archived]
    # the key stays (diagnosis is still encrypted): chain == fresh build
    _equals_fresh_build(pg_cluster, after, tmp_path, conn)
    _parts(conn, down)
    assert diff_catalogs(start, snapshot_catalog(conn)) == []
    assert all(v.startswith(PREFIX) for (v,) in conn.execute("SELECT national_id FROM public.patients"))
    # the ciphertext back in place, readable by the members allowed, as before
    assert _accessor(conn, ADMIN_A) == [PLAIN_A]
    assert _accessor(conn, ADMIN_B) == [PLAIN_B]
    assert _accessor(conn, ADMIN_A, table="clinician_notes", column="body") == [NOTE_A]
    assert _accessor(conn, STAFF_A, table="clinician_notes", column="body") == []


def test_the_key_outlives_the_last_encrypted_column_and_a_new_one_gets_its_own(pg_cluster, fresh_db, tmp_path):
    """Migration 2 archives national_id and diagnosis and turns clinician_notes.body's encryption
    off: no encrypted column is left, the key table moves to atlas_archive; its down brings it
    back. Migration 3 encrypts clinician_notes.body again: a new key; its down and 2's down in turn
    restore what was archived under the first key, readable."""
    out = tmp_path / "build"
    write_files(out, next_migration(CASE, out).files)
    none_left = _without(tmp_path, "none_left", national_id=True, diagnosis=True, notes_plain=True)
    up2, down2 = _step(none_left, out)
    assert "ALTER TABLE atlas_private.encryption_key RENAME TO \"0002_encryption_key\"" in up2
    assert "DROP TABLE IF EXISTS atlas_private.encryption_key" not in up2
    with fresh_db.connect() as admin:
        admin.execute(f'ALTER DATABASE "{fresh_db.name}" SET log_statement = \'all\'')
    log_start = pg_cluster.log_file.stat().st_size
    conn = fresh_db.connect()
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    _seed(conn)
    key = conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone()[0]
    encrypted = snapshot_catalog(conn)

    def after_up2():
        assert conn.execute("SELECT to_regclass('atlas_private.encryption_key'), "
                            "to_regprocedure('atlas_private.decrypt_value(text)')").fetchone() == (None, None)
        assert conn.execute('SELECT key FROM atlas_archive."0002_encryption_key"').fetchone() == (key,)
        # still row level security on and no privilege but its owner's
        kept = conn.execute("SELECT c.relrowsecurity, (SELECT count(*) FROM aclexplode(c.relacl) AS a "
                            "WHERE a.grantee <> c.relowner) FROM pg_class AS c WHERE c.oid = "
                            "'atlas_archive.\"0002_encryption_key\"'::regclass").fetchone()
        assert kept == (True, 0)
        archived = _archive_text(conn)
        assert PREFIX in archived and not [p for p in PLAINTEXTS if p in archived]
        assert sorted(v for (v,) in conn.execute("SELECT body FROM public.clinician_notes")) == [NOTE_A]
        _equals_fresh_build(pg_cluster, none_left, tmp_path, conn)

    _parts(conn, up2)
    after_up2()
    plain = snapshot_catalog(conn)
    _parts(conn, down2)
    assert diff_catalogs(encrypted, snapshot_catalog(conn)) == []
    assert conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone() == (key,)
    assert _accessor(conn, ADMIN_A) == [PLAIN_A] and _accessor(conn, ADMIN_A, column="diagnosis") == [DIAGNOSIS_A]
    _parts(conn, up2)   # up again: the same state
    after_up2()
    assert diff_catalogs(plain, snapshot_catalog(conn)) == []

    # encrypting again makes a new key; the archived one stays for the archives made under it
    again = _without(tmp_path, "again", national_id=True, diagnosis=True)   # body encrypted again
    up3, down3 = _step(again, out)
    _parts(conn, up3)
    new_key = conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone()[0]
    assert new_key != key
    assert conn.execute('SELECT key FROM atlas_archive."0002_encryption_key"').fetchone() == (key,)
    assert conn.execute("SELECT body LIKE 'atlas1:%' FROM public.clinician_notes").fetchone() == (True,)
    _equals_fresh_build(pg_cluster, again, tmp_path, conn)
    assert _accessor(conn, ADMIN_A, table="clinician_notes", column="body") == [NOTE_A]
    _parts(conn, down3)
    assert diff_catalogs(plain, snapshot_catalog(conn)) == []
    _parts(conn, down2)
    assert diff_catalogs(encrypted, snapshot_catalog(conn)) == []
    assert conn.execute("SELECT key FROM atlas_private.encryption_key").fetchone() == (key,)
    assert _accessor(conn, ADMIN_A) == [PLAIN_A] and _accessor(conn, ADMIN_B) == [PLAIN_B]
    assert _accessor(conn, ADMIN_A, column="diagnosis") == [DIAGNOSIS_A]
    assert _accessor(conn, ADMIN_A, table="clinician_notes", column="body") == [NOTE_A]

    # neither key in the build output, the lock or the server log
    files = tree(out)
    assert "schema.lock.json" in files
    assert [name for name, data in files.items() if key.encode() in data or new_key.encode() in data] == []
    with pg_cluster.log_file.open("rb") as log:
        log.seek(log_start)
        logged = log.read().decode("utf-8", "replace")
    assert "0002_encryption_key" in logged   # the statements are logged
    assert key not in logged and new_key not in logged


def test_with_vault_the_secret_outlives_the_last_encrypted_column(fresh_db, tmp_path):
    out = tmp_path / "build"
    write_files(out, next_migration(CASE, out).files)
    up, down = _step(_without(tmp_path, "none_left", national_id=True, diagnosis=True, notes_plain=True), out)
    conn = fresh_db.connect()
    conn.execute(FAKE_VAULT)
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    _seed(conn)
    (key,) = conn.execute("SELECT decrypted_secret FROM vault.decrypted_secrets").fetchone()
    encrypted = snapshot_catalog(conn)
    _parts(conn, up)
    assert conn.execute("SELECT to_regclass('atlas_private.encryption_key'), "
                        "to_regclass('atlas_archive.\"0002_encryption_key\"')").fetchone() == (None, None)
    assert conn.execute("SELECT count(*), min(decrypted_secret) FROM vault.decrypted_secrets").fetchone() == (1, key)
    archived = _archive_text(conn)
    assert PREFIX in archived and not [p for p in PLAINTEXTS if p in archived]
    _parts(conn, down)
    assert diff_catalogs(encrypted, snapshot_catalog(conn)) == []
    assert _accessor(conn, ADMIN_A) == [PLAIN_A] and _accessor(conn, ADMIN_A, column="diagnosis") == [DIAGNOSIS_A]


# -- writes that carry ciphertext already; triggers of the spec; the audit trail -------------

NEW_ID = str(uuid.uuid4())


def _raw(conn, where: str = "") -> list[str]:
    return [v for (v,) in conn.execute(f"SELECT national_id FROM public.patients {where}")]


def test_an_upsert_encrypts_once_and_a_client_written_ciphertext_is_not_trusted(applied):
    """supabase-js upsert() sends INSERT ... ON CONFLICT DO UPDATE SET c = EXCLUDED.c: the
    INSERT trigger encrypted EXCLUDED already, and the UPDATE keeps a value that decrypts under
    the key; 'atlas1:garbage' does not decrypt, so it is encrypted like any plaintext."""
    conn, _ = applied
    upsert = ("INSERT INTO public.patients (id, organization_id, full_name, national_id) VALUES (%s, %s, 'Cat', %s) "
              "ON CONFLICT (id) DO UPDATE SET national_id = excluded.national_id, full_name = excluded.full_name")
    with acting_as(conn, ADMIN_A) as session:
        session.execute(upsert, (NEW_ID, ORG_A, "NID-CAT-1"))
        session.execute(upsert, (NEW_ID, ORG_A, "NID-CAT-2"))   # the conflict: the UPDATE branch
        assert session.fetchall("SELECT national_id FROM public.patients_decrypted WHERE full_name = 'Cat'") == [
            ("NID-CAT-2",)]
        # a value copied from another row (ciphertext under the key) is kept, not encrypted twice
        session.execute("UPDATE public.patients SET diagnosis = (SELECT national_id FROM public.patients "
                        "WHERE full_name = 'Cat') WHERE full_name = 'Ann'")
        assert session.fetchall("SELECT diagnosis FROM public.patients_decrypted WHERE full_name = 'Ann'") == [
            ("NID-CAT-2",)]
        # a client-written 'atlas1:' value that is no ciphertext of the key is encrypted as written
        session.execute("UPDATE public.patients SET national_id = 'atlas1:garbage' WHERE full_name = 'Cat'")
        session.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                        "VALUES (%s, 'Dan', 'atlas1:wwwECQEC')", (ORG_A,))
        assert sorted(session.fetchall("SELECT full_name, national_id FROM public.patients_decrypted")) == [
            ("Ann", PLAIN_A), ("Cat", "atlas1:garbage"), ("Dan", "atlas1:wwwECQEC")]
    # the session rolled back; the same upsert as the migration role, then an update of another column
    conn.execute(upsert, (NEW_ID, ORG_A, "NID-CAT-1"))
    conn.execute(upsert, (NEW_ID, ORG_A, "NID-CAT-2"))
    conn.execute("UPDATE public.patients SET full_name = 'Cathy' WHERE id = %s", (NEW_ID,))
    (cat,) = _raw(conn, f"WHERE id = '{NEW_ID}'")
    assert cat.startswith(PREFIX) and conn.execute(
        "SELECT atlas_private.decrypt_value(%s)", (cat,)).fetchone() == ("NID-CAT-2",)


def test_a_garbage_ciphertext_written_past_the_trigger_never_breaks_a_read(applied):
    conn, _ = applied
    # only a superuser can get past the trigger (replica role): the row reads as NULL, the others as ever
    conn.execute("SET session_replication_role = replica")
    conn.execute("UPDATE public.patients SET national_id = 'atlas1:not-base64!' WHERE full_name = 'Bob'")
    conn.execute("UPDATE public.patients SET diagnosis = 'atlas1:d3d3' WHERE full_name = 'Ann'")
    conn.execute("SET session_replication_role = origin")
    assert _accessor(conn, ADMIN_A) == [PLAIN_A]
    with acting_as(conn, ADMIN_A) as session:
        assert session.fetchall("SELECT diagnosis FROM public.patients_decrypted") == [(None,)]
    with acting_as(conn, ADMIN_B) as session:
        assert session.fetchall("SELECT national_id FROM public.patients_decrypted") == [(None,)]
    # a missing key stays an error, not a silent NULL
    conn.execute("ALTER TABLE atlas_private.encryption_key RENAME TO moved_key")
    assert _accessor(conn, ADMIN_A) == "P0001"


def _with_triggers(tmp_path: Path, name: str) -> Path:
    """The case with a spec BEFORE trigger on patients that upper-cases and fills national_id."""
    schema = tmp_path / "triggered"
    shutil.copytree(CASE, schema)
    (schema / "normalize.yaml").write_text("""
functions:
  normalize_patient:
    returns: trigger
    language: plpgsql
    body: "begin new.national_id := upper(coalesce(new.national_id, 'nid-none')); return new; end"
""")
    spec = schema / "patients.yaml"
    spec.write_text(spec.read_text().replace("    audit: true\n", "    audit: true\n    triggers:\n      " + name +
                                             ": {timing: before, events: [insert, update], function: normalize_patient}\n"))
    return schema


def test_a_spec_trigger_that_sorts_before_the_encryption_sees_plaintext(fresh_db, tmp_path):
    """The trigger sorting before encrypt_national_id sees plaintext, and what it assigns, even
    in an update that does not name the column, is encrypted after it (the encrypting trigger
    fires on every UPDATE). One sorting after it is refused (E414, tests/cases/errors)."""
    files = next_migration(_with_triggers(tmp_path, "a_normalize_patient"), tmp_path / "build").files
    conn = fresh_db.connect()
    apply_sql(conn, files["migrations/0001_initial.up.sql"].decode())
    _seed(conn)
    assert _accessor(conn, ADMIN_A) == [PLAIN_A.upper()]
    with acting_as(conn, STAFF_A) as session:
        session.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                        "VALUES (%s, 'Eve', 'nid-eve')", (ORG_A,))
        assert session.fetchall("SELECT national_id FROM public.patients_decrypted WHERE full_name = 'Eve'") == [
            ("NID-EVE",)]
        assert session.fetchone("SELECT national_id FROM public.patients WHERE full_name = 'Eve'")[0].startswith(PREFIX)
    conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id) VALUES (%s, 'Fay', 'x')", (ORG_A,))
    conn.execute("SET session_replication_role = replica")   # a lower-case plaintext, past every trigger
    conn.execute("UPDATE public.patients SET national_id = 'nid-fay' WHERE full_name = 'Fay'")
    conn.execute("SET session_replication_role = origin")
    conn.execute("UPDATE public.patients SET full_name = 'Fay2' WHERE full_name = 'Fay'")   # national_id not named
    assert all(v.startswith(PREFIX) for v in _raw(conn))
    assert _accessor(conn, ADMIN_A) == [PLAIN_A, "NID-FAY"]
    with pytest.raises(CompileError) as failure:   # the same trigger named to sort after it
        next_migration(_with_triggers(tmp_path / "after", "normalize_patient"), tmp_path / "build2")
    assert "E414" in str(failure.value) and "fires after encrypt_national_id" in str(failure.value)


def _audit(conn) -> dict:
    return {i: (old, new) for i, old, new in conn.execute("SELECT id, old_data, new_data FROM public.patients_audit")}


def test_encrypting_an_audited_column_encrypts_the_plaintext_its_audit_trail_held(pg_cluster, fresh_db, tmp_path):
    """national_id was neither sensitive nor encrypted: the audit trail holds its values. The
    migration that encrypts it encrypts them in place (in batches, with the rows); its down
    decrypts them back: the trail is as it was."""
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(CASE, after)
    shutil.copytree(CASE, before)
    spec = before / "patients.yaml"
    spec.write_text(spec.read_text().replace("national_id: {type: text, nullable: false, sensitive: true, encrypted: true}",
                                             "national_id: {type: text, nullable: false}"))
    out = tmp_path / "build"
    write_files(out, next_migration(before, out).files)
    step = next_migration(after, out)
    write_files(out, step.files)
    (name,) = step.migrations
    conn = fresh_db.connect()
    apply_sql(conn, (out / "migrations" / "0001_initial.up.sql").read_text())
    _seed(conn)
    conn.execute("INSERT INTO public.patients (organization_id, full_name, national_id) "
                 "SELECT %s, 'q' || i, 'NID-Q-' || i FROM generate_series(1, 6000) AS i", (ORG_A,))
    conn.execute("UPDATE public.patients SET national_id = national_id || '-RENEWED' WHERE full_name IN ('Ann', 'q7')")
    trail = _audit(conn)
    held = conn.execute("SELECT count(*) FROM public.patients_audit WHERE new_data ? 'national_id'").fetchone()[0]
    assert held == 6002 + 2 and "NID-A-7731-SECRET" in str(trail.values())
    plain_catalog = snapshot_catalog(conn)

    _parts(conn, (out / "migrations" / f"{name}.up.sql").read_text())
    # allowed reader first: the member reads the plaintext through the accessor
    assert _accessor(conn, ADMIN_A, column="national_id")[:2] == [PLAIN_A + "-RENEWED", "NID-Q-1"]
    text = "\n".join(t for (t,) in conn.execute("SELECT row_to_json(a)::text FROM public.patients_audit AS a"))
    assert "NID-" not in text   # no plaintext of the encrypted column left in the trail
    values = conn.execute("SELECT atlas_private.decrypt_value(old_data ->> 'national_id'), "
                          "atlas_private.decrypt_value(new_data ->> 'national_id') FROM public.patients_audit "
                          "WHERE id = (SELECT max(id) FROM public.patients_audit WHERE operation = 'UPDATE')").fetchone()
    assert values[0].startswith("NID-") and values[1] == values[0] + "-RENEWED"
    assert conn.execute("SELECT count(*) FROM public.patients_audit WHERE "
                        "starts_with(new_data ->> 'national_id', 'atlas1:')").fetchone() == (held,)

    _parts(conn, (out / "migrations" / f"{name}.down.sql").read_text())
    assert _audit(conn) == trail
    assert diff_catalogs(plain_catalog, snapshot_catalog(conn)) == []


def test_a_request_with_no_signed_in_user_reads_no_plaintext_off_supabase(fresh_db, tmp_path):
    """target postgres, patients `select: public`: a request with no user reads every row (the
    select rule) but no plaintext through the accessor, as on Supabase (anon has no accessor);
    a signed-in member reads the plaintext."""
    schema = tmp_path / "schema"
    shutil.copytree(CASE, schema)
    project = schema / "_project.yaml"
    project.write_text(project.read_text().replace("target: supabase", "target: postgres").replace(
        "current_user_id: auth.uid()", "current_user_id: \"nullif(current_setting('app.user_id', true), '')::uuid\""))
    spec = schema / "patients.yaml"
    spec.write_text(spec.read_text().replace("access: {select: member,", "access: {select: public,", 1))
    files = next_migration(schema, tmp_path / "build").files
    conn = fresh_db.connect()
    apply_sql(conn, files["migrations/0001_initial.up.sql"].decode())
    _seed(conn)
    conn.execute("DO $$ BEGIN CREATE ROLE fixe_app; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    conn.execute("GRANT USAGE ON SCHEMA public, atlas_private TO fixe_app; "
                 "GRANT SELECT ON ALL TABLES IN SCHEMA public TO fixe_app")

    def read(user):
        with acting_as(conn, None, "fixe_app", settings={"app.user_id": user}) as session:
            return sorted(session.fetchall("SELECT full_name, national_id FROM public.patients_decrypted"))

    assert read(ADMIN_A) == [("Ann", PLAIN_A)]   # a signed-in member: its tenant's row, decrypted
    assert read(ADMIN_B) == [("Bob", PLAIN_B)]
    assert read("") == [("Ann", None), ("Bob", None)]
    assert sorted(conn.execute("SELECT national_id FROM public.patients_decrypted")) == [(PLAIN_A,), (PLAIN_B,)]
