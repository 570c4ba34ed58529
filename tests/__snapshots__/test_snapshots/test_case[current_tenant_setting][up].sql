-- atlas-compile migration 0001_initial (up)
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

-- create schema atlas_private
CREATE SCHEMA atlas_private;
GRANT USAGE ON SCHEMA atlas_private TO public;

-- create extension pgcrypto
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
        CREATE EXTENSION pgcrypto;
        COMMENT ON EXTENSION pgcrypto IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create enum public.clinician_role
CREATE TYPE public.clinician_role AS ENUM (
    'doctor',
    'nurse',
    'reception'
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
    tg_table_schema, audit_table, 'clinic_id')
  using (any_row ->> tenant_column)::uuid, coalesce(row_key, '{}'::jsonb), operation_name, old_row, new_row,
    CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid);
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

-- create function atlas_private.soft_delete_invoices
CREATE FUNCTION atlas_private.soft_delete_invoices()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.invoices AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_invoices() IS 'Soft delete of invoices: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_invoices() FROM PUBLIC;

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

-- create table public.clinicians_audit
CREATE TABLE public.clinicians_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    clinic_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinicians_audit_pkey PRIMARY KEY (id),
    CONSTRAINT clinicians_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.clinicians_audit IS 'Audit trail of clinicians (append-only).';
COMMENT ON COLUMN public.clinicians_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.clinicians_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.clinicians_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.clinicians_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.clinicians_audit', grantee);
    END LOOP;
END
$atlas$;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.clinicians_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.clinicians_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.clinics
CREATE TABLE public.clinics (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinics_pkey PRIMARY KEY (id)
);
ALTER TABLE public.clinics ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.clinics FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.clinics'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.clinics', grantee);
    END LOOP;
END
$atlas$;

-- create table public.clinicians
CREATE TABLE public.clinicians (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    clinic_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.clinician_role NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinicians_pkey PRIMARY KEY (id),
    CONSTRAINT clinicians_clinic_id_id_key UNIQUE (clinic_id, id),
    CONSTRAINT clinicians_user_id_key UNIQUE (clinic_id, user_id),
    CONSTRAINT clinicians_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.clinicians.clinic_id IS 'Tenant that owns the row.';
ALTER TABLE public.clinicians ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.clinicians FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.clinicians'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.clinicians', grantee);
    END LOOP;
END
$atlas$;

-- create function atlas_private.current_membership_id
CREATE FUNCTION atlas_private.current_membership_id()
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
DECLARE
  requested text := current_setting('app.clinic_id', true);
BEGIN
  IF requested IS NULL OR requested !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT m.id
          FROM public.clinicians AS m
          WHERE m.user_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid)
            AND m.clinic_id = requested::uuid
          LIMIT 1);
END
$body$;
COMMENT ON FUNCTION atlas_private.current_membership_id() IS 'The user''s membership row in the tenant the request names; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.current_membership_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.current_membership_id() TO public;

-- create function atlas_private.current_tenant_id
CREATE FUNCTION atlas_private.current_tenant_id(p_role public.clinician_role DEFAULT NULL)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
DECLARE
  requested text := current_setting('app.clinic_id', true);
BEGIN
  IF requested IS NULL OR requested !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT m.clinic_id
          FROM public.clinicians AS m
          WHERE m.user_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid)
            AND m.clinic_id = requested::uuid
            AND (p_role IS NULL OR m.role = p_role)
          LIMIT 1);
END
$body$;
COMMENT ON FUNCTION atlas_private.current_tenant_id(p_role public.clinician_role) IS 'The tenant the request names, if the user is a member of it (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.current_tenant_id(p_role public.clinician_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.current_tenant_id(p_role public.clinician_role) TO public;

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
          FROM public.clinicians AS m
          WHERE m.user_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO public;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.clinician_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.clinic_id), '{}')
          FROM public.clinicians AS m
          WHERE m.user_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid) AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.clinician_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.clinician_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.clinician_role) TO public;

-- create table public.invoices_audit
CREATE TABLE public.invoices_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    clinic_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invoices_audit_pkey PRIMARY KEY (id),
    CONSTRAINT invoices_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.invoices_audit IS 'Audit trail of invoices (append-only).';
COMMENT ON COLUMN public.invoices_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.invoices_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.invoices_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.invoices_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.invoices_audit', grantee);
    END LOOP;
