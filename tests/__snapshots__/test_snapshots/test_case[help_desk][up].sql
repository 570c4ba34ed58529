-- atlas-compile migration 0001_initial (up)
-- project: help-desk; target: supabase; PostgreSQL 15
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

-- create extension pg_trgm
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
        COMMENT ON EXTENSION pg_trgm IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create extension pgcrypto
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
        CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
        COMMENT ON EXTENSION pgcrypto IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create enum public.agent_role
CREATE TYPE public.agent_role AS ENUM (
    'admin',
    'supervisor',
    'agent'
);

-- create enum public.comment_visibility
CREATE TYPE public.comment_visibility AS ENUM (
    'public',
    'internal'
);
COMMENT ON TYPE public.comment_visibility IS 'Whether the customer sees the comment, or only agents.';

-- create enum public.ticket_priority
CREATE TYPE public.ticket_priority AS ENUM (
    'low',
    'normal',
    'high',
    'urgent'
);

-- create enum public.ticket_status
CREATE TYPE public.ticket_status AS ENUM (
    'open',
    'pending',
    'on_hold',
    'solved',
    'closed'
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

-- create function atlas_private.soft_delete_tickets
CREATE FUNCTION atlas_private.soft_delete_tickets()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.tickets AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_tickets() IS 'Soft delete of tickets: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_tickets() FROM PUBLIC;

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
    subdomain text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id),
    CONSTRAINT organizations_subdomain_key UNIQUE (subdomain),
    CONSTRAINT organizations_subdomain_check CHECK (subdomain ~ '^[a-z0-9-]+$')
);
COMMENT ON TABLE public.organizations IS 'A company that runs its support desk here (the tenant).';
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.organizations FROM anon, authenticated;
GRANT SELECT, UPDATE ON TABLE public.organizations TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO service_role;

-- create table public.agents
CREATE TABLE public.agents (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.agent_role NOT NULL DEFAULT 'agent'::public.agent_role,
    display_name text NOT NULL,
    email text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agents_pkey PRIMARY KEY (id),
    CONSTRAINT agents_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT agents_email_check CHECK (position('@' IN email) > 1),
    CONSTRAINT agents_user_id_key UNIQUE (organization_id, user_id),
    CONSTRAINT agents_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT agents_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.agents IS 'Support staff of an organization, one row per organization and signed-in user.';
COMMENT ON COLUMN public.agents.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.agents FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.agents FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.agents TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.agents TO service_role;

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
          FROM public.agents AS m
          WHERE m.user_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO authenticated;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.agent_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.agents AS m
          WHERE m.user_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.agent_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.agent_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.agent_role) TO authenticated;

