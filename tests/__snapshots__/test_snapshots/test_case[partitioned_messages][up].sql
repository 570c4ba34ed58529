-- atlas-compile migration 0001_initial (up)
-- project: partitioned-messages; target: supabase; PostgreSQL 15
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
        PERFORM atlas_private.make_partitions('public.messages', 'month', 1, 3, NULL, p_at);
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'maintain_partitions: the partitions of % were not maintained: % (SQLSTATE %)',
            'public.messages', SQLERRM, SQLSTATE;
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

-- create function atlas_private.soft_delete_messages
CREATE FUNCTION atlas_private.soft_delete_messages()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $body$
DECLARE
  v_check text;
  v_fits boolean;
  v_marked integer;
BEGIN
  IF tg_op = 'UPDATE' THEN
    v_check := pg_catalog.pg_get_partition_constraintdef(tg_relid);
    IF v_check IS NOT NULL THEN
      EXECUTE 'SELECT ' || v_check || ' FROM (SELECT ($1).*) AS t' INTO v_fits USING new;
    END IF;
    IF v_fits IS FALSE THEN
      IF pg_catalog.to_regclass('pg_temp.atlas_partition_moves') IS NULL THEN
        CREATE TEMPORARY TABLE atlas_partition_moves (relid oid NOT NULL, row_key jsonb NOT NULL) ON COMMIT DELETE ROWS;
      ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_roles AS r ON r.oid = c.relowner
              WHERE c.oid = pg_catalog.to_regclass('pg_temp.atlas_partition_moves') AND c.relkind = 'r' AND r.rolname = current_user) THEN
        RAISE EXCEPTION 'cannot move the row to another partition: pg_temp.atlas_partition_moves is not the table owner''s';
      END IF;
      EXECUTE pg_catalog.format('INSERT INTO %s (relid, row_key) VALUES ($1, $2)', pg_catalog.to_regclass('pg_temp.atlas_partition_moves'))
        USING tg_relid, (SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(old)) AS e WHERE e.key = ANY (ARRAY['id', 'created_at']));
    END IF;
    RETURN new;
  END IF;
  IF EXISTS (SELECT FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_roles AS r ON r.oid = c.relowner
              WHERE c.oid = pg_catalog.to_regclass('pg_temp.atlas_partition_moves') AND c.relkind = 'r' AND r.rolname = current_user) THEN
    EXECUTE pg_catalog.format('DELETE FROM %s WHERE relid = $1 AND row_key = $2', pg_catalog.to_regclass('pg_temp.atlas_partition_moves'))
      USING tg_relid, (SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(old)) AS e WHERE e.key = ANY (ARRAY['id', 'created_at']));
    GET DIAGNOSTICS v_marked = ROW_COUNT;
    IF v_marked > 0 THEN
      RETURN old;
    END IF;
  END IF;
  UPDATE public.messages AS t SET deleted_at = now()
   WHERE t.id = old.id
     AND t.created_at = old.created_at
     AND t.deleted_at IS NULL;
  RETURN NULL;
END
$body$;
COMMENT ON FUNCTION atlas_private.soft_delete_messages() IS 'Soft delete of messages: sets deleted_at instead of removing the row.';
REVOKE ALL ON FUNCTION atlas_private.soft_delete_messages() FROM PUBLIC;

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

-- create table public.messages_audit
CREATE TABLE public.messages_audit (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organization_id uuid NOT NULL,
    row_key jsonb NOT NULL,
    operation text NOT NULL,
    old_data jsonb,
    new_data jsonb,
    changed_by uuid,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_audit_pkey PRIMARY KEY (id),
    CONSTRAINT messages_audit_operation_check CHECK (operation = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))
);
COMMENT ON TABLE public.messages_audit IS 'Audit trail of messages (append-only).';
COMMENT ON COLUMN public.messages_audit.row_key IS 'Primary key of the changed row.';
ALTER TABLE public.messages_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.messages_audit FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.messages_audit FROM anon, authenticated;
REVOKE ALL ON SEQUENCE public.messages_audit_id_seq FROM anon, authenticated;

GRANT SELECT ON TABLE public.messages_audit TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.messages_audit TO service_role;

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

-- create table public.channels
CREATE TABLE public.channels (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT channels_pkey PRIMARY KEY (id),
    CONSTRAINT channels_organization_id_id_key UNIQUE (organization_id, id),
    CONSTRAINT channels_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE
);
COMMENT ON TABLE public.channels IS 'A conversation.';
COMMENT ON COLUMN public.channels.organization_id IS 'Tenant that owns the row.';
ALTER TABLE public.channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.channels FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.channels FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.channels TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.channels TO service_role;

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

