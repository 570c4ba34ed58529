-- atlas-compile migration 0001_initial (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop encrypted column public.members.emergency_contact
-- hazard: TABLE_SCAN
DROP TRIGGER IF EXISTS encrypt_emergency_contact ON public.members;
DROP FUNCTION atlas_private.encrypt_members_emergency_contact();

-- drop view public.members_decrypted
DROP VIEW public.members_decrypted;

-- drop encryption key atlas_encryption_key
DROP FUNCTION atlas_private.decrypt_value(text);
DROP FUNCTION atlas_private.encrypt_value(text);
-- nothing is encrypted under the key any more: it goes with the migration that made it
-- squawk-ignore ban-drop-table
DROP TABLE IF EXISTS atlas_private.encryption_key;
DROP FUNCTION atlas_private.encryption_key();

-- drop schedule atlas_refresh_lead_funnel_daily
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'atlas_refresh_lead_funnel_daily' AND username = CURRENT_USER) THEN
            PERFORM cron.unschedule('atlas_refresh_lead_funnel_daily');
        END IF;
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % was not scheduled here', pg_catalog.current_database(), 'atlas_refresh_lead_funnel_daily';
    END IF;
END
$atlas$;

-- drop schedule atlas_maintain_partitions
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'atlas_maintain_partitions' AND username = CURRENT_USER) THEN
            PERFORM cron.unschedule('atlas_maintain_partitions');
        END IF;
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % was not scheduled here', pg_catalog.current_database(), 'atlas_maintain_partitions';
    END IF;
END
$atlas$;

-- drop publication table supabase_realtime.public.messages
-- hazard: AUTHZ_UPDATE
ALTER PUBLICATION supabase_realtime DROP TABLE public.messages;

-- drop publication table supabase_realtime.public.leads
-- hazard: AUTHZ_UPDATE
ALTER PUBLICATION supabase_realtime DROP TABLE public.leads;

-- drop publication table supabase_realtime.public.check_ins
-- hazard: AUTHZ_UPDATE
ALTER PUBLICATION supabase_realtime DROP TABLE public.check_ins;

-- drop view public.open_tasks
DROP VIEW public.open_tasks;

-- drop view public.lead_funnel_daily
DROP VIEW public.lead_funnel_daily;

-- drop function atlas_private.refresh_lead_funnel_daily
DROP FUNCTION atlas_private.refresh_lead_funnel_daily();

-- drop function atlas_private.lead_funnel_daily_rows
DROP FUNCTION atlas_private.lead_funnel_daily_rows();

-- drop view atlas_private.lead_funnel_daily
DROP MATERIALIZED VIEW atlas_private.lead_funnel_daily;

-- drop trigger public.workflows.update_workflows_updated_at
DROP TRIGGER update_workflows_updated_at ON public.workflows;

-- drop trigger public.workflow_steps.update_workflow_steps_updated_at
DROP TRIGGER update_workflow_steps_updated_at ON public.workflow_steps;

-- drop trigger public.workflow_executions.update_workflow_executions_updated_at
DROP TRIGGER update_workflow_executions_updated_at ON public.workflow_executions;

-- drop trigger public.tasks.update_tasks_updated_at
DROP TRIGGER update_tasks_updated_at ON public.tasks;

-- drop trigger public.tasks.soft_delete_tasks
DROP TRIGGER soft_delete_tasks ON public.tasks;

-- drop trigger public.tags.update_tags_updated_at
DROP TRIGGER update_tags_updated_at ON public.tags;

-- drop trigger public.payments.update_payments_updated_at
DROP TRIGGER update_payments_updated_at ON public.payments;

-- drop trigger public.payments.audit_payments
DROP TRIGGER audit_payments ON public.payments;

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.messages.update_messages_updated_at
DROP TRIGGER update_messages_updated_at ON public.messages;

-- drop trigger public.messages.notify_message_sent
DROP TRIGGER notify_message_sent ON public.messages;

-- drop trigger public.message_templates.update_message_templates_updated_at
DROP TRIGGER update_message_templates_updated_at ON public.message_templates;

-- drop trigger public.membership_plans.update_membership_plans_updated_at
DROP TRIGGER update_membership_plans_updated_at ON public.membership_plans;

-- drop trigger public.members.update_members_updated_at
DROP TRIGGER update_members_updated_at ON public.members;

-- drop trigger public.leads.update_leads_updated_at
DROP TRIGGER update_leads_updated_at ON public.leads;

-- drop trigger public.leads.soft_delete_leads
DROP TRIGGER soft_delete_leads ON public.leads;