-- create table public.customers
CREATE TABLE public.customers (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    email text NOT NULL,
    full_name text,
    company text,
    phone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_pkey PRIMARY KEY (id),
    CONSTRAINT customers_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT customers_email_key UNIQUE (organization_id, email),
    CONSTRAINT customers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.customers IS 'People who write to the help desk.';
COMMENT ON COLUMN public.customers.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.customers FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.customers FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.customers TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.customers TO service_role;

-- create table public.kb_articles
CREATE TABLE public.kb_articles (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    slug text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    author_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT kb_articles_pkey PRIMARY KEY (id),
    CONSTRAINT kb_articles_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT kb_articles_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT kb_articles_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT kb_articles_author_id_fkey FOREIGN KEY (organization_id, author_id) REFERENCES public.agents (organization_id, id) ON DELETE SET NULL (author_id)
);
COMMENT ON TABLE public.kb_articles IS 'Help-center articles, readable by anyone (anon included).';
COMMENT ON COLUMN public.kb_articles.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.kb_articles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.kb_articles FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.kb_articles FROM anon, authenticated;
GRANT SELECT ON TABLE public.kb_articles TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.kb_articles TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.kb_articles TO service_role;

-- create table public.tags
CREATE TABLE public.tags (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    color text NOT NULL DEFAULT '#888888',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tags_pkey PRIMARY KEY (id),
    CONSTRAINT tags_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT tags_color_check CHECK (color ~ '^#[0-9a-f]{6}$'),
    CONSTRAINT tags_name_key UNIQUE (organization_id, name),
    CONSTRAINT tags_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON COLUMN public.tags.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tags FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.tags FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tags TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tags TO service_role;

-- create table public.tickets
CREATE TABLE public.tickets (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    subject text NOT NULL,
    description text,
    status public.ticket_status NOT NULL DEFAULT 'open'::public.ticket_status,
    priority public.ticket_priority NOT NULL DEFAULT 'normal'::public.ticket_priority,
    customer_id uuid NOT NULL,
    assignee_id uuid,
    due_at timestamptz,
    solved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT tickets_pkey PRIMARY KEY (id),
    CONSTRAINT tickets_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT tickets_solved_has_time_check CHECK (status NOT IN ('solved', 'closed') OR solved_at IS NOT NULL),
    CONSTRAINT tickets_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT tickets_customer_id_fkey FOREIGN KEY (organization_id, customer_id) REFERENCES public.customers (organization_id, id) ON DELETE RESTRICT,
    CONSTRAINT tickets_assignee_id_fkey FOREIGN KEY (organization_id, assignee_id) REFERENCES public.agents (organization_id, id) ON DELETE SET NULL (assignee_id)
);
COMMENT ON TABLE public.tickets IS 'A customer''s request, assigned to an agent.';
COMMENT ON COLUMN public.tickets.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.tickets.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tickets FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.tickets FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tickets TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tickets TO service_role;

-- create table public.ticket_comments
CREATE TABLE public.ticket_comments (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    author_id uuid,
    visibility public.comment_visibility NOT NULL DEFAULT 'public'::public.comment_visibility,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_comments_pkey PRIMARY KEY (id),
    CONSTRAINT ticket_comments_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT ticket_comments_body_check CHECK (length(body) > 0),
    CONSTRAINT ticket_comments_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT ticket_comments_ticket_id_fkey FOREIGN KEY (organization_id, ticket_id) REFERENCES public.tickets (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ticket_comments_author_id_fkey FOREIGN KEY (organization_id, author_id) REFERENCES public.agents (organization_id, id) ON DELETE SET NULL (author_id)
);
COMMENT ON TABLE public.ticket_comments IS 'The conversation on a ticket.';
COMMENT ON COLUMN public.ticket_comments.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.ticket_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_comments FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.ticket_comments FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.ticket_comments TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.ticket_comments TO service_role;

-- create table public.ticket_tags
CREATE TABLE public.ticket_tags (
    ticket_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_tags_pkey PRIMARY KEY (ticket_id, tag_id),
    CONSTRAINT ticket_tags_organization_id_ticket_id_tag_id_key UNIQUE (organization_id, ticket_id, tag_id),
    CONSTRAINT ticket_tags_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT ticket_tags_ticket_id_fkey FOREIGN KEY (organization_id, ticket_id) REFERENCES public.tickets (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT ticket_tags_tag_id_fkey FOREIGN KEY (organization_id, tag_id) REFERENCES public.tags (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.ticket_tags IS 'Which tags a ticket carries (join table).';
COMMENT ON COLUMN public.ticket_tags.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.ticket_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_tags FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.ticket_tags FROM anon, authenticated;
GRANT SELECT, INSERT, DELETE ON TABLE public.ticket_tags TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.ticket_tags TO service_role;

-- create table public.tickets_audit
CREATE TABLE public.tickets_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tickets_audit_pkey PRIMARY KEY (id),
    CONSTRAINT tickets_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.tickets_audit IS 'Audit trail of tickets (append-only).';
COMMENT ON COLUMN public.tickets_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.tickets_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tickets_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.tickets_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.tickets_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.tickets_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tickets_audit TO service_role;

-- create index public.idx_agents_created_at
CREATE INDEX idx_agents_created_at ON public.agents (organization_id, created_at DESC);

-- create index public.idx_agents_organization_id
CREATE INDEX idx_agents_organization_id ON public.agents (organization_id);

-- create index public.idx_agents_user_id_organization_id
CREATE INDEX idx_agents_user_id_organization_id ON public.agents (user_id, organization_id);

-- create index public.idx_customers_created_at
CREATE INDEX idx_customers_created_at ON public.customers (organization_id, created_at DESC);

-- create index public.idx_customers_full_name
CREATE INDEX idx_customers_full_name ON public.customers USING gin (full_name gin_trgm_ops);

-- create index public.idx_customers_organization_id
CREATE INDEX idx_customers_organization_id ON public.customers (organization_id);

-- create index public.idx_kb_articles_author_id
CREATE INDEX idx_kb_articles_author_id ON public.kb_articles (organization_id, author_id);

-- create index public.idx_kb_articles_created_at
CREATE INDEX idx_kb_articles_created_at ON public.kb_articles (organization_id, created_at DESC);

-- create index public.idx_kb_articles_organization_id
CREATE INDEX idx_kb_articles_organization_id ON public.kb_articles (organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_tags_created_at
CREATE INDEX idx_tags_created_at ON public.tags (organization_id, created_at DESC);

-- create index public.idx_tags_organization_id
CREATE INDEX idx_tags_organization_id ON public.tags (organization_id);

-- create index public.idx_ticket_comments_author_id
CREATE INDEX idx_ticket_comments_author_id ON public.ticket_comments (organization_id, author_id);

-- create index public.idx_ticket_comments_created_at
CREATE INDEX idx_ticket_comments_created_at ON public.ticket_comments (organization_id, created_at DESC);

-- create index public.idx_ticket_comments_organization_id
CREATE INDEX idx_ticket_comments_organization_id ON public.ticket_comments (organization_id);

-- create index public.idx_ticket_comments_ticket_id
CREATE INDEX idx_ticket_comments_ticket_id ON public.ticket_comments (organization_id, ticket_id);

-- create index public.idx_ticket_tags_created_at
CREATE INDEX idx_ticket_tags_created_at ON public.ticket_tags (organization_id, created_at DESC);

-- create index public.idx_ticket_tags_organization_id
CREATE INDEX idx_ticket_tags_organization_id ON public.ticket_tags (organization_id);

-- create index public.idx_ticket_tags_tag_id
CREATE INDEX idx_ticket_tags_tag_id ON public.ticket_tags (organization_id, tag_id);

-- create index public.idx_tickets_assignee_id
CREATE INDEX idx_tickets_assignee_id ON public.tickets (organization_id, assignee_id);

-- create index public.idx_tickets_audit_organization_id_changed_at
CREATE INDEX idx_tickets_audit_organization_id_changed_at ON public.tickets_audit (organization_id, changed_at DESC);

-- create index public.idx_tickets_created_at
CREATE INDEX idx_tickets_created_at ON public.tickets (organization_id, created_at DESC);

-- create index public.idx_tickets_customer_id
CREATE INDEX idx_tickets_customer_id ON public.tickets (organization_id, customer_id);

-- create index public.idx_tickets_live_queue
CREATE INDEX idx_tickets_live_queue ON public.tickets (organization_id, assignee_id, status) WHERE deleted_at IS NULL;

-- create index public.idx_tickets_organization_id
CREATE INDEX idx_tickets_organization_id ON public.tickets (organization_id);

-- create index public.idx_tickets_status_priority_created_at
CREATE INDEX idx_tickets_status_priority_created_at ON public.tickets (organization_id, status, priority, created_at DESC);

-- create policy public.agents.agents_delete
CREATE POLICY agents_delete ON public.agents
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
;

-- create policy public.agents.agents_insert
CREATE POLICY agents_insert ON public.agents
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
;

-- create policy public.agents.agents_select
CREATE POLICY agents_select ON public.agents
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.agents.agents_tenant_fence
CREATE POLICY agents_tenant_fence ON public.agents
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.agents.agents_update
CREATE POLICY agents_update ON public.agents
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
;

-- create policy public.customers.customers_delete
CREATE POLICY customers_delete ON public.customers
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
;

-- create policy public.customers.customers_insert
CREATE POLICY customers_insert ON public.customers
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customers.customers_select
CREATE POLICY customers_select ON public.customers
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.customers.customers_tenant_fence
CREATE POLICY customers_tenant_fence ON public.customers
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.customers.customers_update
CREATE POLICY customers_update ON public.customers
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.kb_articles.kb_articles_delete
CREATE POLICY kb_articles_delete ON public.kb_articles
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
;

-- create policy public.kb_articles.kb_articles_insert
CREATE POLICY kb_articles_insert ON public.kb_articles
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('supervisor'::public.agent_role))::uuid[])))
;

-- create policy public.kb_articles.kb_articles_select
CREATE POLICY kb_articles_select ON public.kb_articles
    AS PERMISSIVE
    FOR SELECT
    TO anon, authenticated
    USING (true)
;

-- create policy public.kb_articles.kb_articles_tenant_fence
CREATE POLICY kb_articles_tenant_fence ON public.kb_articles
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.kb_articles.kb_articles_update
CREATE POLICY kb_articles_update ON public.kb_articles
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('supervisor'::public.agent_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('supervisor'::public.agent_role))::uuid[])))
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
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[]))
;

