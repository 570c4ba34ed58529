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

-- create enum public.product_status
CREATE TYPE public.product_status AS ENUM (
    'draft',
    'live',
    'retired'
);

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

-- create table public.categories
CREATE TABLE public.categories (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_pkey PRIMARY KEY (id),
    CONSTRAINT categories_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT categories_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.categories IS 'Referenced by products.category_id (a composite, tenant-safe foreign key).';
COMMENT ON COLUMN public.categories.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.categories FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.categories FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.categories TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.categories TO service_role;

-- create table public.products
CREATE TABLE public.products (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    serial_no bigint GENERATED ALWAYS AS IDENTITY,
    legacy_no integer GENERATED BY DEFAULT AS IDENTITY,
    sku text NOT NULL,
    title text NOT NULL DEFAULT 'Bob''s "best" widget',
    status public.product_status NOT NULL DEFAULT 'draft'::public.product_status,
    price numeric(10, 2) NOT NULL DEFAULT 9.99,
    stock integer DEFAULT 0,
    is_active boolean NOT NULL DEFAULT true,
    tags text[] NOT NULL DEFAULT ARRAY['new', 'sale item']::text[],
    attributes jsonb NOT NULL DEFAULT CAST('{}' AS jsonb),
    released_on date,
    category_id uuid,
    owner_id uuid,
    supplier_code text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT products_pkey PRIMARY KEY (id),
    CONSTRAINT products_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT products_sku_key UNIQUE (organization_id, sku),
    CONSTRAINT products_sku_check CHECK (length(sku) BETWEEN 3 AND 32),
    CONSTRAINT products_price_check CHECK (price >= 0),
    CONSTRAINT products_title_released_on_key UNIQUE (organization_id, title, released_on),
    CONSTRAINT products_stock_not_negative_check CHECK (stock IS NULL OR stock >= 0),
    CONSTRAINT products_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT products_category_id_fkey FOREIGN KEY (organization_id, category_id) REFERENCES public.categories (organization_id, id),
    CONSTRAINT products_owner_id_fkey FOREIGN KEY (organization_id, owner_id) REFERENCES public.auth_users (organization_id, id) ON UPDATE RESTRICT ON DELETE SET NULL (owner_id)
);
COMMENT ON TABLE public.products IS 'Every column option: types, nullability, identity, defaults, checks, references, sensitive.';
COMMENT ON COLUMN public.products.id IS 'Primary key with an SQL default.';
COMMENT ON COLUMN public.products.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.products.serial_no IS 'Identity column (generated always).';
COMMENT ON COLUMN public.products.sku IS 'Unique per tenant; checked length.';
COMMENT ON COLUMN public.products.title IS 'Literal default with quotes to show escaping.';
COMMENT ON COLUMN public.products.supplier_code IS 'Sensitive: kept out of audit rows and compiler output.';
ALTER TABLE public.products ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.products FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.products FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.products_serial_no_seq FROM anon, authenticated;

REVOKE ALL ON SEQUENCE public.products_legacy_no_seq FROM anon, authenticated;

GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.products TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.products TO service_role;

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_categories_created_at
CREATE INDEX idx_categories_created_at ON public.categories (organization_id, created_at DESC);

-- create index public.idx_categories_organization_id
CREATE INDEX idx_categories_organization_id ON public.categories (organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_products_active_title
CREATE INDEX idx_products_active_title ON public.products (organization_id, title) WHERE is_active;

-- create index public.idx_products_category_id
CREATE INDEX idx_products_category_id ON public.products (organization_id, category_id);

-- create index public.idx_products_created_at
CREATE INDEX idx_products_created_at ON public.products (organization_id, created_at DESC);

-- create index public.idx_products_organization_id
CREATE INDEX idx_products_organization_id ON public.products (organization_id);

-- create index public.idx_products_owner_id
CREATE INDEX idx_products_owner_id ON public.products (organization_id, owner_id);

-- create index public.idx_products_status_price
CREATE INDEX idx_products_status_price ON public.products (organization_id, status, price DESC);

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

-- create policy public.categories.categories_delete
CREATE POLICY categories_delete ON public.categories
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.categories.categories_insert
CREATE POLICY categories_insert ON public.categories
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.categories.categories_select
CREATE POLICY categories_select ON public.categories
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.categories.categories_tenant_fence
CREATE POLICY categories_tenant_fence ON public.categories
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.categories.categories_update
CREATE POLICY categories_update ON public.categories
    AS PERMISSIVE
    FOR UPDATE
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

-- create policy public.products.products_delete
CREATE POLICY products_delete ON public.products
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.products.products_insert
CREATE POLICY products_insert ON public.products
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.products.products_select
CREATE POLICY products_select ON public.products
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.products.products_tenant_fence
CREATE POLICY products_tenant_fence ON public.products
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.products.products_update
CREATE POLICY products_update ON public.products
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

-- create trigger public.categories.update_categories_updated_at
CREATE TRIGGER update_categories_updated_at
    BEFORE UPDATE ON public.categories
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.products.update_products_updated_at
CREATE TRIGGER update_products_updated_at
    BEFORE UPDATE ON public.products
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
