-- atlas-compile migration 0001_initial (up)
-- project: stagepass; target: supabase; PostgreSQL 15
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

-- create enum public.event_status
CREATE TYPE public.event_status AS ENUM (
    'draft',
    'on_sale',
    'sold_out',
    'cancelled',
    'completed'
);

-- create enum public.order_status
CREATE TYPE public.order_status AS ENUM (
    'pending',
    'paid',
    'refunded',
    'cancelled'
);

-- create enum public.staff_role
CREATE TYPE public.staff_role AS ENUM (
    'owner',
    'manager',
    'box_office',
    'scanner'
);

-- create enum public.ticket_status
CREATE TYPE public.ticket_status AS ENUM (
    'valid',
    'used',
    'void'
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

-- create function atlas_private.soft_delete_events
CREATE FUNCTION atlas_private.soft_delete_events()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.events AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_events() IS 'Soft delete of events: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_events() FROM PUBLIC;

-- create function public.mark_ticket_used
CREATE FUNCTION public.mark_ticket_used()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
begin
  update public.tickets set status = 'used' where id = new.ticket_id;
  return new;
end
$body$;
REVOKE ALL ON FUNCTION public.mark_ticket_used() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.mark_ticket_used() TO authenticated, service_role;

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

-- create table public.events_audit
CREATE TABLE public.events_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_audit_pkey PRIMARY KEY (id),
    CONSTRAINT events_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.events_audit IS 'Audit trail of events (append-only).';
COMMENT ON COLUMN public.events_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.events_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.events_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.events_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.events_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.events_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.events_audit TO service_role;

-- create table public.orders_audit
CREATE TABLE public.orders_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_audit_pkey PRIMARY KEY (id),
    CONSTRAINT orders_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.orders_audit IS 'Audit trail of orders (append-only).';
COMMENT ON COLUMN public.orders_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.orders_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.orders_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.orders_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.orders_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.orders_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.orders_audit TO service_role;

-- create table public.organizations
CREATE TABLE public.organizations (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_slug_check CHECK (slug ~ '^[a-z0-9-]+$')
);
COMMENT ON TABLE public.organizations IS 'Promoters and venues operators using StagePass.';
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.organizations FROM anon, authenticated;
GRANT SELECT, UPDATE ON TABLE public.organizations TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO service_role;

-- create table public.staff_members
CREATE TABLE public.staff_members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.staff_role NOT NULL DEFAULT 'scanner'::public.staff_role,
    display_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staff_members_pkey PRIMARY KEY (id),
    CONSTRAINT staff_members_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT staff_members_user_id_key UNIQUE (organization_id, user_id),
    CONSTRAINT staff_members_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT staff_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.staff_members IS 'Who works for which organization, and as what.';
COMMENT ON COLUMN public.staff_members.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.staff_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.staff_members FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.staff_members FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.staff_members TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.staff_members TO service_role;

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
          FROM public.staff_members AS m
          WHERE m.user_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO authenticated;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.staff_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.staff_members AS m
          WHERE m.user_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.staff_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.staff_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.staff_role) TO authenticated;

