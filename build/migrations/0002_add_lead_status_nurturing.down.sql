-- atlas-compile migration 0002_add_lead_status_nurturing (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- Apply in one transaction; the migration role must bypass row level security
-- (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- add value enum public.lead_status.nurturing
-- PostgreSQL cannot drop an enum value: 'nurturing' stays in public.lead_status.
