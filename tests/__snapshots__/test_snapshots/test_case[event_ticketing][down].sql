-- atlas-compile migration 0001_initial (down)
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

-- drop publication table supabase_realtime.public.events
-- hazard: AUTHZ_UPDATE
ALTER PUBLICATION supabase_realtime DROP TABLE public.events;

-- drop view public.public_event_listing
DROP VIEW public.public_event_listing;

-- drop view public.event_sales
DROP VIEW public.event_sales;

-- drop function atlas_private.event_sales_rows
DROP FUNCTION atlas_private.event_sales_rows();

-- drop view atlas_private.event_sales
DROP MATERIALIZED VIEW atlas_private.event_sales;

-- drop trigger public.venues.update_venues_updated_at
DROP TRIGGER update_venues_updated_at ON public.venues;

-- drop trigger public.tickets.update_tickets_updated_at
DROP TRIGGER update_tickets_updated_at ON public.tickets;

-- drop trigger public.ticket_types.update_ticket_types_updated_at
DROP TRIGGER update_ticket_types_updated_at ON public.ticket_types;

-- drop trigger public.staff_members.update_staff_members_updated_at
DROP TRIGGER update_staff_members_updated_at ON public.staff_members;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.orders.update_orders_updated_at
DROP TRIGGER update_orders_updated_at ON public.orders;

-- drop trigger public.orders.audit_orders
DROP TRIGGER audit_orders ON public.orders;

-- drop trigger public.events.update_events_updated_at
DROP TRIGGER update_events_updated_at ON public.events;

-- drop trigger public.events.soft_delete_events
DROP TRIGGER soft_delete_events ON public.events;

-- drop trigger public.events.audit_events
DROP TRIGGER audit_events ON public.events;

-- drop trigger public.check_ins.update_check_ins_updated_at
DROP TRIGGER update_check_ins_updated_at ON public.check_ins;

-- drop trigger public.check_ins.mark_ticket_used
DROP TRIGGER mark_ticket_used ON public.check_ins;

-- drop policy public.venues.venues_update
-- hazard: AUTHZ_UPDATE
DROP POLICY venues_update ON public.venues;

-- drop policy public.venues.venues_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY venues_tenant_fence ON public.venues;

-- drop policy public.venues.venues_select
-- hazard: AUTHZ_UPDATE
DROP POLICY venues_select ON public.venues;

-- drop policy public.venues.venues_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY venues_insert ON public.venues;

-- drop policy public.venues.venues_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY venues_delete ON public.venues;

-- drop policy public.tickets.tickets_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_update ON public.tickets;

-- drop policy public.tickets.tickets_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_tenant_fence ON public.tickets;

-- drop policy public.tickets.tickets_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_select ON public.tickets;

-- drop policy public.tickets.tickets_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_insert ON public.tickets;

-- drop policy public.tickets.tickets_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_delete ON public.tickets;

-- drop policy public.tickets.scanners_see_valid_tickets
-- hazard: AUTHZ_UPDATE
DROP POLICY scanners_see_valid_tickets ON public.tickets;

-- drop policy public.ticket_types.ticket_types_update
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_types_update ON public.ticket_types;

-- drop policy public.ticket_types.ticket_types_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_types_tenant_fence ON public.ticket_types;

-- drop policy public.ticket_types.ticket_types_select
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_types_select ON public.ticket_types;

-- drop policy public.ticket_types.ticket_types_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_types_insert ON public.ticket_types;

-- drop policy public.ticket_types.ticket_types_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_types_delete ON public.ticket_types;

-- drop policy public.staff_members.staff_members_update
-- hazard: AUTHZ_UPDATE
DROP POLICY staff_members_update ON public.staff_members;

-- drop policy public.staff_members.staff_members_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY staff_members_tenant_fence ON public.staff_members;

-- drop policy public.staff_members.staff_members_select
-- hazard: AUTHZ_UPDATE
DROP POLICY staff_members_select ON public.staff_members;

-- drop policy public.staff_members.staff_members_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY staff_members_insert ON public.staff_members;

-- drop policy public.staff_members.staff_members_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY staff_members_delete ON public.staff_members;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.orders_audit.orders_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY orders_audit_tenant_fence ON public.orders_audit;

-- drop policy public.orders_audit.orders_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY orders_audit_select ON public.orders_audit;

-- drop policy public.orders.orders_update
-- hazard: AUTHZ_UPDATE
DROP POLICY orders_update ON public.orders;

-- drop policy public.orders.orders_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY orders_tenant_fence ON public.orders;

-- drop policy public.orders.orders_select
-- hazard: AUTHZ_UPDATE
DROP POLICY orders_select ON public.orders;

-- drop policy public.orders.orders_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY orders_insert ON public.orders;

-- drop policy public.events_audit.events_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY events_audit_tenant_fence ON public.events_audit;

-- drop policy public.events_audit.events_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY events_audit_select ON public.events_audit;

-- drop policy public.events.events_update
-- hazard: AUTHZ_UPDATE
DROP POLICY events_update ON public.events;

-- drop policy public.events.events_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY events_tenant_fence ON public.events;

-- drop policy public.events.events_select
-- hazard: AUTHZ_UPDATE
DROP POLICY events_select ON public.events;

-- drop policy public.events.events_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY events_insert ON public.events;

-- drop policy public.events.events_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY events_delete ON public.events;

-- drop policy public.check_ins.check_ins_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY check_ins_tenant_fence ON public.check_ins;

-- drop policy public.check_ins.check_ins_select
-- hazard: AUTHZ_UPDATE
DROP POLICY check_ins_select ON public.check_ins;

-- drop policy public.check_ins.check_ins_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY check_ins_insert ON public.check_ins;

-- drop policy public.check_ins.check_ins_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY check_ins_delete ON public.check_ins;

-- drop table public.check_ins
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.check_ins;

-- drop function public.tickets_left
DROP FUNCTION public.tickets_left(p_ticket_type_id uuid);

-- drop function public.event_ticket_counts
DROP FUNCTION public.event_ticket_counts(p_event_id uuid);

-- drop table public.tickets
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.tickets;

-- drop function public.open_ticket_types
DROP FUNCTION public.open_ticket_types();

-- drop table public.ticket_types
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.ticket_types;

-- drop table public.orders
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.orders;

-- drop table public.events
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.events;

-- drop table public.venues
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.venues;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.staff_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.staff_members
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.staff_members;

-- drop table public.organizations
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.organizations;

-- drop table public.orders_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.orders_audit;

-- drop table public.events_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.events_audit;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function public.mark_ticket_used
DROP FUNCTION public.mark_ticket_used();

-- drop function atlas_private.soft_delete_events
DROP FUNCTION atlas_private.soft_delete_events();

-- drop function atlas_private.bypasses_row_security
DROP FUNCTION atlas_private.bypasses_row_security();

-- drop function atlas_private.audit_row
DROP FUNCTION atlas_private.audit_row();

-- drop enum public.ticket_status
DROP TYPE public.ticket_status;

-- drop enum public.staff_role
DROP TYPE public.staff_role;

-- drop enum public.order_status
DROP TYPE public.order_status;

-- drop enum public.event_status
DROP TYPE public.event_status;

-- drop extension pgcrypto
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pgcrypto') = 'installed by atlas-compile' THEN
        DROP EXTENSION pgcrypto;
    END IF;
END
$atlas$;

-- drop extension pg_trgm
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pg_trgm') = 'installed by atlas-compile' THEN
        DROP EXTENSION pg_trgm;
    END IF;
END
$atlas$;

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
