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

-- drop trigger public.products.update_products_updated_at
DROP TRIGGER update_products_updated_at ON public.products;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.categories.update_categories_updated_at
DROP TRIGGER update_categories_updated_at ON public.categories;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

-- drop policy public.products.products_update
-- hazard: AUTHZ_UPDATE
DROP POLICY products_update ON public.products;

-- drop policy public.products.products_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY products_tenant_fence ON public.products;

-- drop policy public.products.products_select
-- hazard: AUTHZ_UPDATE
DROP POLICY products_select ON public.products;

-- drop policy public.products.products_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY products_insert ON public.products;

-- drop policy public.products.products_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY products_delete ON public.products;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.categories.categories_update
-- hazard: AUTHZ_UPDATE
DROP POLICY categories_update ON public.categories;

-- drop policy public.categories.categories_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY categories_tenant_fence ON public.categories;

-- drop policy public.categories.categories_select
-- hazard: AUTHZ_UPDATE
DROP POLICY categories_select ON public.categories;

-- drop policy public.categories.categories_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY categories_insert ON public.categories;

-- drop policy public.categories.categories_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY categories_delete ON public.categories;

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

-- drop table public.products
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.products;

-- drop table public.categories
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.categories;

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

-- drop enum public.product_status
DROP TYPE public.product_status;

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
