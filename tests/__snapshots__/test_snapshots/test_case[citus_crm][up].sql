-- atlas-compile migration 0001_initial (up)
-- project: crm; target: citus; PostgreSQL 15
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

-- create enum public.deal_stage
CREATE TYPE public.deal_stage AS ENUM (
    'lead',
    'qualified',
    'proposal',
    'won',
    'lost'
);

-- create enum public.member_role
CREATE TYPE public.member_role AS ENUM (
    'owner',
    'manager',
    'rep',
    'viewer'
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
    tg_table_schema, audit_table, 'workspace_id')
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

-- create function atlas_private.soft_delete_companies
CREATE FUNCTION atlas_private.soft_delete_companies()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.companies AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_companies() IS 'Soft delete of companies: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_companies() FROM PUBLIC;

-- create function atlas_private.soft_delete_contacts
CREATE FUNCTION atlas_private.soft_delete_contacts()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.contacts AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_contacts() IS 'Soft delete of contacts: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_contacts() FROM PUBLIC;

-- create function atlas_private.soft_delete_deals
CREATE FUNCTION atlas_private.soft_delete_deals()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.deals AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_deals() IS 'Soft delete of deals: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_deals() FROM PUBLIC;

-- create function atlas_private.soft_delete_members
CREATE FUNCTION atlas_private.soft_delete_members()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.members AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_members() IS 'Soft delete of members: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_members() FROM PUBLIC;

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

-- create table public.companies_audit
CREATE TABLE public.companies_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    workspace_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT companies_audit_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT companies_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.companies_audit IS 'Audit trail of companies (append-only).';
COMMENT ON COLUMN public.companies_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.companies_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.companies_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.companies_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.companies_audit', grantee);
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
        WHERE c.oid = 'public.companies_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.companies_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.contacts_audit
CREATE TABLE public.contacts_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    workspace_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contacts_audit_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT contacts_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.contacts_audit IS 'Audit trail of contacts (append-only).';
COMMENT ON COLUMN public.contacts_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.contacts_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.contacts_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.contacts_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.contacts_audit', grantee);
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
        WHERE c.oid = 'public.contacts_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.contacts_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.countries
CREATE TABLE public.countries (
    code text NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT countries_pkey PRIMARY KEY (code)
);
ALTER TABLE public.countries ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.countries FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.countries'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.countries', grantee);
    END LOOP;
END
$atlas$;

-- create table public.deals_audit
CREATE TABLE public.deals_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    workspace_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT deals_audit_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT deals_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.deals_audit IS 'Audit trail of deals (append-only).';
COMMENT ON COLUMN public.deals_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.deals_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.deals_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.deals_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.deals_audit', grantee);
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
        WHERE c.oid = 'public.deals_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.deals_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.industries
CREATE TABLE public.industries (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT industries_pkey PRIMARY KEY (id),
    CONSTRAINT industries_label_key UNIQUE (label)
);
ALTER TABLE public.industries ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.industries FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.industries'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.industries', grantee);
    END LOOP;
END
$atlas$;

-- create table public.industries_audit
CREATE TABLE public.industries_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    workspace_id uuid,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT industries_audit_pkey PRIMARY KEY (id),
    CONSTRAINT industries_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.industries_audit IS 'Audit trail of industries (append-only).';
COMMENT ON COLUMN public.industries_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.industries_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.industries_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.industries_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.industries_audit', grantee);
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
        WHERE c.oid = 'public.industries_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.industries_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.members_audit
CREATE TABLE public.members_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    workspace_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_audit_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT members_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.members_audit IS 'Audit trail of members (append-only).';
COMMENT ON COLUMN public.members_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.members_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members_audit FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.members_audit'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.members_audit', grantee);
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
        WHERE c.oid = 'public.members_audit_id_seq'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SEQUENCE %s FROM %s', 'public.members_audit_id_seq', grantee);
    END LOOP;
END
$atlas$;

-- create table public.workspaces
CREATE TABLE public.workspaces (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workspaces_pkey PRIMARY KEY (id)
);
ALTER TABLE public.workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.workspaces FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.workspaces'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.workspaces', grantee);
    END LOOP;
END
$atlas$;

