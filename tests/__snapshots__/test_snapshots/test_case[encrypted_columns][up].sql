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

-- create table public.patients
CREATE TABLE public.patients (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    full_name text NOT NULL,
    national_id text NOT NULL,
    diagnosis text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT patients_pkey PRIMARY KEY (id),
    CONSTRAINT patients_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT patients_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.patients.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patients FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.patients FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.patients TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.patients TO service_role;

-- create table public.clinician_notes
CREATE TABLE public.clinician_notes (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    patient_id uuid NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT clinician_notes_pkey PRIMARY KEY (id),
    CONSTRAINT clinician_notes_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT clinician_notes_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT clinician_notes_patient_id_fkey FOREIGN KEY (organization_id, patient_id) REFERENCES public.patients (organization_id, id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.clinician_notes.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.clinician_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.clinician_notes FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.clinician_notes FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.clinician_notes TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.clinician_notes TO service_role;

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

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_clinician_notes_created_at
CREATE INDEX idx_clinician_notes_created_at ON public.clinician_notes (organization_id, created_at DESC);

-- create index public.idx_clinician_notes_organization_id
CREATE INDEX idx_clinician_notes_organization_id ON public.clinician_notes (organization_id);

-- create index public.idx_clinician_notes_patient_id
CREATE INDEX idx_clinician_notes_patient_id ON public.clinician_notes (organization_id, patient_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_patients_audit_organization_id_changed_at
CREATE INDEX idx_patients_audit_organization_id_changed_at ON public.patients_audit (organization_id, changed_at DESC);

-- create index public.idx_patients_created_at
CREATE INDEX idx_patients_created_at ON public.patients (organization_id, created_at DESC);

-- create index public.idx_patients_organization_id
CREATE INDEX idx_patients_organization_id ON public.patients (organization_id);

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

-- create policy public.clinician_notes.clinician_notes_delete
CREATE POLICY clinician_notes_delete ON public.clinician_notes
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.clinician_notes.clinician_notes_insert
CREATE POLICY clinician_notes_insert ON public.clinician_notes
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.clinician_notes.clinician_notes_select
CREATE POLICY clinician_notes_select ON public.clinician_notes
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.clinician_notes.clinician_notes_tenant_fence
CREATE POLICY clinician_notes_tenant_fence ON public.clinician_notes
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.clinician_notes.clinician_notes_update
CREATE POLICY clinician_notes_update ON public.clinician_notes
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
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
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.patients.patients_insert
CREATE POLICY patients_insert ON public.patients
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.patients.patients_select
CREATE POLICY patients_select ON public.patients
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
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
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
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

-- create trigger public.auth_users.update_auth_users_updated_at
CREATE TRIGGER update_auth_users_updated_at
    BEFORE UPDATE ON public.auth_users
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.clinician_notes.update_clinician_notes_updated_at
CREATE TRIGGER update_clinician_notes_updated_at
    BEFORE UPDATE ON public.clinician_notes
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
    EXECUTE FUNCTION atlas_private.audit_row('patients_audit', 'organization_id', 'id', 'national_id,diagnosis');

-- create trigger public.patients.update_patients_updated_at
CREATE TRIGGER update_patients_updated_at
    BEFORE UPDATE ON public.patients
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create encryption key atlas_encryption_key
CREATE FUNCTION atlas_private.encryption_key()
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $function$
DECLARE
    -- Either may be missing (no Vault; the key archived): each is read through the relation
    -- found when the function runs.
    vault regclass := pg_catalog.to_regclass('vault.decrypted_secrets');
    own regclass := pg_catalog.to_regclass('atlas_private.encryption_key');
    found text;
BEGIN
    IF vault IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT decrypted_secret FROM %s WHERE name = $1', vault) INTO found USING 'atlas_encryption_key';
    END IF;
    IF found IS NULL AND own IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT key FROM %s', own) INTO found;
    END IF;
    IF found IS NULL THEN
        RAISE EXCEPTION 'the key of the encrypted columns is missing (atlas-compile)';
    END IF;
    RETURN found;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encryption_key() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encryption_key() IS 'The key of the encrypted columns, from Vault or atlas_private.encryption_key; callable by its owner only (atlas-compile).';
DO $encryption_key$
DECLARE
    crypto text := (SELECT n.nspname FROM pg_catalog.pg_extension AS e
                    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pgcrypto');
    kept boolean;
BEGIN
    IF crypto IS NULL THEN
        RAISE EXCEPTION 'encrypted columns need the pgcrypto extension (atlas-compile)';
    END IF;
    IF pg_catalog.to_regclass('vault.decrypted_secrets') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM vault.secrets WHERE name = $1)' INTO kept USING 'atlas_encryption_key';
        IF NOT kept THEN
            EXECUTE pg_catalog.format('SELECT vault.create_secret(pg_catalog.encode(%I.gen_random_bytes(32), ''base64''), $1, $2)', crypto)
                USING 'atlas_encryption_key', 'Key of the encrypted columns (atlas-compile)';
        END IF;
    ELSE
        CREATE TABLE atlas_private.encryption_key (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            key text NOT NULL
        );
        ALTER TABLE atlas_private.encryption_key ENABLE ROW LEVEL SECURITY;
        REVOKE ALL ON TABLE atlas_private.encryption_key FROM PUBLIC;
        COMMENT ON TABLE atlas_private.encryption_key IS 'The key of the encrypted columns, made on this server; no API role may read it (atlas-compile).';
        EXECUTE pg_catalog.format('INSERT INTO atlas_private.encryption_key (key) SELECT pg_catalog.encode(%I.gen_random_bytes(32), ''base64'')', crypto);
    END IF;

    EXECUTE pg_catalog.format($create$
CREATE FUNCTION atlas_private.encrypt_value(plain text)
RETURNS text
LANGUAGE sql
VOLATILE
STRICT
SECURITY DEFINER
SET search_path = ''
AS $function$
SELECT 'atlas1:' || pg_catalog.translate(pg_catalog.encode(
    %1$I.pgp_sym_encrypt(plain, atlas_private.encryption_key(), 'cipher-algo=aes256, s2k-mode=1'), 'base64'), pg_catalog.chr(10), '')
$function$$create$, crypto);
    EXECUTE pg_catalog.format($create$
CREATE FUNCTION atlas_private.decrypt_value(stored text)
RETURNS text
LANGUAGE plpgsql
STABLE
STRICT
SECURITY DEFINER
SET search_path = ''
AS $function$
DECLARE
    secret text;
BEGIN
    IF NOT pg_catalog.starts_with(stored, 'atlas1:') THEN
        RETURN stored;
    END IF;
    secret := atlas_private.encryption_key();   -- a missing key is an error, not a NULL
    BEGIN
        RETURN %1$I.pgp_sym_decrypt(pg_catalog.decode(pg_catalog.substr(stored, 8), 'base64'), secret);
    EXCEPTION WHEN data_exception OR external_routine_invocation_exception THEN
        RETURN NULL;   -- not a ciphertext under this key (bad base64, wrong key, corrupt data): no read fails on it
    END;
END
$function$$create$, crypto);
END
$encryption_key$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_value(text) FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_value(text) IS 'Encrypts a value of an encrypted column; the columns'' triggers call it (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.decrypt_value(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.decrypt_value(text) TO authenticated, service_role;
COMMENT ON FUNCTION atlas_private.decrypt_value(text) IS 'Decrypts a value of an encrypted column; the accessor views call it, row level security choosing the rows (atlas-compile).';

-- create view public.clinician_notes_decrypted
CREATE VIEW public.clinician_notes_decrypted WITH (security_invoker = true) AS
SELECT id,
       organization_id,
       patient_id,
       CASE WHEN pg_catalog.row_security_active('public.clinician_notes'::regclass) AND (SELECT auth.uid()) IS NULL THEN NULL ELSE atlas_private.decrypt_value(body) END AS body,
       created_at,
       updated_at
  FROM public.clinician_notes;
COMMENT ON VIEW public.clinician_notes_decrypted IS 'clinician_notes with its encrypted columns decrypted, for the rows the caller may read (atlas-compile).';
REVOKE ALL ON TABLE public.clinician_notes_decrypted FROM anon, authenticated;
GRANT SELECT ON TABLE public.clinician_notes_decrypted TO authenticated;
GRANT SELECT ON TABLE public.clinician_notes_decrypted TO service_role;

-- create view public.patients_decrypted
CREATE VIEW public.patients_decrypted WITH (security_invoker = true) AS
SELECT id,
       organization_id,
       full_name,
       CASE WHEN pg_catalog.row_security_active('public.patients'::regclass) AND (SELECT auth.uid()) IS NULL THEN NULL ELSE atlas_private.decrypt_value(national_id) END AS national_id,
       CASE WHEN pg_catalog.row_security_active('public.patients'::regclass) AND (SELECT auth.uid()) IS NULL THEN NULL ELSE atlas_private.decrypt_value(diagnosis) END AS diagnosis,
       created_at,
       updated_at
  FROM public.patients;
COMMENT ON VIEW public.patients_decrypted IS 'patients with its encrypted columns decrypted, for the rows the caller may read (atlas-compile).';
REVOKE ALL ON TABLE public.patients_decrypted FROM anon, authenticated;
GRANT SELECT ON TABLE public.patients_decrypted TO authenticated;
GRANT SELECT ON TABLE public.patients_decrypted TO service_role;

-- create encrypted column public.clinician_notes.body
CREATE FUNCTION atlas_private.encrypt_clinician_notes_body()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $function$
BEGIN
    -- the stored ciphertext, unchanged (an update of other columns): kept
    IF new.body IS NULL OR (TG_OP = 'UPDATE' AND new.body IS NOT DISTINCT FROM old.body
                           AND pg_catalog.starts_with(old.body, 'atlas1:')) THEN
        RETURN new;
    END IF;
    -- a ciphertext under the key already (an upsert's EXCLUDED row, encrypted by the INSERT
    -- trigger; a value copied from another row) is kept; anything else, 'atlas1:garbage'
    -- too (it would not decrypt), is encrypted
    IF pg_catalog.starts_with(new.body, 'atlas1:')
       AND atlas_private.decrypt_value(new.body) IS NOT NULL THEN
        RETURN new;
    END IF;
    new.body := atlas_private.encrypt_value(new.body);
    RETURN new;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_clinician_notes_body() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_clinician_notes_body() IS 'Encrypts clinician_notes.body as it is written (atlas-compile).';
CREATE TRIGGER encrypt_body BEFORE INSERT OR UPDATE ON public.clinician_notes FOR EACH ROW EXECUTE FUNCTION atlas_private.encrypt_clinician_notes_body();

-- create encrypted column public.patients.diagnosis
CREATE FUNCTION atlas_private.encrypt_patients_diagnosis()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $function$
BEGIN
    -- the stored ciphertext, unchanged (an update of other columns): kept
    IF new.diagnosis IS NULL OR (TG_OP = 'UPDATE' AND new.diagnosis IS NOT DISTINCT FROM old.diagnosis
                           AND pg_catalog.starts_with(old.diagnosis, 'atlas1:')) THEN
        RETURN new;
    END IF;
    -- a ciphertext under the key already (an upsert's EXCLUDED row, encrypted by the INSERT
    -- trigger; a value copied from another row) is kept; anything else, 'atlas1:garbage'
    -- too (it would not decrypt), is encrypted
    IF pg_catalog.starts_with(new.diagnosis, 'atlas1:')
       AND atlas_private.decrypt_value(new.diagnosis) IS NOT NULL THEN
        RETURN new;
    END IF;
    new.diagnosis := atlas_private.encrypt_value(new.diagnosis);
    RETURN new;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_patients_diagnosis() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_patients_diagnosis() IS 'Encrypts patients.diagnosis as it is written (atlas-compile).';
CREATE TRIGGER encrypt_diagnosis BEFORE INSERT OR UPDATE ON public.patients FOR EACH ROW EXECUTE FUNCTION atlas_private.encrypt_patients_diagnosis();

-- create encrypted column public.patients.national_id
CREATE FUNCTION atlas_private.encrypt_patients_national_id()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $function$
BEGIN
    -- the stored ciphertext, unchanged (an update of other columns): kept
    IF new.national_id IS NULL OR (TG_OP = 'UPDATE' AND new.national_id IS NOT DISTINCT FROM old.national_id
                           AND pg_catalog.starts_with(old.national_id, 'atlas1:')) THEN
        RETURN new;
    END IF;
    -- a ciphertext under the key already (an upsert's EXCLUDED row, encrypted by the INSERT
    -- trigger; a value copied from another row) is kept; anything else, 'atlas1:garbage'
    -- too (it would not decrypt), is encrypted
    IF pg_catalog.starts_with(new.national_id, 'atlas1:')
       AND atlas_private.decrypt_value(new.national_id) IS NOT NULL THEN
        RETURN new;
    END IF;
    new.national_id := atlas_private.encrypt_value(new.national_id);
    RETURN new;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_patients_national_id() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_patients_national_id() IS 'Encrypts patients.national_id as it is written (atlas-compile).';
CREATE TRIGGER encrypt_national_id BEFORE INSERT OR UPDATE ON public.patients FOR EACH ROW EXECUTE FUNCTION atlas_private.encrypt_patients_national_id();
COMMIT;