-- drop trigger public.leads.audit_leads
DROP TRIGGER audit_leads ON public.leads;

-- drop trigger public.lead_sources.update_lead_sources_updated_at
DROP TRIGGER update_lead_sources_updated_at ON public.lead_sources;

-- drop trigger public.lead_notes.update_lead_notes_updated_at
DROP TRIGGER update_lead_notes_updated_at ON public.lead_notes;

-- drop trigger public.classes.update_classes_updated_at
DROP TRIGGER update_classes_updated_at ON public.classes;

-- drop trigger public.class_sessions.update_class_sessions_updated_at
DROP TRIGGER update_class_sessions_updated_at ON public.class_sessions;

-- drop trigger public.check_ins.update_check_ins_updated_at
DROP TRIGGER update_check_ins_updated_at ON public.check_ins;

-- drop trigger public.bookings.update_bookings_updated_at
DROP TRIGGER update_bookings_updated_at ON public.bookings;

-- drop trigger public.bookings.audit_bookings
DROP TRIGGER audit_bookings ON public.bookings;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

-- drop policy public.workflows.workflows_update
-- hazard: AUTHZ_UPDATE
DROP POLICY workflows_update ON public.workflows;

-- drop policy public.workflows.workflows_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY workflows_tenant_fence ON public.workflows;

-- drop policy public.workflows.workflows_select
-- hazard: AUTHZ_UPDATE
DROP POLICY workflows_select ON public.workflows;

-- drop policy public.workflows.workflows_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY workflows_insert ON public.workflows;

-- drop policy public.workflows.workflows_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY workflows_delete ON public.workflows;

-- drop policy public.workflow_steps.workflow_steps_update
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_steps_update ON public.workflow_steps;

-- drop policy public.workflow_steps.workflow_steps_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_steps_tenant_fence ON public.workflow_steps;

-- drop policy public.workflow_steps.workflow_steps_select
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_steps_select ON public.workflow_steps;

-- drop policy public.workflow_steps.workflow_steps_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_steps_insert ON public.workflow_steps;

-- drop policy public.workflow_steps.workflow_steps_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_steps_delete ON public.workflow_steps;

-- drop policy public.workflow_executions.workflow_executions_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_executions_tenant_fence ON public.workflow_executions;

-- drop policy public.workflow_executions.workflow_executions_select
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_executions_select ON public.workflow_executions;

-- drop policy public.workflow_executions.workflow_executions_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY workflow_executions_delete ON public.workflow_executions;

-- drop policy public.tasks.tasks_update
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_update ON public.tasks;

-- drop policy public.tasks.tasks_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_tenant_fence ON public.tasks;

-- drop policy public.tasks.tasks_select
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_select ON public.tasks;

-- drop policy public.tasks.tasks_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_insert ON public.tasks;

-- drop policy public.tasks.tasks_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY tasks_delete ON public.tasks;

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

-- drop policy public.payments_audit.payments_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY payments_audit_tenant_fence ON public.payments_audit;

-- drop policy public.payments_audit.payments_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY payments_audit_select ON public.payments_audit;

-- drop policy public.payments.payments_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY payments_tenant_fence ON public.payments;

-- drop policy public.payments.payments_select
-- hazard: AUTHZ_UPDATE
DROP POLICY payments_select ON public.payments;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.messages.messages_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_tenant_fence ON public.messages;

-- drop policy public.messages.messages_select
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_select ON public.messages;

-- drop policy public.messages.messages_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_insert ON public.messages;

-- drop policy public.messages.messages_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_delete ON public.messages;

-- drop policy public.message_templates.message_templates_update
-- hazard: AUTHZ_UPDATE
DROP POLICY message_templates_update ON public.message_templates;

-- drop policy public.message_templates.message_templates_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY message_templates_tenant_fence ON public.message_templates;

-- drop policy public.message_templates.message_templates_select
-- hazard: AUTHZ_UPDATE
DROP POLICY message_templates_select ON public.message_templates;

-- drop policy public.message_templates.message_templates_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY message_templates_insert ON public.message_templates;

-- drop policy public.message_templates.message_templates_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY message_templates_delete ON public.message_templates;

-- drop policy public.membership_plans.membership_plans_update
-- hazard: AUTHZ_UPDATE
DROP POLICY membership_plans_update ON public.membership_plans;

-- drop policy public.membership_plans.membership_plans_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY membership_plans_tenant_fence ON public.membership_plans;

