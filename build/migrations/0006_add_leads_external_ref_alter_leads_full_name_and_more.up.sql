-- atlas-compile migration 0006_add_leads_external_ref_alter_leads_full_name_and_more (up)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 4 parts: 1, 3 and 4 in a transaction, 2 outside a transaction (CREATE INDEX CONCURRENTLY).
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/4: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- add column public.leads.external_ref
ALTER TABLE public.leads ADD COLUMN external_ref text;
COMMENT ON COLUMN public.leads.external_ref IS 'The lead''s id in the ad platform that sent it; unique within the organization.';

-- alter column public.leads.full_name (not null check)
ALTER TABLE public.leads ADD CONSTRAINT leads_full_name_not_null CHECK (full_name IS NOT NULL) NOT VALID;
COMMENT ON COLUMN public.leads.full_name IS 'Name as entered; searched with trigram similarity. Capture forms require it.';

-- add column public.leads.trial_session_id
ALTER TABLE public.leads ADD COLUMN trial_session_id uuid;
COMMENT ON COLUMN public.leads.trial_session_id IS 'The trial class booked for the lead, if any.';

-- add constraint public.leads.leads_external_ref_check (not valid)
ALTER TABLE public.leads
    ADD CONSTRAINT leads_external_ref_check CHECK (length(external_ref) BETWEEN 1 AND 64) NOT VALID;

-- add constraint public.leads.leads_trial_session_id_fkey (not valid)
ALTER TABLE public.leads
    ADD CONSTRAINT leads_trial_session_id_fkey FOREIGN KEY (organization_id, trial_session_id) REFERENCES public.class_sessions (organization_id, id) ON DELETE SET NULL (trial_session_id) NOT VALID;
COMMIT;

-- atlas-compile part 2/4: outside a transaction
SET lock_timeout = '1s';
SET statement_timeout = '30min';

-- add constraint public.leads.leads_external_ref_key (unique index)
-- hazard: INDEX_BUILD
DROP INDEX CONCURRENTLY IF EXISTS public.leads_external_ref_key;
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS leads_external_ref_key ON public.leads (organization_id, external_ref);

-- create index public.idx_leads_organization_id_campaign (concurrently)
-- hazard: INDEX_BUILD
DROP INDEX CONCURRENTLY IF EXISTS public.idx_leads_organization_id_campaign;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_leads_organization_id_campaign ON public.leads (organization_id, campaign);

-- create index public.idx_leads_trial_session_id (concurrently)
-- hazard: INDEX_BUILD
DROP INDEX CONCURRENTLY IF EXISTS public.idx_leads_trial_session_id;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_leads_trial_session_id ON public.leads (organization_id, trial_session_id);

-- atlas-compile part 3/4: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '30min';

-- alter column public.leads.full_name (validate not null)
-- hazard: TABLE_SCAN
ALTER TABLE public.leads VALIDATE CONSTRAINT leads_full_name_not_null;

-- add constraint public.leads.leads_external_ref_check (validate)
-- hazard: TABLE_SCAN
ALTER TABLE public.leads VALIDATE CONSTRAINT leads_external_ref_check;

-- add constraint public.leads.leads_trial_session_id_fkey (validate)
-- hazard: TABLE_SCAN
ALTER TABLE public.leads VALIDATE CONSTRAINT leads_trial_session_id_fkey;
COMMIT;

-- atlas-compile part 4/4: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- alter column public.leads.full_name (finish not null)
ALTER TABLE public.leads ALTER COLUMN full_name SET NOT NULL;
ALTER TABLE public.leads DROP CONSTRAINT leads_full_name_not_null;

-- add constraint public.leads.leads_external_ref_key (using index)
ALTER TABLE public.leads
    ADD CONSTRAINT leads_external_ref_key UNIQUE USING INDEX leads_external_ref_key;
COMMIT;
