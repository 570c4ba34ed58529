-- atlas-compile migration 0003_rename_leads_campaign_add_leads_budget_and_more (up)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 2 parts: 1 and 2 in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_delete ON public.tasks;

-- drop policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_insert ON public.tasks;

-- drop policy public.tasks.tasks_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_select ON public.tasks;

-- drop policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_update ON public.tasks;

-- rename column public.leads.campaign
-- the spec renames it (renamed_from): clients still using the old name break
-- squawk-ignore renaming-column
ALTER TABLE public.leads RENAME COLUMN utm_campaign TO campaign;

-- add column public.leads.budget
ALTER TABLE public.leads ADD COLUMN budget numeric(10, 2);
COMMENT ON COLUMN public.leads.budget IS 'Monthly budget the lead told us about, in the organization''s currency.';

-- add column public.tasks.deleted_at
ALTER TABLE public.tasks ADD COLUMN deleted_at timestamptz;
COMMENT ON COLUMN public.tasks.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';

-- create function atlas_private.soft_delete_tasks
CREATE FUNCTION atlas_private.soft_delete_tasks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.tasks AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_tasks() IS 'Soft delete of tasks: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_tasks() FROM PUBLIC;

-- add constraint public.leads.leads_budget_check (not valid)
ALTER TABLE public.leads
    ADD CONSTRAINT leads_budget_check CHECK (budget >= 0) NOT VALID;

-- create policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_delete ON public.tasks
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_insert ON public.tasks
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.tasks.tasks_select
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_select ON public.tasks
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_update ON public.tasks
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
    WITH CHECK ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create trigger public.tasks.soft_delete_tasks
CREATE TRIGGER soft_delete_tasks
    BEFORE DELETE ON public.tasks
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_tasks();
COMMIT;

-- atlas-compile part 2/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '30min';

-- add constraint public.leads.leads_budget_check (validate)
-- hazard: TABLE_SCAN
ALTER TABLE public.leads VALIDATE CONSTRAINT leads_budget_check;
COMMIT;