END
$atlas$;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.invoices_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.invoices_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.patients
CREATE TABLE public.patients (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    clinic_id uuid NOT NULL,
    full_name text NOT NULL,
    national_id text,
    primary_clinician_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT patients_pkey PRIMARY KEY (id),
    CONSTRAINT patients_clinic_id_id_key UNIQUE (clinic_id, id),
    CONSTRAINT patients_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics (id) ON DELETE CASCADE,
    CONSTRAINT patients_primary_clinician_id_fkey FOREIGN KEY (clinic_id, primary_clinician_id) REFERENCES public.clinicians (clinic_id, id) ON DELETE SET NULL (primary_clinician_id)
);
COMMENT ON COLUMN public.patients.clinic_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.patients.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patients FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.patients'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.patients', grantee);
    END LOOP;
END
$atlas$;

-- create table public.invoices
CREATE TABLE public.invoices (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    clinic_id uuid NOT NULL,
    number bigint GENERATED BY DEFAULT AS IDENTITY NOT NULL,
    patient_id uuid NOT NULL,
    amount numeric(10, 2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT invoices_pkey PRIMARY KEY (id),
    CONSTRAINT invoices_clinic_id_id_key UNIQUE (clinic_id, id),
    CONSTRAINT invoices_amount_check CHECK (amount >= 0),
    CONSTRAINT invoices_clinic_id_fkey FOREIGN KEY (clinic_id) REFERENCES public.clinics (id) ON DELETE CASCADE,
    CONSTRAINT invoices_patient_id_fkey FOREIGN KEY (clinic_id, patient_id) REFERENCES public.patients (clinic_id, id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.invoices.clinic_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.invoices.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.invoices'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.invoices', grantee);
    END LOOP;
END
$atlas$;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.invoices_number_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.invoices_number_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.patients_audit
CREATE TABLE public.patients_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    clinic_id uuid NOT NULL,
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
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.patients_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.patients_audit', grantee);
    END LOOP;
END
$atlas$;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.patients_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.patients_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create index public.idx_clinicians_audit_clinic_id_changed_at
CREATE INDEX idx_clinicians_audit_clinic_id_changed_at ON public.clinicians_audit (clinic_id, changed_at DESC);

-- create index public.idx_clinicians_clinic_id
CREATE INDEX idx_clinicians_clinic_id ON public.clinicians (clinic_id);

-- create index public.idx_clinicians_created_at
CREATE INDEX idx_clinicians_created_at ON public.clinicians (clinic_id, created_at DESC, id DESC);

-- create index public.idx_clinicians_user_id_clinic_id
CREATE INDEX idx_clinicians_user_id_clinic_id ON public.clinicians (user_id, clinic_id);

-- create index public.idx_clinics_created_at
CREATE INDEX idx_clinics_created_at ON public.clinics (created_at DESC);

-- create index public.idx_invoices_audit_clinic_id_changed_at
CREATE INDEX idx_invoices_audit_clinic_id_changed_at ON public.invoices_audit (clinic_id, changed_at DESC);

-- create index public.idx_invoices_clinic_id
CREATE INDEX idx_invoices_clinic_id ON public.invoices (clinic_id);

-- create index public.idx_invoices_created_at
CREATE INDEX idx_invoices_created_at ON public.invoices (clinic_id, created_at DESC, id DESC);

-- create index public.idx_invoices_patient_id
CREATE INDEX idx_invoices_patient_id ON public.invoices (clinic_id, patient_id);

-- create index public.idx_patients_audit_clinic_id_changed_at
CREATE INDEX idx_patients_audit_clinic_id_changed_at ON public.patients_audit (clinic_id, changed_at DESC);

-- create index public.idx_patients_clinic_id
CREATE INDEX idx_patients_clinic_id ON public.patients (clinic_id);

-- create index public.idx_patients_created_at
CREATE INDEX idx_patients_created_at ON public.patients (clinic_id, created_at DESC, id DESC);

-- create index public.idx_patients_primary_clinician_id
CREATE INDEX idx_patients_primary_clinician_id ON public.patients (clinic_id, primary_clinician_id);

-- create policy public.clinicians.clinicians_delete
CREATE POLICY clinicians_delete ON public.clinicians
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))
;

-- create policy public.clinicians.clinicians_insert
CREATE POLICY clinicians_insert ON public.clinicians
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))
;

-- create policy public.clinicians.clinicians_select
CREATE POLICY clinicians_select ON public.clinicians
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (true)
;

-- create policy public.clinicians.clinicians_tenant_fence
CREATE POLICY clinicians_tenant_fence ON public.clinicians
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.clinicians.clinicians_update
CREATE POLICY clinicians_update ON public.clinicians
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))
;

