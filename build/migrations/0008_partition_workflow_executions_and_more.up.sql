-- atlas-compile migration 0008_partition_workflow_executions_and_more (up)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 3 parts: 1 and 3 in a transaction, 2 outside a transaction (a batched copy).
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/3: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

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

-- convert partition swap public.workflow_executions (prepare)
-- builds workflow_executions partitioned by range (created_at), 1 month each in atlas_swap; the trigger partition_swap_workflow_executions repeats
-- every write to the live table there while the rows are copied
CREATE SCHEMA IF NOT EXISTS atlas_swap;
CREATE TABLE atlas_swap.workflow_executions (
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
COMMENT ON TABLE atlas_swap.workflow_executions IS 'One run of a workflow for one lead; written by the automation engine.';
COMMENT ON COLUMN atlas_swap.workflow_executions.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN atlas_swap.workflow_executions.lead_id IS 'Lead the run is for; null for manual runs without a lead.';
COMMENT ON COLUMN atlas_swap.workflow_executions.error IS 'Failure reason when status is failed.';
ALTER TABLE atlas_swap.workflow_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas_swap.workflow_executions FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE atlas_swap.workflow_executions FROM anon, authenticated;
GRANT SELECT, DELETE ON TABLE atlas_swap.workflow_executions TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE atlas_swap.workflow_executions TO service_role;
CREATE TABLE atlas_swap.workflow_executions_default PARTITION OF atlas_swap.workflow_executions DEFAULT;
SELECT atlas_private.make_partitions('atlas_swap.workflow_executions', 'month', 1, 3);

-- the partitions the rows already there need, from the oldest on (those past the premade ones,
-- and those more than make_partitions' history limit back, go to the default partition)
SELECT atlas_private.make_partitions('atlas_swap.workflow_executions', 'month', 1, 3, p_from := (SELECT min(created_at) FROM public.workflow_executions));
-- create index atlas_swap.idx_workflow_executions_created_at
CREATE INDEX idx_workflow_executions_created_at ON atlas_swap.workflow_executions (organization_id, created_at DESC);

-- create index atlas_swap.idx_workflow_executions_lead_id
CREATE INDEX idx_workflow_executions_lead_id ON atlas_swap.workflow_executions (organization_id, lead_id);

-- create index atlas_swap.idx_workflow_executions_organization_id
CREATE INDEX idx_workflow_executions_organization_id ON atlas_swap.workflow_executions (organization_id);

-- create index atlas_swap.idx_workflow_executions_queue
CREATE INDEX idx_workflow_executions_queue ON atlas_swap.workflow_executions (organization_id, status, created_at) WHERE status IN ('pending', 'running');

-- create index atlas_swap.idx_workflow_executions_workflow_id
CREATE INDEX idx_workflow_executions_workflow_id ON atlas_swap.workflow_executions (organization_id, workflow_id);


CREATE FUNCTION atlas_private.partition_swap_workflow_executions()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $sync$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM atlas_swap.workflow_executions WHERE (id) = (old.id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO atlas_swap.workflow_executions (id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at) OVERRIDING SYSTEM VALUE
        VALUES (new.id, new.organization_id, new.workflow_id, new.lead_id, new.status, new.started_at, new.finished_at, new.error, new.created_at, new.updated_at);
    END IF;
    RETURN NULL;
END
$sync$;
COMMENT ON FUNCTION atlas_private.partition_swap_workflow_executions() IS 'Repeats the writes to public.workflow_executions in atlas_swap.workflow_executions while a migration copies its rows; its last part drops it (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.partition_swap_workflow_executions() FROM PUBLIC;
CREATE TRIGGER partition_swap_workflow_executions
    AFTER INSERT OR UPDATE OR DELETE ON public.workflow_executions
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.partition_swap_workflow_executions();
COMMIT;

-- atlas-compile part 2/3: outside a transaction
SET lock_timeout = '1s';
SET statement_timeout = '30min';

-- convert partition swap public.workflow_executions (copy)
-- hazard: TABLE_SCAN
-- the rows in batches of 5000, each committed: the table stays writable
DO $copy$
DECLARE
    quiet boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    last_1 public.workflow_executions.id%TYPE;
    found_rows bigint := 1;
BEGIN
    WHILE found_rows > 0 LOOP
        IF quiet THEN
            PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
        END IF;
        IF last_1 IS NULL THEN
WITH batch AS (
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM public.workflow_executions
            ORDER BY id LIMIT 5000
            FOR SHARE
        ), copied AS (
            INSERT INTO atlas_swap.workflow_executions (id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at) OVERRIDING SYSTEM VALUE
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM batch
            ON CONFLICT (id, created_at) DO NOTHING
        )
        SELECT id INTO last_1
        FROM batch ORDER BY id DESC LIMIT 1;
        ELSE
WITH batch AS (
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM public.workflow_executions
            WHERE (id) > (last_1)
            ORDER BY id LIMIT 5000
            FOR SHARE
        ), copied AS (
            INSERT INTO atlas_swap.workflow_executions (id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at) OVERRIDING SYSTEM VALUE
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM batch
            ON CONFLICT (id, created_at) DO NOTHING
        )
        SELECT id INTO last_1
        FROM batch ORDER BY id DESC LIMIT 1;
        END IF;
        GET DIAGNOSTICS found_rows = ROW_COUNT;
        COMMIT;
    END LOOP;
END
$copy$;

-- atlas-compile part 3/3: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- convert partition swap public.workflow_executions (swap)
-- the live table is moved to atlas_archive.0008_workflow_executions; the new one takes its name
LOCK TABLE public.workflow_executions IN ACCESS EXCLUSIVE MODE;
DROP TRIGGER partition_swap_workflow_executions ON public.workflow_executions;
DROP FUNCTION atlas_private.partition_swap_workflow_executions();

CREATE SCHEMA IF NOT EXISTS atlas_archive;
-- the live table goes to the archive under its archive name; the new one takes its name below
-- squawk-ignore renaming-table
ALTER TABLE public.workflow_executions RENAME TO "0008_workflow_executions";
-- squawk-ignore ban-set-schema
ALTER TABLE public."0008_workflow_executions" SET SCHEMA atlas_archive;
DO $atlas$
DECLARE
    part regclass;
BEGIN
    FOR part IN
        SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits AS i
        JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'atlas_archive."0008_workflow_executions"'::regclass AND c.relnamespace <> 'atlas_archive'::regnamespace
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s SET SCHEMA %I', part, 'atlas_archive');
    END LOOP;
END
$atlas$;
DO $atlas$
DECLARE
    found record;
BEGIN
    FOR found IN SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = 'atlas_archive."0008_workflow_executions"'::regclass AND contype = 'f' LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I', 'atlas_archive."0008_workflow_executions"', found.conname);
    END LOOP;
    FOR found IN SELECT tgname FROM pg_catalog.pg_trigger
                 WHERE tgrelid = 'atlas_archive."0008_workflow_executions"'::regclass AND NOT tgisinternal AND tgparentid = 0 LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', found.tgname, 'atlas_archive."0008_workflow_executions"');
    END LOOP;
END
$atlas$;
-- anon and authenticated keep no privilege on the archived table (the swap's own undo gives
-- back what the table granted them)
REVOKE ALL ON TABLE atlas_archive."0008_workflow_executions" FROM anon, authenticated;

-- the new table takes the live one's name
-- squawk-ignore ban-set-schema
ALTER TABLE atlas_swap.workflow_executions SET SCHEMA public;
DO $atlas$
DECLARE
    part regclass;
BEGIN
    FOR part IN
        SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits AS i
        JOIN pg_catalog.pg_class AS c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'public.workflow_executions'::regclass AND c.relnamespace <> 'public'::regnamespace
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s SET SCHEMA %I', part, 'public');
    END LOOP;
END
$atlas$;
-- squawk-ignore ban-drop-schema
DROP SCHEMA atlas_swap;
DO $atlas$
DECLARE
    found record;
BEGIN
    FOR found IN
        SELECT a.privilege_type, a.is_grantable,
               CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END AS grantee
        FROM pg_catalog.pg_default_acl AS d
        CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE d.defaclnamespace = 'public'::regnamespace AND d.defaclobjtype = 'r'
          AND d.defaclrole = (SELECT c.relowner FROM pg_catalog.pg_class AS c WHERE c.oid = 'public.workflow_executions'::regclass)
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON TABLE %s TO %s%s', found.privilege_type, 'public.workflow_executions',
                                  found.grantee, CASE WHEN found.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$atlas$;
REVOKE ALL ON TABLE public.workflow_executions FROM anon, authenticated;
GRANT SELECT, DELETE ON TABLE public.workflow_executions TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.workflow_executions TO service_role;

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

-- create trigger public.workflow_executions.update_workflow_executions_updated_at
CREATE TRIGGER update_workflow_executions_updated_at
    BEFORE UPDATE ON public.workflow_executions
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
