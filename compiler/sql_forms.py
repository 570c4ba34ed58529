"""Plain-Python layouts of the statements a build writes by the thousand: creating and dropping
tables, indexes, policies, triggers, functions, enums and schemas (every operation of a build
from nothing), and the pieces that Jinja templates share (a column's definition, a constraint,
the revokes of a new table, a function's definition, an enum's type).

Jinja costs tens of microseconds per operation and a fifth of a second to import and compile
its templates; a 1,000-table build renders 25,000 of these operations. Like a template, each
function here only lays SQL out: every name and decision comes from the model and the
operation (render.py's rules). `FORMS` maps the template name an operation asks for
(Operation.template) to its layout; render.py renders the other operations through Jinja, whose
templates call the shared pieces as globals.
"""
from __future__ import annotations

from .kinds.indexes import swap_name
from .names import identity_sequence_name
from .partition_forms import make_call, partition_clause, partition_restore, partition_setup, partition_teardown
from .sqltext import dollar_quote, ident, literal, qualified

ACTIONS = {"cascade": "CASCADE", "restrict": "RESTRICT", "set_null": "SET NULL", "set_default": "SET DEFAULT",
           "no_action": "NO ACTION"}


def idents(names) -> str:
    return ", ".join(map(ident, names))


def generated(identity: str) -> str:
    """An identity column's kind as GENERATED ... spells it."""
    return "ALWAYS" if identity == "always" else "BY DEFAULT"


def signature(function, with_defaults: bool = False) -> str:
    """schema.name(arg type, ...): defaults only where the function is created."""
    args = []
    for a in function.arguments:
        text = f"{ident(a.name)} {a.type}"
        if with_defaults and a.default is not None:
            text += f" DEFAULT {a.default}"
        args.append(text)
    return f"{qualified(function.schema, function.name)}({', '.join(args)})"


# --- pieces the templates share ---------------------------------------------------------------
# Each returns what the macro it replaced gave, to the character: a piece whose last line ends a
# statement of a list (a table's grants, an enum's values) ends with its newline.

def column_definition(col, identity: bool = True, not_null: bool = True, default: bool = True) -> str:
    text = f"{ident(col.name)} {col.type}"
    if identity and col.identity:
        text += f" GENERATED {generated(col.identity)} AS IDENTITY"
    if not_null and not col.nullable:
        text += " NOT NULL"
    if default and col.default is not None:
        text += f" DEFAULT {col.default}"
    return text


def constraint(c) -> str:
    if c.kind == "primary_key":
        body = f"PRIMARY KEY ({idents(c.columns)})"
    elif c.kind == "unique":
        body = f"UNIQUE ({idents(c.columns)})"
    elif c.kind == "check":
        body = f"CHECK ({c.expression})"
    else:
        body = f"FOREIGN KEY ({idents(c.columns)}) REFERENCES {qualified(c.ref_schema, c.ref_table)} ({idents(c.ref_columns)})"
        if c.on_update != "no_action":
            body += f" ON UPDATE {ACTIONS[c.on_update]}"
        if c.on_delete != "no_action":
            body += f" ON DELETE {ACTIONS[c.on_delete]}"
            if c.on_delete_columns:
                body += f" ({idents(c.on_delete_columns)})"
        if c.deferrable:
            body += " DEFERRABLE INITIALLY DEFERRED"
    return f"CONSTRAINT {ident(c.name)} {body}"


def revoke_from_all_but_owner(kind: str, name: str, privileges: str) -> str:
    """Target postgres names no roles: whatever the schema's default privileges gave, every
    grantee but the owner (PUBLIC included) loses `privileges` on the `kind` `name`."""
    return f"""DO $atlas$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
        FROM pg_catalog.pg_class AS c
        CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
        LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
        WHERE c.oid = {literal(name)}::pg_catalog.regclass AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('REVOKE {privileges} ON {kind} %s FROM %s', {literal(name)}, grantee);
    END LOOP;
END
$atlas$;"""


def revoke_sequence(schema: str, table: str, col, roles) -> str:
    """An identity sequence gets the schema's default privileges (Supabase's, or the application
    role's on target postgres): a role holding them would read (and setval) a counter shared by
    every tenant. Inserting into an identity column needs no privilege on its sequence. (The
    statement ends its line: the line that lays it out leaves a blank one under it.)"""
    if not col.identity:
        return ""
    sequence = qualified(schema, identity_sequence_name(table, col.name))
    if roles:
        return f"REVOKE ALL ON SEQUENCE {sequence} FROM {idents(roles)};\n"
    return revoke_from_all_but_owner("SEQUENCE", sequence, "ALL") + "\n"


def revoke_table_hazards(table: str) -> str:
    """Target postgres (with API roles, Supabase, REVOKE ALL already took both): TRUNCATE ignores
    row level security (it empties the table for every tenant), and TRIGGER attaches code that
    runs as the owner of the security definer functions writing the table (audit writer, soft
    delete): the migration's superuser."""
    return revoke_from_all_but_owner("TABLE", table, "TRUNCATE, TRIGGER")


