-- atlas-compile migration 0001_initial (down)
-- project: partitioned-messages; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.messages.zz_mark_partition_move
DROP TRIGGER zz_mark_partition_move ON public.messages;

-- drop trigger public.messages.update_messages_updated_at
DROP TRIGGER update_messages_updated_at ON public.messages;

-- drop trigger public.messages.soft_delete_messages
DROP TRIGGER soft_delete_messages ON public.messages;

-- drop trigger public.messages.audit_messages
DROP TRIGGER audit_messages ON public.messages;

-- drop trigger public.members.update_members_updated_at
DROP TRIGGER update_members_updated_at ON public.members;

-- drop trigger public.channels.update_channels_updated_at
DROP TRIGGER update_channels_updated_at ON public.channels;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.messages_audit.messages_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_audit_tenant_fence ON public.messages_audit;

-- drop policy public.messages_audit.messages_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_audit_select ON public.messages_audit;

-- drop policy public.messages.messages_update
-- hazard: AUTHZ_UPDATE
DROP POLICY messages_update ON public.messages;

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

-- drop policy public.channels.channels_update
-- hazard: AUTHZ_UPDATE
DROP POLICY channels_update ON public.channels;

-- drop policy public.channels.channels_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY channels_tenant_fence ON public.channels;

-- drop policy public.channels.channels_select
-- hazard: AUTHZ_UPDATE
DROP POLICY channels_select ON public.channels;

-- drop policy public.channels.channels_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY channels_insert ON public.channels;

-- drop policy public.channels.channels_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY channels_delete ON public.channels;

-- drop table public.messages
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.messages;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.member_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.members
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.members;

-- drop table public.channels
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.channels;

-- drop table public.organizations
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.organizations;

-- drop table public.messages_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.messages_audit;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function atlas_private.soft_delete_messages
DROP FUNCTION atlas_private.soft_delete_messages();

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

-- drop enum public.member_role
DROP TYPE public.member_role;

-- drop extension pgcrypto
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pgcrypto') = 'installed by atlas-compile' THEN
        DROP EXTENSION pgcrypto;
    END IF;
END
$atlas$;

-- drop schema atlas_private
DROP SCHEMA atlas_private;
COMMIT;
