-- atlas-compile migration 0001_initial (up)
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

-- create schema atlas_private
CREATE SCHEMA atlas_private;
GRANT USAGE ON SCHEMA atlas_private TO authenticated;

-- create extension pg_cron
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF pg_catalog.current_setting('cron.database_name', true) IS NULL THEN
            RAISE NOTICE '% is not loaded by this server (shared_preload_libraries): it is not created here, and its schedules are not made', 'pg_cron';
            RETURN;
        ELSIF pg_catalog.current_setting('cron.database_name', true) <> pg_catalog.current_database() THEN
            RAISE NOTICE '% lives in database % (%): it is not created in %, and its schedules are not made here', 'pg_cron', pg_catalog.current_setting('cron.database_name', true), 'cron.database_name', pg_catalog.current_database();
            RETURN;
        END IF;
        CREATE EXTENSION pg_cron WITH SCHEMA extensions;
        COMMENT ON EXTENSION pg_cron IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create extension pgcrypto
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
        CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
        COMMENT ON EXTENSION pgcrypto IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create enum public.member_role
CREATE TYPE public.member_role AS ENUM (
    'owner',
    'admin',
    'coach',
    'staff'
);

-- create function public.update_updated_at_column
CREATE FUNCTION public.update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
begin
  new.updated_at = now();
  return new;
end
$body$;
COMMENT ON FUNCTION public.update_updated_at_column() IS 'Sets updated_at on every update (atlas-compile).';

-- create table public.organizations
CREATE TABLE public.organizations (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id)
);
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.organizations FROM anon, authenticated;
GRANT SELECT, UPDATE ON TABLE public.organizations TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO service_role;

-- create table public.auth_users
CREATE TABLE public.auth_users (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    auth_id uuid NOT NULL,
    role public.member_role NOT NULL DEFAULT 'staff'::public.member_role,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT auth_users_pkey PRIMARY KEY (id),
    CONSTRAINT auth_users_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT auth_users_auth_id_key UNIQUE (organization_id, auth_id),
    CONSTRAINT auth_users_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.auth_users.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.auth_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.auth_users FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.auth_users FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.auth_users TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.auth_users TO service_role;

-- create function atlas_private.user_membership_ids
CREATE FUNCTION atlas_private.user_membership_ids()
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(m.id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO authenticated;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.member_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) TO authenticated;

-- create table public.sales
CREATE TABLE public.sales (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    amount numeric(10, 2) NOT NULL,
    region text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sales_pkey PRIMARY KEY (id),
    CONSTRAINT sales_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT sales_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.sales.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.sales ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.sales FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.sales FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.sales TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.sales TO service_role;

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_sales_created_at
CREATE INDEX idx_sales_created_at ON public.sales (organization_id, created_at DESC);

-- create index public.idx_sales_organization_id
CREATE INDEX idx_sales_organization_id ON public.sales (organization_id);

-- create policy public.auth_users.auth_users_delete
CREATE POLICY auth_users_delete ON public.auth_users
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.auth_users.auth_users_insert
CREATE POLICY auth_users_insert ON public.auth_users
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.auth_users.auth_users_select
CREATE POLICY auth_users_select ON public.auth_users
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.auth_users.auth_users_tenant_fence
CREATE POLICY auth_users_tenant_fence ON public.auth_users
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.auth_users.auth_users_update
CREATE POLICY auth_users_update ON public.auth_users
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.organizations.organizations_select
CREATE POLICY organizations_select ON public.organizations
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.organizations.organizations_tenant_fence
CREATE POLICY organizations_tenant_fence ON public.organizations
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.organizations.organizations_update
CREATE POLICY organizations_update ON public.organizations
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))
;

-- create policy public.sales.sales_delete
CREATE POLICY sales_delete ON public.sales
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.sales.sales_insert
CREATE POLICY sales_insert ON public.sales
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.sales.sales_select
CREATE POLICY sales_select ON public.sales
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.sales.sales_tenant_fence
CREATE POLICY sales_tenant_fence ON public.sales
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.sales.sales_update
CREATE POLICY sales_update ON public.sales
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create trigger public.auth_users.update_auth_users_updated_at
CREATE TRIGGER update_auth_users_updated_at
    BEFORE UPDATE ON public.auth_users
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.sales.update_sales_updated_at
CREATE TRIGGER update_sales_updated_at
    BEFORE UPDATE ON public.sales
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.sales_by_region
CREATE MATERIALIZED VIEW atlas_private.sales_by_region AS
SELECT organization_id
     , region
     , sum(amount) AS total
FROM sales
GROUP BY 1, 2
WITH DATA;
REVOKE ALL ON TABLE atlas_private.sales_by_region FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.refresh_sales_by_region
CREATE FUNCTION atlas_private.refresh_sales_by_region()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
    REFRESH MATERIALIZED VIEW atlas_private.sales_by_region;