def create_table(table, premade: bool = True) -> str:
    """premade=False: a partitioned table's default partition only, no make_partitions (the
    down of a conversion makes exactly the partitions its archive kept)."""
    name = qualified(table.schema, table.name)
    lines = [f"CREATE TABLE {name} ("]
    columns, constraints = table.columns, table.constraints
    last = len(columns) - 1
    lines += [f"    {column_definition(col)}{',' if i < last or constraints else ''}" for i, col in enumerate(columns)]
    last = len(constraints) - 1
    lines += [f"    {constraint(c)}{',' if i < last else ''}" for i, c in enumerate(constraints)]
    lines.append(f"){partition_clause(table)};")
    if table.comment:
        lines.append(f"COMMENT ON TABLE {name} IS {literal(table.comment)};")
    lines += [f"COMMENT ON COLUMN {name}.{ident(col.name)} IS {literal(col.comment)};" for col in columns if col.comment]
    if table.row_security:
        lines += [f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;", f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;"]
    if table.revoke_from:
        lines.append(f"REVOKE ALL ON TABLE {name} FROM {idents(table.revoke_from)};")
    else:
        lines.append(revoke_table_hazards(name))
    lines += [revoke_sequence(table.schema, table.name, col, table.revoke_from) for col in columns if col.identity]
    lines += [f"GRANT {', '.join(g.privileges)} ON TABLE {name} TO {ident(g.role)};" for g in table.grants]
    return "\n".join(lines) + "\n" + (partition_setup(table, premade) if table.partition else "")


def function_definition(function, create: str) -> str:
    """What creating and replacing a function share: its definition."""
    lines = [f"{create} FUNCTION {signature(function, True)}", f"RETURNS {function.returns}",
             f"LANGUAGE {function.language}"]
    if function.volatility != "volatile":
        lines.append(function.volatility.upper())
    lines.append(f"SECURITY {function.security.upper()}")
    if function.search_path is not None:
        path = "''" if function.search_path == "" else function.search_path
        lines.append(f"SET search_path = {path}")
    lines.append(f"AS {dollar_quote(function.body)};")
    return "\n".join(lines)


def function_privileges(function) -> str:
    """Who may execute a function."""
    lines = []
    if not function.executable_by_public:
        api = ", anon, authenticated" if function.revokes_api_roles else ""
        lines.append(f"REVOKE ALL ON FUNCTION {signature(function)} FROM PUBLIC{api};")
    if function.execute_roles:
        lines.append(f"GRANT EXECUTE ON FUNCTION {signature(function)} TO {idents(function.execute_roles)};")
    return "".join(line + "\n" for line in lines)


def create_type(name: str, enum) -> str:
    """An enum's type under `name` (its own, or a staged rebuild's)."""
    values = enum.values
    last = len(values) - 1
    lines = [f"CREATE TYPE {name} AS ENUM (", *(f"    {literal(v)}{',' if i < last else ''}" for i, v in enumerate(values)),
             ");"]
    if enum.comment:
        lines.append(f"COMMENT ON TYPE {name} IS {literal(enum.comment)};")
    return "\n".join(lines) + "\n"


# --- the operations ---------------------------------------------------------------------------

def _table_create(op, form) -> str:
    return create_table(op.obj)


def _table_drop(op, form) -> str:
    return f"{partition_teardown(op.obj)}-- squawk-ignore ban-drop-table\nDROP TABLE {qualified(op.obj.schema, op.obj.name)};"


def _build_index(obj, name: str, concurrently: bool) -> str:
    keys = []
    for k in obj.keys:
        text = ident(k.column)
        if k.opclass:
            text += f" {k.opclass}"
        if k.order:
            text += f" {k.order.upper()}"
        if k.nulls:
            text += f" NULLS {k.nulls.upper()}"
        keys.append(text)
    using = f" USING {obj.method}" if obj.method != "btree" else ""
    where = f" WHERE {obj.where}" if obj.where else ""
    return (f"CREATE {'UNIQUE ' if obj.unique else ''}INDEX {'CONCURRENTLY IF NOT EXISTS ' if concurrently else ''}"
            f"{ident(name)} ON {qualified(obj.schema, obj.table)}{using} ({', '.join(keys)}){where};")