-- create table public.members
CREATE TABLE public.members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.member_role NOT NULL DEFAULT 'rep'::public.member_role,
    display_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT members_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT members_user_id_key UNIQUE (workspace_id, user_id),
    CONSTRAINT members_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.members.workspace_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.members.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.members'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.members', grantee);
    END LOOP;
END
$atlas$;

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
          FROM public.members AS m
          WHERE m.user_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid) AND m.deleted_at IS NULL);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO public;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.member_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.workspace_id), '{}')
          FROM public.members AS m
          WHERE m.user_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid) AND (p_role IS NULL OR m.role = p_role) AND m.deleted_at IS NULL);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) TO public;

-- create table public.companies
CREATE TABLE public.companies (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL,
    name text NOT NULL,
    country_code text,
    industry_id uuid,
    owner_id uuid,
    revenue numeric(14, 2),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT companies_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT companies_name_key UNIQUE (workspace_id, name),
    CONSTRAINT companies_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces (id) ON DELETE CASCADE,
    CONSTRAINT companies_country_code_fkey FOREIGN KEY (country_code) REFERENCES public.countries (code),
    CONSTRAINT companies_industry_id_fkey FOREIGN KEY (industry_id) REFERENCES public.industries (id) ON DELETE SET NULL,
    CONSTRAINT companies_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES public.members (workspace_id, id) ON DELETE RESTRICT
);
COMMENT ON COLUMN public.companies.workspace_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.companies.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.companies FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.companies'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.companies', grantee);
    END LOOP;
END
$atlas$;

-- create table public.contacts
CREATE TABLE public.contacts (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL,
    company_id uuid NOT NULL,
    email text NOT NULL,
    created_by uuid DEFAULT CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT contacts_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT contacts_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces (id) ON DELETE CASCADE,
    CONSTRAINT contacts_company_id_fkey FOREIGN KEY (workspace_id, company_id) REFERENCES public.companies (workspace_id, id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.contacts.workspace_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.contacts.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.contacts FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.contacts'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.contacts', grantee);
    END LOOP;
END
$atlas$;

-- create table public.deals
CREATE TABLE public.deals (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL,
    company_id uuid NOT NULL,
    owner_id uuid,
    stage public.deal_stage NOT NULL DEFAULT 'lead'::public.deal_stage,
    amount numeric(14, 2) NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT deals_pkey PRIMARY KEY (workspace_id, id),
    CONSTRAINT deals_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES public.workspaces (id) ON DELETE CASCADE,
    CONSTRAINT deals_company_id_fkey FOREIGN KEY (workspace_id, company_id) REFERENCES public.companies (workspace_id, id) ON DELETE CASCADE,
    CONSTRAINT deals_owner_id_fkey FOREIGN KEY (workspace_id, owner_id) REFERENCES public.members (workspace_id, id)
);
COMMENT ON COLUMN public.deals.workspace_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.deals.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.deals ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.deals FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.deals'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.deals', grantee);
    END LOOP;
END
$atlas$;

-- create index public.idx_companies_audit_workspace_id_changed_at
CREATE INDEX idx_companies_audit_workspace_id_changed_at ON public.companies_audit (workspace_id, changed_at DESC);

-- create index public.idx_companies_country_code
CREATE INDEX idx_companies_country_code ON public.companies (country_code);

-- create index public.idx_companies_created_at
CREATE INDEX idx_companies_created_at ON public.companies (workspace_id, created_at DESC);

-- create index public.idx_companies_industry_id
CREATE INDEX idx_companies_industry_id ON public.companies (industry_id);

-- create index public.idx_companies_owner_id
CREATE INDEX idx_companies_owner_id ON public.companies (workspace_id, owner_id);

-- create index public.idx_companies_workspace_id
CREATE INDEX idx_companies_workspace_id ON public.companies (workspace_id);

-- create index public.idx_contacts_audit_workspace_id_changed_at
CREATE INDEX idx_contacts_audit_workspace_id_changed_at ON public.contacts_audit (workspace_id, changed_at DESC);

-- create index public.idx_contacts_company_id
CREATE INDEX idx_contacts_company_id ON public.contacts (workspace_id, company_id);

-- create index public.idx_contacts_created_at
CREATE INDEX idx_contacts_created_at ON public.contacts (workspace_id, created_at DESC);

-- create index public.idx_contacts_workspace_id
CREATE INDEX idx_contacts_workspace_id ON public.contacts (workspace_id);

