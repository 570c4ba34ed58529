-- atlas-compile migration 0001_initial (down)
-- project: snapshot-case; target: supabase; PostgreSQL 15
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

-- drop trigger public.line_items.update_line_items_updated_at
DROP TRIGGER update_line_items_updated_at ON public.line_items;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.line_items.line_items_update
-- hazard: AUTHZ_UPDATE
DROP POLICY line_items_update ON public.line_items;

-- drop policy public.line_items.line_items_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY line_items_tenant_fence ON public.line_items;

-- drop policy public.line_items.line_items_select
-- hazard: AUTHZ_UPDATE
DROP POLICY line_items_select ON public.line_items;

-- drop policy public.line_items.line_items_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY line_items_insert ON public.line_items;

-- drop policy public.line_items.line_items_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY line_items_delete ON public.line_items;

-- drop policy public.auth_users.auth_users_update
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_update ON public.auth_users;

-- drop policy public.auth_users.auth_users_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_tenant_fence ON public.auth_users;

-- drop policy public.auth_users.auth_users_select
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_select ON public.auth_users;

-- drop policy public.auth_users.auth_users_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_insert ON public.auth_users;

-- drop policy public.auth_users.auth_users_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_delete ON public.auth_users;

-- drop table public.line_items
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.line_items;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.member_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.auth_users
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.auth_users;

-- drop table public.organizations
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.organizations;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

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

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
