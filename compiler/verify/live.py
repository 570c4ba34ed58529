"""`atlas-compile verify --database-url`: a database where the migrations are already applied
(staging, a Supabase branch), held to what the lock promises, leaving nothing behind.

1. which released migrations it has applied (:mod:`.live_history`): pending or unknown ones
   fail; the database is held to the model right after its last applied migration;
2. its catalog (:mod:`.catalog_checks`): against ``reference``, a scratch database where a
   fresh build of that model was applied, every difference a FAIL naming the object and
   whether it widens access; without a reference, what the model alone tells
   (:mod:`.catalog_structure`);
3. the isolation probes (:mod:`.probing`), all inside one transaction that is rolled back,
   seeding without advancing sequences; then row counts, sequences and catalog are compared
   with before (:mod:`.live_leftovers`).

The role it needs is in :mod:`.live_rights`: a superuser proves everything; a non-superuser
needs BYPASSRLS, membership in anon and authenticated, the seed's table and sequence privileges
and ownership (through a role) of the materialized views."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import psycopg

from ..isolation import SeedError
from ..model import DeclaredAccess, Model
from ..postgres import Database
from .catalog_checks import compare_catalogs, live_catalog, reference_catalog, role_checks
from .catalog_structure import NO_SERVER, structural_checks
from .checks import ERROR, SKIP, Check
from .live_history import applied_position
from .live_leftovers import compare_states, database_state
from .live_rights import rights_check
from .partition_checks import held_reference, partition_checks
from .probing import check_isolation


def check_live(conn: psycopg.Connection, out: Path, reference: Callable[[Model], Database] | None,
               progress: Callable[[str], None], access: Mapping[str, DeclaredAccess] | None = None) -> list[Check]:
    """Every check of the live database (see module doc).  ``reference(model)`` gives a database
    where a fresh build of ``model`` is applied: the model of the database's last applied
    migration, which is the lock's when it is up to date (None when no server binaries are
    here).  ``access``, the spec's rules, judges the access rule probes when the database is at
    the lock (the spec's own state); behind it, the rules are read back from its model."""
    progress("reading the applied migrations")
    position = applied_position(conn, out)
    checks = list(position.checks)
    model = position.model
    if model is None:
        why = (f"the model after {position.last} is not recorded in the lock" if position.last
               else "no released migration is applied")
        return checks + [Check(area, "database", "held_to_model", SKIP, f"{why}: catalog and probes not run")
                         for area in ("catalog", "isolation")]
    schemas = model.managed_schemas()
    if reference is not None:
        progress(f"building the reference database for {position.last}")
    wanted = reference(model) if reference is not None else None
    progress("comparing the catalog")
    checks += catalog_checks(conn, model, schemas, wanted)
    checks += partition_checks(conn, model)
    checks += probe_checks(conn, model, schemas, progress, access if position.at_lock else None)
    return checks


def catalog_checks(conn, model: Model, schemas: list[str], reference: Database | None,
                   why: str = NO_SERVER) -> list[Check]:
    live = live_catalog(conn, schemas)
    if reference is None:
        return structural_checks(conn, live, model, schemas, why) + role_checks(live)
    return compare_catalogs(live, held_reference(live, reference_catalog(reference, schemas), model), model)


def probe_checks(conn, model: Model, schemas: list[str], progress: Callable[[str], None],
                 access: Mapping[str, DeclaredAccess] | None = None) -> list[Check]:
    """The isolation probes in one transaction that is rolled back, then `nothing_left_behind`."""
    rights = rights_check(conn, schemas)
    if rights.failed:
        return [rights]
    before = database_state(conn, schemas)
    try:
        with conn.transaction(force_rollback=True):
            checks = check_isolation(conn, model, progress, consume_sequences=False, access=access)
    except (psycopg.Error, SeedError) as exc:
        checks = [Check("isolation", "database", "probes", ERROR,
                        f"the probes stopped: {type(exc).__name__}: {str(exc).strip().splitlines()[0]}")]
    return [rights, *checks, compare_states(before, database_state(conn, schemas))]
