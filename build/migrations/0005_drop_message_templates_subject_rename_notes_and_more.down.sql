-- atlas-compile migration 0005_drop_message_templates_subject_rename_notes_and_more (down)
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

-- drop constraint public.payments.payments_amount_check
ALTER TABLE public.payments DROP CONSTRAINT payments_amount_check;

SET LOCAL statement_timeout = '30min';
-- alter column public.payments.amount
-- hazard: TABLE_REWRITE
-- the spec changes the type: the table is rewritten (TABLE_REWRITE)
-- squawk-ignore changing-column-type
ALTER TABLE public.payments ALTER COLUMN amount TYPE numeric(10, 2) USING amount::numeric(10, 2);

SET LOCAL statement_timeout = '10s';
-- rename trigger public.lead_notes.update_notes_updated_at
ALTER TRIGGER update_lead_notes_updated_at ON public.lead_notes RENAME TO update_notes_updated_at;

-- rename policy public.lead_notes.notes_update
ALTER POLICY lead_notes_update ON public.lead_notes RENAME TO notes_update;

-- rename policy public.lead_notes.notes_tenant_fence
ALTER POLICY lead_notes_tenant_fence ON public.lead_notes RENAME TO notes_tenant_fence;

-- rename policy public.lead_notes.notes_select
ALTER POLICY lead_notes_select ON public.lead_notes RENAME TO notes_select;

-- rename policy public.lead_notes.notes_insert
ALTER POLICY lead_notes_insert ON public.lead_notes RENAME TO notes_insert;

-- rename policy public.lead_notes.notes_delete
ALTER POLICY lead_notes_delete ON public.lead_notes RENAME TO notes_delete;

-- rename index public.idx_notes_organization_id_lead_id_created_at
ALTER INDEX public.idx_lead_notes_organization_id_lead_id_created_at RENAME TO idx_notes_organization_id_lead_id_created_at;

-- rename index public.idx_notes_organization_id
ALTER INDEX public.idx_lead_notes_organization_id RENAME TO idx_notes_organization_id;

-- rename index public.idx_notes_created_at
ALTER INDEX public.idx_lead_notes_created_at RENAME TO idx_notes_created_at;

-- rename index public.idx_notes_author_id
ALTER INDEX public.idx_lead_notes_author_id RENAME TO idx_notes_author_id;

-- rename constraint public.lead_notes.notes_pkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT lead_notes_pkey TO notes_pkey;

-- rename constraint public.lead_notes.notes_organization_id_id_key
ALTER TABLE public.lead_notes RENAME CONSTRAINT lead_notes_organization_id_id_key TO notes_organization_id_id_key;

-- rename constraint public.lead_notes.notes_organization_id_fkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT lead_notes_organization_id_fkey TO notes_organization_id_fkey;

-- rename constraint public.lead_notes.notes_lead_id_fkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT lead_notes_lead_id_fkey TO notes_lead_id_fkey;

-- rename constraint public.lead_notes.notes_body_check
ALTER TABLE public.lead_notes RENAME CONSTRAINT lead_notes_body_check TO notes_body_check;

-- rename constraint public.lead_notes.notes_author_id_fkey
ALTER TABLE public.lead_notes RENAME CONSTRAINT lead_notes_author_id_fkey TO notes_author_id_fkey;

-- rename table public.notes
-- the spec renames it (renamed_from): clients still using the old name break
-- squawk-ignore renaming-table
ALTER TABLE public.lead_notes RENAME TO notes;

SET LOCAL statement_timeout = '30min';
-- restore column public.message_templates.subject
ALTER TABLE public.message_templates ADD COLUMN subject text;
ALTER TABLE public.message_templates DISABLE TRIGGER USER;
UPDATE public.message_templates AS t SET subject = a.subject::text
FROM atlas_archive."0005_message_templates_subject" AS a
WHERE t.id::text = a.id;
ALTER TABLE public.message_templates ENABLE TRIGGER USER;
COMMENT ON COLUMN public.message_templates.subject IS 'Email subject line; only for the email channel.';
-- the archived values are back in place: their archive goes
-- squawk-ignore ban-drop-table
DROP TABLE atlas_archive."0005_message_templates_subject";
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'atlas_archive') THEN
        DROP SCHEMA IF EXISTS atlas_archive;
    END IF;
END
$atlas$;

SET LOCAL statement_timeout = '10s';
-- add constraint public.payments.payments_amount_check (not valid)
ALTER TABLE public.payments
    ADD CONSTRAINT payments_amount_check CHECK (amount >= 0) NOT VALID;

-- add constraint public.message_templates.message_templates_subject_only_for_email_check (not valid)
ALTER TABLE public.message_templates
    ADD CONSTRAINT message_templates_subject_only_for_email_check CHECK (subject IS NULL OR channel = 'email') NOT VALID;
COMMIT;

-- atlas-compile part 2/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '30min';

-- add constraint public.payments.payments_amount_check (validate)
-- hazard: TABLE_SCAN
ALTER TABLE public.payments VALIDATE CONSTRAINT payments_amount_check;

-- add constraint public.message_templates.message_templates_subject_only_for_email_check (validate)
-- hazard: TABLE_SCAN
ALTER TABLE public.message_templates VALIDATE CONSTRAINT message_templates_subject_only_for_email_check;
COMMIT;