-- create table public.messages
CREATE TABLE public.messages (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    channel_id uuid NOT NULL,
    author_id uuid,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CONSTRAINT messages_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT messages_organization_id_id_created_at_key UNIQUE (organization_id, id, created_at),
    CONSTRAINT messages_body_check CHECK (length(body) > 0),
    CONSTRAINT messages_channel_id_id_created_at_key UNIQUE (organization_id, channel_id, id, created_at),
    CONSTRAINT messages_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES public.organizations (id) ON DELETE CASCADE,
    CONSTRAINT messages_channel_id_fkey FOREIGN KEY (organization_id, channel_id) REFERENCES public.channels (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_author_id_fkey FOREIGN KEY (organization_id, author_id) REFERENCES public.members (organization_id, id) ON DELETE SET NULL (author_id)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE public.messages IS 'Every message of every channel, one partition per month.';
COMMENT ON COLUMN public.messages.organization_id IS 'Tenant that owns the row.';
COMMENT ON COLUMN public.messages.deleted_at IS 'Set when the row is soft-deleted; hidden from every rule but service.';
ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.messages FORCE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE public.messages FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.messages TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.messages TO service_role;
CREATE TABLE public.messages_default PARTITION OF public.messages DEFAULT;
SELECT atlas_private.make_partitions('public.messages', 'month', 1, 3);

-- create index public.idx_channels_created_at
CREATE INDEX idx_channels_created_at ON public.channels (organization_id, created_at DESC);

-- create index public.idx_channels_organization_id
CREATE INDEX idx_channels_organization_id ON public.channels (organization_id);

-- create index public.idx_members_created_at
CREATE INDEX idx_members_created_at ON public.members (organization_id, created_at DESC);

-- create index public.idx_members_organization_id
CREATE INDEX idx_members_organization_id ON public.members (organization_id);

-- create index public.idx_members_user_id_organization_id
CREATE INDEX idx_members_user_id_organization_id ON public.members (user_id, organization_id);

-- create index public.idx_messages_audit_organization_id_changed_at
CREATE INDEX idx_messages_audit_organization_id_changed_at ON public.messages_audit (organization_id, changed_at DESC);

-- create index public.idx_messages_author_id
CREATE INDEX idx_messages_author_id ON public.messages (organization_id, author_id);

-- create index public.idx_messages_channel_id_created_at
CREATE INDEX idx_messages_channel_id_created_at ON public.messages (organization_id, channel_id, created_at DESC);

-- create index public.idx_messages_created_at
CREATE INDEX idx_messages_created_at ON public.messages (organization_id, created_at DESC);

-- create index public.idx_messages_organization_id
CREATE INDEX idx_messages_organization_id ON public.messages (organization_id);

-- create index public.idx_organizations_created_at
CREATE INDEX idx_organizations_created_at ON public.organizations (created_at DESC);

-- create policy public.channels.channels_delete
CREATE POLICY channels_delete ON public.channels
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create policy public.channels.channels_insert
CREATE POLICY channels_insert ON public.channels
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.channels.channels_select
CREATE POLICY channels_select ON public.channels
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (true)
;

-- create policy public.channels.channels_tenant_fence
CREATE POLICY channels_tenant_fence ON public.channels
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.channels.channels_update
CREATE POLICY channels_update ON public.channels
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
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

-- create policy public.messages.messages_delete
CREATE POLICY messages_delete ON public.messages
    AS PERMISSIVE
    FOR DELETE
    TO authenticated
    USING ((deleted_at IS NULL) AND ((author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])) OR (organization_id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))))
;

-- create policy public.messages.messages_insert
CREATE POLICY messages_insert ON public.messages
    AS PERMISSIVE
    FOR INSERT
    TO authenticated
    WITH CHECK ((deleted_at IS NULL) AND (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[])))
;

-- create policy public.messages.messages_select
CREATE POLICY messages_select ON public.messages
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (deleted_at IS NULL)
;

-- create policy public.messages.messages_tenant_fence
CREATE POLICY messages_tenant_fence ON public.messages
    AS RESTRICTIVE
    FOR ALL
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
    WITH CHECK (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.messages.messages_update
CREATE POLICY messages_update ON public.messages
    AS PERMISSIVE
    FOR UPDATE
    TO authenticated
    USING ((deleted_at IS NULL) AND (author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])))
    WITH CHECK ((deleted_at IS NULL) AND (author_id = ANY ((SELECT atlas_private.user_membership_ids())::uuid[])))
;

-- create policy public.messages_audit.messages_audit_select
CREATE POLICY messages_audit_select ON public.messages_audit
    AS PERMISSIVE
    FOR SELECT
    TO authenticated
    USING (organization_id = ANY ((SELECT atlas_private.user_tenant_ids())::uuid[]))
;

-- create policy public.messages_audit.messages_audit_tenant_fence
CREATE POLICY messages_audit_tenant_fence ON public.messages_audit
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
    USING (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
    WITH CHECK (id = ANY ((SELECT atlas_private.user_tenant_ids('admin'::public.member_role))::uuid[]))
;

-- create trigger public.channels.update_channels_updated_at
CREATE TRIGGER update_channels_updated_at
    BEFORE UPDATE ON public.channels
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.members.update_members_updated_at
CREATE TRIGGER update_members_updated_at
    BEFORE UPDATE ON public.members
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.messages.audit_messages
CREATE TRIGGER audit_messages
    AFTER INSERT OR UPDATE OR DELETE ON public.messages
    FOR EACH ROW
    EXECUTE FUNCTION atlas_private.audit_row('messages_audit', 'organization_id', 'id,created_at', '', 'deleted_at');

-- create trigger public.messages.soft_delete_messages
CREATE TRIGGER soft_delete_messages
    BEFORE DELETE ON public.messages
    FOR EACH ROW
    WHEN (NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_messages();

-- create trigger public.messages.update_messages_updated_at
CREATE TRIGGER update_messages_updated_at
    BEFORE UPDATE ON public.messages
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();

-- create trigger public.messages.zz_mark_partition_move
CREATE TRIGGER zz_mark_partition_move
    BEFORE UPDATE ON public.messages
    FOR EACH ROW
    WHEN (old.created_at IS DISTINCT FROM new.created_at AND NOT atlas_private.bypasses_row_security())
    EXECUTE FUNCTION atlas_private.soft_delete_messages();

-- create trigger public.organizations.update_organizations_updated_at
CREATE TRIGGER update_organizations_updated_at
    BEFORE UPDATE ON public.organizations
    FOR EACH ROW
    EXECUTE FUNCTION public.update_updated_at_column();
COMMIT;
