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

-- drop trigger public.wards.update_wards_updated_at
DROP TRIGGER update_wards_updated_at ON public.wards;

-- drop trigger public.visit_lines.update_visit_lines_updated_at
DROP TRIGGER update_visit_lines_updated_at ON public.visit_lines;

-- drop trigger public.visit_lines.soft_delete_visit_lines
DROP TRIGGER soft_delete_visit_lines ON public.visit_lines;

-- drop trigger public.visit_lines.audit_visit_lines
DROP TRIGGER audit_visit_lines ON public.visit_lines;

-- drop trigger public.patients.update_patients_updated_at
DROP TRIGGER update_patients_updated_at ON public.patients;

-- drop trigger public.patients.soft_delete_patients
DROP TRIGGER soft_delete_patients ON public.patients;

-- drop trigger public.patients.audit_patients
DROP TRIGGER audit_patients ON public.patients;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.consents.update_consents_updated_at
DROP TRIGGER update_consents_updated_at ON public.consents;

-- drop trigger public.consents.soft_delete_consents
DROP TRIGGER soft_delete_consents ON public.consents;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

-- drop policy public.wards.wards_update
-- hazard: AUTHZ_UPDATE
DROP POLICY wards_update ON public.wards;

-- drop policy public.wards.wards_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY wards_tenant_fence ON public.wards;

-- drop policy public.wards.wards_select
-- hazard: AUTHZ_UPDATE
DROP POLICY wards_select ON public.wards;

-- drop policy public.wards.wards_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY wards_insert ON public.wards;

-- drop policy public.wards.wards_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY wards_delete ON public.wards;

-- drop policy public.visit_lines_audit.visit_lines_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_audit_tenant_fence ON public.visit_lines_audit;

-- drop policy public.visit_lines_audit.visit_lines_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_audit_select ON public.visit_lines_audit;

-- drop policy public.visit_lines.visit_lines_update
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_update ON public.visit_lines;

-- drop policy public.visit_lines.visit_lines_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_tenant_fence ON public.visit_lines;

-- drop policy public.visit_lines.visit_lines_select
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_select ON public.visit_lines;

-- drop policy public.visit_lines.visit_lines_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_insert ON public.visit_lines;

-- drop policy public.visit_lines.visit_lines_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY visit_lines_delete ON public.visit_lines;

-- drop policy public.patients_audit.patients_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_audit_tenant_fence ON public.patients_audit;

-- drop policy public.patients_audit.patients_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_audit_select ON public.patients_audit;

-- drop policy public.patients.patients_update
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_update ON public.patients;

-- drop policy public.patients.patients_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_tenant_fence ON public.patients;

-- drop policy public.patients.patients_select
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_select ON public.patients;

-- drop policy public.patients.patients_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_insert ON public.patients;

-- drop policy public.patients.patients_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY patients_delete ON public.patients;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.consents.consents_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY consents_tenant_fence ON public.consents;

-- drop policy public.consents.consents_select
-- hazard: AUTHZ_UPDATE
DROP POLICY consents_select ON public.consents;

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

-- drop table public.visit_lines
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.visit_lines;

-- drop table public.consents
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.consents;

-- drop table public.patients
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.patients;

-- drop table public.wards
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.wards;

-- drop table public.visit_lines_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.visit_lines_audit;

-- drop table public.patients_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.patients_audit;

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

-- drop function atlas_private.soft_delete_visit_lines
DROP FUNCTION atlas_private.soft_delete_visit_lines();

-- drop function atlas_private.soft_delete_patients
DROP FUNCTION atlas_private.soft_delete_patients();

-- drop function atlas_private.soft_delete_consents
DROP FUNCTION atlas_private.soft_delete_consents();

-- drop function atlas_private.bypasses_row_security
DROP FUNCTION atlas_private.bypasses_row_security();

-- drop function atlas_private.audit_row
DROP FUNCTION atlas_private.audit_row();

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
