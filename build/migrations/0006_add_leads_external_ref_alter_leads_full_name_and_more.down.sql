-- atlas-compile migration 0006_add_leads_external_ref_alter_leads_full_name_and_more (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 2 parts: 2 in a transaction, 1 outside a transaction (DROP INDEX CONCURRENTLY).
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/2: outside a transaction
SET lock_timeout = '1s';
SET statement_timeout = '10s';

-- drop index public.idx_leads_trial_session_id (concurrently)
DROP INDEX CONCURRENTLY IF EXISTS public.idx_leads_trial_session_id;

-- drop index public.idx_leads_organization_id_campaign (concurrently)
DROP INDEX CONCURRENTLY IF EXISTS public.idx_leads_organization_id_campaign;

-- atlas-compile part 2/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop constraint public.leads.leads_trial_session_id_fkey
ALTER TABLE public.leads DROP CONSTRAINT leads_trial_session_id_fkey;

-- drop constraint public.leads.leads_external_ref_key
ALTER TABLE public.leads DROP CONSTRAINT leads_external_ref_key;

-- drop constraint public.leads.leads_external_ref_check
ALTER TABLE public.leads DROP CONSTRAINT leads_external_ref_check;

-- drop column public.leads.trial_session_id
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-column
ALTER TABLE public.leads DROP COLUMN trial_session_id;

-- alter column public.leads.full_name
ALTER TABLE public.leads ALTER COLUMN full_name DROP NOT NULL;
COMMENT ON COLUMN public.leads.full_name IS 'Name as entered; searched with trigram similarity.';

-- drop column public.leads.external_ref
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-column
ALTER TABLE public.leads DROP COLUMN external_ref;
COMMIT;
