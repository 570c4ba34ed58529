-- atlas-compile migration 0001_initial (up)
-- project: partitioned-events-partman; target: supabase; PostgreSQL 15
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

-- create extension pg_partman
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_partman') THEN
        CREATE EXTENSION pg_partman WITH SCHEMA extensions;
        COMMENT ON EXTENSION pg_partman IS 'installed by atlas-compile';
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

-- create enum public.member_role
CREATE TYPE public.member_role AS ENUM (
    'admin',
    'member'
);

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
DECLARE
    v_partman name;
BEGIN
    SELECT n.nspname INTO v_partman FROM pg_catalog.pg_extension AS e
    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman';
    BEGIN
        PERFORM atlas_private.partman_make_partitions('public.events', '1 day'::interval, 7);
        EXECUTE pg_catalog.format('SELECT %I.run_maintenance(p_parent_table := %L)', v_partman, 'public.events');
        IF p_at > now() THEN
            PERFORM atlas_private.partman_make_partitions('public.events', '1 day'::interval, 7, ARRAY(SELECT pg_catalog.generate_series(p_at, p_at + '1 day'::interval * 7, '1 day'::interval)));
        END IF;
        PERFORM atlas_private.fence_partitions('public.events');
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'maintain_partitions: the partitions of % were not maintained: % (SQLSTATE %)',
            'public.events', SQLERRM, SQLSTATE;
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

-- create function atlas_private.partman_make_partitions
CREATE FUNCTION atlas_private.partman_make_partitions(p_parent text, p_step interval, p_premake integer, p_times timestamptz[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = ''
AS $body$
DECLARE
    v_partman name;
    v_column name;
    v_default regclass;
    v_time timestamptz;
    v_start timestamptz;
    v_schema text;
    v_name text;
    v_exists boolean;
    v_moving boolean;
    v_made integer := 0;
BEGIN
    SELECT n.nspname INTO v_partman FROM pg_catalog.pg_extension AS e
    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman';
    SELECT a.attname, nullif(p.partdefid, 0)::pg_catalog.regclass INTO v_column, v_default
    FROM pg_catalog.pg_partitioned_table AS p
    JOIN pg_catalog.pg_attribute AS a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = p_parent::pg_catalog.regclass;
    IF p_times IS NULL THEN
        -- What run_maintenance makes (infinite_time_partitions on, so from now, whatever rows
        -- the partitions hold): past the newest partition to premake ahead of now, one more as
        -- it rounds the current interval.
        EXECUTE pg_catalog.format(
            'SELECT max(i.child_start_time) FROM %1$I.show_partitions(%2$L) AS s '
            'CROSS JOIN LATERAL %1$I.show_partition_info(pg_catalog.format(''%%I.%%I'', s.partition_schemaname, '
            's.partition_tablename), NULL, %2$L) AS i', v_partman, p_parent) INTO v_start;
        p_times := ARRAY(SELECT pg_catalog.generate_series(v_start + p_step, now() + p_step * (p_premake + 1), p_step));
    END IF;
    IF v_default IS NOT NULL THEN
        -- The owner reads every row once FORCE is off (fence_partitions puts it back).
        EXECUTE pg_catalog.format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', v_default);
    END IF;
    FOREACH v_time IN ARRAY coalesce(p_times, '{}') LOOP
        EXECUTE pg_catalog.format('SELECT partition_schema, partition_table, suffix_timestamp, table_exists '
                                  'FROM %I.show_partition_name(%L, %L)', v_partman, p_parent, v_time)
           INTO v_schema, v_name, v_start, v_exists;
        CONTINUE WHEN v_exists;
        v_moving := false;
        IF v_default IS NOT NULL THEN
            EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s WHERE %I >= $1 AND %I < $2)',
                                      v_default, v_column, v_column) INTO v_moving USING v_start, v_start + p_step;
        END IF;
        IF v_moving THEN
            EXECUTE pg_catalog.format('CREATE TEMPORARY TABLE IF NOT EXISTS atlas_partman_moving (LIKE %s) '
                                      'ON COMMIT DROP', p_parent);
            EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE TRIGGER USER', v_default);
            EXECUTE pg_catalog.format('WITH moved AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *) '
                                      'INSERT INTO pg_temp.atlas_partman_moving SELECT * FROM moved',
                                      v_default, v_column, v_column) USING v_start, v_start + p_step;
            EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE TRIGGER USER', v_default);
        END IF;
        EXECUTE pg_catalog.format('SELECT %I.create_partition_time(%L, $1)', v_partman, p_parent) USING ARRAY[v_start];
        IF v_moving THEN
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I DISABLE TRIGGER USER', v_schema, v_name);
            EXECUTE pg_catalog.format('INSERT INTO %I.%I OVERRIDING SYSTEM VALUE SELECT * FROM pg_temp.atlas_partman_moving',
                                      v_schema, v_name);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I ENABLE TRIGGER USER', v_schema, v_name);
            EXECUTE pg_catalog.format('DELETE FROM %s', pg_catalog.to_regclass('pg_temp.atlas_partman_moving'));
        END IF;
        v_made := v_made + 1;
    END LOOP;
    PERFORM atlas_private.fence_partitions(p_parent::pg_catalog.regclass);
    RETURN v_made;
