-- atlas-compile migration 0001_initial (up)
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

-- create schema atlas_private
CREATE SCHEMA atlas_private;
GRANT USAGE ON SCHEMA atlas_private TO authenticated;

-- create extension pg_cron
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF pg_catalog.current_setting('cron.database_name', true) IS NULL THEN
            RAISE NOTICE '% is not loaded by this server (shared_preload_libraries): it is not created here, and its schedules are not made', 'pg_cron';
            RETURN;
        ELSIF pg_catalog.current_setting('cron.database_name', true) <> pg_catalog.current_database() THEN
            RAISE NOTICE '% lives in database % (%): it is not created in %, and its schedules are not made here', 'pg_cron', pg_catalog.current_setting('cron.database_name', true), 'cron.database_name', pg_catalog.current_database();
            RETURN;
        END IF;
        CREATE EXTENSION pg_cron WITH SCHEMA extensions;
        COMMENT ON EXTENSION pg_cron IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create extension pg_trgm
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
        COMMENT ON EXTENSION pg_trgm IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create extension pgcrypto
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
        CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
        COMMENT ON EXTENSION pgcrypto IS 'installed by atlas-compile';
    END IF;
END
$atlas$;

-- create enum public.billing_interval
CREATE TYPE public.billing_interval AS ENUM (
    'weekly',
    'monthly',
    'quarterly',
    'yearly',
    'one_off'
);

-- create enum public.booking_status
CREATE TYPE public.booking_status AS ENUM (
    'booked',
    'waitlisted',
    'attended',
    'no_show',
    'cancelled'
);

-- create enum public.check_in_method
CREATE TYPE public.check_in_method AS ENUM (
    'front_desk',
    'app',
    'qr_code'
);

-- create enum public.execution_status
CREATE TYPE public.execution_status AS ENUM (
    'pending',
    'running',
    'succeeded',
    'failed',
    'cancelled'
);

-- create enum public.lead_status
CREATE TYPE public.lead_status AS ENUM (
    'new',
    'contacted',
    'nurturing',
    'qualified',
    'converted',
    'lost'
);

-- create enum public.member_role
CREATE TYPE public.member_role AS ENUM (
    'owner',
    'admin',
    'coach',
    'staff'
);

-- create enum public.member_status
CREATE TYPE public.member_status AS ENUM (
    'active',
    'paused',
    'cancelled',
    'expired'
);

-- create enum public.message_channel
CREATE TYPE public.message_channel AS ENUM (
    'email',
    'sms',
    'whatsapp'
);

-- create enum public.message_direction
CREATE TYPE public.message_direction AS ENUM (
    'inbound',
    'outbound'
);

-- create enum public.organization_plan
CREATE TYPE public.organization_plan AS ENUM (
    'starter',
    'growth',
    'pro',
    'enterprise'
);

-- create enum public.payment_status
CREATE TYPE public.payment_status AS ENUM (
    'pending',
    'succeeded',
    'failed',
    'refunded'
);

-- create enum public.task_priority
CREATE TYPE public.task_priority AS ENUM (
    'low',
    'normal',
    'high',
    'urgent'
);

-- create enum public.workflow_action
CREATE TYPE public.workflow_action AS ENUM (
    'send_email',
    'send_sms',
    'send_whatsapp',
    'wait',
    'update_lead_status',
    'assign_owner',
    'create_task',
    'webhook'
);

-- create enum public.workflow_trigger
CREATE TYPE public.workflow_trigger AS ENUM (
    'lead_created',
    'lead_status_changed',
    'member_joined',
    'booking_created',
    'payment_failed',
    'manual'
);

-- create function atlas_private.audit_row
CREATE FUNCTION atlas_private.audit_row()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
declare
  audit_table text := tg_argv[0];
  tenant_column text := nullif(tg_argv[1], '');
  key_columns text[] := string_to_array(tg_argv[2], ',');
  hidden text[] := coalesce(string_to_array(nullif(tg_argv[3], ''), ','), '{}');
  deleted_column text := nullif(tg_argv[4], '');
  operation_name text := tg_op;
  old_row jsonb;
  new_row jsonb;
  any_row jsonb;
  row_key jsonb;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    old_row := to_jsonb(old) - hidden;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    new_row := to_jsonb(new) - hidden;
  end if;
  if tg_op = 'UPDATE' and deleted_column is not null
     and old_row ->> deleted_column is null and new_row ->> deleted_column is not null then
    operation_name := 'DELETE';
  end if;
  any_row := coalesce(new_row, old_row);
  select jsonb_object_agg(key, value) into row_key
  from jsonb_each(any_row) where key = any (key_columns);
  execute format(
    'insert into %I.%I (%I, row_key, operation, old_data, new_data, changed_by) values ($1, $2, $3, $4, $5, $6)',
    tg_table_schema, audit_table, 'organization_id')
  using (any_row ->> tenant_column)::uuid, coalesce(row_key, '{}'::jsonb), operation_name, old_row, new_row,
    auth.uid();
  return null;
end
$body$;
COMMENT ON FUNCTION atlas_private.audit_row() IS 'Writes one audit row per changed row, without sensitive columns.';
REVOKE ALL ON FUNCTION atlas_private.audit_row() FROM PUBLIC;

-- create function atlas_private.bypasses_row_security
CREATE FUNCTION atlas_private.bypasses_row_security()
RETURNS boolean
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
BEGIN
  RETURN coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles AS r
                   WHERE r.rolname = current_user), false);
END
$body$;
COMMENT ON FUNCTION atlas_private.bypasses_row_security() IS 'True when the current role bypasses row level security (superuser or BYPASSRLS); used by soft delete triggers.';
REVOKE ALL ON FUNCTION atlas_private.bypasses_row_security() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.bypasses_row_security() TO public;

-- create function atlas_private.fence_partitions
CREATE FUNCTION atlas_private.fence_partitions(p_parent regclass)
RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
DECLARE
    v_part regclass;
    v_grantee text;
BEGIN
    FOR v_part IN
        SELECT c.oid::pg_catalog.regclass
        FROM pg_catalog.pg_partition_tree(p_parent) AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.relid
        WHERE t.relid <> p_parent AND NOT (c.relrowsecurity AND c.relforcerowsecurity)
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', v_part);
        EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', v_part);
    END LOOP;
    FOR v_part, v_grantee IN
        SELECT DISTINCT c.oid::pg_catalog.regclass,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_partition_tree(p_parent) AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.relid
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE t.relid <> p_parent AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON TABLE %s FROM %s', v_part, v_grantee);
    END LOOP;
END
$body$;
COMMENT ON FUNCTION atlas_private.fence_partitions(p_parent regclass) IS 'Enables and forces row level security on every partition of a table and revokes every privilege but the owner''s (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.fence_partitions(p_parent regclass) FROM PUBLIC;

-- create function atlas_private.maintain_partitions
CREATE FUNCTION atlas_private.maintain_partitions(p_at timestamptz DEFAULT now())
RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
BEGIN
    BEGIN
        PERFORM atlas_private.make_partitions('public.workflow_executions', 'month', 1, 3, NULL, p_at);
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'maintain_partitions: the partitions of % were not maintained: % (SQLSTATE %)',
            'public.workflow_executions', SQLERRM, SQLSTATE;
    END;
END
$body$;
COMMENT ON FUNCTION atlas_private.maintain_partitions(p_at timestamptz) IS 'Keeps every partitioned table''s partitions ahead and fenced; schedule it (pg_cron) (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.maintain_partitions(p_at timestamptz) FROM PUBLIC;

-- create function atlas_private.make_partitions
CREATE FUNCTION atlas_private.make_partitions(p_parent regclass, p_unit text, p_count integer, p_premake integer, p_from timestamptz DEFAULT NULL, p_at timestamptz DEFAULT now())
RETURNS integer
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
DECLARE
    v_schema name;
    v_table name;
    v_column name;
    v_type text;
    v_default regclass;
    v_span integer := p_count * CASE p_unit WHEN 'year' THEN 12 WHEN 'week' THEN 7 ELSE 1 END;
    v_monthly boolean := p_unit IN ('month', 'year');
    v_first date;
    v_now date;
    v_lower date;
    v_upper date;
    v_last date;
    v_months integer;
    v_days integer;
    v_start timestamp;
    v_end timestamp;
    v_los timestamp[];
    v_his timestamp[];
    v_name text;
    v_from text;
    v_to text;
    v_moving boolean;
    v_made integer := 0;