-- create policy public.tags.tags_delete
CREATE POLICY tags_delete ON public.tags
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_insert
CREATE POLICY tags_insert ON public.tags
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_select
CREATE POLICY tags_select ON public.tags
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.tags.tags_tenant_fence
CREATE POLICY tags_tenant_fence ON public.tags
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_update
CREATE POLICY tags_update ON public.tags
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.ticket_comments.ticket_comments_delete
CREATE POLICY ticket_comments_delete ON public.ticket_comments
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])))
;

-- create policy public.ticket_comments.ticket_comments_insert
CREATE POLICY ticket_comments_insert ON public.ticket_comments
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.ticket_comments.ticket_comments_select
CREATE POLICY ticket_comments_select ON public.ticket_comments
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.ticket_comments.ticket_comments_tenant_fence
CREATE POLICY ticket_comments_tenant_fence ON public.ticket_comments
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.ticket_comments.ticket_comments_update
CREATE POLICY ticket_comments_update ON public.ticket_comments
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[]))
    WITH CHECK (author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[]))
;

-- create policy public.ticket_tags.ticket_tags_delete
CREATE POLICY ticket_tags_delete ON public.ticket_tags
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.ticket_tags.ticket_tags_insert
CREATE POLICY ticket_tags_insert ON public.ticket_tags
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.ticket_tags.ticket_tags_select
CREATE POLICY ticket_tags_select ON public.ticket_tags
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.ticket_tags.ticket_tags_tenant_fence
CREATE POLICY ticket_tags_tenant_fence ON public.ticket_tags
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tickets.tickets_delete
CREATE POLICY tickets_delete ON public.tickets
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])))
;