-- create table public.venues
CREATE TABLE public.venues (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    city text NOT NULL,
    capacity integer NOT NULL,
    address text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT venues_pkey PRIMARY KEY (id),
    CONSTRAINT venues_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT venues_capacity_check CHECK (capacity > 0),
    CONSTRAINT venues_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.venues IS 'Places where events happen.';
COMMENT ON COLUMN public.venues.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.venues ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.venues FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.venues FROM anon, authenticated;
GRANT SELECT ON TABLE public.venues TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.venues TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.venues TO service_role;

-- create table public.events
CREATE TABLE public.events (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    venue_id uuid NOT NULL,
    title text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    status public.event_status NOT NULL DEFAULT 'draft'::public.event_status,
    created_by uuid,
    tags text[] DEFAULT ARRAY[]::text[],
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT events_pkey PRIMARY KEY (id),
    CONSTRAINT events_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT events_ends_after_start_check CHECK (ends_at IS NULL OR ends_at > starts_at),
    CONSTRAINT events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT events_venue_id_fkey FOREIGN KEY (organization_id, venue_id) REFERENCES public.venues (organization_id, id),
    CONSTRAINT events_created_by_fkey FOREIGN KEY (organization_id, created_by) REFERENCES public.staff_members (organization_id, id) ON DELETE SET NULL (created_by)
);
COMMENT ON TABLE public.events IS 'A show on a date at a venue.';
COMMENT ON COLUMN public.events.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.events.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.events FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.events FROM anon, authenticated;
GRANT SELECT ON TABLE public.events TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.events TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.events TO service_role;

-- create table public.orders
CREATE TABLE public.orders (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    event_id uuid NOT NULL,
    buyer_email text NOT NULL,
    buyer_name text,
    status public.order_status NOT NULL DEFAULT 'pending'::public.order_status,
    total_cents integer NOT NULL DEFAULT 0,
    sold_by uuid,
    paid_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_pkey PRIMARY KEY (id),
    CONSTRAINT orders_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT orders_paid_has_date_check CHECK (status <> 'paid' OR paid_at IS NOT NULL),
    CONSTRAINT orders_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT orders_event_id_fkey FOREIGN KEY (organization_id, event_id) REFERENCES public.events (organization_id, id),
    CONSTRAINT orders_sold_by_fkey FOREIGN KEY (organization_id, sold_by) REFERENCES public.staff_members (organization_id, id) ON DELETE SET NULL (sold_by)
);
COMMENT ON TABLE public.orders IS 'A purchase of one or more tickets.';
COMMENT ON COLUMN public.orders.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.orders FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.orders FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE ON TABLE public.orders TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.orders TO service_role;

-- create table public.ticket_types
CREATE TABLE public.ticket_types (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    event_id uuid NOT NULL,
    name text NOT NULL,
    price_cents integer NOT NULL DEFAULT 0,
    quota integer NOT NULL,
    sales_open boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ticket_types_pkey PRIMARY KEY (id),
    CONSTRAINT ticket_types_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT ticket_types_price_cents_check CHECK (price_cents >= 0),
    CONSTRAINT ticket_types_event_id_name_key UNIQUE (organization_id, event_id, name),
    CONSTRAINT ticket_types_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT ticket_types_event_id_fkey FOREIGN KEY (organization_id, event_id) REFERENCES public.events (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.ticket_types IS 'Price tiers of an event.';
COMMENT ON COLUMN public.ticket_types.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.ticket_types ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.ticket_types FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.ticket_types FROM anon, authenticated;
GRANT SELECT ON TABLE public.ticket_types TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.ticket_types TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.ticket_types TO service_role;

-- create function public.open_ticket_types
CREATE FUNCTION public.open_ticket_types()
RETURNS setof ticket_types
LANGUAGE sql
STABLE
SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $body$
select * from ticket_types where sales_open and price_cents >= '0'
$body$;

-- create table public.tickets
CREATE TABLE public.tickets (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    order_id uuid NOT NULL,
    ticket_type_id uuid NOT NULL,
    code text NOT NULL DEFAULT encode(gen_random_bytes(9), 'hex'),
    status public.ticket_status NOT NULL DEFAULT CAST('valid' AS ticket_status),
    holder_name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tickets_pkey PRIMARY KEY (id),
    CONSTRAINT tickets_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT tickets_code_key UNIQUE (organization_id, code),
    CONSTRAINT tickets_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT tickets_order_id_fkey FOREIGN KEY (organization_id, order_id) REFERENCES public.orders (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT tickets_ticket_type_id_fkey FOREIGN KEY (organization_id, ticket_type_id) REFERENCES public.ticket_types (organization_id, id)
);
COMMENT ON TABLE public.tickets IS 'One admission.';
COMMENT ON COLUMN public.tickets.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tickets FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.tickets FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tickets TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tickets TO service_role;

-- create function public.event_ticket_counts
CREATE FUNCTION public.event_ticket_counts(p_event_id uuid)
RETURNS table (status ticket_status, tickets bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
select t.status, count(*)
from public.tickets t
join public.ticket_types tt on tt.id = t.ticket_type_id
where tt.event_id = event_ticket_counts.p_event_id and t.status <> 'void'
  -- a definer function reads past row level security: it must keep to the caller's tenants
  and t.organization_id = any (atlas_private.user_tenant_ids())
group by t.status
$body$;
COMMENT ON FUNCTION public.event_ticket_counts(p_event_id uuid) IS 'Tickets per status of one event, for the door staff.';
REVOKE ALL ON FUNCTION public.event_ticket_counts(p_event_id uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION public.event_ticket_counts(p_event_id uuid) TO authenticated, service_role;

-- create function public.tickets_left
CREATE FUNCTION public.tickets_left(p_ticket_type_id uuid)
RETURNS integer
LANGUAGE sql
STABLE
SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $body$
select tt.quota - (select count(*)::integer from tickets t where t.ticket_type_id = p_ticket_type_id)
from ticket_types tt where tt.id = p_ticket_type_id
$body$;

-- create table public.check_ins
CREATE TABLE public.check_ins (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    scanned_by uuid,
    gate text DEFAULT 'main',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT check_ins_pkey PRIMARY KEY (id),
    CONSTRAINT check_ins_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT check_ins_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT check_ins_ticket_id_fkey FOREIGN KEY (organization_id, ticket_id) REFERENCES public.tickets (organization_id, id),
    CONSTRAINT check_ins_scanned_by_fkey FOREIGN KEY (organization_id, scanned_by) REFERENCES public.staff_members (organization_id, id) ON DELETE SET NULL (scanned_by)
);
COMMENT ON TABLE public.check_ins IS 'A scan at the door.';
COMMENT ON COLUMN public.check_ins.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.check_ins ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.check_ins FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.check_ins FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.check_ins_id_seq FROM anon, authenticated;

GRANT SELECT, INSERT, DELETE ON TABLE public.check_ins TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.check_ins TO service_role;

-- create index public.idx_check_ins_created_at
CREATE INDEX idx_check_ins_created_at ON public.check_ins (organization_id, created_at DESC);

-- create index public.idx_check_ins_organization_id
CREATE INDEX idx_check_ins_organization_id ON public.check_ins (organization_id);

-- create index public.idx_check_ins_scanned_by
CREATE INDEX idx_check_ins_scanned_by ON public.check_ins (organization_id, scanned_by);

-- create index public.idx_check_ins_ticket_id
CREATE INDEX idx_check_ins_ticket_id ON public.check_ins (organization_id, ticket_id);

-- create index public.idx_events_audit_organization_id_changed_at
CREATE INDEX idx_events_audit_organization_id_changed_at ON public.events_audit (organization_id, changed_at DESC);

-- create index public.idx_events_created_at
CREATE INDEX idx_events_created_at ON public.events (organization_id, created_at DESC);

-- create index public.idx_events_created_by
CREATE INDEX idx_events_created_by ON public.events (organization_id, created_by);

-- create index public.idx_events_live_starts_at
CREATE INDEX idx_events_live_starts_at ON public.events (organization_id, starts_at) WHERE deleted_at IS NULL;

-- create index public.idx_events_organization_id
CREATE INDEX idx_events_organization_id ON public.events (organization_id);

-- create index public.idx_events_status_starts_at
CREATE INDEX idx_events_status_starts_at ON public.events (organization_id, status, starts_at);

-- create index public.idx_events_venue_id
CREATE INDEX idx_events_venue_id ON public.events (organization_id, venue_id);

-- create index public.idx_orders_audit_organization_id_changed_at
CREATE INDEX idx_orders_audit_organization_id_changed_at ON public.orders_audit (organization_id, changed_at DESC);

-- create index public.idx_orders_created_at
CREATE INDEX idx_orders_created_at ON public.orders (organization_id, created_at DESC);

-- create index public.idx_orders_event_id_status
CREATE INDEX idx_orders_event_id_status ON public.orders (organization_id, event_id, status);

-- create index public.idx_orders_organization_id
CREATE INDEX idx_orders_organization_id ON public.orders (organization_id);

-- create index public.idx_orders_sold_by
CREATE INDEX idx_orders_sold_by ON public.orders (organization_id, sold_by);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_staff_members_created_at
CREATE INDEX idx_staff_members_created_at ON public.staff_members (organization_id, created_at DESC);

-- create index public.idx_staff_members_organization_id
CREATE INDEX idx_staff_members_organization_id ON public.staff_members (organization_id);

-- create index public.idx_staff_members_user_id_organization_id
CREATE INDEX idx_staff_members_user_id_organization_id ON public.staff_members (user_id, organization_id);

-- create index public.idx_ticket_types_created_at
CREATE INDEX idx_ticket_types_created_at ON public.ticket_types (organization_id, created_at DESC);

-- create index public.idx_ticket_types_organization_id
CREATE INDEX idx_ticket_types_organization_id ON public.ticket_types (organization_id);

-- create index public.idx_tickets_created_at
CREATE INDEX idx_tickets_created_at ON public.tickets (organization_id, created_at DESC);

-- create index public.idx_tickets_order_id
CREATE INDEX idx_tickets_order_id ON public.tickets (organization_id, order_id);

-- create index public.idx_tickets_organization_id
CREATE INDEX idx_tickets_organization_id ON public.tickets (organization_id);

-- create index public.idx_tickets_ticket_type_id
CREATE INDEX idx_tickets_ticket_type_id ON public.tickets (organization_id, ticket_type_id);

-- create index public.idx_venues_created_at
CREATE INDEX idx_venues_created_at ON public.venues (organization_id, created_at DESC);

-- create index public.idx_venues_name
CREATE INDEX idx_venues_name ON public.venues USING gin (name gin_trgm_ops);

-- create index public.idx_venues_organization_id
CREATE INDEX idx_venues_organization_id ON public.venues (organization_id);

-- create policy public.check_ins.check_ins_delete
CREATE POLICY check_ins_delete ON public.check_ins
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
;

-- create policy public.check_ins.check_ins_insert
CREATE POLICY check_ins_insert ON public.check_ins
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.check_ins.check_ins_select
CREATE POLICY check_ins_select ON public.check_ins
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.check_ins.check_ins_tenant_fence
CREATE POLICY check_ins_tenant_fence ON public.check_ins
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.events.events_delete
CREATE POLICY events_delete ON public.events
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])))
;

-- create policy public.events.events_insert
CREATE POLICY events_insert ON public.events
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[]))))
;

