-- atlas-compile migration 0005_drop_message_templates_subject_rename_notes_and_more (up)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 2 parts: 1 and 2 in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop constraint public.message_templates.message_templates_subject_only_for_email_check
ALTER TABLE public.message_templates DROP CONSTRAINT message_templates_subject_only_for_email_check;

-- drop constraint public.payments.payments_amount_check
ALTER TABLE public.payments DROP CONSTRAINT payments_amount_check;

SET LOCAL statement_timeout = '30min';
-- archive column public.message_templates.subject
-- hazard: DELETES_DATA
CREATE SCHEMA IF NOT EXISTS atlas_archive;
CREATE TABLE atlas_archive."0005_message_templates_subject" AS
SELECT id::text AS id, subject::text AS subject
FROM public.message_templates;
COMMENT ON TABLE atlas_archive."0005_message_templates_subject" IS 'values of public.message_templates.subject kept by atlas-compile; the down migration restores them';
-- squawk-ignore ban-drop-column
ALTER TABLE public.message_templates DROP COLUMN subject;

SET LOCAL statement_timeout = '10s';
-- rename table public.lead_notes
-- the spec renames it (renamed_from): clients still using the old name break
-- squawk-ignore renaming-table
ALTER TABLE public.notes RENAME TO lead_notes;

-- rename constraint public.lead_notes.lead_notes_author_id_fkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT notes_author_id_fkey TO lead_notes_author_id_fkey;

-- rename constraint public.lead_notes.lead_notes_body_check
ALTER TABLE public.lead_notes RENAME CONSTRAINT notes_body_check TO lead_notes_body_check;

-- rename constraint public.lead_notes.lead_notes_lead_id_fkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT notes_lead_id_fkey TO lead_notes_lead_id_fkey;

-- rename constraint public.lead_notes.lead_notes_organization_id_fkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT notes_organization_id_fkey TO lead_notes_organization_id_fkey;

-- rename constraint public.lead_notes.lead_notes_organization_id_id_key
ALTER TABLE public.lead_notes RENAME CONSTRAINT notes_organization_id_id_key TO lead_notes_organization_id_id_key;

-- rename constraint public.lead_notes.lead_notes_pkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT notes_pkey TO lead_notes_pkey;

-- rename index public.idx_lead_notes_author_id
ALTER INDEX public.idx_notes_author_id RENAME TO idx_lead_notes_author_id;

-- rename index public.idx_lead_notes_created_at
ALTER INDEX public.idx_notes_created_at RENAME TO idx_lead_notes_created_at;

-- rename index public.idx_lead_notes_organization_id
ALTER INDEX public.idx_notes_organization_id RENAME TO idx_lead_notes_organization_id;

-- rename index public.idx_lead_notes_organization_id_lead_id_created_at
ALTER INDEX public.idx_notes_organization_id_lead_id_created_at RENAME TO idx_lead_notes_organization_id_lead_id_created_at;

-- rename policy public.lead_notes.lead_notes_delete
ALTER POLICY notes_delete ON public.lead_notes RENAME TO lead_notes_delete;

-- rename policy public.lead_notes.lead_notes_insert
ALTER POLICY notes_insert ON public.lead_notes RENAME TO lead_notes_insert;

-- rename policy public.lead_notes.lead_notes_select
ALTER POLICY notes_select ON public.lead_notes RENAME TO lead_notes_select;

-- rename policy public.lead_notes.lead_notes_tenant_fence
ALTER POLICY notes_tenant_fence ON public.lead_notes RENAME TO lead_notes_tenant_fence;

-- rename policy public.lead_notes.lead_notes_update
ALTER POLICY notes_update ON public.lead_notes RENAME TO lead_notes_update;

-- rename trigger public.lead_notes.update_lead_notes_updated_at
ALTER TRIGGER update_notes_updated_at ON public.lead_notes RENAME TO update_lead_notes_updated_at;

-- alter column public.payments.amount
-- numeric(10, 2) -> numeric(12, 2) is binary compatible: the catalog changes, no row is rewritten
-- squawk-ignore changing-column-type
ALTER TABLE public.payments ALTER COLUMN amount TYPE numeric(12, 2) USING amount::numeric(12, 2);

-- add constraint public.payments.payments_amount_check (not valid)
ALTER TABLE public.payments
    ADD CONSTRAINT payments_amount_check CHECK (amount >= 0) NOT VALID;
COMMIT;

-- atlas-compile part 2/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '30min';

-- add constraint public.payments.payments_amount_check (validate)
-- hazard: TABLE_SCAN
ALTER TABLE public.payments VALIDATE CONSTRAINT payments_amount_check;
COMMIT;