-- drop policy public.membership_plans.membership_plans_select
-- hazard: AUTHZ_UPDATE
DROP POLICY membership_plans_select ON public.membership_plans;

-- drop policy public.membership_plans.membership_plans_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY membership_plans_insert ON public.membership_plans;

-- drop policy public.membership_plans.membership_plans_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY membership_plans_delete ON public.membership_plans;

-- drop policy public.members.members_update
-- hazard: AUTHZ_UPDATE
DROP POLICY members_update ON public.members;

-- drop policy public.members.members_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY members_tenant_fence ON public.members;

-- drop policy public.members.members_select
-- hazard: AUTHZ_UPDATE
DROP POLICY members_select ON public.members;

-- drop policy public.members.members_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY members_insert ON public.members;

-- drop policy public.members.members_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY members_delete ON public.members;

-- drop policy public.leads_audit.leads_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_audit_tenant_fence ON public.leads_audit;

-- drop policy public.leads_audit.leads_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_audit_select ON public.leads_audit;

-- drop policy public.leads.leads_update
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_update ON public.leads;

-- drop policy public.leads.leads_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_tenant_fence ON public.leads;

-- drop policy public.leads.leads_select
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_select ON public.leads;

-- drop policy public.leads.leads_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_insert ON public.leads;

-- drop policy public.leads.leads_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY leads_delete ON public.leads;

-- drop policy public.leads.claim_unassigned_leads
-- hazard: AUTHZ_UPDATE
DROP POLICY claim_unassigned_leads ON public.leads;

-- drop policy public.lead_tags.lead_tags_update
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_tags_update ON public.lead_tags;

-- drop policy public.lead_tags.lead_tags_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_tags_tenant_fence ON public.lead_tags;

-- drop policy public.lead_tags.lead_tags_select
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_tags_select ON public.lead_tags;

-- drop policy public.lead_tags.lead_tags_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_tags_insert ON public.lead_tags;

-- drop policy public.lead_tags.lead_tags_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_tags_delete ON public.lead_tags;

-- drop policy public.lead_sources.lead_sources_update
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_sources_update ON public.lead_sources;

-- drop policy public.lead_sources.lead_sources_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_sources_tenant_fence ON public.lead_sources;

-- drop policy public.lead_sources.lead_sources_select
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_sources_select ON public.lead_sources;

-- drop policy public.lead_sources.lead_sources_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_sources_insert ON public.lead_sources;

-- drop policy public.lead_sources.lead_sources_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_sources_delete ON public.lead_sources;

-- drop policy public.lead_notes.lead_notes_update
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_notes_update ON public.lead_notes;

-- drop policy public.lead_notes.lead_notes_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_notes_tenant_fence ON public.lead_notes;

-- drop policy public.lead_notes.lead_notes_select
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_notes_select ON public.lead_notes;

-- drop policy public.lead_notes.lead_notes_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_notes_insert ON public.lead_notes;

-- drop policy public.lead_notes.lead_notes_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY lead_notes_delete ON public.lead_notes;

-- drop policy public.classes.classes_update
-- hazard: AUTHZ_UPDATE
DROP POLICY classes_update ON public.classes;

-- drop policy public.classes.classes_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY classes_tenant_fence ON public.classes;

-- drop policy public.classes.classes_select
-- hazard: AUTHZ_UPDATE
DROP POLICY classes_select ON public.classes;

-- drop policy public.classes.classes_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY classes_insert ON public.classes;

-- drop policy public.classes.classes_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY classes_delete ON public.classes;

-- drop policy public.class_sessions.class_sessions_update
-- hazard: AUTHZ_UPDATE
DROP POLICY class_sessions_update ON public.class_sessions;

-- drop policy public.class_sessions.class_sessions_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY class_sessions_tenant_fence ON public.class_sessions;

-- drop policy public.class_sessions.class_sessions_select
-- hazard: AUTHZ_UPDATE
DROP POLICY class_sessions_select ON public.class_sessions;

-- drop policy public.class_sessions.class_sessions_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY class_sessions_insert ON public.class_sessions;

-- drop policy public.class_sessions.class_sessions_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY class_sessions_delete ON public.class_sessions;

-- drop policy public.check_ins.check_ins_update
-- hazard: AUTHZ_UPDATE
DROP POLICY check_ins_update ON public.check_ins;

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

-- drop policy public.bookings_audit.bookings_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_audit_tenant_fence ON public.bookings_audit;

-- drop policy public.bookings_audit.bookings_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_audit_select ON public.bookings_audit;