-- create policy public.events.events_select
CREATE POLICY events_select ON public.events
    AS PERMISSIVE
    FOR SELECT
    TO anon, authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.events.events_tenant_fence
CREATE POLICY events_tenant_fence ON public.events
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.events.events_update
CREATE POLICY events_update ON public.events
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((created_by = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[]))))
    WITH CHECK ((deleted_at IS NULL) AND ((created_by = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[]))))
;

-- create policy public.events_audit.events_audit_select
CREATE POLICY events_audit_select ON public.events_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.events_audit.events_audit_tenant_fence
CREATE POLICY events_audit_tenant_fence ON public.events_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.orders.orders_insert
CREATE POLICY orders_insert ON public.orders
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('box_office'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])))
;

-- create policy public.orders.orders_select
CREATE POLICY orders_select ON public.orders
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.orders.orders_tenant_fence
CREATE POLICY orders_tenant_fence ON public.orders
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.orders.orders_update
CREATE POLICY orders_update ON public.orders
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((sold_by = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])))
    WITH CHECK ((sold_by = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])))
;

-- create policy public.orders_audit.orders_audit_select
CREATE POLICY orders_audit_select ON public.orders_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.orders_audit.orders_audit_tenant_fence
CREATE POLICY orders_audit_tenant_fence ON public.orders_audit
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
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
;

