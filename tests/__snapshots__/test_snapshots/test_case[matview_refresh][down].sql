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

-- drop schedule atlas_refresh_sales_daily
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'atlas_refresh_sales_daily' AND username = CURRENT_USER) THEN
            PERFORM cron.unschedule('atlas_refresh_sales_daily');
        END IF;
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % was not scheduled here', pg_catalog.current_database(), 'atlas_refresh_sales_daily';
    END IF;
END
$atlas$;

-- drop schedule atlas_refresh_sales_by_region
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'atlas_refresh_sales_by_region' AND username = CURRENT_USER) THEN
            PERFORM cron.unschedule('atlas_refresh_sales_by_region');
        END IF;
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % was not scheduled here', pg_catalog.current_database(), 'atlas_refresh_sales_by_region';
    END IF;
END
$atlas$;

-- drop view public.sales_totals
DROP VIEW public.sales_totals;

-- drop view public.sales_daily
DROP VIEW public.sales_daily;

-- drop view public.sales_by_region
DROP VIEW public.sales_by_region;

-- drop function atlas_private.sales_totals_rows
DROP FUNCTION atlas_private.sales_totals_rows();

-- drop function atlas_private.refresh_sales_totals
DROP FUNCTION atlas_private.refresh_sales_totals();

-- drop view atlas_private.sales_totals
DROP MATERIALIZED VIEW atlas_private.sales_totals;

-- drop function atlas_private.sales_daily_rows
DROP FUNCTION atlas_private.sales_daily_rows();

-- drop function atlas_private.refresh_sales_daily
DROP FUNCTION atlas_private.refresh_sales_daily();

-- drop view atlas_private.sales_daily
DROP MATERIALIZED VIEW atlas_private.sales_daily;

-- drop function atlas_private.sales_by_region_rows
DROP FUNCTION atlas_private.sales_by_region_rows();

-- drop function atlas_private.refresh_sales_by_region
DROP FUNCTION atlas_private.refresh_sales_by_region();

-- drop view atlas_private.sales_by_region
DROP MATERIALIZED VIEW atlas_private.sales_by_region;

-- drop trigger public.sales.update_sales_updated_at
DROP TRIGGER update_sales_updated_at ON public.sales;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

-- drop policy public.sales.sales_update
-- hazard: AUTHZ_UPDATE
DROP POLICY sales_update ON public.sales;

-- drop policy public.sales.sales_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY sales_tenant_fence ON public.sales;

-- drop policy public.sales.sales_select
-- hazard: AUTHZ_UPDATE
DROP POLICY sales_select ON public.sales;

-- drop policy public.sales.sales_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY sales_insert ON public.sales;

-- drop policy public.sales.sales_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY sales_delete ON public.sales;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

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

-- drop table public.sales
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.sales;

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

-- drop extension pg_cron
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pg_cron') = 'installed by atlas-compile' THEN
        DROP EXTENSION pg_cron;
    END IF;
END
$atlas$;

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