-- create index public.idx_countries_created_at
CREATE INDEX idx_countries_created_at ON public.countries (created_at DESC);

-- create index public.idx_deals_audit_workspace_id_changed_at
CREATE INDEX idx_deals_audit_workspace_id_changed_at ON public.deals_audit (workspace_id, changed_at DESC);

-- create index public.idx_deals_company_id
CREATE INDEX idx_deals_company_id ON public.deals (workspace_id, company_id);

-- create index public.idx_deals_created_at
CREATE INDEX idx_deals_created_at ON public.deals (workspace_id, created_at DESC);

-- create index public.idx_deals_owner_id
CREATE INDEX idx_deals_owner_id ON public.deals (workspace_id, owner_id);

-- create index public.idx_deals_workspace_id
CREATE INDEX idx_deals_workspace_id ON public.deals (workspace_id);

-- create index public.idx_industries_audit_workspace_id_changed_at
CREATE INDEX idx_industries_audit_workspace_id_changed_at ON public.industries_audit (workspace_id, changed_at DESC);

-- create index public.idx_industries_created_at
CREATE INDEX idx_industries_created_at ON public.industries (created_at DESC);

-- create index public.idx_members_audit_workspace_id_changed_at
CREATE INDEX idx_members_audit_workspace_id_changed_at ON public.members_audit (workspace_id, changed_at DESC);

-- create index public.idx_members_created_at
CREATE INDEX idx_members_created_at ON public.members (workspace_id, created_at DESC);

-- create index public.idx_members_user_id_workspace_id
CREATE INDEX idx_members_user_id_workspace_id ON public.members (user_id, workspace_id);

-- create index public.idx_members_workspace_id
CREATE INDEX idx_members_workspace_id ON public.members (workspace_id);

-- create index public.idx_workspaces_created_at
CREATE INDEX idx_workspaces_created_at ON public.workspaces (created_at DESC);

-- create policy public.companies.companies_delete
CREATE POLICY companies_delete ON public.companies
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING ((deleted_at IS NULL) AND (owner_id = ANY (atlas_private.user_membership_ids())))
;

-- create policy public.companies.companies_insert
CREATE POLICY companies_insert ON public.companies
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK ((deleted_at IS NULL) AND ((workspace_id = ANY (atlas_private.user_tenant_ids('rep'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role)))))
;

-- create policy public.companies.companies_select
CREATE POLICY companies_select ON public.companies
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (deleted_at IS NULL)
;

-- create policy public.companies.companies_tenant_fence
CREATE POLICY companies_tenant_fence ON public.companies
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.companies.companies_update
CREATE POLICY companies_update ON public.companies
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((deleted_at IS NULL) AND ((owner_id = ANY (atlas_private.user_membership_ids())) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
    WITH CHECK ((deleted_at IS NULL) AND ((owner_id = ANY (atlas_private.user_membership_ids())) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
;

-- create policy public.companies_audit.companies_audit_select
CREATE POLICY companies_audit_select ON public.companies_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.companies_audit.companies_audit_tenant_fence
CREATE POLICY companies_audit_tenant_fence ON public.companies_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.contacts.contacts_delete
CREATE POLICY contacts_delete ON public.contacts
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING ((deleted_at IS NULL) AND ((created_by = (CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
;

-- create policy public.contacts.contacts_insert
CREATE POLICY contacts_insert ON public.contacts
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK ((deleted_at IS NULL) AND (workspace_id = ANY (atlas_private.user_tenant_ids())))
;

-- create policy public.contacts.contacts_select
CREATE POLICY contacts_select ON public.contacts
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (deleted_at IS NULL)
;

-- create policy public.contacts.contacts_tenant_fence
CREATE POLICY contacts_tenant_fence ON public.contacts
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.contacts.contacts_update
CREATE POLICY contacts_update ON public.contacts
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((deleted_at IS NULL) AND (created_by = (CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid))))
    WITH CHECK ((deleted_at IS NULL) AND (created_by = (CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid))))
;

-- create policy public.contacts_audit.contacts_audit_select
CREATE POLICY contacts_audit_select ON public.contacts_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.contacts_audit.contacts_audit_tenant_fence
CREATE POLICY contacts_audit_tenant_fence ON public.contacts_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.countries.countries_select
CREATE POLICY countries_select ON public.countries
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING ((CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid)) IS NOT NULL)
;

-- create policy public.deals.deals_delete
CREATE POLICY deals_delete ON public.deals
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING ((deleted_at IS NULL) AND (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role))))
;

-- create policy public.deals.deals_insert
CREATE POLICY deals_insert ON public.deals
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK ((deleted_at IS NULL) AND (workspace_id = ANY (atlas_private.user_tenant_ids())))
;

-- create policy public.deals.deals_select
CREATE POLICY deals_select ON public.deals
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING ((deleted_at IS NULL) AND ((owner_id = ANY (atlas_private.user_membership_ids())) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role)))))
;