-- create policy public.tickets.tickets_insert
CREATE POLICY tickets_insert ON public.tickets
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.tickets.tickets_select
CREATE POLICY tickets_select ON public.tickets
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.tickets.tickets_tenant_fence
CREATE POLICY tickets_tenant_fence ON public.tickets
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tickets.tickets_update
CREATE POLICY tickets_update ON public.tickets
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('supervisor'::public.agent_role))::uuid[]))))
    WITH CHECK ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.agent_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('supervisor'::public.agent_role))::uuid[]))))
;

-- create policy public.tickets_audit.tickets_audit_select
CREATE POLICY tickets_audit_select ON public.tickets_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tickets_audit.tickets_audit_tenant_fence
CREATE POLICY tickets_audit_tenant_fence ON public.tickets_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create trigger public.agents.update_agents_updated_at
CREATE TRIGGER update_agents_updated_at
    BEFORE UPDATE ON public.agents
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.customers.update_customers_updated_at
CREATE TRIGGER update_customers_updated_at
    BEFORE UPDATE ON public.customers
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.kb_articles.update_kb_articles_updated_at
CREATE TRIGGER update_kb_articles_updated_at
    BEFORE UPDATE ON public.kb_articles
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.tags.update_tags_updated_at
CREATE TRIGGER update_tags_updated_at
    BEFORE UPDATE ON public.tags
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.ticket_comments.update_ticket_comments_updated_at
CREATE TRIGGER update_ticket_comments_updated_at
    BEFORE UPDATE ON public.ticket_comments
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.ticket_tags.update_ticket_tags_updated_at
CREATE TRIGGER update_ticket_tags_updated_at
    BEFORE UPDATE ON public.ticket_tags
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.tickets.audit_tickets
CREATE TRIGGER audit_tickets
    AFTER INSERT OR UPDATE OR DELETE ON public.tickets
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('tickets_audit', 'organization_id', 'id', '', 'deleted_at');

