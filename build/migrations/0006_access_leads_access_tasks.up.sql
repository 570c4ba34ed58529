-- atlas-compile migration 0006_access_leads_access_tasks (up)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- Apply in one transaction; the migration role must bypass row level security
-- (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- drop trigger public.leads.audit_leads
DROP TRIGGER audit_leads ON public.leads;

-- drop policy public.leads.claim_unassigned_leads
-- hazard: AUTHZ_UPDATE
DROP POLICY claim_unassigned_leads ON public.leads;

-- drop policy public.leads.leads_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_insert ON public.leads;

-- drop policy public.leads.leads_update
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_update ON public.leads;

-- drop policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_insert ON public.tasks;

-- drop policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_update ON public.tasks;

-- replace function atlas_private.audit_row
CREATE OR REPLACE FUNCTION atlas_private.audit_row()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
declare
  audit_table text := tg_argv[0];
  tenant_column text := nullif(tg_argv[1], '');
  key_columns text[] := string_to_array(tg_argv[2], ',');
  hidden text[] := coalesce(string_to_array(nullif(tg_argv[3], ''), ','), '{}');
  deleted_column text := nullif(tg_argv[4], '');
  operation_name text := tg_op;
  old_row jsonb;
  new_row jsonb;
  any_row jsonb;
  row_key jsonb;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    old_row := to_jsonb(old) - hidden;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    new_row := to_jsonb(new) - hidden;
  end if;
  if tg_op = 'UPDATE' and deleted_column is not null
     and old_row ->> deleted_column is null and new_row ->> deleted_column is not null then
    operation_name := 'DELETE';
  end if;
  any_row := coalesce(new_row, old_row);
  select jsonb_object_agg(key, value) into row_key
  from jsonb_each(any_row) where key = any (key_columns);
  execute format(
    'insert into %I.%I (%I, row_key, operation, old_data, new_data, changed_by) values ($1, $2, $3, $4, $5, $6)',
    tg_table_schema, audit_table, 'organization_id')
  using (any_row ->> tenant_column)::uuid, coalesce(row_key, '{}'::jsonb), operation_name, old_row, new_row,
    auth.uid();
  return null;
end
$body$;
COMMENT ON FUNCTION atlas_private.audit_row() IS 'Writes one audit row per changed row, without sensitive columns.';
REVOKE ALL ON FUNCTION atlas_private.audit_row() FROM PUBLIC;

-- create function atlas_private.bypasses_row_security
CREATE FUNCTION atlas_private.bypasses_row_security()
RETURNS boolean
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
BEGIN
  RETURN coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles AS r
                   WHERE r.rolname = current_user), false);
END
$body$;
COMMENT ON FUNCTION atlas_private.bypasses_row_security() IS 'True when the current role bypasses row level security (superuser or BYPASSRLS); used by soft delete triggers.';
REVOKE ALL ON FUNCTION atlas_private.bypasses_row_security() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.bypasses_row_security() TO public;

-- create function atlas_private.soft_delete_leads
CREATE FUNCTION atlas_private.soft_delete_leads()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.leads AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_leads() IS 'Soft delete of leads: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_leads() FROM PUBLIC;

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

-- create policy public.leads.claim_unassigned_leads
-- hazard: AUTHZ_UPDATE
CREATE POLICY claim_unassigned_leads ON public.leads
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND (owner_id IS NULL))
    WITH CHECK ((deleted_at IS NULL) AND (owner_id IS NOT NULL))
;

-- create policy public.leads.leads_insert
-- hazard: AUTHZ_UPDATE
CREATE POLICY leads_insert ON public.leads
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.leads.leads_update
-- hazard: AUTHZ_UPDATE
CREATE POLICY leads_update ON public.leads
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((owner_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
    WITH CHECK ((deleted_at IS NULL) AND ((owner_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
CREATE POLICY tasks_insert ON public.tasks
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
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

-- create trigger public.leads.audit_leads
CREATE TRIGGER audit_leads
    AFTER INSERT OR UPDATE OR DELETE ON public.leads
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('leads_audit', 'organization_id', 'id', 'phone', 'deleted_at');

-- create trigger public.leads.soft_delete_leads
CREATE TRIGGER soft_delete_leads
    BEFORE DELETE ON public.leads
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_leads();

-- create trigger public.tasks.soft_delete_tasks
CREATE TRIGGER soft_delete_tasks
    BEFORE DELETE ON public.tasks
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_tasks();
