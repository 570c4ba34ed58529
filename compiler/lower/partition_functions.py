"""The generated functions that keep partitioned tables ahead and fenced (issue 12).

Partitions are not model objects: their names depend on the date the migration or the job
runs. The migration calls `make_partitions` for a table it creates (its create form); the
project-wide `maintain_partitions()` (the one to schedule) does the same for every partitioned
table, or hands a pg_partman table to partman's run_maintenance, and fences every partition it
finds: row level security enabled and forced with no policy (a partition named directly shows
nothing) and no privilege for anyone but the owner (reads go through the parent, whose
privileges and policies are the only ones PostgreSQL checks there).
"""
from __future__ import annotations

from ..model import PRIVATE, Argument, Function, Partitioning
from ..sqltext import literal

MAKE = "make_partitions"
FENCE = "fence_partitions"
MAINTAIN = "maintain_partitions"
PARTMAN_MAKE = "partman_make_partitions"
PARTMAN_MAINTENANCE = "atlas_maintain_partitions"   # the pg_cron job's name
MAINTENANCE_CRON = "7 * * * *"    # hourly: a missed run or a short interval never runs out of partitions

# Altering a partition takes ACCESS EXCLUSIVE: only those not yet fenced are altered, so the
# hourly run locks nothing that is already right.
_FENCE_BODY = """DECLARE
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
END"""

# Buckets are aligned on the calendar (months from year 0, days from Monday 1970-01-05) in UTC,
# so every run and every time zone cuts the same partitions. A bucket whose rows already sit in
# the default partition gets them moved: PostgreSQL refuses a new partition while the default
# holds rows of its range.
# A bucket is made only where no partition of the table holds its range yet: after a change of
# interval the partitions already there (of the old size) stay, and the new buckets fill what
# they leave free (a bucket cut at an existing partition's bound is made shorter, named after
# its own first day), so a run never asks for an overlapping partition.
# History (p_from) reaches back at most HISTORY_LIMIT intervals before p_at: one row dated
# 0001-01-01 would otherwise ask for thousands of partitions; older rows, and -infinity, stay in
# the default partition (a p_from past p_at, +infinity too, starts at p_at).
HISTORY_LIMIT = 120


def _bound(side: int) -> str:
    """One side of an existing partition's bound (pg_get_expr's text, in the session's time
    zone) as a UTC timestamp; MINVALUE / MAXVALUE as -infinity / infinity."""
    return (f"CASE WHEN b.m[{side}] = 'MINVALUE' THEN '-infinity'::timestamp\n"
            f"                WHEN b.m[{side}] = 'MAXVALUE' THEN 'infinity'::timestamp\n"
            f"                WHEN v_type = 'timestamp with time zone'\n"
            f"                THEN pg_catalog.btrim(b.m[{side}], '''')::timestamptz AT TIME ZONE 'UTC'\n"
            f"                ELSE pg_catalog.btrim(b.m[{side}], '''')::timestamp END")


def _bound_text(variable: str) -> str:
    """A piece's bound as the partition column's literal: midnight UTC as before, a time only
    where an existing partition's bound cut the piece off the day."""
    return (f"pg_catalog.quote_literal(pg_catalog.to_char({variable}, 'YYYY-MM-DD')\n"
            f"                      || CASE WHEN v_type = 'timestamp with time zone' "
            f"THEN pg_catalog.to_char({variable}, ' HH24:MI:SS') || '+00'\n"
            f"                              WHEN {variable}::time <> TIME '00:00' "
            f"THEN pg_catalog.to_char({variable}, ' HH24:MI:SS') ELSE '' END)")


_MAKE_BODY = """DECLARE
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
                               p_at - CASE WHEN v_monthly THEN pg_catalog.make_interval(months => v_span * @LIMIT@)
                                           ELSE pg_catalog.make_interval(days => v_span * @LIMIT@) END),
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
    SELECT coalesce(pg_catalog.array_agg(@LO@), '{}'), coalesce(pg_catalog.array_agg(@HI@), '{}')
      INTO v_los, v_his
    FROM (SELECT pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                         '^FOR VALUES FROM \\((.*)\\) TO \\((.*)\\)$') AS m
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
                v_from := @FROM@;
                v_to := @TO@;
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
END""".replace("@LIMIT@", str(HISTORY_LIMIT)).replace("@LO@", _bound(1)).replace("@HI@", _bound(2)).replace(
    "@FROM@", _bound_text("v_start")).replace("@TO@", _bound_text("v_end"))

