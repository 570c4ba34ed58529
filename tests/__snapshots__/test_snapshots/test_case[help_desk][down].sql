-- atlas-compile migration 0001_initial (down)
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

-- drop publication table supabase_realtime.public.tickets
-- hazard: AUTHZ_UPDATE
ALTER PUBLICATION supabase_realtime DROP TABLE public.tickets;

-- drop view public.ticket_stats_daily
DROP VIEW public.ticket_stats_daily;

-- drop view public.open_tickets
DROP VIEW public.open_tickets;

-- drop function atlas_private.ticket_stats_daily_rows
DROP FUNCTION atlas_private.ticket_stats_daily_rows();

-- drop view atlas_private.ticket_stats_daily
DROP MATERIALIZED VIEW atlas_private.ticket_stats_daily;

-- drop trigger public.tickets.update_tickets_updated_at
DROP TRIGGER update_tickets_updated_at ON public.tickets;

-- drop trigger public.tickets.soft_delete_tickets
DROP TRIGGER soft_delete_tickets ON public.tickets;

-- drop trigger public.tickets.audit_tickets
DROP TRIGGER audit_tickets ON public.tickets;

-- drop trigger public.ticket_tags.update_ticket_tags_updated_at
DROP TRIGGER update_ticket_tags_updated_at ON public.ticket_tags;

-- drop trigger public.ticket_comments.update_ticket_comments_updated_at
DROP TRIGGER update_ticket_comments_updated_at ON public.ticket_comments;

-- drop trigger public.tags.update_tags_updated_at
DROP TRIGGER update_tags_updated_at ON public.tags;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.kb_articles.update_kb_articles_updated_at
DROP TRIGGER update_kb_articles_updated_at ON public.kb_articles;

-- drop trigger public.customers.update_customers_updated_at
DROP TRIGGER update_customers_updated_at ON public.customers;

-- drop trigger public.agents.update_agents_updated_at
DROP TRIGGER update_agents_updated_at ON public.agents;

-- drop policy public.tickets_audit.tickets_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_audit_tenant_fence ON public.tickets_audit;

-- drop policy public.tickets_audit.tickets_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tickets_audit_select ON public.tickets_audit;

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

-- drop policy public.ticket_tags.ticket_tags_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_tags_tenant_fence ON public.ticket_tags;

-- drop policy public.ticket_tags.ticket_tags_select
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_tags_select ON public.ticket_tags;

-- drop policy public.ticket_tags.ticket_tags_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_tags_insert ON public.ticket_tags;

-- drop policy public.ticket_tags.ticket_tags_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_tags_delete ON public.ticket_tags;

-- drop policy public.ticket_comments.ticket_comments_update
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_comments_update ON public.ticket_comments;

-- drop policy public.ticket_comments.ticket_comments_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_comments_tenant_fence ON public.ticket_comments;

-- drop policy public.ticket_comments.ticket_comments_select
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_comments_select ON public.ticket_comments;

-- drop policy public.ticket_comments.ticket_comments_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_comments_insert ON public.ticket_comments;

-- drop policy public.ticket_comments.ticket_comments_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY ticket_comments_delete ON public.ticket_comments;

-- drop policy public.tags.tags_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tags_update ON public.tags;

-- drop policy public.tags.tags_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY tags_tenant_fence ON public.tags;

-- drop policy public.tags.tags_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tags_select ON public.tags;

-- drop policy public.tags.tags_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY tags_insert ON public.tags;

-- drop policy public.tags.tags_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY tags_delete ON public.tags;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.kb_articles.kb_articles_update
-- hazard: AUTHZ_UPDATE
DROP POLICY kb_articles_update ON public.kb_articles;

-- drop policy public.kb_articles.kb_articles_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY kb_articles_tenant_fence ON public.kb_articles;

-- drop policy public.kb_articles.kb_articles_select
-- hazard: AUTHZ_UPDATE
DROP POLICY kb_articles_select ON public.kb_articles;

-- drop policy public.kb_articles.kb_articles_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY kb_articles_insert ON public.kb_articles;

-- drop policy public.kb_articles.kb_articles_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY kb_articles_delete ON public.kb_articles;

-- drop policy public.customers.customers_update
-- hazard: AUTHZ_UPDATE
DROP POLICY customers_update ON public.customers;

-- drop policy public.customers.customers_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY customers_tenant_fence ON public.customers;

-- drop policy public.customers.customers_select
-- hazard: AUTHZ_UPDATE
DROP POLICY customers_select ON public.customers;

-- drop policy public.customers.customers_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY customers_insert ON public.customers;

-- drop policy public.customers.customers_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY customers_delete ON public.customers;

-- drop policy public.agents.agents_update
-- hazard: AUTHZ_UPDATE
DROP POLICY agents_update ON public.agents;

-- drop policy public.agents.agents_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY agents_tenant_fence ON public.agents;

-- drop policy public.agents.agents_select
-- hazard: AUTHZ_UPDATE
DROP POLICY agents_select ON public.agents;

-- drop policy public.agents.agents_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY agents_insert ON public.agents;

-- drop policy public.agents.agents_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY agents_delete ON public.agents;

-- drop table public.tickets_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.tickets_audit;

-- drop table public.ticket_tags
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.ticket_tags;

-- drop table public.ticket_comments
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.ticket_comments;

-- drop table public.tickets
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.tickets;

-- drop table public.tags
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.tags;

-- drop table public.kb_articles
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.kb_articles;

-- drop table public.customers
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.customers;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.agent_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.agents
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.agents;

-- drop table public.organizations
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.organizations;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function atlas_private.soft_delete_tickets
DROP FUNCTION atlas_private.soft_delete_tickets();

-- drop function atlas_private.bypasses_row_security
DROP FUNCTION atlas_private.bypasses_row_security();

-- drop function atlas_private.audit_row
DROP FUNCTION atlas_private.audit_row();

-- drop enum public.ticket_status
DROP TYPE public.ticket_status;

-- drop enum public.ticket_priority
DROP TYPE public.ticket_priority;

-- drop enum public.comment_visibility
DROP TYPE public.comment_visibility;

-- drop enum public.agent_role
DROP TYPE public.agent_role;

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
