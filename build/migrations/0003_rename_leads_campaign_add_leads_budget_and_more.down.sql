-- atlas-compile migration 0003_rename_leads_campaign_add_leads_budget_and_more (down)
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

-- drop trigger public.tasks.soft_delete_tasks
DROP TRIGGER soft_delete_tasks ON public.tasks;

-- drop policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_update ON public.tasks;

-- drop policy public.tasks.tasks_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_select ON public.tasks;

-- drop policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_insert ON public.tasks;

-- drop policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_delete ON public.tasks;

-- drop constraint public.leads.leads_budget_check
ALTER TABLE public.leads DROP CONSTRAINT leads_budget_check;

-- drop function atlas_private.soft_delete_tasks
DROP FUNCTION atlas_private.soft_delete_tasks();

-- drop column public.tasks.deleted_at
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-column
ALTER TABLE public.tasks DROP COLUMN deleted_at;

-- drop column public.leads.budget
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-column
ALTER TABLE public.leads DROP COLUMN budget;

-- rename column public.leads.utm_campaign
-- the spec renames it (renamed_from): clients still using the old name break
-- squawk-ignore renaming-column
ALTER TABLE public.leads RENAME COLUMN campaign TO utm_campaign;

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

-- create policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_insert ON public.tasks
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_delete ON public.tasks
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;
COMMIT;