-- create policy public.staff_members.staff_members_delete
CREATE POLICY staff_members_delete ON public.staff_members
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
;

-- create policy public.staff_members.staff_members_insert
CREATE POLICY staff_members_insert ON public.staff_members
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
;

-- create policy public.staff_members.staff_members_select
CREATE POLICY staff_members_select ON public.staff_members
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.staff_members.staff_members_tenant_fence
CREATE POLICY staff_members_tenant_fence ON public.staff_members
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.staff_members.staff_members_update
CREATE POLICY staff_members_update ON public.staff_members
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
;

-- create policy public.ticket_types.ticket_types_delete
CREATE POLICY ticket_types_delete ON public.ticket_types
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
;

-- create policy public.ticket_types.ticket_types_insert
CREATE POLICY ticket_types_insert ON public.ticket_types
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
;

-- create policy public.ticket_types.ticket_types_select
CREATE POLICY ticket_types_select ON public.ticket_types
    AS PERMISSIVE
    FOR SELECT
    TO anon, authenticated
    USING (true)
;

-- create policy public.ticket_types.ticket_types_tenant_fence
CREATE POLICY ticket_types_tenant_fence ON public.ticket_types
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.ticket_types.ticket_types_update
CREATE POLICY ticket_types_update ON public.ticket_types
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
;

-- create policy public.tickets.scanners_see_valid_tickets
CREATE POLICY scanners_see_valid_tickets ON public.tickets
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (status IN ('valid', 'used') AND status <> CAST('void' AS ticket_status))
;

-- create policy public.tickets.tickets_delete
CREATE POLICY tickets_delete ON public.tickets
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
;

-- create policy public.tickets.tickets_insert
CREATE POLICY tickets_insert ON public.tickets
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('box_office'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])))
;

-- create policy public.tickets.tickets_select
CREATE POLICY tickets_select ON public.tickets
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
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
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.venues.venues_delete
CREATE POLICY venues_delete ON public.venues
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[]))
;

-- create policy public.venues.venues_insert
CREATE POLICY venues_insert ON public.venues
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
;

