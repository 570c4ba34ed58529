"""Supabase database-linter checks (the Security / Performance Advisors) run
against a live database.

Supabase's dashboard advisors run *splinter* (https://github.com/supabase/splinter),
one SQL view per lint.  This package re-implements the splinter lints that can
fire on a schema atlas-compile generates, with the same names, levels and
conditions, so a migration can be checked in the test suite before a reviewer
runs the real advisors on a project.  The queries are our own; the facts they
encode (what each lint looks at, which schemas it skips) follow splinter.

Usage::

    findings = run_lints(conn, schemas=("public",))
    bad = [f for f in findings if f.level in ("ERROR", "WARN")]

The package: :mod:`~compiler.lint.definition` (what a lint and a finding are),
:mod:`~compiler.lint.conditions` (every lint as data: source, condition,
detail), :mod:`~compiler.lint.runner` (the one query shape, and running it),
:mod:`~compiler.lint.sql` (what the policy lints read from an expression, with
pglast).

``schemas`` are the schemas exposed through the Data API (PostgREST's
``db-schemas``; ``public`` by default on Supabase).  Lints that splinter limits
to API-exposed schemas (rls_disabled_in_public, security_definer_view,
auth_users_exposed, sensitive_columns_exposed, extension_in_public) use it;
every other lint covers every user schema, as splinter does: all schemas
except ``pg_*``, ``information_schema`` and the Supabase-managed ones in
:data:`SYSTEM_SCHEMAS`.  Objects that belong to an extension are skipped.

Policies are deparsed with ``search_path = ''`` so calls print
schema-qualified (``auth.uid()``), which is what splinter requires too, and
read as syntax trees.  In a few places this implementation is deliberately a
little stricter than splinter (noted per lint); it is never more lenient (but
for a string constant spelling a call, see :mod:`~compiler.lint.sql`), so
"no findings here" means "no findings from the advisors" for the implemented
lints.

Codes: each lint has its own.  Where a lint is splinter's lint of a number, it
keeps that number (0001-0030).  splinter's repository has three lints filed
as 0030: invalid_index, which splinter ships as 0030 (unused_replication_slot
moved to 0031 to make room for it), keeps 0030; autovacuum_disabled and
rls_policy_null_auth_disjunct have no settled splinter number, so they carry
codes of our own, ``AC01`` and ``AC02`` ("atlas-compile"): letters, so they can
never collide with a number splinter gives out later, and four characters, so
reports line up.  Should splinter publish them under numbers of their own,
they take those numbers.

Not implemented (they do not depend on the schema we generate, or need data
this process cannot have): 0005 unused_index and 0020 table_bloat (need usage
statistics), 0012 auth_allow_anonymous_sign_ins (Auth config), 0017
foreign_table_in_api, 0019 insecure_queue_exposed_in_api (pgmq), 0022
extension_versions_outdated, 0025 public_bucket_allows_listing (Storage),
0025 pg17_deprecated_extensions (platform upgrade), 0031
unused_replication_slot.
"""

from .conditions import LINTS, SYSTEM_SCHEMAS
from .definition import Finding, Lint
from .runner import build_query, run_lints

__all__ = ["Finding", "LINTS", "Lint", "SYSTEM_SCHEMAS", "build_query", "run_lints"]