-- create policy public.deals.deals_tenant_fence
CREATE POLICY deals_tenant_fence ON public.deals
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.deals.deals_update
CREATE POLICY deals_update ON public.deals
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((deleted_at IS NULL) AND ((owner_id = ANY (atlas_private.user_membership_ids())) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
    WITH CHECK ((deleted_at IS NULL) AND ((owner_id = ANY (atlas_private.user_membership_ids())) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
;

-- create policy public.deals.viewers_see_won
CREATE POLICY viewers_see_won ON public.deals
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING ((deleted_at IS NULL) AND (stage = 'won'))
;

-- create policy public.deals_audit.deals_audit_select
CREATE POLICY deals_audit_select ON public.deals_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING ((workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role))))
;

-- create policy public.deals_audit.deals_audit_tenant_fence
CREATE POLICY deals_audit_tenant_fence ON public.deals_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.industries.industries_delete
CREATE POLICY industries_delete ON public.industries
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING (cardinality(atlas_private.user_tenant_ids('owner'::public.member_role)) > 0)
;

-- create policy public.industries.industries_insert
CREATE POLICY industries_insert ON public.industries
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK (cardinality(atlas_private.user_tenant_ids('owner'::public.member_role)) > 0)
;

-- create policy public.industries.industries_select
CREATE POLICY industries_select ON public.industries
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING ((CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid)) IS NOT NULL)
;

-- create policy public.industries.industries_update
CREATE POLICY industries_update ON public.industries
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING (cardinality(atlas_private.user_tenant_ids('owner'::public.member_role)) > 0)
    WITH CHECK (cardinality(atlas_private.user_tenant_ids('owner'::public.member_role)) > 0)
;

-- create policy public.members.members_delete
CREATE POLICY members_delete ON public.members
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING ((deleted_at IS NULL) AND ((workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
;

-- create policy public.members.members_insert
CREATE POLICY members_insert ON public.members
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK ((deleted_at IS NULL) AND ((workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
;

-- create policy public.members.members_select
CREATE POLICY members_select ON public.members
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (deleted_at IS NULL)
;

-- create policy public.members.members_tenant_fence
CREATE POLICY members_tenant_fence ON public.members
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.members.members_update
CREATE POLICY members_update ON public.members
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((deleted_at IS NULL) AND ((workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
    WITH CHECK ((deleted_at IS NULL) AND ((workspace_id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role))) OR (workspace_id = ANY (atlas_private.user_tenant_ids('manager'::public.member_role)))))
;

-- create policy public.members_audit.members_audit_select
CREATE POLICY members_audit_select ON public.members_audit
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.members_audit.members_audit_tenant_fence
CREATE POLICY members_audit_tenant_fence ON public.members_audit
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (workspace_id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (workspace_id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.workspaces.workspaces_select
CREATE POLICY workspaces_select ON public.workspaces
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (true)
;

-- create policy public.workspaces.workspaces_tenant_fence
CREATE POLICY workspaces_tenant_fence ON public.workspaces
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (id = ANY (atlas_private.user_tenant_ids()))
    WITH CHECK (id = ANY (atlas_private.user_tenant_ids()))
;

-- create policy public.workspaces.workspaces_update
CREATE POLICY workspaces_update ON public.workspaces
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING (id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role)))
    WITH CHECK (id = ANY (atlas_private.user_tenant_ids('owner'::public.member_role)))
;

-- create trigger public.companies.audit_companies
CREATE TRIGGER audit_companies
    AFTER INSERT OR UPDATE OR DELETE ON public.companies
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('companies_audit', 'workspace_id', 'id', 'revenue', 'deleted_at');

-- create trigger public.companies.soft_delete_companies
CREATE TRIGGER soft_delete_companies
    BEFORE DELETE ON public.companies
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_companies();

-- create trigger public.companies.update_companies_updated_at
CREATE TRIGGER update_companies_updated_at
    BEFORE UPDATE ON public.companies
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.contacts.audit_contacts
CREATE TRIGGER audit_contacts
    AFTER INSERT OR UPDATE OR DELETE ON public.contacts
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('contacts_audit', 'workspace_id', 'id', '', 'deleted_at');

-- create trigger public.contacts.soft_delete_contacts
CREATE TRIGGER soft_delete_contacts
    BEFORE DELETE ON public.contacts
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_contacts();

-- create trigger public.contacts.update_contacts_updated_at
CREATE TRIGGER update_contacts_updated_at
    BEFORE UPDATE ON public.contacts
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.countries.update_countries_updated_at
CREATE TRIGGER update_countries_updated_at
    BEFORE UPDATE ON public.countries
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.deals.audit_deals
CREATE TRIGGER audit_deals
    AFTER INSERT OR UPDATE OR DELETE ON public.deals
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('deals_audit', 'workspace_id', 'id', '', 'deleted_at');

-- create trigger public.deals.soft_delete_deals
CREATE TRIGGER soft_delete_deals
    BEFORE DELETE ON public.deals
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_deals();

-- create trigger public.deals.update_deals_updated_at
CREATE TRIGGER update_deals_updated_at
    BEFORE UPDATE ON public.deals
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.industries.audit_industries
CREATE TRIGGER audit_industries
    AFTER INSERT OR UPDATE OR DELETE ON public.industries
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('industries_audit', '', 'id', '');

-- create trigger public.industries.update_industries_updated_at
CREATE TRIGGER update_industries_updated_at
    BEFORE UPDATE ON public.industries
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.members.audit_members
CREATE TRIGGER audit_members
    AFTER INSERT OR UPDATE OR DELETE ON public.members
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('members_audit', 'workspace_id', 'id', '', 'deleted_at');

-- create trigger public.members.soft_delete_members
CREATE TRIGGER soft_delete_members
    BEFORE DELETE ON public.members
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_members();

-- create trigger public.members.update_members_updated_at
CREATE TRIGGER update_members_updated_at
    BEFORE UPDATE ON public.members
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.workspaces.update_workspaces_updated_at
CREATE TRIGGER update_workspaces_updated_at
    BEFORE UPDATE ON public.workspaces
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create view public.active_companies
CREATE VIEW public.active_companies WITH (security_invoker = true) AS
SELECT id
     , workspace_id
     , name
     , owner_id
FROM companies;

-- create distribution public.countries
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_reference_table('public.countries');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.countries';
    END IF;
END
$atlas$;

-- create distribution public.industries
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_reference_table('public.industries');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.industries';
    END IF;
END
$atlas$;

-- create distribution public.industries_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_reference_table('public.industries_audit');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.industries_audit';
    END IF;
END
$atlas$;

-- create distribution public.workspaces
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.workspaces', 'id');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.workspaces';
    END IF;
END
$atlas$;

-- create distribution public.companies_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.companies_audit', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.companies_audit';
    END IF;
END
$atlas$;

-- create distribution public.contacts_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.contacts_audit', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.contacts_audit';
    END IF;
END
$atlas$;

-- create distribution public.deals_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.deals_audit', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.deals_audit';
    END IF;
END
$atlas$;

-- create distribution public.members
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.members', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.members';
    END IF;
END
$atlas$;

-- create distribution public.companies
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.companies', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.companies';
    END IF;
END
$atlas$;

-- create distribution public.contacts
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.contacts', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.contacts';
    END IF;
END
$atlas$;

-- create distribution public.deals
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.deals', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.deals';
    END IF;
END
$atlas$;

-- create distribution public.members_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);
        PERFORM pg_catalog.create_distributed_table('public.members_audit', 'workspace_id', colocate_with => 'public.workspaces');
    ELSE
        RAISE NOTICE 'citus is not installed: % stays a local table', 'public.members_audit';
    END IF;
END
$atlas$;
COMMIT;
