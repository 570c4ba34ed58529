"""Model-driven tenant isolation probes (shared by the test suite and ``atlas-compile verify``).

Given a superuser connection to a database where a compiled migration is applied, and the
compiled :class:`~compiler.model.Model`:

* :func:`seed_tenants` creates two tenants, ``A`` and ``B``: a root row each, one membership row
  (and one ``auth.users`` row) per value of the membership role enum, and one valid row per
  tenant for every tenant table, inserted in foreign-key order.  Values are generated from the
  catalog (enum: first label; text; numbers; times; jsonb ``'{}'`` ...); check constraints are
  satisfied by trying further candidates (including the string literals of the check) when the
  server names a violated constraint.  Tables in a foreign-key cycle are inserted with the
  nullable cycle column null and updated once the other side exists.  A row that cannot be
  generated raises :class:`SeedError` naming the table.
* :func:`probe_isolation` signs in as a member of ``A`` (role ``authenticated``, JWT claims as
  PostgREST sets them, plus the settings a ``current_setting('<name>')`` form of
  ``current_user_id`` reads; with every membership role, or only ``actor_role`` where given) and
  as ``anon``, and tries to reach ``B``.  Positive
  controls come first, so that no probe passes because the member reaches nothing at all:

  =====================  ==========================================================
  sign_in                every role of A: ``current_user_id`` returns the member's user id
                         (else every probe would pass vacuously: nothing else runs)
  own_rows_visible       A sees its own seeded rows of a table that members may read
  own_insert /           a member of A inserts a valid row of A / updates A's row where
  own_update             its rules allow the command
  select_other_tenant    (a) any row of another tenant visible (every role of A)
  insert_other_tenant    (b) insert a fully valid row with the tenant column = B
  update_other_tenant    (c) update B's rows (must touch 0 rows or be refused)
  delete_other_tenant    (c) delete B's rows (must touch 0 rows or be refused)
  move_to_other_tenant   (d) set the tenant column of A's own row to B
  fk_to_other_tenant     (e) point a foreign key of A's row (update, and a new row) at B's row
  anon_select / _insert  (f) anon reads rows only where select access is public, and
  anon_update / _delete      writes nothing
  audit_insert/_update/  (g) a member cannot write audit rows, not even its own tenant's
  audit_delete
  root_select_other      (h) the tenant root shows A's member only A; B cannot be
  root_update_other /        updated or deleted
  root_delete_other
  view_select_other      views readable by the API roles show no other tenant's rows
  lookup_answers_own     a function the API may call answers about A (required of the
                         lookups the policies rely on)
  lookup_other_tenant    every function anon or a member may call, with B's, A's and unknown
                         identifiers: no output changes when tenant B is removed (:mod:`.lookups`)
  sequence_privileges    anon / authenticated can neither read nor setval a sequence behind
                         a table (it is shared by every tenant)
  access_rules[cmd]      every command on a row of A, as every role of A and a signed-in
                         non-member: allowed exactly when the spec's rule grants it (rules
                         read from the model's policies, :mod:`.rules`); anon reads where public
  owner_*                forced RLS: a non-superuser made the table's owner, signed in as A,
                         sees A's rows (``owner_own_rows``), no row of B, writes none of B
  soft_delete*           a soft-deleted row is invisible and cannot be un-deleted; UPDATE
                         cannot soft-delete; DELETE (where allowed) marks and keeps the row
  partition_*            partitioned tenant tables (:mod:`.partition_probes`): as every role
                         of B, B's rows through the parent across partitions (control); A's
                         rows through the parent, and every partition named directly (the
                         default and sub-partitions too): nothing read or written; the
                         partition's owner reads nothing (forced); a partition made later by
                         ``atlas_private.maintain_partitions`` is fenced (``later_partition_*``)
  forged_* / tenant_*    scalar modes of ``current_tenant`` only (:mod:`.current_tenant`): a
                         member of B naming A sees and writes nothing of A (after seeing B's
                         rows naming B); naming no uuid, or nothing, reads no row, no error;
                         naming nothing, the root still lists the member's tenant
  =====================  ==========================================================

  In the scalar modes every session of a member also names the tenant it acts in (A), in the
  JWT claim or the setting, as an app would (:mod:`.signin`); memberships mode names none.

  Every probe runs in a savepoint inside a transaction that is rolled back, so probing changes
  nothing (the seed itself is committed unless the caller wraps it in a transaction).
  The result is an :class:`IsolationReport`: one :class:`Finding` per probe, table and actor.

Where things live: :mod:`.seeding` (rows for two tenants; :mod:`.rows` builds one row and its
statements, :mod:`.catalog` asks the catalog), :mod:`.signin` (sign-in from ``current_user_id``),
:mod:`.prober` (sessions, verdicts, positive controls), :mod:`.probes` (the registry of probe
families), :mod:`.current_tenant` (the attacks on a tenant the request names), :mod:`.report`
(the report), :mod:`.tenancy` (the model's tenancy, qualified).

Statuses: ``pass`` (isolation held), ``fail`` (a leak: the statement reached another tenant, or
row level security admitted a row that only a later constraint stopped), ``error`` (the probe
could not be run meaningfully), ``skip`` (not possible here, with the reason).  Every finding
carries the statement tried, values bound.
"""

from __future__ import annotations

from typing import Mapping

import psycopg

from ..model import DeclaredAccess, Model, Tenancy
from .catalog import SeedError
from .prober import Prober
from .probes import PROBES, Probe, run_probes
from .report import ERROR, FAIL, PASS, SKIP, Finding, IsolationReport
from .seeding import Seed, SeededTenant, seed_tenants
from .sequences import restore_sequences, sequence_states
from .signin import SignIn, sign_in_for, sign_in_of
from .tenancy import member_roles, tenancy_from_model

__all__ = [
    "ERROR",
    "FAIL",
    "PASS",
    "PROBES",
    "SKIP",
    "Finding",
    "IsolationReport",
    "Probe",
    "Seed",
    "SeedError",
    "SeededTenant",
    "SignIn",
    "Tenancy",
    "member_roles",
    "probe_isolation",
    "restore_sequences",
    "seed_tenants",
    "sequence_states",
    "sign_in_for",
    "sign_in_of",
    "tenancy_from_model",
]


def probe_isolation(conn: psycopg.Connection, model: Model, *, seed: Seed | None = None,
                    tenancy: Tenancy | None = None, actor_role: str | None = None,
                    consume_sequences: bool = True, progress=None,
                    access: Mapping[str, DeclaredAccess] | None = None) -> IsolationReport:
    """Seed (unless ``seed`` is given) and run every isolation probe; nothing is changed by
    the probes themselves.  ``conn`` must be a superuser connection.

    With ``consume_sequences=False`` (call it inside a transaction you roll back) the seed and
    the probes give identity and serial columns explicit values, and the sequences that
    triggers still drew from (audit rows) are set back at the end (:mod:`.sequences`).

    ``access`` ("schema.table" -> the spec's rules, from ``compile_with_hints``) is what the
    access rule probes judge by; without it they read the rules back from the model's policies,
    which catches drift but not a policy the compiler wrote wrong."""
    before = None if consume_sequences else sequence_states(conn)
    if seed is None:
        seed = seed_tenants(conn, model, tenancy, consume_sequences=consume_sequences)
    try:
        return run_probes(Prober(conn, seed, actor_role, access), progress=progress)
    finally:
        if before is not None:
            restore_sequences(conn, before)