BEGIN
    IF p_at IS NULL OR NOT pg_catalog.isfinite(p_at) THEN
        RAISE EXCEPTION 'make_partitions needs a finite p_at, not %', p_at;
    END IF;
    SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, NULL),
           nullif(p.partdefid, 0)::pg_catalog.regclass
      INTO v_schema, v_table, v_column, v_type, v_default
    FROM pg_catalog.pg_partitioned_table AS p
    JOIN pg_catalog.pg_class AS c ON c.oid = p.partrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = p_parent;
    IF v_table IS NULL THEN
        RAISE EXCEPTION '% is not a partitioned table', p_parent;
    END IF;
    v_first := (LEAST(GREATEST(coalesce(p_from, p_at),
                               p_at - CASE WHEN v_monthly THEN pg_catalog.make_interval(months => v_span * 120)
                                           ELSE pg_catalog.make_interval(days => v_span * 120) END),
                      p_at) AT TIME ZONE 'UTC')::date;
    v_now := (p_at AT TIME ZONE 'UTC')::date;
    FOR v_step IN 0..1 LOOP   -- align the first date, then now, on the start of their bucket
        v_lower := CASE v_step WHEN 0 THEN v_first ELSE v_now END;
        IF v_monthly THEN
            v_months := (EXTRACT(year FROM v_lower)::integer * 12 + EXTRACT(month FROM v_lower)::integer - 1)
                        / v_span * v_span;
            v_lower := pg_catalog.make_date(v_months / 12, v_months % 12 + 1, 1);
        ELSE
            v_days := v_lower - DATE '1970-01-05';
            v_lower := DATE '1970-01-05' + (v_days - ((v_days % v_span) + v_span) % v_span);
        END IF;
        IF v_step = 0 THEN
            v_first := v_lower;
        ELSE
            v_now := v_lower;
        END IF;
    END LOOP;
    v_last := CASE WHEN v_monthly THEN (v_now + pg_catalog.make_interval(months => v_span * p_premake))::date
                   ELSE v_now + v_span * p_premake END;
    -- the ranges the table's partitions hold already (the default one aside)
    SELECT coalesce(pg_catalog.array_agg(CASE WHEN b.m[1] = 'MINVALUE' THEN '-infinity'::timestamp
                WHEN b.m[1] = 'MAXVALUE' THEN 'infinity'::timestamp
                WHEN v_type = 'timestamp with time zone'
                THEN pg_catalog.btrim(b.m[1], '''')::timestamptz AT TIME ZONE 'UTC'
                ELSE pg_catalog.btrim(b.m[1], '''')::timestamp END), '{}'), coalesce(pg_catalog.array_agg(CASE WHEN b.m[2] = 'MINVALUE' THEN '-infinity'::timestamp
                WHEN b.m[2] = 'MAXVALUE' THEN 'infinity'::timestamp
                WHEN v_type = 'timestamp with time zone'
                THEN pg_catalog.btrim(b.m[2], '''')::timestamptz AT TIME ZONE 'UTC'
                ELSE pg_catalog.btrim(b.m[2], '''')::timestamp END), '{}')
      INTO v_los, v_his
    FROM (SELECT pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                         '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS m
          FROM pg_catalog.pg_inherits AS i JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
          WHERE i.inhparent = p_parent) AS b
    WHERE b.m IS NOT NULL;
    v_lower := v_first;
    WHILE v_lower <= v_last LOOP
        v_upper := CASE WHEN v_monthly THEN (v_lower + pg_catalog.make_interval(months => v_span))::date
                        ELSE v_lower + v_span END;
        v_start := v_lower;
        WHILE v_start < v_upper LOOP   -- the bucket's pieces no partition holds
            SELECT max(r.hi) INTO v_end FROM ROWS FROM (pg_catalog.unnest(v_los), pg_catalog.unnest(v_his)) AS r(lo, hi)
            WHERE r.lo <= v_start AND v_start < r.hi;
            IF v_end IS NOT NULL THEN
                v_start := v_end;
                CONTINUE;
            END IF;
            SELECT LEAST(min(r.lo), v_upper) INTO v_end FROM ROWS FROM (pg_catalog.unnest(v_los), pg_catalog.unnest(v_his)) AS r(lo, hi)
            WHERE r.lo > v_start;
            v_name := pg_catalog.left(v_table, 53) || '_p' || pg_catalog.to_char(v_start, 'YYYYMMDD');
            IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_name)) IS NULL THEN
                v_from := pg_catalog.quote_literal(pg_catalog.to_char(v_start, 'YYYY-MM-DD')
                      || CASE WHEN v_type = 'timestamp with time zone' THEN pg_catalog.to_char(v_start, ' HH24:MI:SS') || '+00'
                              WHEN v_start::time <> TIME '00:00' THEN pg_catalog.to_char(v_start, ' HH24:MI:SS') ELSE '' END);
                v_to := pg_catalog.quote_literal(pg_catalog.to_char(v_end, 'YYYY-MM-DD')
                      || CASE WHEN v_type = 'timestamp with time zone' THEN pg_catalog.to_char(v_end, ' HH24:MI:SS') || '+00'
                              WHEN v_end::time <> TIME '00:00' THEN pg_catalog.to_char(v_end, ' HH24:MI:SS') ELSE '' END);
                v_moving := false;
                IF v_default IS NOT NULL THEN
                    -- The owner reads every row once FORCE is off (fence_partitions puts it back).
                    EXECUTE pg_catalog.format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', v_default);
                    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s WHERE %I >= %s AND %I < %s)',
                                              v_default, v_column, v_from, v_column, v_to) INTO v_moving;
                END IF;
                IF v_moving THEN
                    EXECUTE pg_catalog.format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                                              v_schema, v_name, p_parent);
                    -- Rows change partition, not content: the parent's row triggers (audit,
                    -- updated_at) stay quiet while they move.
                    EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', v_default);
                    EXECUTE pg_catalog.format(
                        'WITH moved AS (DELETE FROM %s WHERE %I >= %s AND %I < %s RETURNING *) INSERT INTO %I.%I SELECT * FROM moved',
                        v_default, v_column, v_from, v_column, v_to, v_schema, v_name);
                    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER USER', v_default);
                    EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%s) TO (%s)',
                                              p_parent, v_schema, v_name, v_from, v_to);
                ELSE
                    EXECUTE pg_catalog.format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%s) TO (%s)',
                                              v_schema, v_name, p_parent, v_from, v_to);
                END IF;
                v_los := v_los || v_start;
                v_his := v_his || v_end;
                v_made := v_made + 1;
            END IF;
            v_start := v_end;
        END LOOP;
        v_lower := v_upper;
    END LOOP;
    PERFORM atlas_private.fence_partitions(p_parent);
    RETURN v_made;
END
$body$;
COMMENT ON FUNCTION atlas_private.make_partitions(p_parent regclass, p_unit text, p_count integer, p_premake integer, p_from timestamptz, p_at timestamptz) IS 'Makes the partitions of a table from p_from (or now) to p_premake intervals past now, moves rows of a new partition''s range out of the default one, fences them (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.make_partitions(p_parent regclass, p_unit text, p_count integer, p_premake integer, p_from timestamptz, p_at timestamptz) FROM PUBLIC;

-- create function atlas_private.soft_delete_leads
CREATE FUNCTION atlas_private.soft_delete_leads()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.leads AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_leads() IS 'Soft delete of leads: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_leads() FROM PUBLIC;

-- create function atlas_private.soft_delete_tasks
CREATE FUNCTION atlas_private.soft_delete_tasks()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  UPDATE public.tasks AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_tasks() IS 'Soft delete of tasks: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_tasks() FROM PUBLIC;

-- create function public.notify_message_sent
CREATE FUNCTION public.notify_message_sent()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $body$
begin
  perform pg_notify('message_sent', new.id::text);
  return new;
end
$body$;
COMMENT ON FUNCTION public.notify_message_sent() IS 'Tells listeners on the message_sent channel about each new message.';

-- create function public.update_updated_at_column
CREATE FUNCTION public.update_updated_at_column()
RETURNS trigger
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
begin
  new.updated_at = now();
  return new;
end
$body$;
COMMENT ON FUNCTION public.update_updated_at_column() IS 'Sets updated_at on every update (atlas-compile).';

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

-- create table public.leads_audit
CREATE TABLE public.leads_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT leads_audit_pkey PRIMARY KEY (id),
    CONSTRAINT leads_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.leads_audit IS 'Audit trail of leads (append-only).';
COMMENT ON COLUMN public.leads_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.leads_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.leads_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.leads_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.leads_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.leads_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.leads_audit TO service_role;

-- create table public.organizations
CREATE TABLE public.organizations (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL,
    plan public.organization_plan NOT NULL DEFAULT 'starter'::public.organization_plan,
    timezone text NOT NULL DEFAULT 'Europe/London',
    billing_email text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id),
    CONSTRAINT organizations_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT organizations_slug_key UNIQUE (slug),
    CONSTRAINT organizations_slug_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    CONSTRAINT organizations_billing_email_check CHECK (billing_email IS NULL OR position('@' IN billing_email) > 1)
);
COMMENT ON TABLE public.organizations IS 'Gyms and studios using Atlas Fitness: the tenant root.';
COMMENT ON COLUMN public.organizations.id IS 'Tenant id: the value of organization_id in every tenant table.';
COMMENT ON COLUMN public.organizations.name IS 'Display name of the business.';
COMMENT ON COLUMN public.organizations.slug IS 'URL-safe handle used in public booking pages; unique across all tenants.';
COMMENT ON COLUMN public.organizations.plan IS 'Atlas Fitness subscription tier of this organization.';
COMMENT ON COLUMN public.organizations.timezone IS 'IANA time zone used to show class times and daily reports.';
COMMENT ON COLUMN public.organizations.billing_email IS 'Where Atlas Fitness invoices are sent.';
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.organizations FROM anon, authenticated;
GRANT SELECT, UPDATE ON TABLE public.organizations TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO service_role;