-- drop policy public.bookings.bookings_update
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_update ON public.bookings;

-- drop policy public.bookings.bookings_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_tenant_fence ON public.bookings;

-- drop policy public.bookings.bookings_select
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_select ON public.bookings;

-- drop policy public.bookings.bookings_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_insert ON public.bookings;

-- drop policy public.bookings.bookings_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY bookings_delete ON public.bookings;

-- drop policy public.auth_users.auth_users_update
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_update ON public.auth_users;

-- drop policy public.auth_users.auth_users_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_tenant_fence ON public.auth_users;

-- drop policy public.auth_users.auth_users_select
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_select ON public.auth_users;

-- drop policy public.auth_users.auth_users_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_insert ON public.auth_users;

-- drop policy public.auth_users.auth_users_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY auth_users_delete ON public.auth_users;

-- drop foreign key public.workflows.workflows_current_step_id_fkey
ALTER TABLE public.workflows DROP CONSTRAINT workflows_current_step_id_fkey;

-- drop foreign key public.workflow_steps.workflow_steps_workflow_id_fkey
ALTER TABLE public.workflow_steps DROP CONSTRAINT workflow_steps_workflow_id_fkey;

-- drop table public.workflow_executions
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.workflow_executions;

-- drop table public.workflows
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.workflows;

-- drop table public.workflow_steps
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.workflow_steps;

-- drop table public.tasks
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.tasks;

-- drop table public.lead_tags
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.lead_tags;

-- drop table public.tags
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.tags;

-- drop table public.payments_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.payments_audit;

-- drop table public.payments
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.payments;

-- drop table public.messages
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.messages;

-- drop table public.message_templates
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.message_templates;

-- drop table public.check_ins
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.check_ins;

-- drop table public.bookings
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.bookings;

-- drop table public.members
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.members;

-- drop table public.membership_plans
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.membership_plans;

-- drop table public.lead_notes
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.lead_notes;

-- drop table public.leads
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.leads;

-- drop table public.lead_sources
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.lead_sources;

-- drop table public.class_sessions
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.class_sessions;

-- drop table public.classes
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.classes;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.member_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.auth_users
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.auth_users;

-- drop table public.organizations
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.organizations;

-- drop table public.leads_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.leads_audit;

-- drop table public.bookings_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.bookings_audit;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function public.notify_message_sent
DROP FUNCTION public.notify_message_sent();

-- drop function atlas_private.soft_delete_tasks
DROP FUNCTION atlas_private.soft_delete_tasks();

-- drop function atlas_private.soft_delete_leads
DROP FUNCTION atlas_private.soft_delete_leads();

-- drop function atlas_private.make_partitions
DROP FUNCTION atlas_private.make_partitions(p_parent regclass, p_unit text, p_count integer, p_premake integer, p_from timestamptz, p_at timestamptz);

-- drop function atlas_private.maintain_partitions
DROP FUNCTION atlas_private.maintain_partitions(p_at timestamptz);

-- drop function atlas_private.fence_partitions
DROP FUNCTION atlas_private.fence_partitions(p_parent regclass);

-- drop function atlas_private.bypasses_row_security
DROP FUNCTION atlas_private.bypasses_row_security();

-- drop function atlas_private.audit_row
DROP FUNCTION atlas_private.audit_row();

-- drop enum public.workflow_trigger
DROP TYPE public.workflow_trigger;

-- drop enum public.workflow_action
DROP TYPE public.workflow_action;

-- drop enum public.task_priority
DROP TYPE public.task_priority;

-- drop enum public.payment_status
DROP TYPE public.payment_status;

-- drop enum public.organization_plan
DROP TYPE public.organization_plan;

-- drop enum public.message_direction
DROP TYPE public.message_direction;

-- drop enum public.message_channel
DROP TYPE public.message_channel;

-- drop enum public.member_status
DROP TYPE public.member_status;

-- drop enum public.member_role
DROP TYPE public.member_role;

-- drop enum public.lead_status
DROP TYPE public.lead_status;

-- drop enum public.execution_status
DROP TYPE public.execution_status;

-- drop enum public.check_in_method
DROP TYPE public.check_in_method;

-- drop enum public.booking_status
DROP TYPE public.booking_status;

-- drop enum public.billing_interval
DROP TYPE public.billing_interval;

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

-- drop extension pg_cron
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pg_cron') = 'installed by atlas-compile' THEN
        DROP EXTENSION pg_cron;
    END IF;
END
$atlas$;

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
