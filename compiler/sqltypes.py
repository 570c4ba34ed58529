"""Column types: which names PostgreSQL knows, how literal defaults are checked and quoted."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time

from .expressions import ParsedType
from .sqltext import literal

INTEGER = {"int2", "int4", "int8", "smallint", "integer", "bigint"}
DECIMAL = {"numeric", "decimal", "float4", "float8", "real", "money"}
TEXT = {"text", "varchar", "bpchar", "char", "name", "citext"}
JSON = {"json", "jsonb"}
TEMPORAL = {"date", "time", "timetz", "timestamp", "timestamptz", "interval"}
OTHER = {
    "bool", "boolean", "uuid", "bytea", "inet", "cidr", "macaddr", "macaddr8", "bit", "varbit",
    "tsvector", "tsquery", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle",
    "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
    "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
    "datemultirange", "oid", "regclass", "pg_lsn",
}
BUILTIN = INTEGER | DECIMAL | (TEXT - {"citext"}) | JSON | TEMPORAL | OTHER
# Types that exist once an extension of the spec is installed.
EXTENSION_TYPES = {"citext": "citext", "hstore": "hstore", "ltree": "ltree", "vector": "vector",
                   "geometry": "postgis", "geography": "postgis"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def known_type(parsed: ParsedType, enums, extensions) -> bool:
    if parsed.base in enums and parsed.names in ((parsed.base,), ("public", parsed.base)):
        return True
    if len(parsed.names) == 2 and parsed.names[0] != "pg_catalog":
        return False
    if parsed.base in BUILTIN:
        return True
    return EXTENSION_TYPES.get(parsed.base) in extensions


def check_literal(value, base: str, is_array: bool, enum_values) -> str | None:
    """None when `value` fits the type, else why not."""
    if is_array and base not in JSON:
        if not isinstance(value, list):
            return "an array column needs a list default"
        for item in value:
            problem = check_literal(item, base, False, enum_values)
            if problem:
                return problem
        return None
    if base in JSON:
        return None
    if isinstance(value, list):
        return "a list default needs an array or json column"
    if enum_values is not None:
        if not isinstance(value, str) or value not in enum_values:
            return "not a member of the enum"
        return None
    if base in INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            return "expected an integer"
        bits = {"int2": 16, "smallint": 16, "int4": 32, "integer": 32}.get(base, 64)
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            return f"out of range for a {bits}-bit integer"
        return None
    if base in DECIMAL:
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "expected a number"
    if base in ("bool", "boolean"):
        return None if isinstance(value, bool) else "expected true or false"
    if base in TEXT:
        return None if isinstance(value, str) else "expected a string"
    if base == "uuid":
        return None if isinstance(value, str) and _UUID.match(value) else "expected a UUID string"
    if base in TEMPORAL:
        if not isinstance(value, str):
            return "expected a date/time string"
        parser = {"date": date.fromisoformat, "time": time.fromisoformat, "timetz": time.fromisoformat}.get(base)
        if base in ("timestamp", "timestamptz"):
            parser = datetime.fromisoformat
        if parser is not None:
            try:
                parser(value)
            except ValueError:
                return f"'{value}' is not an ISO {base}"
        return None
    return None


def render_literal(value, type_text: str, base: str, is_array: bool) -> str:
    """SQL for a literal default, quoted and cast so the server reads it as the column type."""
    if base in JSON:
        return f"{literal(json.dumps(value, sort_keys=True, separators=(',', ':')))}::{type_text}"
    if is_array:
        items = ", ".join(render_literal(v, type_text.removesuffix("[]"), base, False) for v in value)
        return f"ARRAY[{items}]::{type_text}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if base in TEXT:
        return literal(str(value))
    return f"{literal(str(value))}::{type_text}"
