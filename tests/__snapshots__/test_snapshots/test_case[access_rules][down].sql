-- atlas-compile migration 0001_initial (down)
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

-- drop trigger public.organizations.update_organizations_updated_at
DROP TRIGGER update_organizations_updated_at ON public.organizations;

-- drop trigger public.ledger_entries.update_ledger_entries_updated_at
DROP TRIGGER update_ledger_entries_updated_at ON public.ledger_entries;

-- drop trigger public.documents.update_documents_updated_at
DROP TRIGGER update_documents_updated_at ON public.documents;

-- drop trigger public.auth_users.update_auth_users_updated_at
DROP TRIGGER update_auth_users_updated_at ON public.auth_users;

-- drop policy public.organizations.organizations_update
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_update ON public.organizations;

-- drop policy public.organizations.organizations_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_tenant_fence ON public.organizations;

-- drop policy public.organizations.organizations_select
-- hazard: AUTHZ_UPDATE
DROP POLICY organizations_select ON public.organizations;

-- drop policy public.ledger_entries.ledger_entries_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY ledger_entries_tenant_fence ON public.ledger_entries;

-- drop policy public.ledger_entries.ledger_entries_select
-- hazard: AUTHZ_UPDATE
DROP POLICY ledger_entries_select ON public.ledger_entries;

-- drop policy public.documents.documents_update
-- hazard: AUTHZ_UPDATE
DROP POLICY documents_update ON public.documents;

-- drop policy public.documents.documents_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY documents_tenant_fence ON public.documents;

-- drop policy public.documents.documents_select
-- hazard: AUTHZ_UPDATE
DROP POLICY documents_select ON public.documents;

-- drop policy public.documents.documents_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY documents_insert ON public.documents;

-- drop policy public.documents.coaches_read_published
-- hazard: AUTHZ_UPDATE
DROP POLICY coaches_read_published ON public.documents;

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

-- drop table public.ledger_entries
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.ledger_entries;

-- drop table public.documents
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.documents;

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

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

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
