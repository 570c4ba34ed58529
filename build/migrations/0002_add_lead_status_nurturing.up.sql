-- atlas-compile migration 0002_add_lead_status_nurturing (up)
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

-- add value enum public.lead_status.nurturing
ALTER TYPE public.lead_status ADD VALUE 'nurturing' AFTER 'contacted';

-- keep enum public.lead_status
-- PostgreSQL cannot drop an enum label: down rebuilds public.lead_status without 'nurturing'
-- (and fails while rows still hold them).
COMMIT;