-- create policy public.venues.venues_select
CREATE POLICY venues_select ON public.venues
    AS PERMISSIVE
    FOR SELECT
    TO anon, authenticated
    USING (true)
;

-- create policy public.venues.venues_tenant_fence
CREATE POLICY venues_tenant_fence ON public.venues
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.venues.venues_update
CREATE POLICY venues_update ON public.venues
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.staff_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('manager'::public.staff_role))::uuid[])))
;

-- create trigger public.check_ins.mark_ticket_used
CREATE TRIGGER mark_ticket_used
    AFTER INSERT ON public.check_ins
    FOR EACH ROW
    EXECUTE FUNCTION public.mark_ticket_used();

-- create trigger public.check_ins.update_check_ins_updated_at
CREATE TRIGGER update_check_ins_updated_at
    BEFORE UPDATE ON public.check_ins
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.events.audit_events
CREATE TRIGGER audit_events
    AFTER INSERT OR UPDATE OR DELETE ON public.events
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('events_audit', 'organization_id', 'id', '', 'deleted_at');

-- create trigger public.events.soft_delete_events
CREATE TRIGGER soft_delete_events
    BEFORE DELETE ON public.events
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_events();

-- create trigger public.events.update_events_updated_at
CREATE TRIGGER update_events_updated_at
    BEFORE UPDATE ON public.events
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.orders.audit_orders
CREATE TRIGGER audit_orders
    AFTER INSERT OR UPDATE OR DELETE ON public.orders
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('orders_audit', 'organization_id', 'id', 'buyer_email');

-- create trigger public.orders.update_orders_updated_at
CREATE TRIGGER update_orders_updated_at
    BEFORE UPDATE ON public.orders
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.staff_members.update_staff_members_updated_at
CREATE TRIGGER update_staff_members_updated_at
    BEFORE UPDATE ON public.staff_members
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.ticket_types.update_ticket_types_updated_at
CREATE TRIGGER update_ticket_types_updated_at
    BEFORE UPDATE ON public.ticket_types
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.tickets.update_tickets_updated_at
CREATE TRIGGER update_tickets_updated_at
    BEFORE UPDATE ON public.tickets
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.venues.update_venues_updated_at
CREATE TRIGGER update_venues_updated_at
    BEFORE UPDATE ON public.venues
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.event_sales
CREATE MATERIALIZED VIEW atlas_private.event_sales AS
SELECT o.organization_id
     , o.event_id
     , count(t.id) AS tickets_sold
     , sum(tt.price_cents) AS revenue_cents
FROM orders AS o
     INNER JOIN tickets AS t ON t.order_id = o.id
     INNER JOIN ticket_types AS tt ON tt.id = t.ticket_type_id
WHERE o.status = 'paid'
GROUP BY o.organization_id, o.event_id
WITH DATA;
REVOKE ALL ON TABLE atlas_private.event_sales FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.event_sales_rows
CREATE FUNCTION atlas_private.event_sales_rows()
RETURNS SETOF atlas_private.event_sales
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.event_sales AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.event_sales_rows() IS 'Rows of materialized view event_sales the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.event_sales_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.event_sales_rows() TO authenticated;

-- create index atlas_private.idx_event_sales_organization_id_event_id
-- the materialized view is created in this transaction: nothing reads it yet
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_event_sales_organization_id_event_id ON atlas_private.event_sales (organization_id, event_id);

-- create view public.event_sales
CREATE VIEW public.event_sales WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.event_sales_rows();
REVOKE ALL ON TABLE public.event_sales FROM anon, authenticated;
GRANT SELECT ON TABLE public.event_sales TO authenticated;

-- create view public.public_event_listing
CREATE VIEW public.public_event_listing WITH (security_invoker = true) AS
SELECT e.id
     , e.title
     , e.starts_at
     , v.name AS venue_name
     , v.city
     , min(tt.price_cents) AS from_price_cents
FROM events AS e
     INNER JOIN venues AS v ON v.id = e.venue_id
     INNER JOIN ticket_types AS tt ON tt.event_id = e.id
WHERE e.status = 'on_sale'
GROUP BY e.id, e.title, e.starts_at, v.name, v.city;
COMMENT ON VIEW public.public_event_listing IS 'What the public site shows.';
REVOKE ALL ON TABLE public.public_event_listing FROM anon, authenticated;
GRANT SELECT ON TABLE public.public_event_listing TO authenticated;

-- create publication table supabase_realtime.public.events
ALTER PUBLICATION supabase_realtime ADD TABLE public.events;
COMMIT;
