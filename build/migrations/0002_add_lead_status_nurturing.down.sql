-- atlas-compile migration 0002_add_lead_status_nurturing (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- restore enum public.lead_status
-- public.lead_status is rebuilt without 'nurturing'.

-- stage enum public.lead_status__new
CREATE TYPE public.lead_status__new AS ENUM (
    'new',
    'contacted',
    'qualified',
    'converted',
    'lost'
);

-- drop view public.lead_funnel_daily
DROP VIEW public.lead_funnel_daily;

-- drop function atlas_private.lead_funnel_daily_rows
DROP FUNCTION atlas_private.lead_funnel_daily_rows();

-- drop view atlas_private.lead_funnel_daily
DROP MATERIALIZED VIEW atlas_private.lead_funnel_daily;

SET LOCAL statement_timeout = '30min';
-- alter column public.leads.status
-- hazard: TABLE_REWRITE
DO $atlas$
DECLARE
    held text;
BEGIN
    SELECT string_agg(DISTINCT v.label, ', ' ORDER BY v.label) INTO held
    FROM (SELECT status::text AS label FROM public.leads) AS v
    WHERE v.label = ANY (ARRAY['nurturing']::text[]);
    IF held IS NOT NULL THEN
        RAISE EXCEPTION 'table % column % still holds removed value(s) of enum %: %',
            'public.leads', 'status', 'lead_status', held
            USING HINT = 'update those rows first';
    END IF;
END
$atlas$;
ALTER TABLE public.leads ALTER COLUMN status DROP DEFAULT;
-- the spec changes the type: the table is rewritten (TABLE_REWRITE)
-- squawk-ignore changing-column-type
ALTER TABLE public.leads ALTER COLUMN status TYPE public.lead_status__new USING status::text::public.lead_status__new;

SET LOCAL statement_timeout = '10s';
-- swap enum public.lead_status
DROP TYPE public.lead_status;
ALTER TYPE public.lead_status__new RENAME TO lead_status;

-- set default column public.leads.status
ALTER TABLE public.leads ALTER COLUMN status SET DEFAULT 'new'::public.lead_status;

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.lead_funnel_daily
CREATE MATERIALIZED VIEW atlas_private.lead_funnel_daily AS
SELECT organization_id
     , date_trunc('day', created_at) AS day
     , status
     , count(*) AS leads
FROM leads
WHERE deleted_at IS NULL
GROUP BY 1, 2, 3
WITH DATA;
COMMENT ON MATERIALIZED VIEW atlas_private.lead_funnel_daily IS 'Leads per organization, day and status; exposed only through a tenant-filtered view.';
REVOKE ALL ON TABLE atlas_private.lead_funnel_daily FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.lead_funnel_daily_rows
CREATE FUNCTION atlas_private.lead_funnel_daily_rows()
RETURNS SETOF atlas_private.lead_funnel_daily
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.lead_funnel_daily AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.lead_funnel_daily_rows() IS 'Rows of materialized view lead_funnel_daily the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.lead_funnel_daily_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.lead_funnel_daily_rows() TO authenticated;

SET LOCAL statement_timeout = '30min';
-- create index atlas_private.idx_lead_funnel_daily_organization_id_day_status
-- hazard: INDEX_BUILD
-- the materialized view is created in this transaction: nothing reads it yet
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_lead_funnel_daily_organization_id_day_status ON atlas_private.lead_funnel_daily (organization_id, day, status);

SET LOCAL statement_timeout = '10s';
-- create view public.lead_funnel_daily
CREATE VIEW public.lead_funnel_daily WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.lead_funnel_daily_rows();
COMMENT ON VIEW public.lead_funnel_daily IS 'Leads per organization, day and status; exposed only through a tenant-filtered view.';
REVOKE ALL ON TABLE public.lead_funnel_daily FROM anon, authenticated;
GRANT SELECT ON TABLE public.lead_funnel_daily TO authenticated;

-- add value enum public.lead_status.nurturing
-- 'nurturing' leaves public.lead_status with the rebuild above.
COMMIT;
