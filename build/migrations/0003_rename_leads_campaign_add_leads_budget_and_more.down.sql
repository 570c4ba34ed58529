-- atlas-compile migration 0003_rename_leads_campaign_add_leads_budget_and_more (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- Apply in one transaction; the migration role must bypass row level security
-- (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- drop view public.open_tasks
DROP VIEW public.open_tasks;

-- drop view public.lead_funnel_daily
DROP VIEW public.lead_funnel_daily;

-- drop index atlas_private.idx_lead_funnel_daily_organization_id_day_status
DROP INDEX atlas_private.idx_lead_funnel_daily_organization_id_day_status;

-- drop function atlas_private.lead_funnel_daily_rows
DROP FUNCTION atlas_private.lead_funnel_daily_rows();

-- drop view atlas_private.lead_funnel_daily
DROP MATERIALIZED VIEW atlas_private.lead_funnel_daily;

-- drop policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_update ON public.tasks;

-- drop policy public.tasks.tasks_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_select ON public.tasks;

-- drop policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_delete ON public.tasks;

-- drop constraint public.leads.leads_budget_check
ALTER TABLE public.leads DROP CONSTRAINT leads_budget_check;

-- drop column public.tasks.deleted_at
-- hazard: DELETES_DATA
ALTER TABLE public.tasks DROP COLUMN deleted_at;

-- drop column public.leads.budget
-- hazard: DELETES_DATA
ALTER TABLE public.leads DROP COLUMN budget;

-- rename column public.leads.utm_campaign
ALTER TABLE public.leads RENAME COLUMN campaign TO utm_campaign;

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

-- create index atlas_private.idx_lead_funnel_daily_organization_id_day_status
-- hazard: INDEX_BUILD
CREATE UNIQUE INDEX idx_lead_funnel_daily_organization_id_day_status ON atlas_private.lead_funnel_daily (organization_id, day, status);

-- create policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_update ON public.tasks
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.tasks.tasks_select
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_select ON public.tasks
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_delete ON public.tasks
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create view public.open_tasks
CREATE VIEW public.open_tasks WITH (security_invoker = true) AS
SELECT id
     , organization_id
     , title
     , due_at
     , assignee_id
FROM tasks
WHERE completed_at IS NULL;
COMMENT ON VIEW public.open_tasks IS 'Tasks not yet completed; security_invoker, so the tasks policies apply.';
REVOKE ALL ON TABLE public.open_tasks FROM anon, authenticated;
GRANT SELECT ON TABLE public.open_tasks TO authenticated;

-- create view public.lead_funnel_daily
CREATE VIEW public.lead_funnel_daily WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.lead_funnel_daily_rows();
COMMENT ON VIEW public.lead_funnel_daily IS 'Leads per organization, day and status; exposed only through a tenant-filtered view.';
REVOKE ALL ON TABLE public.lead_funnel_daily FROM anon, authenticated;
GRANT SELECT ON TABLE public.lead_funnel_daily TO authenticated;
