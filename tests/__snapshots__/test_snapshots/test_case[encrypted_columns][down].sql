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

-- drop encrypted column public.patients.national_id
-- hazard: TABLE_SCAN
DROP TRIGGER IF EXISTS encrypt_national_id ON public.patients;
DROP FUNCTION atlas_private.encrypt_patients_national_id();

-- drop encrypted column public.patients.diagnosis
-- hazard: TABLE_SCAN
DROP TRIGGER IF EXISTS encrypt_diagnosis ON public.patients;
DROP FUNCTION atlas_private.encrypt_patients_diagnosis();

-- drop encrypted column public.clinician_notes.body
-- hazard: TABLE_SCAN
DROP TRIGGER IF EXISTS encrypt_body ON public.clinician_notes;
DROP FUNCTION atlas_private.encrypt_clinician_notes_body();

-- drop view public.patients_decrypted
DROP VIEW public.patients_decrypted;

-- drop view public.clinician_notes_decrypted
DROP VIEW public.clinician_notes_decrypted;

-- drop encryption key atlas_encryption_key
DROP FUNCTION atlas_private.decrypt_value(text);
DROP FUNCTION atlas_private.encrypt_value(text);
-- nothing is encrypted under the key any more: it goes with the migration that made it
-- squawk-ignore ban-drop-table
DROP TABLE IF EXISTS atlas_private.encryption_key;
DROP FUNCTION atlas_private.encryption_key();

-- drop trigger public.patients.update_patients_updated_at
DROP TRIGGER update_patients_updated_at ON public.patients;

-- drop trigger public.patients.audit_patients
DROP TRIGGER audit_patients ON public.patients;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.clinician_notes.update_clinician_notes_updated_at
DROP TRIGGER update_clinician_notes_updated_at ON public.clinician_notes;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

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

-- drop policy public.clinician_notes.clinician_notes_update
-- hazard: AUTHZ_UPDATE
DROP POLICY clinician_notes_update ON public.clinician_notes;

-- drop policy public.clinician_notes.clinician_notes_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY clinician_notes_tenant_fence ON public.clinician_notes;

-- drop policy public.clinician_notes.clinician_notes_select
-- hazard: AUTHZ_UPDATE
DROP POLICY clinician_notes_select ON public.clinician_notes;

-- drop policy public.clinician_notes.clinician_notes_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY clinician_notes_insert ON public.clinician_notes;

-- drop policy public.clinician_notes.clinician_notes_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY clinician_notes_delete ON public.clinician_notes;

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

-- drop table public.patients_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.patients_audit;

-- drop table public.clinician_notes
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.clinician_notes;

-- drop table public.patients
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.patients;

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