-- create trigger public.tickets.soft_delete_tickets
CREATE TRIGGER soft_delete_tickets
    BEFORE DELETE ON public.tickets
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_tickets();

-- create trigger public.tickets.update_tickets_updated_at
CREATE TRIGGER update_tickets_updated_at
    BEFORE UPDATE ON public.tickets
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.ticket_stats_daily
CREATE MATERIALIZED VIEW atlas_private.ticket_stats_daily AS
SELECT organization_id
     , date_trunc('day', created_at) AS day
     , status
     , priority
     , count(*) AS tickets
FROM tickets
WHERE deleted_at IS NULL
GROUP BY 1, 2, 3, 4
WITH DATA;
COMMENT ON MATERIALIZED VIEW atlas_private.ticket_stats_daily IS 'Tickets per organization, day, status and priority.';
REVOKE ALL ON TABLE atlas_private.ticket_stats_daily FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.ticket_stats_daily_rows
CREATE FUNCTION atlas_private.ticket_stats_daily_rows()
RETURNS SETOF atlas_private.ticket_stats_daily
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.ticket_stats_daily AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.ticket_stats_daily_rows() IS 'Rows of materialized view ticket_stats_daily the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.ticket_stats_daily_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.ticket_stats_daily_rows() TO authenticated;

-- create index atlas_private.idx_ticket_stats_daily_organization_id_day_status_priority
-- the materialized view is created in this transaction: nothing reads it yet
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_ticket_stats_daily_organization_id_day_status_priority ON atlas_private.ticket_stats_daily (organization_id, day, status, priority);

-- create view public.open_tickets
CREATE VIEW public.open_tickets WITH (security_invoker = true) AS
SELECT t.id
     , t.organization_id
     , t.subject
     , t.status
     , t.priority
     , t.assignee_id
     , c.email AS customer_email
     , t.created_at
FROM tickets AS t
     INNER JOIN customers AS c ON c.id = t.customer_id
WHERE t.status IN ('open', 'pending');
COMMENT ON VIEW public.open_tickets IS 'Tickets waiting on an agent, with their customer.';
REVOKE ALL ON TABLE public.open_tickets FROM anon, authenticated;
GRANT SELECT ON TABLE public.open_tickets TO authenticated;

-- create view public.ticket_stats_daily
CREATE VIEW public.ticket_stats_daily WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.ticket_stats_daily_rows();
COMMENT ON VIEW public.ticket_stats_daily IS 'Tickets per organization, day, status and priority.';
REVOKE ALL ON TABLE public.ticket_stats_daily FROM anon, authenticated;
GRANT SELECT ON TABLE public.ticket_stats_daily TO authenticated;

-- create publication table supabase_realtime.public.tickets
ALTER PUBLICATION supabase_realtime ADD TABLE public.tickets;
COMMIT;