# pg_partman refuses to attach a partition whose range the default partition holds rows of
# ("updated partition constraint for default partition ... would be violated"), and its
# run_maintenance would then fail on every run. This makes each partition pg_partman would make
# (from the newest one on, or for the dates given) after moving such rows to a temporary table,
# then puts them into the new partition, triggers quiet as in make_partitions. Rows of no
# partition pg_partman makes stay in the default. show_partition_name and create_partition_time
# take (text, text) and (text, timestamptz[]) in 4.x and 5.x.
_PARTMAN_MAKE_BODY = """DECLARE
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
END"""

_PARTMAN_RUN = """    SELECT n.nspname INTO v_partman FROM pg_catalog.pg_extension AS e
    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman';
"""


def unit_and_count(interval: str) -> tuple[str, int]:
    """'3 months' -> ('month', 3): what make_partitions takes (a normalized interval)."""
    count, unit = interval.split()
    return unit.rstrip("s"), int(count)


def fence_function() -> Function:
    return Function(
        PRIVATE, FENCE, "void", "plpgsql", _FENCE_BODY, (Argument("p_parent", "regclass"),),
        search_path="", comment="Enables and forces row level security on every partition of a table and "
                                "revokes every privilege but the owner's (atlas-compile).")


def make_function() -> Function:
    arguments = (Argument("p_parent", "regclass"), Argument("p_unit", "text"), Argument("p_count", "integer"),
                 Argument("p_premake", "integer"), Argument("p_from", "timestamptz", "NULL"),
                 Argument("p_at", "timestamptz", "now()"))
    return Function(
        PRIVATE, MAKE, "integer", "plpgsql", _MAKE_BODY, arguments, search_path="",
        comment="Makes the partitions of a table from p_from (or now) to p_premake intervals past now, "
                "moves rows of a new partition's range out of the default one, fences them (atlas-compile).")


def _own_block(lines: list[str], name: str) -> list[str]:
    """One table's maintenance in a block of its own (a subtransaction): a table that fails is
    rolled back alone, with a WARNING naming it, and the others are still kept ahead, so the
    hourly job goes on working."""
    return (["    BEGIN"] + ["    " + line for line in lines]
            + ["    EXCEPTION WHEN OTHERS THEN",
               "        RAISE WARNING 'maintain_partitions: the partitions of % were not maintained: % (SQLSTATE %)',",
               f"            {name}, SQLERRM, SQLSTATE;",
               "    END;"])


def partman_make_function() -> Function:
    arguments = (Argument("p_parent", "text"), Argument("p_step", "interval"), Argument("p_premake", "integer"),
                 Argument("p_times", "timestamptz[]", "NULL"))
    return Function(
        PRIVATE, PARTMAN_MAKE, "integer", "plpgsql", _PARTMAN_MAKE_BODY, arguments, search_path="",
        comment="Makes a pg_partman table's partitions for p_times (or those run_maintenance would make), moving "
                "rows of their ranges out of the default partition first, and fences them (atlas-compile).")


def maintain_function(tables: list[tuple[str, str, Partitioning]]) -> Function:
    """Every partitioned table of the model kept ahead: pg_partman's through its run_maintenance
    (found where the extension lives, at run time), the others through make_partitions."""
    lines = []
    for schema, table, partition in tables:
        name = literal(f"{schema}.{table}")
        start = len(lines)
        if partition.manager == "pg_partman":
            # The partitions run_maintenance would make, rows of the default moved in first.
            step = f"{literal(partition.interval)}::interval"
            lines.append(f"    PERFORM atlas_private.{PARTMAN_MAKE}({name}, {step}, {partition.premake});")
            lines.append(f"    EXECUTE pg_catalog.format('SELECT %I.run_maintenance(p_parent_table := %L)', v_partman, {name});")
            # run_maintenance knows only now: a date ahead (a probe, a catch-up) gets its own.
            lines += ["    IF p_at > now() THEN",
                      f"        PERFORM atlas_private.{PARTMAN_MAKE}({name}, {step}, {partition.premake}, "
                      f"ARRAY(SELECT pg_catalog.generate_series(p_at, p_at + {step} * {partition.premake}, {step})));",
                      "    END IF;"]
            lines.append(f"    PERFORM atlas_private.{FENCE}({name});")
        else:
            unit, count = unit_and_count(partition.interval)
            lines.append(f"    PERFORM atlas_private.{MAKE}({name}, {literal(unit)}, {count}, {partition.premake}, NULL, p_at);")
        lines[start:] = _own_block(lines[start:], name)
    partman = any(p.manager == "pg_partman" for _, _, p in tables)
    body = ("DECLARE\n    v_partman name;\nBEGIN\n" + _PARTMAN_RUN if partman else "BEGIN\n") + "\n".join(lines) + "\nEND"
    return Function(
        PRIVATE, MAINTAIN, "void", "plpgsql", body, (Argument("p_at", "timestamptz", "now()"),), search_path="",
        comment="Keeps every partitioned table's partitions ahead and fenced; schedule it (pg_cron) "
                "(atlas-compile).")
