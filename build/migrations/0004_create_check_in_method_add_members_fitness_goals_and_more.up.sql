-- atlas-compile migration 0004_create_check_in_method_add_members_fitness_goals_and_more (up)
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

-- create enum public.check_in_method
CREATE TYPE public.check_in_method AS ENUM (
    'front_desk',
    'app',
    'qr_code'
);

-- add column public.members.fitness_goals
ALTER TABLE public.members ADD COLUMN fitness_goals text[] NOT NULL DEFAULT ARRAY[]::text[];
COMMENT ON COLUMN public.members.fitness_goals IS 'Goals the member set at induction (e.g. strength, weight loss).';

-- create table public.bookings_audit
CREATE TABLE public.bookings_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_audit_pkey PRIMARY KEY (id),
    CONSTRAINT bookings_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.bookings_audit IS 'Audit trail of bookings (append-only).';
COMMENT ON COLUMN public.bookings_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.bookings_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.bookings_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.bookings_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.bookings_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.bookings_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.bookings_audit TO service_role;

-- create table public.check_ins
CREATE TABLE public.check_ins (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    member_id uuid NOT NULL,
    class_session_id uuid,
    method public.check_in_method NOT NULL DEFAULT 'front_desk'::public.check_in_method,
    checked_in_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT check_ins_pkey PRIMARY KEY (id),
    CONSTRAINT check_ins_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT check_ins_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT check_ins_member_id_fkey FOREIGN KEY (organization_id, member_id) REFERENCES public.members (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT check_ins_class_session_id_fkey FOREIGN KEY (organization_id, class_session_id) REFERENCES public.class_sessions (organization_id, id) ON DELETE SET NULL (class_session_id)
);
COMMENT ON TABLE public.check_ins IS 'A member arriving at the gym, with or without a booked class.';
COMMENT ON COLUMN public.check_ins.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.check_ins.member_id IS 'Who checked in.';
COMMENT ON COLUMN public.check_ins.class_session_id IS 'The class they came for, if any.';
COMMENT ON COLUMN public.check_ins.method IS 'How the check-in was recorded.';
COMMENT ON COLUMN public.check_ins.checked_in_at IS 'When the member arrived.';
ALTER TABLE public.check_ins ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.check_ins FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.check_ins FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.check_ins TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.check_ins TO service_role;

-- create index public.idx_bookings_audit_organization_id_changed_at
CREATE INDEX idx_bookings_audit_organization_id_changed_at ON public.bookings_audit (organization_id, changed_at DESC);

-- create index public.idx_check_ins_class_session_id
CREATE INDEX idx_check_ins_class_session_id ON public.check_ins (organization_id, class_session_id);

-- create index public.idx_check_ins_created_at
CREATE INDEX idx_check_ins_created_at ON public.check_ins (organization_id, created_at DESC);

-- create index public.idx_check_ins_member_id
CREATE INDEX idx_check_ins_member_id ON public.check_ins (organization_id, member_id);

-- create index public.idx_check_ins_organization_id
CREATE INDEX idx_check_ins_organization_id ON public.check_ins (organization_id);

-- create index public.idx_check_ins_organization_id_checked_in_at
CREATE INDEX idx_check_ins_organization_id_checked_in_at ON public.check_ins (organization_id, checked_in_at DESC);

-- create policy public.bookings_audit.bookings_audit_select
CREATE POLICY bookings_audit_select ON public.bookings_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.bookings_audit.bookings_audit_tenant_fence
CREATE POLICY bookings_audit_tenant_fence ON public.bookings_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.check_ins.check_ins_delete
CREATE POLICY check_ins_delete ON public.check_ins
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.check_ins.check_ins_insert
CREATE POLICY check_ins_insert ON public.check_ins
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.check_ins.check_ins_select
CREATE POLICY check_ins_select ON public.check_ins
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.check_ins.check_ins_tenant_fence
CREATE POLICY check_ins_tenant_fence ON public.check_ins
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.check_ins.check_ins_update
CREATE POLICY check_ins_update ON public.check_ins
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create trigger public.bookings.audit_bookings
CREATE TRIGGER audit_bookings
    AFTER INSERT OR UPDATE OR DELETE ON public.bookings
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('bookings_audit', 'organization_id', 'id', '');

-- create trigger public.check_ins.update_check_ins_updated_at
CREATE TRIGGER update_check_ins_updated_at
    BEFORE UPDATE ON public.check_ins
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create publication table supabase_realtime.public.check_ins
ALTER PUBLICATION supabase_realtime ADD TABLE public.check_ins;
COMMIT;
