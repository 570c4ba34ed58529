-- atlas-compile migration 0001_initial (up)
-- project: snapshot-case; target: postgres; PostgreSQL 15
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

-- create enum public.member_role
CREATE TYPE public.member_role AS ENUM (
    'owner',
    'admin',
    'coach',
    'staff'
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
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.organizations'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.organizations', grantee);
    END LOOP;
END
$atlas$;

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
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.auth_users'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.auth_users', grantee);
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
          FROM public.auth_users AS m
          WHERE m.auth_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid));
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
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid) AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) TO public;

-- create table public.tasks
CREATE TABLE public.tasks (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    title text NOT NULL,
    assignee_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_pkey PRIMARY KEY (id),
    CONSTRAINT tasks_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT tasks_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.tasks.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tasks FORCE ROW LEVEL SECURITY;
DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = 'public.tasks'::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE TRUNCATE, TRIGGER ON TABLE %s FROM %s', 'public.tasks', grantee);
    END LOOP;
END
$atlas$;

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_tasks_created_at
CREATE INDEX idx_tasks_created_at ON public.tasks (organization_id, created_at DESC);

-- create index public.idx_tasks_organization_id
CREATE INDEX idx_tasks_organization_id ON public.tasks (organization_id);

-- create policy public.auth_users.auth_users_delete
CREATE POLICY auth_users_delete ON public.auth_users
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.auth_users.auth_users_insert
CREATE POLICY auth_users_insert ON public.auth_users
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.auth_users.auth_users_select
CREATE POLICY auth_users_select ON public.auth_users
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (true)
;

-- create policy public.auth_users.auth_users_tenant_fence
CREATE POLICY auth_users_tenant_fence ON public.auth_users
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.auth_users.auth_users_update
CREATE POLICY auth_users_update ON public.auth_users
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.organizations.organizations_select
CREATE POLICY organizations_select ON public.organizations
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (true)
;

-- create policy public.organizations.organizations_tenant_fence
CREATE POLICY organizations_tenant_fence ON public.organizations
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.organizations.organizations_update
CREATE POLICY organizations_update ON public.organizations
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))
;

-- create policy public.tasks.tasks_delete
CREATE POLICY tasks_delete ON public.tasks
    AS PERMISSIVE
    FOR DELETE
    TO public
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tasks.tasks_insert
CREATE POLICY tasks_insert ON public.tasks
    AS PERMISSIVE
    FOR INSERT
    TO public
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tasks.tasks_select
CREATE POLICY tasks_select ON public.tasks
    AS PERMISSIVE
    FOR SELECT
    TO public
    USING (true)
;

-- create policy public.tasks.tasks_tenant_fence
CREATE POLICY tasks_tenant_fence ON public.tasks
    AS RESTRICTIVE
    FOR ALL
    TO public
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tasks.tasks_update
CREATE POLICY tasks_update ON public.tasks
    AS PERMISSIVE
    FOR UPDATE
    TO public
    USING ((assignee_id = (SELECT CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid))) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])))
    WITH CHECK ((assignee_id = (SELECT CAST(NULLIF(current_setting('app.user_id', TRUE), '') AS uuid))) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])))
;

-- create trigger public.auth_users.update_auth_users_updated_at
CREATE TRIGGER update_auth_users_updated_at
    BEFORE UPDATE ON public.auth_users
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.tasks.update_tasks_updated_at
CREATE TRIGGER update_tasks_updated_at
    BEFORE UPDATE ON public.tasks
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create view public.my_tasks
CREATE VIEW public.my_tasks WITH (security_invoker = true) AS
SELECT id
     , organization_id
     , title
FROM tasks;
COMMIT;
