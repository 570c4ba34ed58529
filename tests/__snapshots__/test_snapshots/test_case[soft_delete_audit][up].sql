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

-- create function atlas_private.audit_row
CREATE FUNCTION atlas_private.audit_row()
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

-- create function atlas_private.soft_delete_consents
CREATE FUNCTION atlas_private.soft_delete_consents()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.consents AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_consents() IS 'Soft delete of consents: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_consents() FROM PUBLIC;

-- create function atlas_private.soft_delete_patients
CREATE FUNCTION atlas_private.soft_delete_patients()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.patients AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_patients() IS 'Soft delete of patients: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_patients() FROM PUBLIC;

-- create function atlas_private.soft_delete_visit_lines
CREATE FUNCTION atlas_private.soft_delete_visit_lines()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.visit_lines AS t SET deleted_at = now()
   WHERE t.patient_id = old.patient_id
     AND t.line = old.line
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_visit_lines() IS 'Soft delete of visit_lines: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_visit_lines() FROM PUBLIC;

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

-- create table public.patients_audit
CREATE TABLE public.patients_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT patients_audit_pkey PRIMARY KEY (id),
    CONSTRAINT patients_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.patients_audit IS 'Audit trail of patients (append-only).';
COMMENT ON COLUMN public.patients_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.patients_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patients_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.patients_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.patients_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.patients_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.patients_audit TO service_role;

-- create table public.visit_lines_audit
CREATE TABLE public.visit_lines_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT visit_lines_audit_pkey PRIMARY KEY (id),
    CONSTRAINT visit_lines_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.visit_lines_audit IS 'Audit trail of visit_lines (append-only).';
COMMENT ON COLUMN public.visit_lines_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.visit_lines_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.visit_lines_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.visit_lines_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.visit_lines_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.visit_lines_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.visit_lines_audit TO service_role;

-- create table public.wards
CREATE TABLE public.wards (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT wards_pkey PRIMARY KEY (id),
    CONSTRAINT wards_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT wards_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.wards.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.wards ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.wards FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.wards FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.wards TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.wards TO service_role;

-- create table public.patients
CREATE TABLE public.patients (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    full_name text NOT NULL,
    national_id text,
    notes text,
    ward_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT patients_pkey PRIMARY KEY (id),
    CONSTRAINT patients_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT patients_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT patients_ward_id_fkey FOREIGN KEY (organization_id, ward_id) REFERENCES public.wards (organization_id, id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.patients.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.patients.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patients FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.patients FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.patients TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.patients TO service_role;

-- create table public.consents
CREATE TABLE public.consents (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    patient_id uuid NOT NULL,
    scope text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT consents_pkey PRIMARY KEY (id),
    CONSTRAINT consents_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT consents_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT consents_patient_id_fkey FOREIGN KEY (organization_id, patient_id) REFERENCES public.patients (organization_id, id)
);
COMMENT ON COLUMN public.consents.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.consents.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.consents FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.consents FROM anon, authenticated;
GRANT SELECT ON TABLE public.consents TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.consents TO service_role;

-- create table public.visit_lines
CREATE TABLE public.visit_lines (
    patient_id uuid NOT NULL,
    line integer NOT NULL,
    organization_id uuid NOT NULL,
    body text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT visit_lines_pkey PRIMARY KEY (patient_id, line),
    CONSTRAINT visit_lines_organization_id_patient_id_line_key UNIQUE (organization_id, patient_id, line),
    CONSTRAINT visit_lines_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT visit_lines_patient_id_fkey FOREIGN KEY (organization_id, patient_id) REFERENCES public.patients (organization_id, id)
);
COMMENT ON COLUMN public.visit_lines.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.visit_lines.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.visit_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.visit_lines FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.visit_lines FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.visit_lines TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.visit_lines TO service_role;

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_consents_created_at
CREATE INDEX idx_consents_created_at ON public.consents (organization_id, created_at DESC);

-- create index public.idx_consents_organization_id
CREATE INDEX idx_consents_organization_id ON public.consents (organization_id);

-- create index public.idx_consents_patient_id
CREATE INDEX idx_consents_patient_id ON public.consents (organization_id, patient_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_patients_audit_organization_id_changed_at
CREATE INDEX idx_patients_audit_organization_id_changed_at ON public.patients_audit (organization_id, changed_at DESC);

-- create index public.idx_patients_created_at
CREATE INDEX idx_patients_created_at ON public.patients (organization_id, created_at DESC);

-- create index public.idx_patients_organization_id
CREATE INDEX idx_patients_organization_id ON public.patients (organization_id);

-- create index public.idx_patients_ward_id
CREATE INDEX idx_patients_ward_id ON public.patients (organization_id, ward_id);

-- create index public.idx_visit_lines_audit_organization_id_changed_at
CREATE INDEX idx_visit_lines_audit_organization_id_changed_at ON public.visit_lines_audit (organization_id, changed_at DESC);

-- create index public.idx_visit_lines_created_at
CREATE INDEX idx_visit_lines_created_at ON public.visit_lines (organization_id, created_at DESC);

-- create index public.idx_visit_lines_organization_id
CREATE INDEX idx_visit_lines_organization_id ON public.visit_lines (organization_id);

-- create index public.idx_wards_created_at
CREATE INDEX idx_wards_created_at ON public.wards (organization_id, created_at DESC);

-- create index public.idx_wards_organization_id
CREATE INDEX idx_wards_organization_id ON public.wards (organization_id);

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

-- create policy public.consents.consents_select
CREATE POLICY consents_select ON public.consents
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.consents.consents_tenant_fence
CREATE POLICY consents_tenant_fence ON public.consents
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
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

-- create policy public.patients.patients_delete
CREATE POLICY patients_delete ON public.patients
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.patients.patients_insert
CREATE POLICY patients_insert ON public.patients
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.patients.patients_select
CREATE POLICY patients_select ON public.patients
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.patients.patients_tenant_fence
CREATE POLICY patients_tenant_fence ON public.patients
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.patients.patients_update
CREATE POLICY patients_update ON public.patients
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.patients_audit.patients_audit_select
CREATE POLICY patients_audit_select ON public.patients_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.patients_audit.patients_audit_tenant_fence
CREATE POLICY patients_audit_tenant_fence ON public.patients_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.visit_lines.visit_lines_delete
CREATE POLICY visit_lines_delete ON public.visit_lines
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])))
;

