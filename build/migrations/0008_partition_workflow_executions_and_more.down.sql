-- atlas-compile migration 0008_partition_workflow_executions_and_more (down)
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

-- convert partition swap public.workflow_executions (prepare)
-- builds workflow_executions as a plain table in atlas_swap; the trigger partition_swap_workflow_executions repeats
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
    CONSTRAINT workflow_executions_pkey PRIMARY KEY (id),
    CONSTRAINT workflow_executions_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT workflow_executions_finished_after_started_check CHECK (finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at),
    CONSTRAINT workflow_executions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT workflow_executions_workflow_id_fkey FOREIGN KEY (organization_id, workflow_id) REFERENCES public.workflows (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT workflow_executions_lead_id_fkey FOREIGN KEY (organization_id, lead_id) REFERENCES public.leads (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE atlas_swap.workflow_executions IS 'One run of a workflow for one lead; written by the automation engine.';
COMMENT ON COLUMN atlas_swap.workflow_executions.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN atlas_swap.workflow_executions.lead_id IS 'Lead the run is for; null for manual runs without a lead.';
COMMENT ON COLUMN atlas_swap.workflow_executions.error IS 'Failure reason when status is failed.';
ALTER TABLE atlas_swap.workflow_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE atlas_swap.workflow_executions FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE atlas_swap.workflow_executions FROM anon, authenticated;
GRANT SELECT, DELETE ON TABLE atlas_swap.workflow_executions TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE atlas_swap.workflow_executions TO service_role;

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
        DELETE FROM atlas_swap.workflow_executions WHERE (id, created_at) = (old.id, old.created_at);
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

-- drop schedule atlas_refresh_lead_funnel_daily
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'atlas_refresh_lead_funnel_daily' AND username = CURRENT_USER) THEN
            PERFORM cron.unschedule('atlas_refresh_lead_funnel_daily');
        END IF;
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % was not scheduled here', pg_catalog.current_database(), 'atlas_refresh_lead_funnel_daily';
    END IF;
END
$atlas$;

-- drop schedule atlas_maintain_partitions
DO $atlas$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        IF EXISTS (SELECT FROM cron.job WHERE jobname = 'atlas_maintain_partitions' AND username = CURRENT_USER) THEN
            PERFORM cron.unschedule('atlas_maintain_partitions');
        END IF;
    ELSE
        RAISE NOTICE 'pg_cron is not installed in database %: job % was not scheduled here', pg_catalog.current_database(), 'atlas_maintain_partitions';
    END IF;
END
$atlas$;

-- drop function atlas_private.refresh_lead_funnel_daily
DROP FUNCTION atlas_private.refresh_lead_funnel_daily();

-- drop function atlas_private.make_partitions
DROP FUNCTION atlas_private.make_partitions(p_parent regclass, p_unit text, p_count integer, p_premake integer, p_from timestamptz, p_at timestamptz);

-- drop function atlas_private.maintain_partitions
DROP FUNCTION atlas_private.maintain_partitions(p_at timestamptz);

-- drop function atlas_private.fence_partitions
DROP FUNCTION atlas_private.fence_partitions(p_parent regclass);

-- drop extension pg_cron
DO $atlas$
BEGIN
    IF (SELECT pg_catalog.obj_description(oid, 'pg_extension') FROM pg_catalog.pg_extension
        WHERE extname = 'pg_cron') = 'installed by atlas-compile' THEN
        DROP EXTENSION pg_cron;
    END IF;
END
$atlas$;
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
    last_2 public.workflow_executions.created_at%TYPE;
    found_rows bigint := 1;
BEGIN
    WHILE found_rows > 0 LOOP
        IF quiet THEN
            PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
        END IF;
        IF last_1 IS NULL THEN
WITH batch AS (
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM public.workflow_executions
            ORDER BY id, created_at LIMIT 5000
            FOR SHARE
        ), copied AS (
            INSERT INTO atlas_swap.workflow_executions (id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at) OVERRIDING SYSTEM VALUE
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM batch
            ON CONFLICT (id) DO NOTHING
        )
        SELECT id, created_at INTO last_1, last_2
        FROM batch ORDER BY id DESC, created_at DESC LIMIT 1;
        ELSE
WITH batch AS (
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM public.workflow_executions
            WHERE (id, created_at) > (last_1, last_2)
            ORDER BY id, created_at LIMIT 5000
            FOR SHARE
        ), copied AS (
            INSERT INTO atlas_swap.workflow_executions (id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at) OVERRIDING SYSTEM VALUE
            SELECT id, organization_id, workflow_id, lead_id, status, started_at, finished_at, error, created_at, updated_at FROM batch
            ON CONFLICT (id) DO NOTHING
        )
        SELECT id, created_at INTO last_1, last_2
        FROM batch ORDER BY id DESC, created_at DESC LIMIT 1;
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
-- the live table is dropped (every row is copied); the new one takes its name
LOCK TABLE public.workflow_executions IN ACCESS EXCLUSIVE MODE;
DROP TRIGGER partition_swap_workflow_executions ON public.workflow_executions;
DROP FUNCTION atlas_private.partition_swap_workflow_executions();

-- every row of it is in the new table
-- squawk-ignore ban-drop-table
DROP TABLE public.workflow_executions;
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

-- the archived values are back in place: their archive goes
-- squawk-ignore ban-drop-table
DROP TABLE atlas_archive."0008_workflow_executions";
DO $atlas$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'atlas_archive') THEN
        DROP SCHEMA IF EXISTS atlas_archive;
    END IF;
END
$atlas$;
COMMIT;