-- create policy public.clinicians_audit.clinicians_audit_select
CREATE POLICY clinicians_audit_select ON public.clinicians_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.clinicians_audit.clinicians_audit_tenant_fence
CREATE POLICY clinicians_audit_tenant_fence ON public.clinicians_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.clinics.clinics_delete
CREATE POLICY clinics_delete ON public.clinics
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.clinics.clinics_insert
CREATE POLICY clinics_insert ON public.clinics
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.clinics.clinics_select
CREATE POLICY clinics_select ON public.clinics
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (true)
;

-- create policy public.clinics.clinics_tenant_fence
CREATE POLICY clinics_tenant_fence ON public.clinics
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.clinics.clinics_update
CREATE POLICY clinics_update ON public.clinics
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.invoices.invoices_insert
CREATE POLICY invoices_insert ON public.invoices
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK ((deleted_at IS NULL) AND (clinic_id = (SELECT atlas_private.current_tenant_id())))
;

-- create policy public.invoices.invoices_select
CREATE POLICY invoices_select ON public.invoices
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (deleted_at IS NULL)
;

-- create policy public.invoices.invoices_tenant_fence
CREATE POLICY invoices_tenant_fence ON public.invoices
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.invoices.invoices_update
CREATE POLICY invoices_update ON public.invoices
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((deleted_at IS NULL) AND (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role))))
    WITH CHECK ((deleted_at IS NULL) AND (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role))))
;

-- create policy public.invoices_audit.invoices_audit_select
CREATE POLICY invoices_audit_select ON public.invoices_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.invoices_audit.invoices_audit_tenant_fence
CREATE POLICY invoices_audit_tenant_fence ON public.invoices_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.patients.patients_delete
CREATE POLICY patients_delete ON public.patients
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING ((deleted_at IS NULL) AND (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role))))
;

-- create policy public.patients.patients_insert
CREATE POLICY patients_insert ON public.patients
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK ((deleted_at IS NULL) AND ((clinic_id = (SELECT atlas_private.current_tenant_id('reception'::public.clinician_role))) OR (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))))
;

-- create policy public.patients.patients_select
CREATE POLICY patients_select ON public.patients
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (deleted_at IS NULL)
;

-- create policy public.patients.patients_tenant_fence
CREATE POLICY patients_tenant_fence ON public.patients
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.patients.patients_update
CREATE POLICY patients_update ON public.patients
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((deleted_at IS NULL) AND ((primary_clinician_id = (SELECT atlas_private.current_membership_id())) OR (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))))
    WITH CHECK ((deleted_at IS NULL) AND ((primary_clinician_id = (SELECT atlas_private.current_membership_id())) OR (clinic_id = (SELECT atlas_private.current_tenant_id('doctor'::public.clinician_role)))))
;

-- create policy public.patients_audit.patients_audit_select
CREATE POLICY patients_audit_select ON public.patients_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create policy public.patients_audit.patients_audit_tenant_fence
CREATE POLICY patients_audit_tenant_fence ON public.patients_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (clinic_id = (SELECT atlas_private.current_tenant_id()))
    WITH CHECK (clinic_id = (SELECT atlas_private.current_tenant_id()))
;

-- create trigger public.clinicians.audit_clinicians
CREATE TRIGGER audit_clinicians
    AFTER INSERT OR UPDATE OR DELETE ON public.clinicians
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('clinicians_audit', 'clinic_id', 'id', '');

-- create trigger public.clinicians.update_clinicians_updated_at
CREATE TRIGGER update_clinicians_updated_at
    BEFORE UPDATE ON public.clinicians
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.clinics.update_clinics_updated_at
CREATE TRIGGER update_clinics_updated_at
    BEFORE UPDATE ON public.clinics
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.invoices.audit_invoices
CREATE TRIGGER audit_invoices
    AFTER INSERT OR UPDATE OR DELETE ON public.invoices
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('invoices_audit', 'clinic_id', 'id', '', 'deleted_at');

-- create trigger public.invoices.soft_delete_invoices
CREATE TRIGGER soft_delete_invoices
    BEFORE DELETE ON public.invoices
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_invoices();

-- create trigger public.invoices.update_invoices_updated_at
CREATE TRIGGER update_invoices_updated_at
    BEFORE UPDATE ON public.invoices
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.patients.audit_patients
CREATE TRIGGER audit_patients
    AFTER INSERT OR UPDATE OR DELETE ON public.patients
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('patients_audit', 'clinic_id', 'id', 'national_id', 'deleted_at');

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
COMMIT;
