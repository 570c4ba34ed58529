-- atlas-compile migration 0001_initial (down)
-- project: partitioned-events-partman; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.members.update_members_updated_at
DROP TRIGGER update_members_updated_at ON public.members;

-- drop trigger public.events.update_events_updated_at
DROP TRIGGER update_events_updated_at ON public.events;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.members.members_update
-- hazard: AUTHZ_UPDATE
DROP POLICY members_update ON public.members;

-- drop policy public.members.members_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY members_tenant_fence ON public.members;

-- drop policy public.members.members_select
-- hazard: AUTHZ_UPDATE
DROP POLICY members_select ON public.members;

-- drop policy public.members.members_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY members_insert ON public.members;

-- drop policy public.members.members_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY members_delete ON public.members;

-- drop policy public.events.events_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY events_tenant_fence ON public.events;

-- drop policy public.events.events_select
-- hazard: AUTHZ_UPDATE
DROP POLICY events_select ON public.events;

-- drop policy public.events.events_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY events_insert ON public.events;

-- drop table public.events
-- hazard: DELETES_DATA
DO $atlas$
DECLARE
    v_partman name;
    v_major integer;
BEGIN
    SELECT n.nspname, pg_catalog.split_part(e.extversion, '.', 1)::integer INTO v_partman, v_major
    FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_partman';
    EXECUTE pg_catalog.format('DELETE FROM %I.part_config WHERE parent_table = %L', v_partman, 'public.events');
END
$atlas$;
-- squawk-ignore ban-drop-table
DROP TABLE atlas_private.events_partman_template;
-- squawk-ignore ban-drop-table
DROP TABLE public.events;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.member_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.members
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.members;

-- drop table public.organizations
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.organizations;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function atlas_private.partman_make_partitions
DROP FUNCTION atlas_private.partman_make_partitions(p_parent text, p_step interval, p_premake integer, p_times timestamptz[]);

-- drop function atlas_private.make_partitions
DROP FUNCTION atlas_private.make_partitions(p_parent regclass, p_unit text, p_count integer, p_premake integer, p_from timestamptz, p_at timestamptz);

-- drop function atlas_private.maintain_partitions
DROP FUNCTION atlas_private.maintain_partitions(p_at timestamptz);

-- drop function atlas_private.fence_partitions
DROP FUNCTION atlas_private.fence_partitions(p_parent regclass);

-- drop enum public.member_role
DROP TYPE public.member_role;

-- drop extension pgcrypto
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pgcrypto') = 'installed by atlas-compile' THEN
        DROP EXTENSION pgcrypto;
    END IF;
END
$atlas$;

-- drop extension pg_partman
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pg_partman') = 'installed by atlas-compile' THEN
        DROP EXTENSION pg_partman;
    END IF;
END
$atlas$;

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
