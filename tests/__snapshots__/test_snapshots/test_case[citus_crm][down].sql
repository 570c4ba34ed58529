-- atlas-compile migration 0001_initial (down)
-- project: crm; target: citus; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop distribution public.members_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.members_audit'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.members_audit'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.members_audit';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.members_audit', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.members_audit';
    END IF;
END
$atlas$;

-- drop distribution public.deals
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.deals'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.deals'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.deals';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.deals', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.deals';
    END IF;
END
$atlas$;

-- drop distribution public.contacts
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.contacts'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.contacts'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.contacts';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.contacts', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.contacts';
    END IF;
END
$atlas$;

-- drop distribution public.companies
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.companies'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.companies'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.companies';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.companies', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.companies';
    END IF;
END
$atlas$;

-- drop distribution public.members
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.members'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.members'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.members';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.members', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.members';
    END IF;
END
$atlas$;

-- drop distribution public.deals_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.deals_audit'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.deals_audit'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.deals_audit';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.deals_audit', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.deals_audit';
    END IF;
END
$atlas$;

-- drop distribution public.contacts_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.contacts_audit'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.contacts_audit'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.contacts_audit';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.contacts_audit', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.contacts_audit';
    END IF;
END
$atlas$;

-- drop distribution public.companies_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.companies_audit'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.companies_audit'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.companies_audit';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.companies_audit', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.companies_audit';
    END IF;
END
$atlas$;

-- drop distribution public.workspaces
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.workspaces'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.workspaces'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.workspaces';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.workspaces', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.workspaces';
    END IF;
END
$atlas$;

-- drop distribution public.industries_audit
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.industries_audit'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.industries_audit'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.industries_audit';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.industries_audit', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.industries_audit';
    END IF;
END
$atlas$;

-- drop distribution public.industries
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.industries'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.industries'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.industries';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.industries', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.industries';
    END IF;
END
$atlas$;

-- drop distribution public.countries
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition
                       WHERE logicalrelid = 'public.countries'::regclass) THEN
            RETURN;
        ELSIF EXISTS (SELECT FROM pg_catalog.pg_attribute
                      WHERE attrelid = 'public.countries'::regclass
                        AND attidentity <> '' AND NOT attisdropped) THEN
            RAISE NOTICE 'Citus cannot undistribute % (an identity column): it stays distributed', 'public.countries';
        ELSE
            PERFORM pg_catalog.undistribute_table('public.countries', cascade_via_foreign_keys => true);
        END IF;
    ELSE
        RAISE NOTICE 'citus is not installed: % was a local table', 'public.countries';
    END IF;
END
$atlas$;

-- drop view public.active_companies
DROP VIEW public.active_companies;

-- drop trigger public.workspaces.update_workspaces_updated_at
DROP TRIGGER update_workspaces_updated_at ON public.workspaces;

-- drop trigger public.members.update_members_updated_at
DROP TRIGGER update_members_updated_at ON public.members;

-- drop trigger public.members.soft_delete_members
DROP TRIGGER soft_delete_members ON public.members;

-- drop trigger public.members.audit_members
DROP TRIGGER audit_members ON public.members;

-- drop trigger public.industries.update_industries_updated_at
DROP TRIGGER update_industries_updated_at ON public.industries;

-- drop trigger public.industries.audit_industries
DROP TRIGGER audit_industries ON public.industries;

-- drop trigger public.deals.update_deals_updated_at
DROP TRIGGER update_deals_updated_at ON public.deals;

-- drop trigger public.deals.soft_delete_deals
DROP TRIGGER soft_delete_deals ON public.deals;

-- drop trigger public.deals.audit_deals
DROP TRIGGER audit_deals ON public.deals;

-- drop trigger public.countries.update_countries_updated_at
DROP TRIGGER update_countries_updated_at ON public.countries;

-- drop trigger public.contacts.update_contacts_updated_at
DROP TRIGGER update_contacts_updated_at ON public.contacts;

-- drop trigger public.contacts.soft_delete_contacts
DROP TRIGGER soft_delete_contacts ON public.contacts;

-- drop trigger public.contacts.audit_contacts
DROP TRIGGER audit_contacts ON public.contacts;

-- drop trigger public.companies.update_companies_updated_at
DROP TRIGGER update_companies_updated_at ON public.companies;

-- drop trigger public.companies.soft_delete_companies
DROP TRIGGER soft_delete_companies ON public.companies;

-- drop trigger public.companies.audit_companies
DROP TRIGGER audit_companies ON public.companies;

-- drop policy public.workspaces.workspaces_update
-- hazard: AUTHZ_UPDATE
DROP POLICY workspaces_update ON public.workspaces;

