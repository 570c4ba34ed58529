-- atlas-compile migration 0001_initial (down)
-- project: it's hostile; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop trigger public.user.update_user_updated_at
DROP TRIGGER update_user_updated_at ON public."user";

-- drop trigger public.user.t
DROP TRIGGER t ON public."user";

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.members.update_members_updated_at
DROP TRIGGER update_members_updated_at ON public.members;

-- drop policy public.user.user_update
-- hazard: AUTHZ_UPDATE
DROP POLICY user_update ON public."user";

-- drop policy public.user.user_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY user_tenant_fence ON public."user";

-- drop policy public.user.user_select
-- hazard: AUTHZ_UPDATE
DROP POLICY user_select ON public."user";

-- drop policy public.user.user_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY user_insert ON public."user";

-- drop policy public.user.user_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY user_delete ON public."user";

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.organizations.organizations_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_insert ON public.organizations;

-- drop policy public.organizations.organizations_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_delete ON public.organizations;

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

-- drop table public.user
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public."user";

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.member_kind);

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

-- drop function public.trick
DROP FUNCTION public.trick();

-- drop enum public.member_kind
DROP TYPE public.member_kind;

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