END
$body$;
COMMENT ON FUNCTION atlas_private.partman_make_partitions(p_parent text, p_step interval, p_premake integer, p_times timestamptz[]) IS 'Makes a pg_partman table''s partitions for p_times (or those run_maintenance would make), moving rows of their ranges out of the default partition first, and fences them (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.partman_make_partitions(p_parent text, p_step interval, p_premake integer, p_times timestamptz[]) FROM PUBLIC;

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

-- create table public.organizations
CREATE TABLE public.organizations (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.organizations IS 'The tenant.';
ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.organizations FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.organizations FROM anon, authenticated;
GRANT SELECT, UPDATE ON TABLE public.organizations TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.organizations TO service_role;

-- create table public.members
CREATE TABLE public.members (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.member_role NOT NULL DEFAULT 'member'::public.member_role,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT members_pkey PRIMARY KEY (id),
    CONSTRAINT members_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT members_user_id_key UNIQUE (organization_id, user_id),
    CONSTRAINT members_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT members_user_id_fkey FOREIGN KEY (user_id) REFERENCES auth.users (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.members IS 'Who belongs to which organization.';
COMMENT ON COLUMN public.members.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.members FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.members FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.members TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.members TO service_role;

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
          FROM public.members AS m
          WHERE m.user_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid);
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
          FROM public.members AS m
          WHERE m.user_id = coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''), nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) TO authenticated;

-- create table public.events
CREATE TABLE public.events (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    member_id uuid,
    name text NOT NULL,
    properties jsonb NOT NULL DEFAULT CAST('{}' AS jsonb),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT events_organization_id_id_created_at_key UNIQUE (organization_id, id, created_at),
    CONSTRAINT events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT events_member_id_fkey FOREIGN KEY (organization_id, member_id) REFERENCES public.members (organization_id, id) ON DELETE SET NULL (member_id)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE public.events IS 'Product analytics events, one partition per day, managed by pg_partman.';
COMMENT ON COLUMN public.events.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.events FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.events FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.events_id_seq FROM anon, authenticated;

GRANT SELECT, INSERT ON TABLE public.events TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.events TO service_role;
CREATE TABLE atlas_private.events_partman_template (LIKE public.events);
REVOKE ALL ON TABLE atlas_private.events_partman_template FROM PUBLIC, anon, authenticated;
DO $atlas$
DECLARE
    v_partman name;
    v_major integer;
BEGIN
    SELECT n.nspname, pg_catalog.split_part(e.extversion, '.', 1)::integer INTO v_partman, v_major
    FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_partman';
    IF v_major >= 5 THEN
        EXECUTE pg_catalog.format('SELECT %I.create_parent(p_parent_table := %L, p_control := %L, p_interval := %L, p_type := %L, p_premake := %s, p_automatic_maintenance := %L, p_template_table := %L)', v_partman, 'public.events', 'created_at', '1 day', 'range', 7, 'off', 'atlas_private.events_partman_template');
    ELSE
        EXECUTE pg_catalog.format('SELECT %I.create_parent(p_parent_table := %L, p_control := %L, p_interval := %L, p_type := %L, p_premake := %s, p_automatic_maintenance := %L, p_template_table := %L)', v_partman, 'public.events', 'created_at', '1 day', 'native', 7, 'off', 'atlas_private.events_partman_template');
    END IF;
    EXECUTE pg_catalog.format('UPDATE %I.part_config SET ignore_default_data = true, infinite_time_partitions = true WHERE parent_table = %L', v_partman, 'public.events');
    PERFORM atlas_private.fence_partitions('public.events');
END
$atlas$;

-- create index public.idx_events_created_at
CREATE INDEX idx_events_created_at ON public.events (organization_id, created_at DESC);

-- create index public.idx_events_member_id
CREATE INDEX idx_events_member_id ON public.events (organization_id, member_id);

-- create index public.idx_events_name_created_at
CREATE INDEX idx_events_name_created_at ON public.events (organization_id, name, created_at DESC);

-- create index public.idx_events_organization_id
CREATE INDEX idx_events_organization_id ON public.events (organization_id);

-- create index public.idx_members_created_at
CREATE INDEX idx_members_created_at ON public.members (organization_id, created_at DESC);

-- create index public.idx_members_organization_id
CREATE INDEX idx_members_organization_id ON public.members (organization_id);

-- create index public.idx_members_user_id_organization_id
CREATE INDEX idx_members_user_id_organization_id ON public.members (user_id, organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create policy public.events.events_insert
CREATE POLICY events_insert ON public.events
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.events.events_select
CREATE POLICY events_select ON public.events
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.events.events_tenant_fence
CREATE POLICY events_tenant_fence ON public.events
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
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.members.members_insert
CREATE POLICY members_insert ON public.members
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
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
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
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
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create trigger public.events.update_events_updated_at
CREATE TRIGGER update_events_updated_at
    BEFORE UPDATE ON public.events
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.members.update_members_updated_at
CREATE TRIGGER update_members_updated_at
    BEFORE UPDATE ON public.members
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
