-- atlas-compile migration 0001_initial (down)
-- project: clinic; target: postgres; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop trigger public.patients.update_patients_updated_at
DROP TRIGGER update_patients_updated_at ON public.patients;

-- drop trigger public.patients.soft_delete_patients
DROP TRIGGER soft_delete_patients ON public.patients;

-- drop trigger public.patients.audit_patients
DROP TRIGGER audit_patients ON public.patients;

-- drop trigger public.invoices.update_invoices_updated_at
DROP TRIGGER update_invoices_updated_at ON public.invoices;

-- drop trigger public.invoices.soft_delete_invoices
DROP TRIGGER soft_delete_invoices ON public.invoices;

-- drop trigger public.invoices.audit_invoices
DROP TRIGGER audit_invoices ON public.invoices;

-- drop trigger public.clinics.update_clinics_updated_at
DROP TRIGGER update_clinics_updated_at ON public.clinics;

-- drop trigger public.clinicians.update_clinicians_updated_at
DROP TRIGGER update_clinicians_updated_at ON public.clinicians;

-- drop trigger public.clinicians.audit_clinicians
DROP TRIGGER audit_clinicians ON public.clinicians;

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

-- drop policy public.invoices_audit.invoices_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY invoices_audit_tenant_fence ON public.invoices_audit;

-- drop policy public.invoices_audit.invoices_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY invoices_audit_select ON public.invoices_audit;

-- drop policy public.invoices.invoices_update
-- hazard: AUTHZ_UPDATE
DROP POLICY invoices_update ON public.invoices;

-- drop policy public.invoices.invoices_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY invoices_tenant_fence ON public.invoices;

-- drop policy public.invoices.invoices_select
-- hazard: AUTHZ_UPDATE
DROP POLICY invoices_select ON public.invoices;

-- drop policy public.invoices.invoices_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY invoices_insert ON public.invoices;

-- drop policy public.clinics.clinics_update
-- hazard: AUTHZ_UPDATE
DROP POLICY clinics_update ON public.clinics;

-- drop policy public.clinics.clinics_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY clinics_tenant_fence ON public.clinics;

-- drop policy public.clinics.clinics_select
-- hazard: AUTHZ_UPDATE
DROP POLICY clinics_select ON public.clinics;

-- drop policy public.clinics.clinics_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY clinics_insert ON public.clinics;

-- drop policy public.clinics.clinics_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY clinics_delete ON public.clinics;

-- drop policy public.clinicians_audit.clinicians_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_audit_tenant_fence ON public.clinicians_audit;

-- drop policy public.clinicians_audit.clinicians_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_audit_select ON public.clinicians_audit;

-- drop policy public.clinicians.clinicians_update
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_update ON public.clinicians;

-- drop policy public.clinicians.clinicians_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_tenant_fence ON public.clinicians;

-- drop policy public.clinicians.clinicians_select
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_select ON public.clinicians;

-- drop policy public.clinicians.clinicians_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_insert ON public.clinicians;

-- drop policy public.clinicians.clinicians_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY clinicians_delete ON public.clinicians;

-- drop table public.patients_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.patients_audit;

-- drop table public.invoices
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.invoices;

-- drop table public.patients
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.patients;

-- drop table public.invoices_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.invoices_audit;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.clinician_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop function atlas_private.current_tenant_id
DROP FUNCTION atlas_private.current_tenant_id(p_role public.clinician_role);

-- drop function atlas_private.current_membership_id
DROP FUNCTION atlas_private.current_membership_id();

-- drop table public.clinicians
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.clinicians;

-- drop table public.clinics
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.clinics;

-- drop table public.clinicians_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.clinicians_audit;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function atlas_private.soft_delete_patients
DROP FUNCTION atlas_private.soft_delete_patients();

-- drop function atlas_private.soft_delete_invoices
DROP FUNCTION atlas_private.soft_delete_invoices();

-- drop function atlas_private.bypasses_row_security
DROP FUNCTION atlas_private.bypasses_row_security();

-- drop function atlas_private.audit_row
DROP FUNCTION atlas_private.audit_row();

-- drop enum public.clinician_role
DROP TYPE public.clinician_role;

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