-- create policy public.visit_lines.visit_lines_insert
CREATE POLICY visit_lines_insert ON public.visit_lines
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.visit_lines.visit_lines_select
CREATE POLICY visit_lines_select ON public.visit_lines
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.visit_lines.visit_lines_tenant_fence
CREATE POLICY visit_lines_tenant_fence ON public.visit_lines
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.visit_lines.visit_lines_update
CREATE POLICY visit_lines_update ON public.visit_lines
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.visit_lines_audit.visit_lines_audit_select
CREATE POLICY visit_lines_audit_select ON public.visit_lines_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.visit_lines_audit.visit_lines_audit_tenant_fence
CREATE POLICY visit_lines_audit_tenant_fence ON public.visit_lines_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.wards.wards_delete
CREATE POLICY wards_delete ON public.wards
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.wards.wards_insert
CREATE POLICY wards_insert ON public.wards
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.wards.wards_select
CREATE POLICY wards_select ON public.wards
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.wards.wards_tenant_fence
CREATE POLICY wards_tenant_fence ON public.wards
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.wards.wards_update
CREATE POLICY wards_update ON public.wards
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

-- create trigger public.consents.soft_delete_consents
CREATE TRIGGER soft_delete_consents
    BEFORE DELETE ON public.consents
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_consents();

-- create trigger public.consents.update_consents_updated_at
CREATE TRIGGER update_consents_updated_at
    BEFORE UPDATE ON public.consents
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.patients.audit_patients
CREATE TRIGGER audit_patients
    AFTER INSERT OR UPDATE OR DELETE ON public.patients
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('patients_audit', 'organization_id', 'id', 'national_id', 'deleted_at');

-- create trigger public.patients.soft_delete_patients
CREATE TRIGGER soft_delete_patients
    BEFORE DELETE ON public.patients
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_patients();

-- create trigger public.patients.update_patients_updated_at
CREATE TRIGGER update_patients_updated_at
    BEFORE UPDATE ON public.patients
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.visit_lines.audit_visit_lines
CREATE TRIGGER audit_visit_lines
    AFTER INSERT OR UPDATE OR DELETE ON public.visit_lines
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('visit_lines_audit', 'organization_id', 'patient_id,line', '', 'deleted_at');

-- create trigger public.visit_lines.soft_delete_visit_lines
CREATE TRIGGER soft_delete_visit_lines
    BEFORE DELETE ON public.visit_lines
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_visit_lines();

-- create trigger public.visit_lines.update_visit_lines_updated_at
CREATE TRIGGER update_visit_lines_updated_at
    BEFORE UPDATE ON public.visit_lines
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.wards.update_wards_updated_at
CREATE TRIGGER update_wards_updated_at
    BEFORE UPDATE ON public.wards
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
