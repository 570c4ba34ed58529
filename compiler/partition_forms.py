"""The partitioned parts of a table's create, drop and restore forms (issue 12). Like sql_forms,
only layout: the decisions (manager, interval, premake) are Table.partition's.

A partitioned table is created `PARTITION BY RANGE (column)`; then either the atlas path (a
default partition, fenced, and make_partitions for now and `premake` intervals ahead) or the
pg_partman path (create_parent, which makes the default partition itself, with automatic
maintenance off since maintain_partitions() runs it, then the fence). pg_partman's schema and
version are read at apply time: 4.x takes p_type 'native', 5.x p_type 'range' (ANCHORS.md §5).
"""
from __future__ import annotations

from .lower.partition_functions import FENCE, MAKE, unit_and_count
from .names import fit
from .sqltext import ident, literal, qualified

_PARTMAN = """DO $atlas$
DECLARE
    v_partman name;
    v_major integer;
BEGIN
    SELECT n.nspname, pg_catalog.split_part(e.extversion, '.', 1)::integer INTO v_partman, v_major
    FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_partman';
{body}
END
$atlas$;"""


def partition_clause(table) -> str:
    """What follows a partitioned table's column list."""
    return f" PARTITION BY RANGE ({ident(table.partition.column)})" if table.partition else ""


def default_partition(table) -> str:
    return fit(f"{table.name}_default")


def template_table(table) -> str:
    """pg_partman's template (the properties partitions inherit from it), kept in atlas_private
    where no API role reaches it rather than in the extension's schema."""
    return qualified("atlas_private", fit(f"{table.name}_partman_template"))


def make_call(table, start: str | None = None) -> str:
    """make_partitions for the table, from the bucket of `start` (an SQL expression) or of now."""
    unit, count = unit_and_count(table.partition.interval)
    args = [literal(f"{table.schema}.{table.name}"), literal(unit), str(count), str(table.partition.premake)]
    if start is not None:
        args.append(f"p_from := {start}")
    return f"SELECT atlas_private.{MAKE}({', '.join(args)});"


def partition_setup(table, premade: bool = True) -> str:
    """After CREATE TABLE ... PARTITION BY and its grants: the partitions rows need at once
    (premade=False: the default partition only, the caller makes the others)."""
    name = qualified(table.schema, table.name)
    if table.partition.manager != "pg_partman":
        return (f"CREATE TABLE {qualified(table.schema, default_partition(table))} PARTITION OF {name} DEFAULT;\n"
                + (f"{make_call(table)}\n" if premade else ""))
    template = template_table(table)
    revoke = ", ".join(["PUBLIC", *map(ident, table.revoke_from)])
    p = table.partition
    call = ("        EXECUTE pg_catalog.format('SELECT %I.create_parent(p_parent_table := %L, p_control := %L, "
            "p_interval := %L, p_type := %L, p_premake := %s, p_automatic_maintenance := %L, "
            "p_template_table := %L)', v_partman, {parent}, {column}, {interval}, {kind}, {premake}, 'off', {template});")
    args = dict(parent=literal(f"{table.schema}.{table.name}"), column=literal(p.column), interval=literal(p.interval),
                premake=p.premake, template=literal(template))
    body = "\n".join([
        "    IF v_major >= 5 THEN",
        call.format(kind=literal("range"), **args),
        "    ELSE",
        call.format(kind=literal("native"), **args),
        "    END IF;",
        # Partitions made from now, as the atlas path does: neither rows far ahead in the default
        # (a member may write any date) nor in the partitions set how far run_maintenance goes;
        # partman_make_partitions moves the default's rows out before it reaches them.
        "    EXECUTE pg_catalog.format('UPDATE %I.part_config SET ignore_default_data = true, "
        "infinite_time_partitions = true WHERE parent_table = %L', "
        f"v_partman, {args['parent']});",
        f"    PERFORM atlas_private.{FENCE}({args['parent']});"])
    return (f"CREATE TABLE {template} (LIKE {name});\nREVOKE ALL ON TABLE {template} FROM {revoke};\n"
            + _PARTMAN.format(body=body) + "\n")


def partition_teardown(table) -> str:
    """Before the parent is dropped (its partitions go with it): pg_partman forgets the table
    and its template goes."""
    if not table.partition or table.partition.manager != "pg_partman":
        return ""
    body = ("    EXECUTE pg_catalog.format('DELETE FROM %I.part_config WHERE parent_table = %L', v_partman, "
            f"{literal(f'{table.schema}.{table.name}')});")
    return (_PARTMAN.format(body=body) + "\n-- squawk-ignore ban-drop-table\n"
            f"DROP TABLE {template_table(table)};\n")


def partition_restore(table) -> str:
    """After an archived table's rows are back (in the default partition, past the premade
    ones): the partitions they need, from the oldest row on, with the rows moved in."""
    if not table.partition:
        return ""
    name = qualified(table.schema, table.name)
    if table.partition.manager != "pg_partman":
        # The oldest row read first, in its own statement: a table the calling query still
        # reads cannot be altered (the default partition is, to move rows out of it).
        call = make_call(table, "v_oldest").replace("SELECT ", "PERFORM ", 1)
        return (f"DO $atlas$\nDECLARE\n    v_oldest timestamptz;\nBEGIN\n"
                f"    v_oldest := (SELECT min({ident(table.partition.column)}) FROM {name});\n"
                f"    {call}\nEND\n$atlas$;\n")
    body = ("    EXECUTE pg_catalog.format('SELECT %I.partition_data_time(%L, 2147483647)', v_partman, "
            f"{literal(f'{table.schema}.{table.name}')});\n    PERFORM atlas_private.{FENCE}("
            f"{literal(f'{table.schema}.{table.name}')});")
    return _PARTMAN.format(body=body) + "\n"
