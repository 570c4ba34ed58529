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

-- create table public.customer_relationship_management_subscription_renewals_audit
CREATE TABLE public.customer_relationship_management_subscription_renewals_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customer_relationship_management_subscription_renewals_191c5c09 PRIMARY KEY (id),
    CONSTRAINT customer_relationship_management_subscription_renewals_68d75166 CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.customer_relationship_management_subscription_renewals_audit IS 'Audit trail of customer_relationship_management_subscription_renewals (append-only).';
COMMENT ON COLUMN public.customer_relationship_management_subscription_renewals_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.customer_relationship_management_subscription_renewals_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customer_relationship_management_subscription_renewals_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.customer_relationship_management_subscription_renewals_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.customer_relationship_management_subscription_renewals_a_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.customer_relationship_management_subscription_renewals_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.customer_relationship_management_subscription_renewals_audit TO service_role;

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

-- create table public.customer_relationship_management_subscription_renewals
CREATE TABLE public.customer_relationship_management_subscription_renewals (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    previous_subscription_renewal_reference_identifier uuid,
    renewal_notification_delivery_channel_preference text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customer_relationship_management_subscription_renewals_pkey PRIMARY KEY (id),
    CONSTRAINT customer_relationship_management_subscription_renewals_1d370c27 UNIQUE (organization_id, id),
    CONSTRAINT customer_relationship_management_subscription_renewals_8351676a CHECK (length(renewal_notification_delivery_channel_preference) < 20),
    CONSTRAINT customer_relationship_management_subscription_renewals_dde47f1f UNIQUE (organization_id, renewal_notification_delivery_channel_preference),
    CONSTRAINT customer_relationship_management_subscription_renewals_44daf127 FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT customer_relationship_management_subscription_renewals_5e43e1b2 FOREIGN KEY (organization_id, previous_subscription_renewal_reference_identifier) REFERENCES public.customer_relationship_management_subscription_renewals (organization_id, id)
);
COMMENT ON COLUMN public.customer_relationship_management_subscription_renewals.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.customer_relationship_management_subscription_renewals ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customer_relationship_management_subscription_renewals FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.customer_relationship_management_subscription_renewals FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.customer_relationship_management_subscription_renewals TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.customer_relationship_management_subscription_renewals TO service_role;

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_customer_relationship_management_subscription_rene_1a06339d
CREATE INDEX idx_customer_relationship_management_subscription_rene_1a06339d ON public.customer_relationship_management_subscription_renewals (organization_id, renewal_notification_delivery_channel_preference, previous_subscription_renewal_reference_identifier, created_at);

-- create index public.idx_customer_relationship_management_subscription_rene_545ab738
CREATE INDEX idx_customer_relationship_management_subscription_rene_545ab738 ON public.customer_relationship_management_subscription_renewals (organization_id);

-- create index public.idx_customer_relationship_management_subscription_rene_8550f4a9
CREATE INDEX idx_customer_relationship_management_subscription_rene_8550f4a9 ON public.customer_relationship_management_subscription_renewals (organization_id, renewal_notification_delivery_channel_preference, previous_subscription_renewal_reference_identifier);

-- create index public.idx_customer_relationship_management_subscription_rene_98621574
CREATE INDEX idx_customer_relationship_management_subscription_rene_98621574 ON public.customer_relationship_management_subscription_renewals (organization_id, created_at DESC);

-- create index public.idx_customer_relationship_management_subscription_rene_9a33ed1f
CREATE INDEX idx_customer_relationship_management_subscription_rene_9a33ed1f ON public.customer_relationship_management_subscription_renewals_audit (organization_id, changed_at DESC);

-- create index public.idx_customer_relationship_management_subscription_rene_ba11c778
CREATE INDEX idx_customer_relationship_management_subscription_rene_ba11c778 ON public.customer_relationship_management_subscription_renewals (organization_id, previous_subscription_renewal_reference_identifier);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

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

-- create policy public.customer_relationship_management_subscription_renewals.customer_relationship_management_subscription_renewals_29febf3b
CREATE POLICY customer_relationship_management_subscription_renewals_29febf3b ON public.customer_relationship_management_subscription_renewals
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customer_relationship_management_subscription_renewals.customer_relationship_management_subscription_renewals_delete
CREATE POLICY customer_relationship_management_subscription_renewals_delete ON public.customer_relationship_management_subscription_renewals
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customer_relationship_management_subscription_renewals.customer_relationship_management_subscription_renewals_insert
CREATE POLICY customer_relationship_management_subscription_renewals_insert ON public.customer_relationship_management_subscription_renewals
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customer_relationship_management_subscription_renewals.customer_relationship_management_subscription_renewals_select
CREATE POLICY customer_relationship_management_subscription_renewals_select ON public.customer_relationship_management_subscription_renewals
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.customer_relationship_management_subscription_renewals.customer_relationship_management_subscription_renewals_update
CREATE POLICY customer_relationship_management_subscription_renewals_update ON public.customer_relationship_management_subscription_renewals
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customer_relationship_management_subscription_renewals_audit.customer_relationship_management_subscription_renewals_71261f3e
CREATE POLICY customer_relationship_management_subscription_renewals_71261f3e ON public.customer_relationship_management_subscription_renewals_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customer_relationship_management_subscription_renewals_audit.customer_relationship_management_subscription_renewals_d45aa399
CREATE POLICY customer_relationship_management_subscription_renewals_d45aa399 ON public.customer_relationship_management_subscription_renewals_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
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

-- create trigger public.auth_users.update_auth_users_updated_at
CREATE TRIGGER update_auth_users_updated_at
    BEFORE UPDATE ON public.auth_users
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.customer_relationship_management_subscription_renewals.audit_customer_relationship_management_subscription_renewals
CREATE TRIGGER audit_customer_relationship_management_subscription_renewals
    AFTER INSERT OR UPDATE OR DELETE ON public.customer_relationship_management_subscription_renewals
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('customer_relationship_management_subscription_renewals_audit', 'organization_id', 'id', '');

-- create trigger public.customer_relationship_management_subscription_renewals.update_customer_relationship_management_subscription_r_15ce0805
CREATE TRIGGER update_customer_relationship_management_subscription_r_15ce0805
    BEFORE UPDATE ON public.customer_relationship_management_subscription_renewals
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