def _index_create(op, form) -> str:
    """form: plain (a new table, or the main transaction), concurrently (outside a transaction,
    after dropping what a failed build left), swap (a changed index built beside the old one);
    the undos of one statement each (kinds/indexes.py): rebuild (a dropped index built again),
    undo_swap_build, undo_swap_rename."""
    obj = op.obj
    if form == "plain":
        view = ("-- the materialized view is created in this transaction: nothing reads it yet\n"
                "-- squawk-ignore require-concurrent-index-creation\n") if obj.on_view else ""
        return view + _build_index(obj, obj.name, False)
    if form == "partitioned":
        return "-- squawk-ignore require-concurrent-index-creation\n" + _build_index(obj, obj.name, False)
    if form == "concurrently":
        return f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(obj.schema, obj.name)};\n" + _build_index(obj, obj.name, True)
    if form == "rebuild":
        return _build_index(obj, obj.name, True)
    if form == "undo_swap_build":
        return f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(obj.schema, swap_name(obj))};"
    if form == "undo_swap_rename":
        return f"ALTER INDEX IF EXISTS {qualified(obj.schema, obj.name)} RENAME TO {ident(swap_name(obj))};"
    temp = swap_name(obj)
    return "\n".join([f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(obj.schema, temp)};", _build_index(obj, temp, True),
                      f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(obj.schema, obj.name)};",
                      f"ALTER INDEX IF EXISTS {qualified(obj.schema, temp)} RENAME TO {ident(obj.name)};"])


def _index_drop(op, form) -> str:
    concurrently = "" if form in ("plain", "partitioned") else "CONCURRENTLY IF EXISTS "
    return f"DROP INDEX {concurrently}{qualified(op.obj.schema, op.obj.name)};"


def _policy_create(op, form) -> str:
    obj = op.obj
    lines = [f"CREATE POLICY {ident(obj.name)} ON {qualified(obj.schema, obj.table)}",
             f"    AS {'PERMISSIVE' if obj.permissive else 'RESTRICTIVE'}", f"    FOR {obj.command.upper()}",
             f"    TO {idents(obj.roles)}"]
    if obj.using is not None:
        lines.append(f"    USING ({obj.using})")
    if obj.with_check is not None:
        lines.append(f"    WITH CHECK ({obj.with_check})")
    lines.append(";")
    return "\n".join(lines)


def _policy_drop(op, form) -> str:
    return f"DROP POLICY {ident(op.obj.name)} ON {qualified(op.obj.schema, op.obj.table)};"


def _trigger_create(op, form) -> str:
    obj = op.obj
    lines = [f"CREATE TRIGGER {ident(obj.name)}",
             f"    {obj.timing.upper()} {' OR '.join(e.upper() for e in obj.events)} ON {qualified(obj.schema, obj.table)}",
             f"    FOR EACH {obj.for_each.upper()}"]
    if obj.when:
        lines.append(f"    WHEN ({obj.when})")
    lines.append(f"    EXECUTE FUNCTION {qualified(obj.function_schema, obj.function)}"
                 f"({', '.join(map(literal, obj.arguments))});")
    return "\n".join(lines)


def _trigger_drop(op, form) -> str:
    return f"DROP TRIGGER {ident(op.obj.name)} ON {qualified(op.obj.schema, op.obj.table)};"


def _function_create(op, form) -> str:
    obj = op.obj
    lines = [function_definition(obj, "CREATE")]
    if obj.comment:
        lines.append(f"COMMENT ON FUNCTION {signature(obj)} IS {literal(obj.comment)};")
    lines.append(function_privileges(obj))
    return "\n".join(lines)


def _function_drop(op, form) -> str:
    return f"DROP FUNCTION {signature(op.obj)};"


def _enum_create(op, form) -> str:
    return create_type(qualified(op.obj.schema, op.obj.name), op.obj)


def _enum_drop(op, form) -> str:
    return f"DROP TYPE {qualified(op.obj.schema, op.obj.name)};"


def _schema_create(op, form) -> str:
    obj = op.obj
    text = f"CREATE SCHEMA {ident(obj.name)};"
    if obj.usage_roles:
        text += f"\nGRANT USAGE ON SCHEMA {ident(obj.name)} TO {idents(obj.usage_roles)};"
    return text


def _schema_drop(op, form) -> str:
    return f"DROP SCHEMA {ident(op.obj.name)};"


FORMS = {
    "table/create.sql.j2": _table_create, "table/drop.sql.j2": _table_drop,
    "index/create.sql.j2": _index_create, "index/drop.sql.j2": _index_drop,
    "policy/create.sql.j2": _policy_create, "policy/drop.sql.j2": _policy_drop,
    "trigger/create.sql.j2": _trigger_create, "trigger/drop.sql.j2": _trigger_drop,
    "function/create.sql.j2": _function_create, "function/drop.sql.j2": _function_drop,
    "enum/create.sql.j2": _enum_create, "enum/drop.sql.j2": _enum_drop,
    "schema/create.sql.j2": _schema_create, "schema/drop.sql.j2": _schema_drop,
}
# What the templates call: the shared pieces, and the helpers they lay names out with.
GLOBALS = {"column_definition": column_definition, "constraint": constraint, "create_table": create_table,
           "partition_teardown": partition_teardown, "partition_restore": partition_restore,
           "partition_make_call": make_call,   # partition_swap/convert: the partitions a copy's rows need
           "revoke_sequence": revoke_sequence, "revoke_table_hazards": revoke_table_hazards,
           "revoke_from_all_but_owner": revoke_from_all_but_owner, "function_definition": function_definition,
           "function_privileges": function_privileges, "create_type": create_type, "signature": signature,
           "idents": idents, "action": ACTIONS.__getitem__}