-- drop policy public.workspaces.workspaces_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY workspaces_tenant_fence ON public.workspaces;

-- drop policy public.workspaces.workspaces_select
-- hazard: AUTHZ_UPDATE
DROP POLICY workspaces_select ON public.workspaces;

-- drop policy public.members_audit.members_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY members_audit_tenant_fence ON public.members_audit;

-- drop policy public.members_audit.members_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY members_audit_select ON public.members_audit;

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

-- drop policy public.industries.industries_update
-- hazard: AUTHZ_UPDATE
DROP POLICY industries_update ON public.industries;

-- drop policy public.industries.industries_select
-- hazard: AUTHZ_UPDATE
DROP POLICY industries_select ON public.industries;

-- drop policy public.industries.industries_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY industries_insert ON public.industries;

-- drop policy public.industries.industries_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY industries_delete ON public.industries;

-- drop policy public.deals_audit.deals_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_audit_tenant_fence ON public.deals_audit;

-- drop policy public.deals_audit.deals_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_audit_select ON public.deals_audit;

-- drop policy public.deals.viewers_see_won
-- hazard: AUTHZ_UPDATE
DROP POLICY viewers_see_won ON public.deals;

-- drop policy public.deals.deals_update
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_update ON public.deals;

-- drop policy public.deals.deals_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_tenant_fence ON public.deals;

-- drop policy public.deals.deals_select
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_select ON public.deals;

-- drop policy public.deals.deals_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_insert ON public.deals;

-- drop policy public.deals.deals_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY deals_delete ON public.deals;

-- drop policy public.countries.countries_select
-- hazard: AUTHZ_UPDATE
DROP POLICY countries_select ON public.countries;

-- drop policy public.contacts_audit.contacts_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_audit_tenant_fence ON public.contacts_audit;

-- drop policy public.contacts_audit.contacts_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_audit_select ON public.contacts_audit;

-- drop policy public.contacts.contacts_update
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_update ON public.contacts;

-- drop policy public.contacts.contacts_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_tenant_fence ON public.contacts;

-- drop policy public.contacts.contacts_select
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_select ON public.contacts;

-- drop policy public.contacts.contacts_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_insert ON public.contacts;

-- drop policy public.contacts.contacts_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY contacts_delete ON public.contacts;

-- drop policy public.companies_audit.companies_audit_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_audit_tenant_fence ON public.companies_audit;

-- drop policy public.companies_audit.companies_audit_select
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_audit_select ON public.companies_audit;

-- drop policy public.companies.companies_update
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_update ON public.companies;

-- drop policy public.companies.companies_tenant_fence
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_tenant_fence ON public.companies;

-- drop policy public.companies.companies_select
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_select ON public.companies;

-- drop policy public.companies.companies_insert
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_insert ON public.companies;

-- drop policy public.companies.companies_delete
-- hazard: AUTHZ_UPDATE
DROP POLICY companies_delete ON public.companies;

-- drop table public.deals
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.deals;

-- drop table public.contacts
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.contacts;

-- drop table public.companies
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.companies;

-- drop function atlas_private.user_tenant_ids
DROP FUNCTION atlas_private.user_tenant_ids(p_role public.member_role);

-- drop function atlas_private.user_membership_ids
DROP FUNCTION atlas_private.user_membership_ids();

-- drop table public.members
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.members;

-- drop table public.workspaces
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.workspaces;

-- drop table public.members_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.members_audit;

-- drop table public.industries_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.industries_audit;

-- drop table public.industries
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.industries;

-- drop table public.deals_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.deals_audit;

-- drop table public.countries
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.countries;

-- drop table public.contacts_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.contacts_audit;

-- drop table public.companies_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.companies_audit;

-- drop function public.update_updated_at_column
DROP FUNCTION public.update_updated_at_column();

-- drop function atlas_private.soft_delete_members
DROP FUNCTION atlas_private.soft_delete_members();

-- drop function atlas_private.soft_delete_deals
DROP FUNCTION atlas_private.soft_delete_deals();

-- drop function atlas_private.soft_delete_contacts
DROP FUNCTION atlas_private.soft_delete_contacts();

-- drop function atlas_private.soft_delete_companies
DROP FUNCTION atlas_private.soft_delete_companies();

-- drop function atlas_private.bypasses_row_security
DROP FUNCTION atlas_private.bypasses_row_security();

-- drop function atlas_private.audit_row
DROP FUNCTION atlas_private.audit_row();

-- drop enum public.member_role
DROP TYPE public.member_role;

-- drop enum public.deal_stage
DROP TYPE public.deal_stage;

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