-- create table public.auth_users
CREATE TABLE public.auth_users (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    auth_id uuid NOT NULL,
    role public.member_role NOT NULL DEFAULT 'staff'::public.member_role,
    email text NOT NULL,
    full_name text,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT auth_users_pkey PRIMARY KEY (id),
    CONSTRAINT auth_users_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT auth_users_email_check CHECK (position('@' IN email) > 1),
    CONSTRAINT auth_users_auth_id_key UNIQUE (organization_id, auth_id),
    CONSTRAINT auth_users_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.auth_users IS 'Staff accounts: which Supabase auth user belongs to which organization, and with what role.';
COMMENT ON COLUMN public.auth_users.id IS 'Membership row id; owner/assignee columns elsewhere point here.';
COMMENT ON COLUMN public.auth_users.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.auth_users.auth_id IS 'Supabase auth user id (auth.uid()) of this member.';
COMMENT ON COLUMN public.auth_users.role IS 'Role inside the organization; drives role:<name> access rules.';
COMMENT ON COLUMN public.auth_users.email IS 'Login email at the time of invitation.';
COMMENT ON COLUMN public.auth_users.full_name IS 'Name shown on tasks, notes and the class timetable.';
COMMENT ON COLUMN public.auth_users.is_active IS 'False once the person has left; kept for history.';
ALTER TABLE public.auth_users ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.auth_users FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.auth_users FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.auth_users TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.auth_users TO service_role;

-- create function atlas_private.user_membership_ids
CREATE FUNCTION atlas_private.user_membership_ids()
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(m.id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid);
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO authenticated;

-- create function atlas_private.user_tenant_ids
CREATE FUNCTION atlas_private.user_tenant_ids(p_role public.member_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) TO authenticated;

-- create table public.classes
CREATE TABLE public.classes (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    duration_minutes integer NOT NULL DEFAULT 60,
    default_capacity integer NOT NULL DEFAULT 20,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT classes_pkey PRIMARY KEY (id),
    CONSTRAINT classes_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT classes_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT classes_duration_minutes_check CHECK (duration_minutes BETWEEN 5 AND 480),
    CONSTRAINT classes_default_capacity_check CHECK (default_capacity > 0),
    CONSTRAINT classes_name_key UNIQUE (organization_id, name),
    CONSTRAINT classes_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.classes IS 'Class types a gym runs (Spin, HIIT, Yoga); the public timetable shows them.';
COMMENT ON COLUMN public.classes.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.classes.description IS 'Shown on the public timetable.';
COMMENT ON COLUMN public.classes.default_capacity IS 'Capacity copied to new sessions.';
ALTER TABLE public.classes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.classes FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.classes FROM anon, authenticated;
GRANT SELECT ON TABLE public.classes TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.classes TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.classes TO service_role;

-- create table public.class_sessions
CREATE TABLE public.class_sessions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    class_id uuid NOT NULL,
    instructor_id uuid,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer NOT NULL,
    location text,
    is_cancelled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT class_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT class_sessions_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT class_sessions_capacity_check CHECK (capacity > 0),
    CONSTRAINT class_sessions_ends_after_starts_check CHECK (ends_at > starts_at),
    CONSTRAINT class_sessions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT class_sessions_class_id_fkey FOREIGN KEY (organization_id, class_id) REFERENCES public.classes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT class_sessions_instructor_id_fkey FOREIGN KEY (organization_id, instructor_id) REFERENCES public.auth_users (organization_id, id) ON DELETE SET NULL (instructor_id)
);
COMMENT ON TABLE public.class_sessions IS 'Scheduled occurrences of a class: the public timetable.';
COMMENT ON COLUMN public.class_sessions.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.class_sessions.class_id IS 'Which class this is a session of.';
COMMENT ON COLUMN public.class_sessions.instructor_id IS 'Coach taking the session; null when not yet assigned.';
COMMENT ON COLUMN public.class_sessions.capacity IS 'Places available; bookings beyond it are waitlisted.';
COMMENT ON COLUMN public.class_sessions.location IS 'Studio or room.';
ALTER TABLE public.class_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.class_sessions FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.class_sessions FROM anon, authenticated;
GRANT SELECT ON TABLE public.class_sessions TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.class_sessions TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.class_sessions TO service_role;

-- create table public.lead_sources
CREATE TABLE public.lead_sources (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_sources_pkey PRIMARY KEY (id),
    CONSTRAINT lead_sources_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT lead_sources_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT lead_sources_name_key UNIQUE (organization_id, name),
    CONSTRAINT lead_sources_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.lead_sources IS 'Where leads come from: web forms, ad campaigns, walk-ins, referrals.';
COMMENT ON COLUMN public.lead_sources.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.lead_sources.name IS 'Source label shown in reports, e.g. Facebook Ads.';
COMMENT ON COLUMN public.lead_sources.is_active IS 'Inactive sources stay on old leads but are hidden from capture forms.';
ALTER TABLE public.lead_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.lead_sources FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.lead_sources FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.lead_sources TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.lead_sources TO service_role;

-- create table public.leads
CREATE TABLE public.leads (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    email text NOT NULL,
    full_name text NOT NULL,
    phone text,
    status public.lead_status NOT NULL DEFAULT 'new'::public.lead_status,
    score integer NOT NULL DEFAULT 0,
    source_id uuid,
    owner_id uuid,
    campaign text,
    budget numeric(10, 2),
    last_contacted_at timestamptz,
    trial_session_id uuid,
    external_ref text,
    metadata jsonb NOT NULL DEFAULT CAST('{}' AS jsonb),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT leads_pkey PRIMARY KEY (id),
    CONSTRAINT leads_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT leads_score_check CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT leads_budget_check CHECK (budget >= 0),
    CONSTRAINT leads_external_ref_key UNIQUE (organization_id, external_ref),
    CONSTRAINT leads_external_ref_check CHECK (length(external_ref) BETWEEN 1 AND 64),
    CONSTRAINT leads_email_key UNIQUE (organization_id, email),
    CONSTRAINT leads_email_has_at_check CHECK (position('@' IN email) > 1),
    CONSTRAINT leads_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT leads_source_id_fkey FOREIGN KEY (organization_id, source_id) REFERENCES public.lead_sources (organization_id, id) ON DELETE SET NULL (source_id),
    CONSTRAINT leads_owner_id_fkey FOREIGN KEY (organization_id, owner_id) REFERENCES public.auth_users (organization_id, id) ON DELETE SET NULL (owner_id),
    CONSTRAINT leads_trial_session_id_fkey FOREIGN KEY (organization_id, trial_session_id) REFERENCES public.class_sessions (organization_id, id) ON DELETE SET NULL (trial_session_id)
);
COMMENT ON TABLE public.leads IS 'Prospects captured from forms, ads and walk-ins, worked through the sales funnel.';
COMMENT ON COLUMN public.leads.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.leads.email IS 'Contact email; unique within the organization.';
COMMENT ON COLUMN public.leads.full_name IS 'Name as entered; searched with trigram similarity. Capture forms require it.';
COMMENT ON COLUMN public.leads.phone IS 'Mobile number for SMS and WhatsApp; never written to audit rows.';
COMMENT ON COLUMN public.leads.status IS 'Funnel stage.';
COMMENT ON COLUMN public.leads.score IS 'Lead score from 0 (cold) to 100 (ready to join).';
COMMENT ON COLUMN public.leads.source_id IS 'Where the lead came from.';
COMMENT ON COLUMN public.leads.owner_id IS 'Staff member responsible for following up; null when unassigned.';
COMMENT ON COLUMN public.leads.campaign IS 'Campaign tag captured from the landing page URL.';
COMMENT ON COLUMN public.leads.budget IS 'Monthly budget the lead told us about, in the organization''s currency.';
COMMENT ON COLUMN public.leads.last_contacted_at IS 'Last outbound message or call.';
COMMENT ON COLUMN public.leads.trial_session_id IS 'The trial class booked for the lead, if any.';
COMMENT ON COLUMN public.leads.external_ref IS 'The lead''s id in the ad platform that sent it; unique within the organization.';
COMMENT ON COLUMN public.leads.metadata IS 'Free-form answers from capture forms.';
COMMENT ON COLUMN public.leads.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.leads FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.leads FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.leads TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.leads TO service_role;

-- create table public.lead_notes
CREATE TABLE public.lead_notes (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    lead_id uuid NOT NULL,
    author_id uuid,
    body text NOT NULL,
    is_pinned boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_notes_pkey PRIMARY KEY (id),
    CONSTRAINT lead_notes_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT lead_notes_body_check CHECK (length(btrim(body)) > 0),
    CONSTRAINT lead_notes_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT lead_notes_lead_id_fkey FOREIGN KEY (organization_id, lead_id) REFERENCES public.leads (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT lead_notes_author_id_fkey FOREIGN KEY (organization_id, author_id) REFERENCES public.auth_users (organization_id, id) ON DELETE SET NULL (author_id)
);
COMMENT ON TABLE public.lead_notes IS 'Free-text notes staff write on a lead (calls, visits, objections).';
COMMENT ON COLUMN public.lead_notes.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.lead_notes.lead_id IS 'The lead this note is about.';
COMMENT ON COLUMN public.lead_notes.author_id IS 'Staff member who wrote the note; null once they are removed.';
COMMENT ON COLUMN public.lead_notes.is_pinned IS 'Pinned notes are shown at the top of the lead.';
ALTER TABLE public.lead_notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.lead_notes FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.lead_notes FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.lead_notes TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.lead_notes TO service_role;

-- create table public.membership_plans
CREATE TABLE public.membership_plans (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    price numeric(10, 2) NOT NULL,
    currency text NOT NULL DEFAULT 'GBP',
    billing_interval public.billing_interval NOT NULL DEFAULT 'monthly'::public.billing_interval,
    class_credits integer,
    "order" integer NOT NULL DEFAULT 0,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT membership_plans_pkey PRIMARY KEY (id),
    CONSTRAINT membership_plans_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT membership_plans_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT membership_plans_price_check CHECK (price >= 0),
    CONSTRAINT membership_plans_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT membership_plans_class_credits_check CHECK (class_credits IS NULL OR class_credits > 0),
    CONSTRAINT membership_plans_order_check CHECK ("order" >= 0),
    CONSTRAINT membership_plans_name_key UNIQUE (organization_id, name),
    CONSTRAINT membership_plans_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.membership_plans IS 'What a gym sells: monthly unlimited, 10-class pass, annual membership.';
COMMENT ON COLUMN public.membership_plans.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.membership_plans.name IS 'Plan name shown on the pricing page.';
COMMENT ON COLUMN public.membership_plans.price IS 'Price per billing interval, in currency.';
COMMENT ON COLUMN public.membership_plans.currency IS 'ISO 4217 currency code.';
COMMENT ON COLUMN public.membership_plans.billing_interval IS 'How often the price is charged.';
COMMENT ON COLUMN public.membership_plans.class_credits IS 'Classes included per interval; null means unlimited.';
COMMENT ON COLUMN public.membership_plans."order" IS 'Display order on the pricing page, lowest first (a reserved word, so always quoted).';
COMMENT ON COLUMN public.membership_plans.is_active IS 'Inactive plans keep their members but are no longer sold.';
ALTER TABLE public.membership_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.membership_plans FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.membership_plans FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.membership_plans TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.membership_plans TO service_role;

-- create table public.members
CREATE TABLE public.members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    fitness_goals text[] NOT NULL DEFAULT ARRAY[]::text[],
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL,
    phone text,
    date_of_birth date,
    membership_plan_id uuid,
    converted_from_lead_id uuid,
    status public.member_status NOT NULL DEFAULT 'active'::public.member_status,
    joined_on date NOT NULL DEFAULT CURRENT_DATE,
    emergency_contact text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_pkey PRIMARY KEY (id),
    CONSTRAINT members_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT members_email_check CHECK (position('@' IN email) > 1),
    CONSTRAINT members_date_of_birth_check CHECK (date_of_birth > CAST('1900-01-01' AS date)),
    CONSTRAINT members_email_key UNIQUE (organization_id, email),
    CONSTRAINT members_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT members_membership_plan_id_fkey FOREIGN KEY (organization_id, membership_plan_id) REFERENCES public.membership_plans (organization_id, id) ON DELETE RESTRICT,
    CONSTRAINT members_converted_from_lead_id_fkey FOREIGN KEY (organization_id, converted_from_lead_id) REFERENCES public.leads (organization_id, id) ON DELETE SET NULL (converted_from_lead_id)
);
COMMENT ON TABLE public.members IS 'Paying gym members, usually converted from a lead.';
COMMENT ON COLUMN public.members.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.members.fitness_goals IS 'Goals the member set at induction (e.g. strength, weight loss).';
COMMENT ON COLUMN public.members.email IS 'Contact email; unique within the organization.';
COMMENT ON COLUMN public.members.date_of_birth IS 'Used for age checks on classes; never written to audit rows.';
COMMENT ON COLUMN public.members.membership_plan_id IS 'Current plan; a plan with members cannot be deleted, only deactivated.';
COMMENT ON COLUMN public.members.converted_from_lead_id IS 'The lead this member was converted from, for funnel reporting.';
COMMENT ON COLUMN public.members.joined_on IS 'First day of membership.';
COMMENT ON COLUMN public.members.emergency_contact IS 'Name and phone of the emergency contact.';
ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.members FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.members TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.members TO service_role;

-- create table public.bookings
CREATE TABLE public.bookings (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    member_id uuid NOT NULL,
    class_session_id uuid NOT NULL,
    status public.booking_status NOT NULL DEFAULT 'booked'::public.booking_status,
    checked_in_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_pkey PRIMARY KEY (id),
    CONSTRAINT bookings_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT bookings_member_id_class_session_id_key UNIQUE (organization_id, member_id, class_session_id),
    CONSTRAINT bookings_cancelled_has_time_check CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL),
    CONSTRAINT bookings_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT bookings_member_id_fkey FOREIGN KEY (organization_id, member_id) REFERENCES public.members (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT bookings_class_session_id_fkey FOREIGN KEY (organization_id, class_session_id) REFERENCES public.class_sessions (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.bookings IS 'A member''s place in a class session.';
COMMENT ON COLUMN public.bookings.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.bookings.checked_in_at IS 'Set when the member checks in at the desk.';
ALTER TABLE public.bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.bookings FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.bookings FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.bookings TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.bookings TO service_role;

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

-- create table public.message_templates
CREATE TABLE public.message_templates (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    channel public.message_channel NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT message_templates_pkey PRIMARY KEY (id),
    CONSTRAINT message_templates_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT message_templates_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT message_templates_name_key UNIQUE (organization_id, name),
    CONSTRAINT message_templates_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.message_templates IS 'Reusable message bodies for email, SMS and WhatsApp.';
COMMENT ON COLUMN public.message_templates.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.message_templates.body IS 'Template text with {{placeholders}}.';
ALTER TABLE public.message_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.message_templates FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.message_templates FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.message_templates TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.message_templates TO service_role;

-- create table public.messages
CREATE TABLE public.messages (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    lead_id uuid NOT NULL,
    template_id uuid,
    channel public.message_channel NOT NULL,
    direction public.message_direction NOT NULL,
    recipient text,
    body text NOT NULL,
    sent_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_pkey PRIMARY KEY (id),
    CONSTRAINT messages_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT messages_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT messages_lead_id_fkey FOREIGN KEY (organization_id, lead_id) REFERENCES public.leads (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_template_id_fkey FOREIGN KEY (organization_id, template_id) REFERENCES public.message_templates (organization_id, id) ON DELETE SET NULL (template_id)
);
COMMENT ON TABLE public.messages IS 'Every message sent to or received from a lead, on any channel.';
COMMENT ON COLUMN public.messages.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.messages.template_id IS 'Template the message was rendered from, if any.';
COMMENT ON COLUMN public.messages.recipient IS 'Address or phone number the message went to or came from.';
COMMENT ON COLUMN public.messages.sent_at IS 'When the provider accepted (outbound) or delivered (inbound) it.';
ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.messages FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.messages FROM anon, authenticated;
GRANT SELECT, INSERT, DELETE ON TABLE public.messages TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.messages TO service_role;

-- create table public.payments
CREATE TABLE public.payments (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    member_id uuid NOT NULL,
    membership_plan_id uuid,
    amount numeric(12, 2) NOT NULL,
    currency text NOT NULL DEFAULT 'GBP',
    status public.payment_status NOT NULL DEFAULT 'pending'::public.payment_status,
    provider_payment_id text,
    paid_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_pkey PRIMARY KEY (id),
    CONSTRAINT payments_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT payments_amount_check CHECK (amount >= 0),
    CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT payments_provider_payment_id_key UNIQUE (organization_id, provider_payment_id),
    CONSTRAINT payments_succeeded_has_paid_at_check CHECK (status <> 'succeeded' OR paid_at IS NOT NULL),
    CONSTRAINT payments_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT payments_member_id_fkey FOREIGN KEY (organization_id, member_id) REFERENCES public.members (organization_id, id) ON DELETE RESTRICT,
    CONSTRAINT payments_membership_plan_id_fkey FOREIGN KEY (organization_id, membership_plan_id) REFERENCES public.membership_plans (organization_id, id) ON DELETE SET NULL (membership_plan_id)
);
COMMENT ON TABLE public.payments IS 'Money received from members; written only by the payment webhook (service role).';
COMMENT ON COLUMN public.payments.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.payments.member_id IS 'Who paid; members with payments cannot be hard-deleted.';
COMMENT ON COLUMN public.payments.membership_plan_id IS 'Plan the payment was for, if any.';
COMMENT ON COLUMN public.payments.amount IS 'Amount charged, in currency.';
COMMENT ON COLUMN public.payments.currency IS 'ISO 4217 currency code.';
COMMENT ON COLUMN public.payments.provider_payment_id IS 'Id at the payment provider (e.g. Stripe), for reconciliation.';
COMMENT ON COLUMN public.payments.paid_at IS 'When the provider confirmed the payment.';
ALTER TABLE public.payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.payments FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.payments FROM anon, authenticated;
GRANT SELECT ON TABLE public.payments TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.payments TO service_role;

-- create table public.payments_audit
CREATE TABLE public.payments_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payments_audit_pkey PRIMARY KEY (id),
    CONSTRAINT payments_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.payments_audit IS 'Audit trail of payments (append-only).';
COMMENT ON COLUMN public.payments_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.payments_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.payments_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.payments_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.payments_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.payments_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.payments_audit TO service_role;

-- create table public.tags
CREATE TABLE public.tags (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    color text NOT NULL DEFAULT '#6b7280',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tags_pkey PRIMARY KEY (id),
    CONSTRAINT tags_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT tags_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT tags_color_check CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
    CONSTRAINT tags_name_key UNIQUE (organization_id, name),
    CONSTRAINT tags_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.tags IS 'Labels staff put on leads, e.g. hot, parent, morning-only.';
COMMENT ON COLUMN public.tags.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.tags.name IS 'Tag text; unique within the organization.';
COMMENT ON COLUMN public.tags.color IS 'Hex colour of the tag chip in the UI.';
ALTER TABLE public.tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tags FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.tags FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tags TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tags TO service_role;

-- create table public.lead_tags
CREATE TABLE public.lead_tags (
    lead_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    CONSTRAINT lead_tags_pkey PRIMARY KEY (lead_id, tag_id),
    CONSTRAINT lead_tags_organization_id_lead_id_tag_id_key UNIQUE (organization_id, lead_id, tag_id),
    CONSTRAINT lead_tags_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT lead_tags_lead_id_fkey FOREIGN KEY (organization_id, lead_id) REFERENCES public.leads (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT lead_tags_tag_id_fkey FOREIGN KEY (organization_id, tag_id) REFERENCES public.tags (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.lead_tags IS 'Which tags are on which lead (many to many).';
COMMENT ON COLUMN public.lead_tags.lead_id IS 'The tagged lead.';
COMMENT ON COLUMN public.lead_tags.tag_id IS 'The tag applied.';
COMMENT ON COLUMN public.lead_tags.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.lead_tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.lead_tags FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.lead_tags FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.lead_tags TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.lead_tags TO service_role;

-- create table public.tasks
CREATE TABLE public.tasks (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    title text NOT NULL,
    description text,
    lead_id uuid,
    parent_task_id uuid,
    assignee_id uuid,
    priority public.task_priority NOT NULL DEFAULT 'normal'::public.task_priority,
    due_at timestamptz,
    completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT tasks_pkey PRIMARY KEY (id),
    CONSTRAINT tasks_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT tasks_title_check CHECK (length(btrim(title)) > 0),
    CONSTRAINT tasks_not_own_parent_check CHECK (parent_task_id <> id),
    CONSTRAINT tasks_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT tasks_lead_id_fkey FOREIGN KEY (organization_id, lead_id) REFERENCES public.leads (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT tasks_parent_task_id_fkey FOREIGN KEY (organization_id, parent_task_id) REFERENCES public.tasks (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT tasks_assignee_id_fkey FOREIGN KEY (organization_id, assignee_id) REFERENCES public.auth_users (organization_id, id) ON DELETE SET NULL (assignee_id)
);
COMMENT ON TABLE public.tasks IS 'To-dos for staff: follow-ups, calls, admin. Tasks can have sub-tasks.';
COMMENT ON COLUMN public.tasks.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.tasks.lead_id IS 'Lead the task is about, if any.';
COMMENT ON COLUMN public.tasks.parent_task_id IS 'Parent task; deleting a parent deletes its sub-tasks.';
COMMENT ON COLUMN public.tasks.assignee_id IS 'Staff member who should do it; null when unassigned.';
COMMENT ON COLUMN public.tasks.due_at IS 'Deadline.';
COMMENT ON COLUMN public.tasks.completed_at IS 'When it was done; null while open.';
COMMENT ON COLUMN public.tasks.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.tasks FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.tasks FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tasks TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tasks TO service_role;

-- create table public.workflow_steps
CREATE TABLE public.workflow_steps (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    workflow_id uuid NOT NULL,
    "position" integer NOT NULL,
    action public.workflow_action NOT NULL,
    config jsonb NOT NULL DEFAULT CAST('{}' AS jsonb),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflow_steps_pkey PRIMARY KEY (id),
    CONSTRAINT workflow_steps_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT workflow_steps_position_check CHECK (position >= 1),
    CONSTRAINT workflow_steps_workflow_id_position_key UNIQUE (organization_id, workflow_id, "position"),
    CONSTRAINT workflow_steps_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.workflow_steps IS 'One action of a workflow, run in position order.';
COMMENT ON COLUMN public.workflow_steps.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.workflow_steps."position" IS 'Run order within the workflow, starting at 1.';
COMMENT ON COLUMN public.workflow_steps.action IS 'What the step does.';
COMMENT ON COLUMN public.workflow_steps.config IS 'Action settings, e.g. template id, wait duration, webhook URL.';
ALTER TABLE public.workflow_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.workflow_steps FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.workflow_steps FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.workflow_steps TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.workflow_steps TO service_role;

-- create table public.workflows
CREATE TABLE public.workflows (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    trigger_event public.workflow_trigger NOT NULL DEFAULT 'manual'::public.workflow_trigger,
    is_active boolean NOT NULL DEFAULT false,
    current_step_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflows_pkey PRIMARY KEY (id),
    CONSTRAINT workflows_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT workflows_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT workflows_name_key UNIQUE (organization_id, name),
    CONSTRAINT workflows_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.workflows IS 'Automations: a trigger event followed by an ordered list of steps.';
COMMENT ON COLUMN public.workflows.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.workflows.trigger_event IS 'Event that starts a run of this workflow.';
COMMENT ON COLUMN public.workflows.is_active IS 'Only active workflows are started by their trigger.';
COMMENT ON COLUMN public.workflows.current_step_id IS 'Step the editor has selected / the entry step; cleared if that step is deleted.';
ALTER TABLE public.workflows ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.workflows FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.workflows FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.workflows TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.workflows TO service_role;

-- create table public.workflow_executions
CREATE TABLE public.workflow_executions (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    workflow_id uuid NOT NULL,
    lead_id uuid,
    status public.execution_status NOT NULL DEFAULT 'pending'::public.execution_status,
    started_at timestamptz,
    finished_at timestamptz,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflow_executions_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT workflow_executions_organization_id_id_created_at_key UNIQUE (organization_id, id, created_at),
    CONSTRAINT workflow_executions_finished_after_started_check CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at),
    CONSTRAINT workflow_executions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT workflow_executions_workflow_id_fkey FOREIGN KEY (organization_id, workflow_id) REFERENCES public.workflows (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT workflow_executions_lead_id_fkey FOREIGN KEY (organization_id, lead_id) REFERENCES public.leads (organization_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE public.workflow_executions IS 'One run of a workflow for one lead; written by the automation engine.';
COMMENT ON COLUMN public.workflow_executions.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.workflow_executions.lead_id IS 'Lead the run is for; null for manual runs without a lead.';
COMMENT ON COLUMN public.workflow_executions.error IS 'Failure reason when status is failed.';
ALTER TABLE public.workflow_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.workflow_executions FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.workflow_executions FROM anon, authenticated;
GRANT SELECT, DELETE ON TABLE public.workflow_executions TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.workflow_executions TO service_role;
CREATE TABLE public.workflow_executions_default PARTITION OF public.workflow_executions DEFAULT;
SELECT atlas_private.make_partitions('public.workflow_executions', 'month', 1, 3);

-- create foreign key public.workflow_steps.workflow_steps_workflow_id_fkey
ALTER TABLE public.workflow_steps
    ADD CONSTRAINT workflow_steps_workflow_id_fkey FOREIGN KEY (organization_id, workflow_id) REFERENCES public.workflows (organization_id, id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- create foreign key public.workflows.workflows_current_step_id_fkey
ALTER TABLE public.workflows
    ADD CONSTRAINT workflows_current_step_id_fkey FOREIGN KEY (organization_id, current_step_id) REFERENCES public.workflow_steps (organization_id, id) ON DELETE SET NULL (current_step_id) DEFERRABLE INITIALLY DEFERRED;

-- create index public.idx_auth_users_auth_id_organization_id
CREATE INDEX idx_auth_users_auth_id_organization_id ON public.auth_users (auth_id, organization_id);

-- create index public.idx_auth_users_created_at
CREATE INDEX idx_auth_users_created_at ON public.auth_users (organization_id, created_at DESC);

-- create index public.idx_auth_users_organization_id
CREATE INDEX idx_auth_users_organization_id ON public.auth_users (organization_id);

-- create index public.idx_bookings_audit_organization_id_changed_at
CREATE INDEX idx_bookings_audit_organization_id_changed_at ON public.bookings_audit (organization_id, changed_at DESC);

-- create index public.idx_bookings_created_at
CREATE INDEX idx_bookings_created_at ON public.bookings (organization_id, created_at DESC);

-- create index public.idx_bookings_organization_id
CREATE INDEX idx_bookings_organization_id ON public.bookings (organization_id);

-- create index public.idx_bookings_organization_id_class_session_id_status
CREATE INDEX idx_bookings_organization_id_class_session_id_status ON public.bookings (organization_id, class_session_id, status);

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

-- create index public.idx_class_sessions_class_id
CREATE INDEX idx_class_sessions_class_id ON public.class_sessions (organization_id, class_id);

-- create index public.idx_class_sessions_created_at
CREATE INDEX idx_class_sessions_created_at ON public.class_sessions (organization_id, created_at DESC);

-- create index public.idx_class_sessions_instructor_id
CREATE INDEX idx_class_sessions_instructor_id ON public.class_sessions (organization_id, instructor_id);

-- create index public.idx_class_sessions_organization_id
CREATE INDEX idx_class_sessions_organization_id ON public.class_sessions (organization_id);

-- create index public.idx_class_sessions_organization_id_starts_at
CREATE INDEX idx_class_sessions_organization_id_starts_at ON public.class_sessions (organization_id, starts_at);

-- create index public.idx_classes_created_at
CREATE INDEX idx_classes_created_at ON public.classes (organization_id, created_at DESC);

-- create index public.idx_classes_organization_id
CREATE INDEX idx_classes_organization_id ON public.classes (organization_id);

-- create index public.idx_lead_notes_author_id
CREATE INDEX idx_lead_notes_author_id ON public.lead_notes (organization_id, author_id);

-- create index public.idx_lead_notes_created_at
CREATE INDEX idx_lead_notes_created_at ON public.lead_notes (organization_id, created_at DESC);

-- create index public.idx_lead_notes_organization_id
CREATE INDEX idx_lead_notes_organization_id ON public.lead_notes (organization_id);

-- create index public.idx_lead_notes_organization_id_lead_id_created_at
CREATE INDEX idx_lead_notes_organization_id_lead_id_created_at ON public.lead_notes (organization_id, lead_id, created_at DESC);

-- create index public.idx_lead_sources_created_at
CREATE INDEX idx_lead_sources_created_at ON public.lead_sources (organization_id, created_at DESC);

-- create index public.idx_lead_sources_organization_id
CREATE INDEX idx_lead_sources_organization_id ON public.lead_sources (organization_id);

-- create index public.idx_lead_tags_organization_id
CREATE INDEX idx_lead_tags_organization_id ON public.lead_tags (organization_id);

-- create index public.idx_lead_tags_tag_id
CREATE INDEX idx_lead_tags_tag_id ON public.lead_tags (organization_id, tag_id);

-- create index public.idx_leads_audit_organization_id_changed_at
CREATE INDEX idx_leads_audit_organization_id_changed_at ON public.leads_audit (organization_id, changed_at DESC);

-- create index public.idx_leads_created_at
CREATE INDEX idx_leads_created_at ON public.leads (organization_id, created_at DESC);

-- create index public.idx_leads_full_name
CREATE INDEX idx_leads_full_name ON public.leads USING gin (full_name gin_trgm_ops);

-- create index public.idx_leads_live_status
CREATE INDEX idx_leads_live_status ON public.leads (organization_id, status, created_at DESC) WHERE deleted_at IS NULL;

-- create index public.idx_leads_organization_id
CREATE INDEX idx_leads_organization_id ON public.leads (organization_id);

-- create index public.idx_leads_organization_id_campaign
CREATE INDEX idx_leads_organization_id_campaign ON public.leads (organization_id, campaign);

-- create index public.idx_leads_owner_id
CREATE INDEX idx_leads_owner_id ON public.leads (organization_id, owner_id);

-- create index public.idx_leads_source_id
CREATE INDEX idx_leads_source_id ON public.leads (organization_id, source_id);

-- create index public.idx_leads_trial_session_id
CREATE INDEX idx_leads_trial_session_id ON public.leads (organization_id, trial_session_id);

-- create index public.idx_members_converted_from_lead_id
CREATE INDEX idx_members_converted_from_lead_id ON public.members (organization_id, converted_from_lead_id);

-- create index public.idx_members_created_at
CREATE INDEX idx_members_created_at ON public.members (organization_id, created_at DESC);

-- create index public.idx_members_last_name
CREATE INDEX idx_members_last_name ON public.members USING gin (last_name gin_trgm_ops);

-- create index public.idx_members_membership_plan_id
CREATE INDEX idx_members_membership_plan_id ON public.members (organization_id, membership_plan_id);

-- create index public.idx_members_organization_id
CREATE INDEX idx_members_organization_id ON public.members (organization_id);

-- create index public.idx_members_organization_id_status_last_name
CREATE INDEX idx_members_organization_id_status_last_name ON public.members (organization_id, status, last_name);

-- create index public.idx_membership_plans_created_at
CREATE INDEX idx_membership_plans_created_at ON public.membership_plans (organization_id, created_at DESC);

-- create index public.idx_membership_plans_organization_id
CREATE INDEX idx_membership_plans_organization_id ON public.membership_plans (organization_id);

-- create index public.idx_message_templates_created_at
CREATE INDEX idx_message_templates_created_at ON public.message_templates (organization_id, created_at DESC);

-- create index public.idx_message_templates_organization_id
CREATE INDEX idx_message_templates_organization_id ON public.message_templates (organization_id);

-- create index public.idx_messages_created_at
CREATE INDEX idx_messages_created_at ON public.messages (organization_id, created_at DESC);

-- create index public.idx_messages_organization_id
CREATE INDEX idx_messages_organization_id ON public.messages (organization_id);

-- create index public.idx_messages_organization_id_lead_id_sent_at
CREATE INDEX idx_messages_organization_id_lead_id_sent_at ON public.messages (organization_id, lead_id, sent_at DESC);

-- create index public.idx_messages_template_id
CREATE INDEX idx_messages_template_id ON public.messages (organization_id, template_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create index public.idx_payments_audit_organization_id_changed_at
CREATE INDEX idx_payments_audit_organization_id_changed_at ON public.payments_audit (organization_id, changed_at DESC);

-- create index public.idx_payments_created_at
CREATE INDEX idx_payments_created_at ON public.payments (organization_id, created_at DESC);

-- create index public.idx_payments_member_id
CREATE INDEX idx_payments_member_id ON public.payments (organization_id, member_id);

-- create index public.idx_payments_membership_plan_id
CREATE INDEX idx_payments_membership_plan_id ON public.payments (organization_id, membership_plan_id);

-- create index public.idx_payments_organization_id
CREATE INDEX idx_payments_organization_id ON public.payments (organization_id);

-- create index public.idx_payments_organization_id_status_paid_at
CREATE INDEX idx_payments_organization_id_status_paid_at ON public.payments (organization_id, status, paid_at DESC);

-- create index public.idx_tags_created_at
CREATE INDEX idx_tags_created_at ON public.tags (organization_id, created_at DESC);

-- create index public.idx_tags_organization_id
CREATE INDEX idx_tags_organization_id ON public.tags (organization_id);

-- create index public.idx_tasks_assignee_id
CREATE INDEX idx_tasks_assignee_id ON public.tasks (organization_id, assignee_id);

-- create index public.idx_tasks_created_at
CREATE INDEX idx_tasks_created_at ON public.tasks (organization_id, created_at DESC);

-- create index public.idx_tasks_lead_id
CREATE INDEX idx_tasks_lead_id ON public.tasks (organization_id, lead_id);

-- create index public.idx_tasks_open_by_assignee
CREATE INDEX idx_tasks_open_by_assignee ON public.tasks (organization_id, assignee_id, due_at) WHERE completed_at IS NULL;

-- create index public.idx_tasks_organization_id
CREATE INDEX idx_tasks_organization_id ON public.tasks (organization_id);

-- create index public.idx_tasks_parent_task_id
CREATE INDEX idx_tasks_parent_task_id ON public.tasks (organization_id, parent_task_id);

-- create index public.idx_workflow_executions_created_at
CREATE INDEX idx_workflow_executions_created_at ON public.workflow_executions (organization_id, created_at DESC);

-- create index public.idx_workflow_executions_lead_id
CREATE INDEX idx_workflow_executions_lead_id ON public.workflow_executions (organization_id, lead_id);

-- create index public.idx_workflow_executions_organization_id
CREATE INDEX idx_workflow_executions_organization_id ON public.workflow_executions (organization_id);

-- create index public.idx_workflow_executions_queue
CREATE INDEX idx_workflow_executions_queue ON public.workflow_executions (organization_id, status, created_at) WHERE status IN ('pending', 'running');

-- create index public.idx_workflow_executions_workflow_id
CREATE INDEX idx_workflow_executions_workflow_id ON public.workflow_executions (organization_id, workflow_id);

-- create index public.idx_workflow_steps_created_at
CREATE INDEX idx_workflow_steps_created_at ON public.workflow_steps (organization_id, created_at DESC);

-- create index public.idx_workflow_steps_organization_id
CREATE INDEX idx_workflow_steps_organization_id ON public.workflow_steps (organization_id);

-- create index public.idx_workflows_active_trigger
CREATE INDEX idx_workflows_active_trigger ON public.workflows (organization_id, trigger_event) WHERE is_active;

-- create index public.idx_workflows_created_at
CREATE INDEX idx_workflows_created_at ON public.workflows (organization_id, created_at DESC);

-- create index public.idx_workflows_current_step_id
CREATE INDEX idx_workflows_current_step_id ON public.workflows (organization_id, current_step_id);

-- create index public.idx_workflows_organization_id
CREATE INDEX idx_workflows_organization_id ON public.workflows (organization_id);

-- create policy public.auth_users.auth_users_delete
CREATE POLICY auth_users_delete ON public.auth_users
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.auth_users.auth_users_insert
CREATE POLICY auth_users_insert ON public.auth_users
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.auth_users.auth_users_select
CREATE POLICY auth_users_select ON public.auth_users
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.auth_users.auth_users_tenant_fence
CREATE POLICY auth_users_tenant_fence ON public.auth_users
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.auth_users.auth_users_update
CREATE POLICY auth_users_update ON public.auth_users
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.bookings.bookings_delete
CREATE POLICY bookings_delete ON public.bookings
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.bookings.bookings_insert
CREATE POLICY bookings_insert ON public.bookings
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.bookings.bookings_select
CREATE POLICY bookings_select ON public.bookings
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.bookings.bookings_tenant_fence
CREATE POLICY bookings_tenant_fence ON public.bookings
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.bookings.bookings_update
CREATE POLICY bookings_update ON public.bookings
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

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

-- create policy public.class_sessions.class_sessions_delete
CREATE POLICY class_sessions_delete ON public.class_sessions
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.class_sessions.class_sessions_insert
CREATE POLICY class_sessions_insert ON public.class_sessions
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.class_sessions.class_sessions_select
CREATE POLICY class_sessions_select ON public.class_sessions
    AS PERMISSIVE
    FOR SELECT
    TO anon, authenticated
    USING (true)
;

-- create policy public.class_sessions.class_sessions_tenant_fence
CREATE POLICY class_sessions_tenant_fence ON public.class_sessions
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.class_sessions.class_sessions_update
CREATE POLICY class_sessions_update ON public.class_sessions
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((instructor_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((instructor_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.classes.classes_delete
CREATE POLICY classes_delete ON public.classes
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.classes.classes_insert
CREATE POLICY classes_insert ON public.classes
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.classes.classes_select
CREATE POLICY classes_select ON public.classes
    AS PERMISSIVE
    FOR SELECT
    TO anon, authenticated
    USING (true)
;

-- create policy public.classes.classes_tenant_fence
CREATE POLICY classes_tenant_fence ON public.classes
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.classes.classes_update
CREATE POLICY classes_update ON public.classes
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.lead_notes.lead_notes_delete
CREATE POLICY lead_notes_delete ON public.lead_notes
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.lead_notes.lead_notes_insert
CREATE POLICY lead_notes_insert ON public.lead_notes
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.lead_notes.lead_notes_select
CREATE POLICY lead_notes_select ON public.lead_notes
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.lead_notes.lead_notes_tenant_fence
CREATE POLICY lead_notes_tenant_fence ON public.lead_notes
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.lead_notes.lead_notes_update
CREATE POLICY lead_notes_update ON public.lead_notes
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.lead_sources.lead_sources_delete
CREATE POLICY lead_sources_delete ON public.lead_sources
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.lead_sources.lead_sources_insert
CREATE POLICY lead_sources_insert ON public.lead_sources
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.lead_sources.lead_sources_select
CREATE POLICY lead_sources_select ON public.lead_sources
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.lead_sources.lead_sources_tenant_fence
CREATE POLICY lead_sources_tenant_fence ON public.lead_sources
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.lead_sources.lead_sources_update
CREATE POLICY lead_sources_update ON public.lead_sources
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.lead_tags.lead_tags_delete
CREATE POLICY lead_tags_delete ON public.lead_tags
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.lead_tags.lead_tags_insert
CREATE POLICY lead_tags_insert ON public.lead_tags
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.lead_tags.lead_tags_select
CREATE POLICY lead_tags_select ON public.lead_tags
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.lead_tags.lead_tags_tenant_fence
CREATE POLICY lead_tags_tenant_fence ON public.lead_tags
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.lead_tags.lead_tags_update
CREATE POLICY lead_tags_update ON public.lead_tags
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.leads.claim_unassigned_leads
CREATE POLICY claim_unassigned_leads ON public.leads
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND (owner_id IS NULL))
    WITH CHECK ((deleted_at IS NULL) AND (owner_id IS NOT NULL))
;

-- create policy public.leads.leads_delete
CREATE POLICY leads_delete ON public.leads
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create policy public.leads.leads_insert
CREATE POLICY leads_insert ON public.leads
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.leads.leads_select
CREATE POLICY leads_select ON public.leads
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.leads.leads_tenant_fence
CREATE POLICY leads_tenant_fence ON public.leads
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.leads.leads_update
CREATE POLICY leads_update ON public.leads
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((owner_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
    WITH CHECK ((deleted_at IS NULL) AND ((owner_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create policy public.leads_audit.leads_audit_select
CREATE POLICY leads_audit_select ON public.leads_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.leads_audit.leads_audit_tenant_fence
CREATE POLICY leads_audit_tenant_fence ON public.leads_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_delete
CREATE POLICY members_delete ON public.members
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_insert
CREATE POLICY members_insert ON public.members
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_select
CREATE POLICY members_select ON public.members
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.members.members_tenant_fence
CREATE POLICY members_tenant_fence ON public.members
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.members.members_update
CREATE POLICY members_update ON public.members
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.membership_plans.membership_plans_delete
CREATE POLICY membership_plans_delete ON public.membership_plans
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.membership_plans.membership_plans_insert
CREATE POLICY membership_plans_insert ON public.membership_plans
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.membership_plans.membership_plans_select
CREATE POLICY membership_plans_select ON public.membership_plans
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.membership_plans.membership_plans_tenant_fence
CREATE POLICY membership_plans_tenant_fence ON public.membership_plans
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.membership_plans.membership_plans_update
CREATE POLICY membership_plans_update ON public.membership_plans
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.message_templates.message_templates_delete
CREATE POLICY message_templates_delete ON public.message_templates
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.message_templates.message_templates_insert
CREATE POLICY message_templates_insert ON public.message_templates
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.message_templates.message_templates_select
CREATE POLICY message_templates_select ON public.message_templates
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.message_templates.message_templates_tenant_fence
CREATE POLICY message_templates_tenant_fence ON public.message_templates
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.message_templates.message_templates_update
CREATE POLICY message_templates_update ON public.message_templates
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.messages.messages_delete
CREATE POLICY messages_delete ON public.messages
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.messages.messages_insert
CREATE POLICY messages_insert ON public.messages
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.messages.messages_select
CREATE POLICY messages_select ON public.messages
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.messages.messages_tenant_fence
CREATE POLICY messages_tenant_fence ON public.messages
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.organizations.organizations_select
CREATE POLICY organizations_select ON public.organizations
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.organizations.organizations_tenant_fence
CREATE POLICY organizations_tenant_fence ON public.organizations
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.organizations.organizations_update
CREATE POLICY organizations_update ON public.organizations
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])) OR (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])))
    WITH CHECK ((id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])) OR (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])))
;

-- create policy public.payments.payments_select
CREATE POLICY payments_select ON public.payments
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.payments.payments_tenant_fence
CREATE POLICY payments_tenant_fence ON public.payments
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.payments_audit.payments_audit_select
CREATE POLICY payments_audit_select ON public.payments_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.payments_audit.payments_audit_tenant_fence
CREATE POLICY payments_audit_tenant_fence ON public.payments_audit
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_delete
CREATE POLICY tags_delete ON public.tags
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_insert
CREATE POLICY tags_insert ON public.tags
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_select
CREATE POLICY tags_select ON public.tags
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.tags.tags_tenant_fence
CREATE POLICY tags_tenant_fence ON public.tags
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tags.tags_update
CREATE POLICY tags_update ON public.tags
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tasks.tasks_delete
CREATE POLICY tasks_delete ON public.tasks
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create policy public.tasks.tasks_insert
CREATE POLICY tasks_insert ON public.tasks
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.tasks.tasks_select
CREATE POLICY tasks_select ON public.tasks
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.tasks.tasks_tenant_fence
CREATE POLICY tasks_tenant_fence ON public.tasks
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.tasks.tasks_update
CREATE POLICY tasks_update ON public.tasks
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
    WITH CHECK ((deleted_at IS NULL) AND ((assignee_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[]))))
;

-- create policy public.workflow_executions.workflow_executions_delete
CREATE POLICY workflow_executions_delete ON public.workflow_executions
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.workflow_executions.workflow_executions_select
CREATE POLICY workflow_executions_select ON public.workflow_executions
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.workflow_executions.workflow_executions_tenant_fence
CREATE POLICY workflow_executions_tenant_fence ON public.workflow_executions
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.workflow_steps.workflow_steps_delete
CREATE POLICY workflow_steps_delete ON public.workflow_steps
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.workflow_steps.workflow_steps_insert
CREATE POLICY workflow_steps_insert ON public.workflow_steps
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.workflow_steps.workflow_steps_select
CREATE POLICY workflow_steps_select ON public.workflow_steps
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.workflow_steps.workflow_steps_tenant_fence
CREATE POLICY workflow_steps_tenant_fence ON public.workflow_steps
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.workflow_steps.workflow_steps_update
CREATE POLICY workflow_steps_update ON public.workflow_steps
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.workflows.workflows_delete
CREATE POLICY workflows_delete ON public.workflows
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.workflows.workflows_insert
CREATE POLICY workflows_insert ON public.workflows
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create policy public.workflows.workflows_select
CREATE POLICY workflows_select ON public.workflows
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.workflows.workflows_tenant_fence
CREATE POLICY workflows_tenant_fence ON public.workflows
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.workflows.workflows_update
CREATE POLICY workflows_update ON public.workflows
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
    WITH CHECK ((organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('owner'::public.member_role))::uuid[])))
;

-- create trigger public.auth_users.update_auth_users_updated_at
CREATE TRIGGER update_auth_users_updated_at
    BEFORE UPDATE ON public.auth_users
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.bookings.audit_bookings
CREATE TRIGGER audit_bookings
    AFTER INSERT OR UPDATE OR DELETE ON public.bookings
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('bookings_audit', 'organization_id', 'id', '');

-- create trigger public.bookings.update_bookings_updated_at
CREATE TRIGGER update_bookings_updated_at
    BEFORE UPDATE ON public.bookings
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.check_ins.update_check_ins_updated_at
CREATE TRIGGER update_check_ins_updated_at
    BEFORE UPDATE ON public.check_ins
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.class_sessions.update_class_sessions_updated_at
CREATE TRIGGER update_class_sessions_updated_at
    BEFORE UPDATE ON public.class_sessions
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.classes.update_classes_updated_at
CREATE TRIGGER update_classes_updated_at
    BEFORE UPDATE ON public.classes
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.lead_notes.update_lead_notes_updated_at
CREATE TRIGGER update_lead_notes_updated_at
    BEFORE UPDATE ON public.lead_notes
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.lead_sources.update_lead_sources_updated_at
CREATE TRIGGER update_lead_sources_updated_at
    BEFORE UPDATE ON public.lead_sources
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.leads.audit_leads
CREATE TRIGGER audit_leads
    AFTER INSERT OR UPDATE OR DELETE ON public.leads
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('leads_audit', 'organization_id', 'id', 'phone', 'deleted_at');

-- create trigger public.leads.soft_delete_leads
CREATE TRIGGER soft_delete_leads
    BEFORE DELETE ON public.leads
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_leads();

-- create trigger public.leads.update_leads_updated_at
CREATE TRIGGER update_leads_updated_at
    BEFORE UPDATE ON public.leads
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.members.update_members_updated_at
CREATE TRIGGER update_members_updated_at
    BEFORE UPDATE ON public.members
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.membership_plans.update_membership_plans_updated_at
CREATE TRIGGER update_membership_plans_updated_at
    BEFORE UPDATE ON public.membership_plans
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.message_templates.update_message_templates_updated_at
CREATE TRIGGER update_message_templates_updated_at
    BEFORE UPDATE ON public.message_templates
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.messages.notify_message_sent
CREATE TRIGGER notify_message_sent
    AFTER INSERT ON public.messages
    FOR EACH ROW
    EXECUTE FUNCTION public.notify_message_sent();

-- create trigger public.messages.update_messages_updated_at
CREATE TRIGGER update_messages_updated_at
    BEFORE UPDATE ON public.messages
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.payments.audit_payments
CREATE TRIGGER audit_payments
    AFTER INSERT OR UPDATE OR DELETE ON public.payments
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('payments_audit', 'organization_id', 'id', '');

-- create trigger public.payments.update_payments_updated_at
CREATE TRIGGER update_payments_updated_at
    BEFORE UPDATE ON public.payments
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.tags.update_tags_updated_at
CREATE TRIGGER update_tags_updated_at
    BEFORE UPDATE ON public.tags
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.tasks.soft_delete_tasks
CREATE TRIGGER soft_delete_tasks
    BEFORE DELETE ON public.tasks
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_tasks();

-- create trigger public.tasks.update_tasks_updated_at
CREATE TRIGGER update_tasks_updated_at
    BEFORE UPDATE ON public.tasks
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.workflow_executions.update_workflow_executions_updated_at
CREATE TRIGGER update_workflow_executions_updated_at
    BEFORE UPDATE ON public.workflow_executions
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.workflow_steps.update_workflow_steps_updated_at
CREATE TRIGGER update_workflow_steps_updated_at
    BEFORE UPDATE ON public.workflow_steps
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.workflows.update_workflows_updated_at
CREATE TRIGGER update_workflows_updated_at
    BEFORE UPDATE ON public.workflows
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

SET LOCAL statement_timeout = '30min';
-- create view atlas_private.lead_funnel_daily
CREATE MATERIALIZED VIEW atlas_private.lead_funnel_daily AS
SELECT organization_id
     , date_trunc('day', created_at) AS day
     , status
     , count(*) AS leads
FROM leads
WHERE deleted_at IS NULL
GROUP BY 1, 2, 3
WITH DATA;
COMMENT ON MATERIALIZED VIEW atlas_private.lead_funnel_daily IS 'Leads per organization, day and status; exposed only through a tenant-filtered view.';
REVOKE ALL ON TABLE atlas_private.lead_funnel_daily FROM anon, authenticated;

SET LOCAL statement_timeout = '10s';
-- create function atlas_private.lead_funnel_daily_rows
CREATE FUNCTION atlas_private.lead_funnel_daily_rows()
RETURNS SETOF atlas_private.lead_funnel_daily
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
SELECT v.*
FROM atlas_private.lead_funnel_daily AS v
WHERE v.organization_id = ANY (atlas_private.user_tenant_ids())
$body$;
COMMENT ON FUNCTION atlas_private.lead_funnel_daily_rows() IS 'Rows of materialized view lead_funnel_daily the current user may see.';
REVOKE ALL ON FUNCTION atlas_private.lead_funnel_daily_rows() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.lead_funnel_daily_rows() TO authenticated;

-- create function atlas_private.refresh_lead_funnel_daily
CREATE FUNCTION atlas_private.refresh_lead_funnel_daily()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY atlas_private.lead_funnel_daily;
END
$body$;
COMMENT ON FUNCTION atlas_private.refresh_lead_funnel_daily() IS 'Refreshes materialized view lead_funnel_daily concurrently every 15 minutes by pg_cron job atlas_refresh_lead_funnel_daily.';
REVOKE ALL ON FUNCTION atlas_private.refresh_lead_funnel_daily() FROM PUBLIC;

-- create index atlas_private.idx_lead_funnel_daily_organization_id_day_status
-- the materialized view is created in this transaction: nothing reads it yet
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX idx_lead_funnel_daily_organization_id_day_status ON atlas_private.lead_funnel_daily (organization_id, day, status);

-- create view public.lead_funnel_daily
CREATE VIEW public.lead_funnel_daily WITH (security_invoker = true) AS
SELECT *
FROM atlas_private.lead_funnel_daily_rows();
COMMENT ON VIEW public.lead_funnel_daily IS 'Leads per organization, day and status; exposed only through a tenant-filtered view.';
REVOKE ALL ON TABLE public.lead_funnel_daily FROM anon, authenticated;
GRANT SELECT ON TABLE public.lead_funnel_daily TO authenticated;

-- create view public.open_tasks
CREATE VIEW public.open_tasks WITH (security_invoker = true) AS
SELECT id
     , organization_id
     , title
     , due_at
     , assignee_id
FROM tasks
WHERE completed_at IS NULL;
COMMENT ON VIEW public.open_tasks IS 'Tasks not yet completed; security_invoker, so the tasks policies apply.';
REVOKE ALL ON TABLE public.open_tasks FROM anon, authenticated;
GRANT SELECT ON TABLE public.open_tasks TO authenticated;

-- create publication table supabase_realtime.public.check_ins
ALTER PUBLICATION supabase_realtime ADD TABLE public.check_ins;

-- create publication table supabase_realtime.public.leads
ALTER PUBLICATION supabase_realtime ADD TABLE public.leads;

-- create publication table supabase_realtime.public.messages
ALTER PUBLICATION supabase_realtime ADD TABLE public.messages;

-- create schedule atlas_maintain_partitions
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.schedule('atlas_maintain_partitions', '7 * * * *', 'SELECT atlas_private.maintain_partitions()');
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % is not scheduled here', pg_catalog.current_database(), 'atlas_maintain_partitions';
    END IF;
END
$atlas$;

-- create schedule atlas_refresh_lead_funnel_daily
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        PERFORM cron.schedule('atlas_refresh_lead_funnel_daily', '*/15 * * * *', 'SELECT atlas_private.refresh_lead_funnel_daily()');
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % is not scheduled here', pg_catalog.current_database(), 'atlas_refresh_lead_funnel_daily';
    END IF;
END
$atlas$;

-- create encryption key atlas_encryption_key
CREATE FUNCTION atlas_private.encryption_key()
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $function$
DECLARE
    -- Either may be missing (no Vault; the key archived): each is read through the relation
    -- found when the function runs.
    vault regclass := pg_catalog.to_regclass('vault.decrypted_secrets');
    own regclass := pg_catalog.to_regclass('atlas_private.encryption_key');
    found text;
BEGIN
    IF vault IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT decrypted_secret FROM %s WHERE name = $1', vault) INTO found USING 'atlas_encryption_key';
    END IF;
    IF found IS NULL AND own IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT key FROM %s', own) INTO found;
    END IF;
    IF found IS NULL THEN
        RAISE EXCEPTION 'the key of the encrypted columns is missing (atlas-compile)';
    END IF;
    RETURN found;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encryption_key() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encryption_key() IS 'The key of the encrypted columns, from Vault or atlas_private.encryption_key; callable by its owner only (atlas-compile).';
DO $encryption_key$
DECLARE
    crypto text := (SELECT n.nspname FROM pg_catalog.pg_extension AS e
                    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pgcrypto');
    kept boolean;
BEGIN
    IF crypto IS NULL THEN
        RAISE EXCEPTION 'encrypted columns need the pgcrypto extension (atlas-compile)';
    END IF;
    IF pg_catalog.to_regclass('vault.decrypted_secrets') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM vault.secrets WHERE name = $1)' INTO kept USING 'atlas_encryption_key';
        IF NOT kept THEN
            EXECUTE pg_catalog.format('SELECT vault.create_secret(pg_catalog.encode(%I.gen_random_bytes(32), ''base64''), $1, $2)', crypto)
                USING 'atlas_encryption_key', 'Key of the encrypted columns (atlas-compile)';
        END IF;
    ELSE
        CREATE TABLE atlas_private.encryption_key (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            key text NOT NULL
        );
        ALTER TABLE atlas_private.encryption_key ENABLE ROW LEVEL SECURITY;
        REVOKE ALL ON TABLE atlas_private.encryption_key FROM PUBLIC;
        COMMENT ON TABLE atlas_private.encryption_key IS 'The key of the encrypted columns, made on this server; no API role may read it (atlas-compile).';
        EXECUTE pg_catalog.format('INSERT INTO atlas_private.encryption_key (key) SELECT pg_catalog.encode(%I.gen_random_bytes(32), ''base64'')', crypto);
    END IF;

    EXECUTE pg_catalog.format($create$
CREATE FUNCTION atlas_private.encrypt_value(plain text)
RETURNS text
LANGUAGE sql
VOLATILE
STRICT
SECURITY DEFINER
SET search_path = ''
AS $function$
SELECT 'atlas1:' || pg_catalog.translate(pg_catalog.encode(
    %1$I.pgp_sym_encrypt(plain, atlas_private.encryption_key(), 'cipher-algo=aes256, s2k-mode=1'), 'base64'), pg_catalog.chr(10), '')
$function$$create$, crypto);
    EXECUTE pg_catalog.format($create$
CREATE FUNCTION atlas_private.decrypt_value(stored text)
RETURNS text
LANGUAGE plpgsql
STABLE
STRICT
SECURITY DEFINER
SET search_path = ''
AS $function$
DECLARE
    secret text;
BEGIN
    IF NOT pg_catalog.starts_with(stored, 'atlas1:') THEN
        RETURN stored;
    END IF;
    secret := atlas_private.encryption_key();   -- a missing key is an error, not a NULL
    BEGIN
        RETURN %1$I.pgp_sym_decrypt(pg_catalog.decode(pg_catalog.substr(stored, 8), 'base64'), secret);
    EXCEPTION WHEN data_exception OR external_routine_invocation_exception THEN
        RETURN NULL;   -- not a ciphertext under this key (bad base64, wrong key, corrupt data): no read fails on it
    END;
END
$function$$create$, crypto);
END
$encryption_key$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_value(text) FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_value(text) IS 'Encrypts a value of an encrypted column; the columns'' triggers call it (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.decrypt_value(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.decrypt_value(text) TO authenticated, service_role;
COMMENT ON FUNCTION atlas_private.decrypt_value(text) IS 'Decrypts a value of an encrypted column; the accessor views call it, row level security choosing the rows (atlas-compile).';

-- create view public.members_decrypted
CREATE VIEW public.members_decrypted WITH (security_invoker = true) AS
SELECT id,
       organization_id,
       fitness_goals,
       first_name,
       last_name,
       email,
       phone,
       date_of_birth,
       membership_plan_id,
       converted_from_lead_id,
       status,
       joined_on,
       CASE WHEN pg_catalog.row_security_active('public.members'::regclass) AND (SELECT auth.uid()) IS NULL THEN NULL ELSE atlas_private.decrypt_value(emergency_contact) END AS emergency_contact,
       created_at,
       updated_at
  FROM public.members;
COMMENT ON VIEW public.members_decrypted IS 'members with its encrypted columns decrypted, for the rows the caller may read (atlas-compile).';
REVOKE ALL ON TABLE public.members_decrypted FROM anon, authenticated;
GRANT SELECT ON TABLE public.members_decrypted TO authenticated;
GRANT SELECT ON TABLE public.members_decrypted TO service_role;

-- create encrypted column public.members.emergency_contact
CREATE FUNCTION atlas_private.encrypt_members_emergency_contact()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $function$
BEGIN
    -- the stored ciphertext, unchanged (an update of other columns): kept
    IF new.emergency_contact IS NULL OR (TG_OP = 'UPDATE' AND new.emergency_contact IS NOT DISTINCT FROM old.emergency_contact
                           AND pg_catalog.starts_with(old.emergency_contact, 'atlas1:')) THEN
        RETURN new;
    END IF;
    -- a ciphertext under the key already (an upsert's EXCLUDED row, encrypted by the INSERT
    -- trigger; a value copied from another row) is kept; anything else, 'atlas1:garbage'
    -- too (it would not decrypt), is encrypted
    IF pg_catalog.starts_with(new.emergency_contact, 'atlas1:')
       AND atlas_private.decrypt_value(new.emergency_contact) IS NOT NULL THEN
        RETURN new;
    END IF;
    new.emergency_contact := atlas_private.encrypt_value(new.emergency_contact);
    RETURN new;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_members_emergency_contact() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_members_emergency_contact() IS 'Encrypts members.emergency_contact as it is written (atlas-compile).';
CREATE TRIGGER encrypt_emergency_contact BEFORE INSERT OR UPDATE ON public.members FOR EACH ROW EXECUTE FUNCTION atlas_private.encrypt_members_emergency_contact();
COMMIT;
