-- atlas-compile migration 0001_initial (up)
-- project: it's hostile; target: supabase; PostgreSQL 15
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

-- create enum public.member_kind
CREATE TYPE public.member_kind AS ENUM (
    'it''s',
    'a"b',
    '$body$',
    'x'
);

-- create function public.trick
CREATE FUNCTION public.trick()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $body1$
begin
  -- $body$ inside
  raise notice '$body$';
  return new;
end
$body1$;

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
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.organizations IS 'O''Reilly; drop table x; --';
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.organizations FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO service_role;

-- create table public.members
CREATE TABLE public.members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    uid uuid NOT NULL,
    kind public.member_kind NOT NULL DEFAULT 'it''s'::public.member_kind,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_pkey PRIMARY KEY (id),
    CONSTRAINT members_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT members_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.members.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.members FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.members TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.members TO service_role;

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
          WHERE m.uid = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO authenticated;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.member_kind DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.members AS m
          WHERE m.uid = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid AND (p_role IS NULL OR m.kind = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_kind) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_kind) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_kind) TO authenticated;

-- create table public.user
CREATE TABLE public."user" (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    "select" text DEFAULT '''; drop table x; --',
    "order" integer,
    "from" uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_pkey PRIMARY KEY (id),
    CONSTRAINT user_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT user_order_check CHECK ("order" > 0),
    CONSTRAINT user_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT user_from_fkey FOREIGN KEY (organization_id, "from") REFERENCES public.members (organization_id, id) ON DELETE SET NULL ("from")
);
COMMENT ON COLUMN public."user".organization_id IS 'Tenant that owns the row.';
ALTER TABLE public."user" ENABLE ROW LEVEL SECURITY;
ALTER TABLE public."user" FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public."user" FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public."user" TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public."user" TO service_role;

-- create index public.idx_members_created_at
CREATE INDEX idx_members_created_at ON public.members (organization_id, created_at DESC);

-- create index public.idx_members_organization_id
CREATE INDEX idx_members_organization_id ON public.members (organization_id);

-- create index public.idx_members_uid_organization_id
CREATE INDEX idx_members_uid_organization_id ON public.members (uid, organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_user_created_at
CREATE INDEX idx_user_created_at ON public."user" (organization_id, created_at DESC);

-- create index public.idx_user_from
CREATE INDEX idx_user_from ON public."user" (organization_id, "from");

-- create index public.idx_user_organization_id
CREATE INDEX idx_user_organization_id ON public."user" (organization_id);

-- create index public.idx_user_select_order
CREATE INDEX idx_user_select_order ON public."user" (organization_id, "select", "order" DESC);

-- create policy public.members.members_delete
CREATE POLICY members_delete ON public.members
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_insert
CREATE POLICY members_insert ON public.members
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_select
CREATE POLICY members_select ON public.members
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.members.members_tenant_fence
CREATE POLICY members_tenant_fence ON public.members
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_update
CREATE POLICY members_update ON public.members
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.organizations.organizations_delete
CREATE POLICY organizations_delete ON public.organizations
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.organizations.organizations_insert
CREATE POLICY organizations_insert ON public.organizations
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
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
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.user.user_delete
CREATE POLICY user_delete ON public."user"
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.user.user_insert
CREATE POLICY user_insert ON public."user"
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.user.user_select
CREATE POLICY user_select ON public."user"
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.user.user_tenant_fence
CREATE POLICY user_tenant_fence ON public."user"
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.user.user_update
CREATE POLICY user_update ON public."user"
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ("from" = ANY ((SELECT atlas_private.user_membership_ids())::uuid[]))
    WITH CHECK ("from" = ANY ((SELECT atlas_private.user_membership_ids())::uuid[]))
;

-- create trigger public.members.update_members_updated_at
CREATE TRIGGER update_members_updated_at
    BEFORE UPDATE ON public.members
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.user.t
CREATE TRIGGER t
    BEFORE UPDATE ON public."user"
    FOR EACH ROW
    EXECUTE FUNCTION public.trick();

-- create trigger public.user.update_user_updated_at
CREATE TRIGGER update_user_updated_at
    BEFORE UPDATE ON public."user"
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
