-- atlas-compile migration 0004_create_check_in_method_add_members_fitness_goals_and_more (down)
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

-- drop publication table supabase_realtime.public.check_ins
-- hazard: AUTHZ_UPDATE
ALTER PUBLICATION supabase_realtime DROP TABLE public.check_ins;

-- drop trigger public.check_ins.update_check_ins_updated_at
DROP TRIGGER update_check_ins_updated_at ON public.check_ins;

-- drop trigger public.bookings.audit_bookings
DROP TRIGGER audit_bookings ON public.bookings;

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

-- drop table public.check_ins
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.check_ins;

-- drop table public.bookings_audit
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-table
DROP TABLE public.bookings_audit;

-- drop column public.members.fitness_goals
-- hazard: DELETES_DATA
-- squawk-ignore ban-drop-column
ALTER TABLE public.members DROP COLUMN fitness_goals;

-- drop enum public.check_in_method
DROP TYPE public.check_in_method;
COMMIT;