END
$body$;
COMMENT ON FUNCTION atlas_private.refresh_sales_by_region() IS 'Refreshes materialized view sales_by_region every 1 hour by pg_cron job atlas_refresh_sales_by_region.';
REVOKE ALL ON FUNCTION atlas_private.refresh_sales_by_region() FROM PUBLIC;

-- create function atlas_private.sales_by_region_rows
CREATE FUNCTION atlas_private.sales_by_region_rows()
RETURNS SETOF atlas_private.sales_by_region
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.sales_by_region AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.sales_by_region_rows() IS 'Rows of materialized view sales_by_region the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.sales_by_region_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.sales_by_region_rows() TO authenticated;

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.sales_daily
CREATE MATERIALIZED VIEW atlas_private.sales_daily AS
SELECT organization_id
     , date_trunc('day', created_at) AS day
     , region
     , sum(amount) AS total
     , count(*) AS sales
FROM sales
GROUP BY 1, 2, 3
WITH DATA;
COMMENT ON MATERIALIZED VIEW atlas_private.sales_daily IS 'Sales per organization, day and region.';
REVOKE ALL ON TABLE atlas_private.sales_daily FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.refresh_sales_daily
CREATE FUNCTION atlas_private.refresh_sales_daily()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY atlas_private.sales_daily;
END
$body$;
COMMENT ON FUNCTION atlas_private.refresh_sales_daily() IS 'Refreshes materialized view sales_daily concurrently every 15 minutes by pg_cron job atlas_refresh_sales_daily.';
REVOKE ALL ON FUNCTION atlas_private.refresh_sales_daily() FROM PUBLIC;

-- create function atlas_private.sales_daily_rows
CREATE FUNCTION atlas_private.sales_daily_rows()
RETURNS SETOF atlas_private.sales_daily
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.sales_daily AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.sales_daily_rows() IS 'Rows of materialized view sales_daily the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.sales_daily_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.sales_daily_rows() TO authenticated;

-- create index atlas_private.idx_sales_daily_organization_id_day_region
-- the materialized view is created in this transaction: nothing reads it yet
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_sales_daily_organization_id_day_region ON atlas_private.sales_daily (organization_id, day, region);

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.sales_totals
CREATE MATERIALIZED VIEW atlas_private.sales_totals AS
SELECT organization_id
     , sum(amount) AS total
FROM sales
GROUP BY 1
WITH DATA;
REVOKE ALL ON TABLE atlas_private.sales_totals FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.refresh_sales_totals
CREATE FUNCTION atlas_private.refresh_sales_totals()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
    REFRESH MATERIALIZED VIEW atlas_private.sales_totals;
END
$body$;
COMMENT ON FUNCTION atlas_private.refresh_sales_totals() IS 'Refreshes materialized view sales_totals.';
REVOKE ALL ON FUNCTION atlas_private.refresh_sales_totals() FROM PUBLIC;

-- create function atlas_private.sales_totals_rows
CREATE FUNCTION atlas_private.sales_totals_rows()
RETURNS SETOF atlas_private.sales_totals
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.sales_totals AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.sales_totals_rows() IS 'Rows of materialized view sales_totals the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.sales_totals_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.sales_totals_rows() TO authenticated;

-- create view public.sales_by_region
CREATE VIEW public.sales_by_region WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.sales_by_region_rows();
REVOKE ALL ON TABLE public.sales_by_region FROM anon, authenticated;
GRANT SELECT ON TABLE public.sales_by_region TO authenticated;

-- create view public.sales_daily
CREATE VIEW public.sales_daily WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.sales_daily_rows();
COMMENT ON VIEW public.sales_daily IS 'Sales per organization, day and region.';
REVOKE ALL ON TABLE public.sales_daily FROM anon, authenticated;
GRANT SELECT ON TABLE public.sales_daily TO authenticated;

-- create view public.sales_totals
CREATE VIEW public.sales_totals WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.sales_totals_rows();
REVOKE ALL ON TABLE public.sales_totals FROM anon, authenticated;
GRANT SELECT ON TABLE public.sales_totals TO authenticated;

-- create schedule atlas_refresh_sales_by_region
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.schedule('atlas_refresh_sales_by_region', '0 * * * *', 'SELECT atlas_private.refresh_sales_by_region()');
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % is not scheduled here', pg_catalog.current_database(), 'atlas_refresh_sales_by_region';
    END IF;
END
$atlas$;

-- create schedule atlas_refresh_sales_daily
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.schedule('atlas_refresh_sales_daily', '*/15 * * * *', 'SELECT atlas_private.refresh_sales_daily()');
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % is not scheduled here', pg_catalog.current_database(), 'atlas_refresh_sales_daily';
    END IF;
END
$atlas$;
COMMIT;
