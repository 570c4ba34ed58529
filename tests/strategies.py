"""Hypothesis strategies for atlas-compile specs: a random valid spec around the fixed tenancy
core, a random PR-sized edit of it, and seed rows valid before the edit and compatible with it.

A spec is held in a small internal form (plain dicts, see "the internal form" below) that knows which columns are
foreign keys, which checks read which column, which columns each view (plain or materialized,
joined, aliased) and each trigger's `when:` reads, so that an edit (a rename, a drop, a retype,
an enum value removed) keeps everything that points at the object valid: the compiler refuses a
view or trigger naming a missing column (E402) and an enum literal that is not a label (E702). `render` turns it
into the YAML files the compiler reads. Keys starting with "_" are bookkeeping, never rendered:
`_origin` is the (table, column) or table name an object had in the `before` spec (None when it
is new in the edit), `_retyped` marks a column whose type the edit already changed.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from hypothesis import strategies as st

# -- vocabulary ------------------------------------------------------------------------------

ENUM = "item_status"
ENUM_LABELS = ["draft", "active", "archived", "pending", "closed", "on_hold", "void"]
ROLE_LABELS = ["owner", "admin", "coach", "staff"]
NEW_ROLE_LABELS = ["manager", "viewer", "trainer"]
# Role labels an edit may remove: the seed's members are owner and admin, and auth_users.role
# defaults to staff.
REMOVABLE_ROLES = ("coach", "manager", "viewer", "trainer")
AUTH_TABLE = "auth.users"   # Supabase's users (target: supabase knows it): a foreign key target
TRIGGER_FUNCTION = "keep_row"
MEMBERSHIP_READABLE = ("email", "full_name", "role")   # auth_users columns a view may join to
NUMERIC = ("integer", "bigint", "numeric(10,2)", "numeric(12,4)")
BASE_TYPES = ("text", "integer", "bigint", "numeric(10,2)", "boolean", "timestamptz", "date", "jsonb", "uuid", ENUM)
# Type changes an edit may make (widening and narrowing); the seed picks values that survive both.
TRANSITIONS = {
    "text": ("integer", "bigint", "numeric(10,2)", "boolean", "timestamptz", "date", "jsonb", "uuid", ENUM),
    "integer": ("bigint", "numeric(10,2)", "text"),
    "bigint": ("integer", "numeric(10,2)", "text"),
    "numeric(10,2)": ("integer", "bigint", "numeric(12,4)", "text"),
    "numeric(12,4)": ("numeric(10,2)", "integer", "text"),
    "boolean": ("text",),
    "timestamptz": ("date", "text"),
    "date": ("timestamptz", "text"),
    "jsonb": ("text",),
    "uuid": ("text",),
    ENUM: ("text",),
}
TABLE_POOL = ["widgets", "gadgets", "notes", "tags", "events", "invoices", "projects", "tickets", "venues",
              "rooms", "courses", "badges"]
COLUMN_POOL = ["title", "amount", "qty", "flag", "due_on", "meta", "code", "kind", "note", "score", "starts_at",
               "total", "label", "price", "weight", "payload", "summary", "level", "color", "size_cm"]
FLAGS = ("timestamps", "soft_delete", "audit", "realtime")
FLAG_DEFAULTS = {"timestamps": True, "soft_delete": False, "audit": False, "realtime": False}
COMMANDS = ("select", "insert", "update", "delete")
ON_DELETE = (None, "cascade", "restrict", "no_action", "set_null")

ORGS = ["a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"]
MEMBERS = ["b0000000-0000-4000-8000-000000000001", "b0000000-0000-4000-8000-000000000002"]
AUTH_IDS = ["c0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000002"]

PROJECT = {
    "name": "atlas-property",
    "postgres": 15,
    "target": "supabase",
    "extensions": ["pgcrypto"],
    "tenancy": {
        "table": "organizations",
        "column": "organization_id",
        "membership": {"table": "auth_users", "user_column": "auth_id", "role_column": "role"},
        "current_user_id": "auth.uid()",
    },
    "defaults": {"tenant": True, "timestamps": True, "soft_delete": False, "audit": False},
}
CORE_TABLES = {
    "organizations": {
        "columns": {
            "id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"},
            "name": {"type": "text", "nullable": False, "check": "length(btrim(name)) > 0"},
            "slug": {"type": "text", "nullable": False, "unique": True},
            "plan": {"type": "organization_plan", "nullable": False, "default": "starter"},
        },
        "access": {"select": "member", "insert": "service", "update": ["role:owner", "role:admin"],
                   "delete": "service"},
    },
    "auth_users": {
        "columns": {
            "id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"},
            "auth_id": {"type": "uuid", "nullable": False},
            "role": {"type": "member_role", "nullable": False, "default": "staff"},
            "email": {"type": "text", "nullable": False, "check": "position('@' in email) > 1"},
            "full_name": {"type": "text"},
        },
        "unique": [["auth_id"]],
        "indexes": [{"columns": ["auth_id", "organization_id"]}],
        "access": {"select": "member", "insert": ["role:admin", "role:owner"],
                   "update": ["role:admin", "role:owner"], "delete": ["role:admin", "role:owner"]},
    },
}
CORE_SEED = f"""insert into auth.users (id, email) values
  ('{AUTH_IDS[0]}', 'a@example.com'), ('{AUTH_IDS[1]}', 'b@example.com');
insert into public.organizations (id, name, slug) values
  ('{ORGS[0]}', 'Org A', 'org-a'), ('{ORGS[1]}', 'Org B', 'org-b');
insert into public.auth_users (id, organization_id, auth_id, role, email) values
  ('{MEMBERS[0]}', '{ORGS[0]}', '{AUTH_IDS[0]}', 'owner', 'a@example.com'),
  ('{MEMBERS[1]}', '{ORGS[1]}', '{AUTH_IDS[1]}', 'admin', 'b@example.com');
"""


_SPREAD = list(range(1024))
__import__("random").Random(20240601).shuffle(_SPREAD)


def spread(draw, options):
    """One of `options`, close to uniformly. Hypothesis favours small draws (it tries zeros and
    boundaries first), which would make the first option of every choice far more likely; a
    fixed shuffle of a wider range spreads that bias over the options."""
    options = list(options)
    a, b = draw(st.integers(0, 1023)), draw(st.integers(0, 1023))
    return options[(_SPREAD[a] + _SPREAD[(b * 7) % 1024]) % len(options)]


# -- the internal form -----------------------------------------------------------------------
#
# spec   = {"enum": [labels], "roles": [labels], "tables": {name: table}, "views": {name: view},
#           "auth_fk": whether auth_users.auth_id references auth.users}
# table  = {"tenant", "flags": {flag: True|False|None}, "columns": {name: column}, "uniques": [[c, c]],
#           "checks": {check name: column}, "indexes": [index], "access": dict|None,
#           "owner_column": str|None, "renamed_from": str|None, "_origin": before name|None,
#           "triggers": {name: trigger},
#           "_names": every column name the table had, so no name is reused}
# column = {"type", "nullable", "default" (absent: none), "unique", "check" (numeric: > 0),
#           "check_not": enum label the column's check excludes | None, "ref": None |
#           {"table" (a spec table, auth_users or auth.users), "on_delete"}, "renamed_from", "_origin",
#           "_retyped"}
# index  = {"columns": [[name, desc]], "unique": bool, "where": column|None}
# view   = {"table", "kind": star|columns|filter|count, "columns": [names], "alias": str|None,
#           "materialized": bool, "sum": numeric column (count kind)|None, "join": None |
#           {"table", "fk": column of `table` referencing it, "alias", "left": bool,
#            "columns": [[column, output name]]}, "_origin"}
# trigger = {"timing", "events", "column", "kind": changed|not_null|positive|not_label, "label"}


def is_numeric(type_: str) -> bool:
    return type_ in NUMERIC


def effective_flag(table: dict, flag: str) -> bool:
    value = table["flags"].get(flag)
    return FLAG_DEFAULTS[flag] if value is None else value


def default_fits(value, type_: str, enum_labels) -> bool:
    """Mirror of what the spec accepts as a literal default of this type."""
    if type_ == "jsonb":
        return True
    if type_ in ("integer", "bigint"):
        return isinstance(value, int) and not isinstance(value, bool)
    if type_.startswith("numeric"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "text":
        return isinstance(value, str)
    if type_ == ENUM:
        return isinstance(value, str) and value in enum_labels
    if type_ == "uuid":
        return isinstance(value, str) and bool(re.match(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$", value))
    if type_ in ("date", "timestamptz"):
        if not isinstance(value, str):
            return False
        try:
            (date.fromisoformat if type_ == "date" else datetime.fromisoformat)(value)
        except ValueError:
            return False
        return True
    raise AssertionError(type_)


def default_values(type_: str, enum_labels):
    """Literal defaults that type-check (positive numbers: a default may fill a checked column)."""
    if type_ == "text":
        return st.sampled_from(["n/a", "", "it's", "2024-01-01", "hello world"])
    if type_ in ("integer", "bigint"):
        return st.integers(1, 1000)
    if type_.startswith("numeric"):
        return st.sampled_from([1.5, 2, 99.99, 0.25])
    if type_ == "boolean":
        return st.booleans()
    if type_ == "timestamptz":
        return st.sampled_from(["2024-02-03T04:05:06+00:00", "2023-12-31T23:59:59+00:00"])
    if type_ == "date":
        return st.sampled_from(["2024-02-03", "2020-02-29"])
    if type_ == "jsonb":
        return st.sampled_from([[], [1, "a"], "x", 5, True])
    if type_ == "uuid":
        return st.just("00000000-0000-4000-8000-0000000000ff")
    if type_ == ENUM:
        return st.sampled_from(list(enum_labels))
    raise AssertionError(type_)


def fk_columns(table: dict) -> set:
    return {n for n, c in table["columns"].items() if c.get("ref")}


def uniqueable(table: dict, name: str) -> bool:
    column = table["columns"][name]
    return column["type"] != "boolean" and not column.get("ref")


def indexable(table: dict) -> list[str]:
    return [n for n, c in table["columns"].items() if not c.get("ref")]


def index_name_key(table: dict, index: dict) -> tuple:
    """The columns its generated name is made of (unique indexes of tenant tables lead with the
    tenant column)."""
    lead = ("organization_id",) if index["unique"] and table["tenant"] else ()
    return lead + tuple(c for c, _ in index["columns"])


def fresh_column_name(draw, table: dict) -> str | None:
    options = [n for n in COLUMN_POOL if n not in table["_names"]]
    if not options:
        return None
    name = draw(st.sampled_from(options))
    table["_names"].add(name)
    return name


def fresh_table_name(draw, spec: dict) -> str | None:
    options = [n for n in TABLE_POOL if n not in spec["_names"]]
    if not options:
        return None
    name = draw(st.sampled_from(options))
    spec["_names"].add(name)
    return name


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


# -- drawing a spec --------------------------------------------------------------------------

def draw_column(draw, enum_labels, *, for_existing_rows: bool = False) -> dict:
    """A plain (not foreign key) column. For a column added to a table that has rows, a NOT NULL
    column gets a default and a unique column gets neither (every row would get the same value)."""
    type_ = spread(draw, BASE_TYPES)
    column = {"type": type_, "nullable": draw(st.booleans()), "unique": False, "check": False,
              "ref": None, "renamed_from": None, "_origin": None, "_retyped": False}
    if type_ != "boolean" and draw(st.integers(0, 4)) == 0:
        column["unique"] = True
    if is_numeric(type_) and draw(st.booleans()):
        column["check"] = True
    wants_default = draw(st.booleans())
    if for_existing_rows:
        if column["unique"]:
            column["nullable"], wants_default = True, False
        elif not column["nullable"]:
            wants_default = True
    if wants_default:
        column["default"] = draw(default_values(type_, enum_labels))
    if type_ == ENUM and draw(st.integers(0, 3)) == 0:
        # a check with an enum literal: rebuilt around an enum rebuild, relabelled when its label goes
        column["check_not"] = draw(st.sampled_from([v for v in enum_labels if v != column.get("default")]))
    return column


def draw_access(draw, has_owner: bool, roles) -> dict | None:
    shape = draw(st.sampled_from(["omit", "per_command", "all"]))
    if shape == "omit":
        return None

    def rule(command):
        singles = ["member", "service", "none"] + [f"role:{r}" for r in roles]
        combinable = ["member"] + [f"role:{r}" for r in roles]
        if has_owner:
            singles.append("owner")
            combinable.append("owner")
        if command == "select":
            singles.append("public")
            combinable.append("public")
        if draw(st.integers(0, 3)) == 0:
            return draw(st.lists(st.sampled_from(combinable), min_size=2, max_size=2, unique=True))
        return draw(st.sampled_from(singles))

    if shape == "all":
        return {"all": rule("all")}
    commands = draw(st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=4, unique=True))
    return {c: rule(c) for c in COMMANDS if c in commands}


def draw_index(draw, table: dict) -> dict | None:
    candidates = indexable(table)
    if not candidates:
        return None
    names = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
    unique = all(table["columns"][n]["type"] != "boolean" for n in names) and draw(st.integers(0, 3)) == 0
    index = {"columns": [[n, draw(st.booleans())] for n in names], "unique": unique,
             "where": names[0] if draw(st.integers(0, 3)) == 0 else None}
    if any(index_name_key(table, i) == index_name_key(table, index) for i in table["indexes"]):
        return None
    return index


def draw_table(draw, spec: dict, name: str, position: int, *, new: bool) -> dict:
    """A random tenant or shared table. Foreign keys to tables inserted earlier may be NOT NULL;
    to itself or later tables they are nullable (the seed leaves them null)."""
    tenant = draw(st.sampled_from([True, True, False]))
    table = {"tenant": tenant, "flags": {f: draw(st.sampled_from([None, True, False])) for f in FLAGS},
             "columns": {}, "uniques": [], "checks": {}, "indexes": [], "access": None, "owner_column": None,
             "renamed_from": None, "_origin": None if new else name, "triggers": {}, "_names": {"id"}}
    for _ in range(draw(st.integers(1, 4))):
        col = fresh_column_name(draw, table)
        table["columns"][col] = draw_column(draw, spec["enum"])
        table["columns"][col]["_origin"] = None if new else (name, col)
    names = list(spec["tables"]) + [name]
    for _ in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from(names))
        backward = names.index(target) < position
        col = singular(target) + "_id"
        if col in table["_names"]:
            col = singular(target) + "_ref_id"
            if col in table["_names"]:
                continue
        table["_names"].add(col)
        on_delete = draw(st.sampled_from(ON_DELETE))
        nullable = True if on_delete == "set_null" or not (backward or new) else draw(st.booleans())
        table["columns"][col] = {"type": "uuid", "nullable": nullable, "unique": False, "check": False,
                                 "ref": {"table": target, "on_delete": on_delete}, "renamed_from": None,
                                 "_origin": None if new else (name, col), "_retyped": False}
    if draw(st.integers(0, 5)) == 0 and "user_id" not in table["_names"]:
        # a profile-like column pointing at the signed-in user (a plain key to an external table)
        table["_names"].add("user_id")
        on_delete = draw(st.sampled_from([None, "cascade", "set_null"]))
        table["columns"]["user_id"] = {"type": "uuid", "nullable": on_delete == "set_null" or draw(st.booleans()),
                                       "unique": False, "check": False,
                                       "ref": {"table": AUTH_TABLE, "on_delete": on_delete}, "renamed_from": None,
                                       "_origin": None if new else (name, "user_id"), "_retyped": False}
    if draw(st.integers(0, 2)) == 0:
        table["_names"].add("owner_id")
        on_delete = draw(st.sampled_from([None, "set_null", "cascade", "no_ref", "auth"]))
        ref = (None if on_delete == "no_ref" else {"table": AUTH_TABLE, "on_delete": "set_null"}
               if on_delete == "auth" else {"table": "auth_users", "on_delete": on_delete})
        table["columns"]["owner_id"] = {"type": "uuid", "nullable": True, "unique": False, "check": False,
                                        "ref": ref, "renamed_from": None,
                                        "_origin": None if new else (name, "owner_id"), "_retyped": False}
        table["owner_column"] = "owner_id"
    plain = [n for n in table["columns"] if uniqueable(table, n)]
    if len(plain) >= 2 and draw(st.integers(0, 3)) == 0:
        table["uniques"].append(draw(st.lists(st.sampled_from(plain), min_size=2, max_size=2, unique=True)))
    numeric = [n for n, c in table["columns"].items() if is_numeric(c["type"])]
    if numeric and draw(st.integers(0, 3)) == 0:
        col = draw(st.sampled_from(numeric))
        table["checks"][f"{col}_positive"] = col
    for _ in range(draw(st.integers(0, 2))):
        index = draw_index(draw, table)
        if index:
            table["indexes"].append(index)
    table["access"] = draw_access(draw, table["owner_column"] is not None, spec["roles"])
    if draw(st.integers(0, 3)) == 0:
        made = draw_trigger(draw, table, spec["enum"])
        if made:
            table["triggers"][made[0]] = made[1]
    return table


def trigger_kinds(column: dict) -> list[str]:
    """The `when:` conditions that type-check on this column."""
    kinds = ["changed", "not_null"]
    if is_numeric(column["type"]):
        kinds.append("positive")
    if column["type"] == ENUM:
        kinds.append("not_label")
    return kinds


def draw_trigger(draw, table: dict, enum_labels) -> tuple[str, dict] | None:
    """A row trigger on keep_row() whose `when:` reads one column (by `new.` and maybe `old.`)."""
    if not table["columns"]:
        return None
    col = draw(st.sampled_from(sorted(table["columns"])))
    name = f"watch_{col}"
    if name in table["triggers"]:
        return None
    kind = draw(st.sampled_from(trigger_kinds(table["columns"][col])))
    events = ["update"] if kind == "changed" else draw(st.sampled_from([["insert"], ["insert", "update"]]))
    trigger = {"timing": draw(st.sampled_from(["before", "after"])), "events": events, "column": col,
               "kind": kind, "label": draw(st.sampled_from(list(enum_labels))) if kind == "not_label" else None}
    return name, trigger


def render_when(trigger: dict) -> str:
    col = trigger["column"]
    return {"changed": f"new.{col} is distinct from old.{col}", "not_null": f"new.{col} is not null",
            "positive": f"new.{col} > 0", "not_label": f"new.{col} <> '{trigger['label']}'"}[trigger["kind"]]


def joinable(spec: dict, table_name: str, materialized: bool) -> list[tuple[str, str]]:
    """(foreign key column, target) pairs a view of `table_name` may join through: targets in the
    spec or the membership table (a materialized view outputs the tenant column of its first
    table, so it may not join a shared table to tenant data)."""
    table = spec["tables"][table_name]
    pairs = []
    for col, column in table["columns"].items():
        target = (column.get("ref") or {}).get("table")
        if target == "auth_users" or target in spec["tables"]:
            target_tenant = target == "auth_users" or spec["tables"][target]["tenant"]
            if not (materialized and target_tenant and not table["tenant"]):
                pairs.append((col, target))
    return pairs


def join_readable(spec: dict, target: str) -> list[str]:
    return list(MEMBERSHIP_READABLE) if target == "auth_users" else sorted(spec["tables"][target]["columns"])


def draw_view(draw, spec: dict, table_name: str) -> tuple[str, dict] | None:
    """A plain or materialized view of one table, reading all (`*`) or some of its columns, maybe
    filtered, counted (with a sum), or joined through a foreign key, with or without aliases."""
    name = f"{table_name}_view"
    if name in spec["views"] or name in spec["_names"]:
        name = f"{table_name}_list"
        if name in spec["views"] or name in spec["_names"]:
            return None
    spec["_names"].add(name)
    table = spec["tables"][table_name]
    materialized = draw(st.integers(0, 2)) == 0
    kinds = ["star", "columns", "filter"] + (["count"] if table["tenant"] else [])
    kind = draw(st.sampled_from(kinds))
    view = {"table": table_name, "kind": kind, "columns": [], "alias": None, "materialized": materialized,
            "sum": None, "join": None, "_origin": None}
    if kind in ("columns", "filter") and table["columns"]:
        view["columns"] = draw(st.lists(st.sampled_from(sorted(table["columns"])), min_size=1, max_size=3,
                                        unique=True))
        if draw(st.booleans()):
            view["alias"] = table_name[0]
        pairs = joinable(spec, table_name, materialized)
        if pairs and draw(st.booleans()):
            fk, target = draw(st.sampled_from(pairs))
            picked = draw(st.lists(st.sampled_from(join_readable(spec, target)), min_size=1, max_size=2,
                                   unique=True))
            view["alias"] = table_name[0]
            view["join"] = {"table": target, "fk": fk, "alias": "j", "left": draw(st.booleans()),
                            "columns": [[c, f"{singular(target)}_{c}"] for c in picked]}
    if kind == "count":
        numeric = [n for n, c in table["columns"].items() if is_numeric(c["type"])]
        if numeric and draw(st.booleans()):
            view["sum"] = draw(st.sampled_from(numeric))
    if kind == "filter" and not view["columns"]:
        view["kind"] = "columns"
    return name, view


@st.composite
def specs(draw) -> dict:
    """A random valid spec (internal form): the tenancy core plus 1-4 tables and maybe views."""
    labels = draw(st.lists(st.sampled_from(ENUM_LABELS), min_size=4, max_size=5, unique=True))
    spec = {"enum": labels, "roles": list(ROLE_LABELS), "tables": {}, "views": {},
            "auth_fk": draw(st.booleans()), "_names": set(CORE_TABLES)}
    for position in range(draw(st.integers(1, 4))):
        name = fresh_table_name(draw, spec)
        spec["tables"][name] = draw_table(draw, spec, name, position, new=False)
    for _ in range(spread(draw, [0, 0, 1, 1, 2])):
        made = draw_view(draw, spec, draw(st.sampled_from(list(spec["tables"]))))
        if made:
            spec["views"][made[0]] = made[1]
            made[1]["_origin"] = made[0]
    return spec


# -- edits -----------------------------------------------------------------------------------
# Each takes (draw, spec) and changes `spec` in place, returning a description, or None when it
# does not apply to this spec (the caller then tries another kind).

def _pick_table(draw, spec, predicate=lambda t: True):
    names = [n for n, t in spec["tables"].items() if predicate(t)]
    return draw(st.sampled_from(names)) if names else None


def _pick_column(draw, table, predicate=lambda n, c: True):
    names = [n for n, c in table["columns"].items() if predicate(n, c)]
    return draw(st.sampled_from(names)) if names else None


def _forget_column(spec, table_name, column):
    """Removes what names `column` (being dropped) from its table and the views."""
    table = spec["tables"][table_name]
    table["uniques"] = [u for u in table["uniques"] if column not in u]
    table["checks"] = {k: v for k, v in table["checks"].items() if v != column}
    table["indexes"] = [i for i in table["indexes"]
                        if column not in [c for c, _ in i["columns"]] and i["where"] != column]
    if table["owner_column"] == column:
        table["owner_column"] = None
        table["access"] = _without_owner(table["access"])
    table["triggers"] = {k: t for k, t in table["triggers"].items() if t["column"] != column}
    for view in spec["views"].values():
        # the view stops reading the column in the same PR (it is rebuilt around the drop)
        if view["table"] == table_name:
            view["columns"] = [c for c in view["columns"] if c != column]
            if view["sum"] == column:
                view["sum"] = None
            if view["join"] and view["join"]["fk"] == column:
                view["join"] = None
        if view["join"] and view["join"]["table"] == table_name:
            view["join"]["columns"] = [p for p in view["join"]["columns"] if p[0] != column]
            if not view["join"]["columns"]:
                view["join"] = None
        if view["kind"] == "filter" and not view["columns"]:
            view["kind"] = "columns"


def _without_owner(access):
    if access is None:
        return None
    result = {}
    for command, rule in access.items():
        if isinstance(rule, list):
            rule = [r for r in rule if r != "owner"] or ["member"]
            rule = rule[0] if len(rule) == 1 else rule
        elif rule == "owner":
            rule = "member"
        result[command] = rule
    return result


def edit_add_column(draw, spec):
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    col = fresh_column_name(draw, table)
    if col is None:
        return None
    has_rows = table["_origin"] is not None
    if draw(st.integers(0, 3)) == 0:
        target = draw(st.sampled_from(list(spec["tables"]) + ["auth_users", AUTH_TABLE]))
        column = {"type": "uuid", "nullable": True, "unique": False, "check": False,
                  "ref": {"table": target, "on_delete": draw(st.sampled_from(ON_DELETE))}, "renamed_from": None,
                  "_origin": None, "_retyped": False}
    else:
        column = draw_column(draw, spec["enum"], for_existing_rows=has_rows)
    table["columns"][col] = column
    return f"add column {name}.{col} {column_description(column)}"


def column_description(column) -> str:
    parts = [column["type"], "null" if column["nullable"] else "not null"]
    if "default" in column:
        parts.append(f"default {column['default']!r}")
    if column["unique"]:
        parts.append("unique")
    if column["check"]:
        parts.append("check > 0")
    if column.get("ref"):
        parts.append(f"references {column['ref']['table']} on delete {column['ref']['on_delete']}")
    return " ".join(parts)


def edit_drop_column(draw, spec):
    name = _pick_table(draw, spec, lambda t: len(t["columns"]) > 0)
    if name is None:
        return None
    table = spec["tables"][name]
    col = _pick_column(draw, table)
    _forget_column(spec, name, col)
    del table["columns"][col]
    return f"drop column {name}.{col}"


def edit_rename_column(draw, spec):
    name = _pick_table(draw, spec, lambda t: len(t["columns"]) > 0)
    if name is None:
        return None
    table = spec["tables"][name]
    old = _pick_column(draw, table)
    new = fresh_column_name(draw, table)
    if new is None:
        return None
    column = table["columns"][old]
    if column["_origin"] is not None and column["renamed_from"] is None:
        column["renamed_from"] = old
    table["columns"] = {(new if n == old else n): c for n, c in table["columns"].items()}
    table["uniques"] = [[new if c == old else c for c in u] for u in table["uniques"]]
    table["checks"] = {k: (new if v == old else v) for k, v in table["checks"].items()}
    for index in table["indexes"]:
        index["columns"] = [[new if c == old else c, d] for c, d in index["columns"]]
        if index["where"] == old:
            index["where"] = new
    if table["owner_column"] == old:
        table["owner_column"] = new
    for trigger in table["triggers"].values():
        if trigger["column"] == old:
            trigger["column"] = new
    for view in spec["views"].values():
        if view["table"] == name:
            view["columns"] = [new if c == old else c for c in view["columns"]]
            if view["sum"] == old:
                view["sum"] = new
            if view["join"] and view["join"]["fk"] == old:
                view["join"]["fk"] = new
        if view["join"] and view["join"]["table"] == name:
            view["join"]["columns"] = [[new if c == old else c, out] for c, out in view["join"]["columns"]]
    return f"rename column {name}.{old} -> {new}"


def edit_add_table(draw, spec):
    name = fresh_table_name(draw, spec)
    if name is None:
        return None
    spec["tables"][name] = draw_table(draw, spec, name, len(spec["tables"]), new=True)
    return f"add table {name}"


def edit_drop_table(draw, spec):
    """Drops a table; the columns of other tables that point at it go too."""
    if len(spec["tables"]) < 2:
        return None
    name = _pick_table(draw, spec)
    dropped = []
    for t_name, table in spec["tables"].items():
        for col, column in list(table["columns"].items()):
            if t_name != name and column.get("ref") and column["ref"]["table"] == name:
                _forget_column(spec, t_name, col)
                del table["columns"][col]
                dropped.append(f"{t_name}.{col}")
    del spec["tables"][name]
    for view_name, view in list(spec["views"].items()):
        if view["table"] == name:
            del spec["views"][view_name]
        elif view["join"] and view["join"]["table"] == name:   # its key column went above
            view["join"] = None
    return f"drop table {name}" + (f" and its referencing columns {', '.join(dropped)}" if dropped else "")


def edit_rename_table(draw, spec):
    old = _pick_table(draw, spec)
    new = fresh_table_name(draw, spec)
    if new is None:
        return None
    table = spec["tables"][old]
    if table["_origin"] is not None and table["renamed_from"] is None:
        table["renamed_from"] = old
    spec["tables"] = {(new if n == old else n): t for n, t in spec["tables"].items()}
    for t in spec["tables"].values():
        for c in t["columns"].values():
            if c.get("ref") and c["ref"]["table"] == old:
                c["ref"]["table"] = new
    for view in spec["views"].values():
        if view["table"] == old:
            view["table"] = new
        if view["join"] and view["join"]["table"] == old:
            view["join"]["table"] = new
    return f"rename table {old} -> {new}"


def edit_change_type(draw, spec):
    def ok(n, c):
        return not c.get("ref") and not c["_retyped"] and c["type"] in TRANSITIONS

    name = _pick_table(draw, spec, lambda t: any(ok(n, c) for n, c in t["columns"].items()))
    if name is None:
        return None
    table = spec["tables"][name]
    # the owner column is a foreign key or compared with the user id: never retyped
    col = _pick_column(draw, table, lambda n, c: ok(n, c) and n != table["owner_column"])
    if col is None:
        return None
    column = table["columns"][col]
    old = column["type"]
    new = spread(draw, TRANSITIONS[old])
    column["type"] = new
    column["_retyped"] = True
    if not is_numeric(new):
        column["check"] = False
        table["checks"] = {k: v for k, v in table["checks"].items() if v != col}
        for view in spec["views"].values():
            if view["table"] == name and view["sum"] == col:
                view["sum"] = None   # sum() of the new type does not exist: the view stops summing
    if new not in (ENUM, "text"):
        column["check_not"] = None   # `col <> 'label'` still compares as text, not as another type
    for trigger in table["triggers"].values():
        if trigger["column"] == col and trigger["kind"] not in trigger_kinds(column):
            trigger["kind"] = "not_null" if "insert" in trigger["events"] else "changed"
    if new == "boolean":
        column["unique"] = False
        table["uniques"] = [u for u in table["uniques"] if col not in u]
        table["indexes"] = [i for i in table["indexes"] if not (i["unique"] and col in [c for c, _ in i["columns"]])]
    if "default" in column and not default_fits(column["default"], new, spec["enum"]):
        del column["default"]
        if draw(st.booleans()):
            column["default"] = draw(default_values(new, spec["enum"]))
    if not column["nullable"] and "default" not in column and column["_origin"] is None:
        column["nullable"] = True   # stays addable to a table with rows
    return f"change type {name}.{col} {old} -> {new}"


def edit_toggle_nullable(draw, spec):
    order = list(spec["tables"])

    def ok(t_name, n, c):
        if not c["nullable"]:
            return True
        if c["unique"] and c["_origin"] is None:
            return False
        if c["_origin"] is None and "default" not in c:
            return False   # a new NOT NULL column without default cannot be added to rows
        ref = c.get("ref")
        if ref:
            if ref["on_delete"] == "set_null":
                return False
            target = ref["table"]
            if target not in ("auth_users", AUTH_TABLE) and (target not in order or order.index(target) >= order.index(t_name)
                                           or spec["tables"][target]["_origin"] is None):
                return False   # the seed cannot give it a value
        return True

    names = [t_name for t_name, t in spec["tables"].items() if any(ok(t_name, n, c) for n, c in t["columns"].items())]
    if not names:
        return None
    name = draw(st.sampled_from(names))
    table = spec["tables"][name]
    col = _pick_column(draw, table, lambda n, c: ok(name, n, c))
    column = table["columns"][col]
    column["nullable"] = not column["nullable"]
    return f"make {name}.{col} {'nullable' if column['nullable'] else 'not null'}"


def edit_default(draw, spec):
    name = _pick_table(draw, spec, lambda t: any(not c.get("ref") for c in t["columns"].values()))
    if name is None:
        return None
    table = spec["tables"][name]
    col = _pick_column(draw, table, lambda n, c: not c.get("ref") and not (c["unique"] and c["_origin"] is None))
    if col is None:
        return None
    column = table["columns"][col]
    if "default" in column and (column["nullable"] or column["_origin"] is not None) and draw(st.booleans()):
        del column["default"]
        return f"drop default of {name}.{col}"
    before = column.get("default", "<none>")
    value = draw(default_values(column["type"], spec["enum"]))
    if (type(value), value) == (type(before), before) or value == column.get("check_not"):
        return None
    column["default"] = value
    return f"set default of {name}.{col}: {before!r} -> {value!r}"


def edit_unique(draw, spec):
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    present = [("column", n) for n, c in table["columns"].items() if c["unique"]]
    present += [("pair", i) for i in range(len(table["uniques"]))]
    if present and draw(st.booleans()):
        kind, which = draw(st.sampled_from(present))
        if kind == "column":
            table["columns"][which]["unique"] = False
            return f"drop unique {name}.{which}"
        pair = table["uniques"].pop(which)
        return f"drop unique {name}({', '.join(pair)})"
    candidates = [n for n in table["columns"] if uniqueable(table, n) and not table["columns"][n]["unique"]
                  and not (table["columns"][n]["_origin"] is None and "default" in table["columns"][n]
                           and table["_origin"] is not None)]
    if not candidates:
        return None
    col = draw(st.sampled_from(candidates))
    table["columns"][col]["unique"] = True
    return f"add unique {name}.{col}"


def edit_check(draw, spec):
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    present = [("column", n) for n, c in table["columns"].items() if c["check"]] + \
              [("table", k) for k in table["checks"]] + \
              [("label", n) for n, c in table["columns"].items() if c.get("check_not")]
    if present and draw(st.booleans()):
        kind, which = draw(st.sampled_from(present))
        if kind == "label":
            table["columns"][which]["check_not"] = None
        elif kind == "column":
            table["columns"][which]["check"] = False
        else:
            del table["checks"][which]
        return f"drop check {name}.{which}"
    enums = [n for n, c in table["columns"].items() if c["type"] == ENUM and not c.get("check_not")]
    if enums and draw(st.booleans()):
        col = draw(st.sampled_from(enums))
        column = table["columns"][col]
        # the seed keeps every check label out of its rows; the default stays allowed
        label = draw(st.sampled_from([v for v in spec["enum"] if v != column.get("default")]))
        column["check_not"] = label
        return f"add check {name}: {col} <> {label!r}"
    numeric = [n for n, c in table["columns"].items() if is_numeric(c["type"])]
    if not numeric:
        return None
    col = draw(st.sampled_from(numeric))
    if draw(st.booleans()) and not table["columns"][col]["check"]:
        table["columns"][col]["check"] = True
    elif f"{col}_positive" not in table["checks"]:
        table["checks"][f"{col}_positive"] = col
    else:
        return None
    return f"add check {name}: {col} > 0"


def edit_index(draw, spec):
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    if table["indexes"] and draw(st.booleans()):
        index = table["indexes"].pop(draw(st.integers(0, len(table["indexes"]) - 1)))
        return f"drop index on {name}({index_description(index)})"
    index = draw_index(draw, table)
    if index is None:
        return None
    table["indexes"].append(index)
    return f"add index on {name}({index_description(index)})"


def index_description(index) -> str:
    text = ", ".join(c + (" desc" if d else "") for c, d in index["columns"])
    return text + (" unique" if index["unique"] else "") + (f" where {index['where']} is not null"
                                                            if index["where"] else "")


def edit_enum_value(draw, spec):
    if draw(st.booleans()):
        options = [v for v in ENUM_LABELS if v not in spec["enum"]]
        labels = spec["enum"]
        which = ENUM
    else:
        options = [v for v in NEW_ROLE_LABELS if v not in spec["roles"]]
        labels = spec["roles"]
        which = "member_role"
    if not options:
        return None
    value = draw(st.sampled_from(options))
    position = draw(st.integers(0, len(labels)))
    labels.insert(position, value)
    description = f"add value {value!r} to enum {which} at position {position}"
    if draw(st.booleans()):   # and use it, as the PR adding a value usually does
        if which == ENUM:
            used = [(t, n) for t, table in spec["tables"].items() for n, c in table["columns"].items()
                    if c["type"] == ENUM and not (c["unique"] and c["_origin"] is None)
                    and c.get("check_not") != value]
            if used:
                t, n = draw(st.sampled_from(used))
                spec["tables"][t]["columns"][n]["default"] = value
                description += f", the default of {t}.{n}"
        else:
            t = _pick_table(draw, spec)
            command = draw(st.sampled_from(COMMANDS))
            access = dict(spec["tables"][t]["access"] or {})
            if "all" in access:
                rule = access.pop("all")
                access.update({c: rule for c in COMMANDS})
            access[command] = f"role:{value}"
            spec["tables"][t]["access"] = access
            description += f", {command} on {t} for role:{value}"
    return description


def _relabel(draw, spec, gone: str) -> list[str]:
    """Moves what names item_status label `gone` (being removed) to a label that stays: column
    defaults, checks and trigger conditions (E702 otherwise)."""
    moved = []
    for t_name, table in spec["tables"].items():
        for c_name, column in table["columns"].items():
            if column["type"] == ENUM and column.get("default") == gone:
                column["default"] = draw(st.sampled_from([v for v in spec["enum"] if v != column.get("check_not")]))
                moved.append(f"default of {t_name}.{c_name} -> {column['default']!r}")
            if column.get("check_not") == gone:
                column["check_not"] = draw(st.sampled_from([v for v in spec["enum"] if v != column.get("default")]))
                moved.append(f"check of {t_name}.{c_name} -> <> {column['check_not']!r}")
        for trigger_name, trigger in table["triggers"].items():
            if trigger["label"] == gone:
                trigger["label"] = draw(st.sampled_from(spec["enum"]))
                moved.append(f"when of {t_name}.{trigger_name} -> <> {trigger['label']!r}")
    return moved


def edit_enum_remove(draw, spec):
    """Removes a value of item_status (the type is rebuilt), or a role of member_role (the
    membership lookup and every policy calling it are rebuilt); what named it moves to a label
    that stays. The seed keeps removed values out of its rows, unless it means to hold one."""
    if spread(draw, [True, True, False]):
        if len(spec["enum"]) < 4:
            return None
        gone = draw(st.sampled_from(spec["enum"]))
        spec["enum"].remove(gone)
        moved = _relabel(draw, spec, gone)
        return f"remove value {gone!r} from enum {ENUM}" + (f" ({', '.join(moved)})" if moved else "")
    options = [r for r in spec["roles"] if r in REMOVABLE_ROLES]
    if not options:
        return None
    gone = draw(st.sampled_from(options))
    spec["roles"].remove(gone)
    for table in spec["tables"].values():
        if table["access"]:
            table["access"] = {c: _without_role(rule, f"role:{gone}") for c, rule in table["access"].items()}
    return f"remove role {gone!r} from enum member_role (its rules become role:admin)"


def _without_role(rule, gone: str):
    if isinstance(rule, list):
        kept = list(dict.fromkeys("role:admin" if r == gone else r for r in rule))
        return kept[0] if len(kept) == 1 else kept
    return "role:admin" if rule == gone else rule


def edit_enum_reorder(draw, spec):
    labels = spec["enum"] if draw(st.booleans()) else spec["roles"]
    order = draw(st.permutations(labels))
    if list(order) == labels:
        return None
    which = ENUM if labels is spec["enum"] else "member_role"
    labels[:] = order
    return f"reorder enum {which}: {', '.join(order)}"


def edit_trigger(draw, spec):
    """Adds a trigger whose `when:` reads a column, drops one, or changes its condition."""
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    if table["triggers"] and draw(st.booleans()):
        trigger_name = draw(st.sampled_from(sorted(table["triggers"])))
        if draw(st.booleans()):
            del table["triggers"][trigger_name]
            return f"drop trigger {name}.{trigger_name}"
        trigger = table["triggers"][trigger_name]
        kinds = [k for k in trigger_kinds(table["columns"][trigger["column"]]) if k != trigger["kind"]]
        trigger["kind"] = draw(st.sampled_from(kinds))
        if trigger["kind"] == "changed":
            trigger["events"] = ["update"]
        if trigger["kind"] == "not_label":
            trigger["label"] = draw(st.sampled_from(spec["enum"]))
        return f"trigger {name}.{trigger_name} when: {render_when(trigger)}"
    made = draw_trigger(draw, table, spec["enum"])
    if made is None:
        return None
    table["triggers"][made[0]] = made[1]
    return f"add trigger {name}.{made[0]} when: {render_when(made[1])}"


def edit_auth_fk(draw, spec):
    spec["auth_fk"] = not spec["auth_fk"]
    return ("auth_users.auth_id references auth.users (on delete cascade)" if spec["auth_fk"]
            else "auth_users.auth_id no longer references auth.users")


def edit_access(draw, spec):
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    before = table["access"]
    table["access"] = draw_access(draw, table["owner_column"] is not None, spec["roles"])
    return f"access of {name}: {before} -> {table['access']}"


def edit_flag(draw, spec):
    name = _pick_table(draw, spec)
    table = spec["tables"][name]
    flag = draw(st.sampled_from(FLAGS))
    value = not effective_flag(table, flag)
    table["flags"][flag] = value
    return f"{flag} of {name} -> {value}"


def edit_view(draw, spec):
    """Drops a view, adds one, or changes one's query (a column more or less, materialized or not)."""
    if spec["views"] and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(spec["views"])))
        view = spec["views"][name]
        change = draw(st.sampled_from(["drop", "materialized", "columns"]))
        if change == "drop":
            del spec["views"][name]
            return f"drop view {name}"
        if change == "materialized":
            if view["join"] and not spec["tables"][view["table"]]["tenant"]:
                return None   # it may join tenant data to a shared table (see joinable)
            view["materialized"] = not view["materialized"]
            return f"view {name} materialized -> {view['materialized']}"
        if view["kind"] not in ("columns", "filter"):
            return None
        table = spec["tables"][view["table"]]
        unused = [c for c in table["columns"] if c not in view["columns"]]
        if view["columns"] and (not unused or draw(st.booleans())):
            gone = view["columns"].pop(draw(st.integers(0, len(view["columns"]) - 1)))
            if view["kind"] == "filter" and not view["columns"]:
                view["kind"] = "columns"
            return f"view {name} stops reading {gone}"
        if not unused:
            return None
        view["columns"].append(draw(st.sampled_from(unused)))
        return f"view {name} also reads {view['columns'][-1]}"
    made = draw_view(draw, spec, _pick_table(draw, spec))
    if made is None:
        return None
    spec["views"][made[0]] = made[1]
    return f"add view {made[0]} ({made[1]['kind']} of {made[1]['table']})"


EDITS = {
    "add_column": edit_add_column,
    "drop_column": edit_drop_column,
    "rename_column": edit_rename_column,
    "add_table": edit_add_table,
    "drop_table": edit_drop_table,
    "rename_table": edit_rename_table,
    "change_type": edit_change_type,
    "toggle_nullable": edit_toggle_nullable,
    "default": edit_default,
    "unique": edit_unique,
    "check": edit_check,
    "index": edit_index,
    "enum_value": edit_enum_value,
    "access": edit_access,
    "flag": edit_flag,
    "view": edit_view,
    "enum_remove": edit_enum_remove,
    "enum_reorder": edit_enum_reorder,
    "trigger": edit_trigger,
    "auth_fk": edit_auth_fk,
}

# The kinds most likely to break a migration (casts, nullability, defaults) come up more often.
WEIGHTED_EDITS = list(EDITS) + ["change_type"] * 3 + ["toggle_nullable", "default", "check", "add_column",
                                                     "drop_column", "drop_table", "unique", "enum_value",
                                                     "enum_remove", "view"]


# -- seed rows -------------------------------------------------------------------------------

def _canonical(type_: str, i: int, base: int, enum_labels) -> str:
    """Text form of the i-th value of a column: distinct per row (except booleans), positive."""
    if type_ in ("integer", "bigint"):
        return str(base + 2 * i)
    if type_ == "numeric(10,2)":
        return f"{base + 2 * i}.5"
    if type_ == "numeric(12,4)":
        return f"{base + 2 * i}.125"
    if type_ == "boolean":
        return "true" if (base + i) % 2 else "false"
    if type_ == "timestamptz":
        return f"2024-0{1 + base % 9}-1{i} 0{i}:30:00+00"
    if type_ == "date":
        return f"2024-0{1 + base % 9}-1{i}"
    if type_ == "jsonb":
        return json.dumps({"k": base + i, "tags": ["x", i]})
    if type_ == "uuid":
        return f"e{base % 10}000000-0000-4000-8000-{i + 1:012x}"
    if type_ == ENUM:
        return enum_labels[(base + i) % len(enum_labels)]
    if type_ == "text":
        return f"v{base}-{i} it's"
    raise AssertionError(type_)


def seed_value(before: str, after: str | None, i: int, base: int, enum_labels) -> str:
    """SQL literal of the `before` type whose value also casts to `after` (and back).
    `enum_labels`: the item_status labels the value may be (kept by the edit, allowed by checks)."""
    if after is None or after == before or (is_numeric(before) and is_numeric(after)):
        text = _canonical(before, i, base, enum_labels)
    elif before == "text":
        text = _canonical(after, i, base, enum_labels)
    elif after == "text" or {before, after} == {"date", "timestamptz"}:
        text = _canonical(before, i, base, enum_labels)
    else:
        raise AssertionError(f"no seed value for {before} -> {after}")
    if before in ("integer", "bigint") and after in ("integer", "bigint", "numeric(10,2)", "numeric(12,4)"):
        text = str(base + 2 * i)
    sql_type = f"public.{ENUM}" if before == ENUM else before
    return "'" + text.replace("'", "''") + "'::" + sql_type


def after_columns(after: dict) -> dict:
    """(before table, before column) -> the column it became in `after`."""
    result = {}
    for table in after["tables"].values():
        for column in table["columns"].values():
            if column["_origin"] is not None:
                result[column["_origin"]] = (table, column)
    return result


def seed_labels(before: dict, after: dict, column: dict, after_column: dict | None) -> list[str]:
    """item_status labels a row of this column may hold: kept by the edit, allowed by its checks."""
    forbidden = {column.get("check_not"), (after_column or {}).get("check_not")}
    return [v for v in before["enum"] if v in after["enum"] and v not in forbidden]


def draw_seed(draw, before: dict, after: dict, hold: list | None = None) -> str:
    """2 organizations, 2 members, 1-3 rows per table of `before`, in foreign key order (a key to
    the row's own table or a later one is null: the generator made those columns nullable).
    Soft-deleted tables get a deleted row. `hold`: when given (a list), the first row of one enum
    column that stays an enum may hold a value the edit removes; what it holds is appended."""
    mapping = after_columns(after)
    statements = [CORE_SEED]
    rows_of: dict[str, list[tuple[str, int | None]]] = {}   # table -> [(row id, org index or None)]
    for position, (name, table) in enumerate(before["tables"].items()):
        columns = list(table["columns"].items())
        bases = {col: draw(st.integers(1, 9)) for col, _ in columns}
        # no more rows than labels an enum column may hold: a unique one needs distinct values
        count = draw(st.integers(1, 3))
        for col, column in columns:
            after_column = mapping.get((name, col), (None, None))[1]
            if ENUM in (column["type"], after_column and after_column["type"]):
                count = min(count, len(seed_labels(before, after, column, after_column)))
        orgs = [0, 1, draw(st.integers(0, 1))][:count]
        rows = []
        for r in range(count):
            nullable = {}
            for col, column in columns:
                after_column = mapping.get((name, col), (None, None))[1]
                nullable[col] = column["nullable"] and (after_column is None or after_column["nullable"])
            org = orgs[r] if table["tenant"] else None
            for col, column in columns:
                ref = column.get("ref")
                if ref and not nullable[col] and _fk_value(ref["table"], table["tenant"], org, rows_of, before) is None:
                    org = 0   # every table has a row of the first organization
            values = {"id": f"'{position + 1:08x}-0000-4000-8000-{r + 1:012x}'::uuid"}
            if table["tenant"]:
                values["organization_id"] = f"'{ORGS[org]}'::uuid"
            for col, column in columns:
                after_column = mapping.get((name, col), (None, None))[1]
                ref = column.get("ref")
                maybe_null = nullable[col] and draw(st.integers(0, 4)) == 0
                labels = seed_labels(before, after, column, after_column)
                removed = [v for v in before["enum"] if v not in after["enum"] and v != column.get("check_not")]
                if ref:
                    value = _fk_value(ref["table"], table["tenant"], org, rows_of, before)
                    assert value is not None or nullable[col], (name, col)
                    values[col] = "null" if value is None or maybe_null else value
                elif (hold is not None and not hold and r == 0 and removed and column["type"] == ENUM
                      and after_column is not None and after_column["type"] == ENUM):
                    hold.append(f"{name}.{col} = {removed[0]!r}")
                    values[col] = f"'{removed[0]}'::public.{ENUM}"
                elif maybe_null:
                    values[col] = "null"
                else:
                    values[col] = seed_value(column["type"], after_column["type"] if after_column else None, r,
                                             bases[col], labels)
            if effective_flag(table, "soft_delete"):
                values["deleted_at"] = "'2024-05-01 10:00:00+00'::timestamptz" if r == 1 else "null"
            rows.append((org, values))
        rows_of[name] = [(values["id"].split("'")[1], org) for org, values in rows]
        names = list(rows[0][1])
        lines = ",\n  ".join("(" + ", ".join(v[n] for n in names) + ")" for _, v in rows)
        statements.append(f"insert into public.{name} ({', '.join(names)}) values\n  {lines};")
    return "\n".join(statements) + "\n"


def _fk_value(target: str, tenant: bool, org: int | None, rows_of: dict, before: dict) -> str | None:
    """A key of an already inserted row; tenant to tenant keys stay inside the row's tenant."""
    if target == "auth_users":
        return f"'{MEMBERS[org if tenant and org is not None else 0]}'::uuid"
    if target == AUTH_TABLE:
        return f"'{AUTH_IDS[org if tenant and org is not None else 0]}'::uuid"
    if target not in rows_of:
        return None
    target_tenant = before["tables"][target]["tenant"]
    for row_id, row_org in rows_of[target]:
        if not (tenant and target_tenant) or row_org == org:
            return f"'{row_id}'::uuid"
    return None


# -- the pair --------------------------------------------------------------------------------

@dataclass
class Evolution:
    before: dict
    after: dict
    edits: list[str]
    seed_sql: str
    files_before: dict = field(default_factory=dict)
    files_after: dict = field(default_factory=dict)
    up_fails: str | None = None   # the up must fail so: a seeded row holds a removed enum value

    def describe(self) -> str:
        def dump(files):
            return "\n".join(f"# --- {n}\n{yaml.safe_dump(d, sort_keys=False)}" for n, d in files.items())

        return ("EDITS:\n  " + "\n  ".join(self.edits) + "\n\nBEFORE SPEC:\n" + dump(self.files_before)
                + "\nAFTER SPEC:\n" + dump(self.files_after) + "\nSEED SQL:\n" + self.seed_sql)


@st.composite
def evolutions(draw) -> Evolution:
    """A random valid spec, 1-3 random edits of it, and seed rows for the pair."""
    before = draw(specs())
    after = copy.deepcopy(before)
    edits = []
    kinds = list(EDITS)
    for _ in range(spread(draw, [1, 2, 2, 3, 3])):
        first = spread(draw, WEIGHTED_EDITS)
        for kind in kinds[kinds.index(first):] + kinds[:kinds.index(first)]:
            description = EDITS[kind](draw, after)
            if description:
                edits.append(description)
                break
    held = [] if draw(st.integers(0, 3)) == 0 else None
    seed = draw_seed(draw, before, after, held)
    up_fails = None
    if held:
        edits.append(f"seed: {held[0]} (the up must refuse the rebuild)")
        up_fails = "still holds removed value(s)"
    return Evolution(before, after, edits, seed, render(before), render(after), up_fails)


# -- rendering -------------------------------------------------------------------------------

def render_column(name: str, column: dict) -> dict:
    data = {"type": column["type"]}
    if not column["nullable"]:
        data["nullable"] = False
    if "default" in column:
        data["default"] = column["default"]
    if column["unique"]:
        data["unique"] = True
    if column["check"]:
        data["check"] = f"{name} > 0"
    elif column.get("check_not"):
        data["check"] = f"{name} <> '{column['check_not']}'"
    ref = column.get("ref")
    if ref:
        data["references"] = ref["table"] if ref["on_delete"] is None else dict(ref)
    if column["renamed_from"]:
        data["renamed_from"] = column["renamed_from"]
    return data


def render_table(table: dict) -> dict:
    data = {}
    if table["renamed_from"]:
        data["renamed_from"] = table["renamed_from"]
    if not table["tenant"]:
        data["tenant"] = False
    for flag in FLAGS:
        if table["flags"][flag] is not None:
            data[flag] = table["flags"][flag]
    columns = {"id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"}}
    columns.update({n: render_column(n, c) for n, c in table["columns"].items()})
    data["columns"] = columns
    if table["uniques"]:
        data["unique"] = [list(u) for u in table["uniques"]]
    if table["checks"]:
        data["checks"] = {k: f"{v} > 0" for k, v in table["checks"].items()}
    if table["indexes"]:
        data["indexes"] = []
        for index in table["indexes"]:
            item = {"columns": [c + (" desc" if d else "") for c, d in index["columns"]]}
            if index["unique"]:
                item["unique"] = True
            if index["where"]:
                item["where"] = f"{index['where']} is not null"
            data["indexes"].append(item)
    if table["owner_column"]:
        data["owner_column"] = table["owner_column"]
    if table["access"] is not None:
        data["access"] = table["access"]
    if table["triggers"]:
        data["triggers"] = {n: {"timing": t["timing"], "events": list(t["events"]), "for_each": "row",
                                "function": TRIGGER_FUNCTION, "when": render_when(t)}
                            for n, t in table["triggers"].items()}
    return data


def render_view(view: dict, tenant: bool) -> dict:
    """The view's query; a materialized view of a tenant table outputs its tenant column (E503)
    and gets a unique index on a key it outputs."""
    table, alias, join = view["table"], view["alias"], view["join"]
    q = f"{alias}." if alias else ""
    if view["kind"] == "star":
        query = f"select * from {table}"
    elif view["kind"] == "count":
        total = f", sum({view['sum']}) as total" if view["sum"] else ""
        query = f"select organization_id, count(*) as n{total} from {table} group by organization_id"
    else:
        outputs = ([f"{q}organization_id"] if view["materialized"] and tenant else []) + [f"{q}id"]
        outputs += [f"{q}{c}" for c in view["columns"]]
        source = f"{table} {alias}" if alias else table
        if join:
            outputs += [f"j.{c} as {out}" for c, out in join["columns"]]
            source += f" {'left join' if join['left'] else 'join'} {join['table']} j on j.id = {q}{join['fk']}"
        query = f"select {', '.join(outputs)} from {source}"
        if view["kind"] == "filter":
            query += f" where {q}{view['columns'][0]} is not null"
    data = {"query": query}
    if view["materialized"]:
        data["materialized"] = True
        key = "organization_id" if view["kind"] == "count" else "id"
        data["indexes"] = [{"columns": [key], "unique": True}]
    return data


def core_tables(spec: dict) -> dict:
    tables = copy.deepcopy(CORE_TABLES)
    if spec["auth_fk"]:   # the usual way a membership table points at the signed-in user
        tables["auth_users"]["columns"]["auth_id"]["references"] = {"table": AUTH_TABLE, "on_delete": "cascade"}
    return tables


def render(spec: dict) -> dict[str, dict]:
    """File name -> YAML data of the schema folder."""
    files = {
        "_project.yaml": {"project": PROJECT, "enums": {"organization_plan": ["starter", "growth", "pro"],
                                                        "member_role": list(spec["roles"]),
                                                        ENUM: list(spec["enum"])}},
        "core.yaml": {"tables": core_tables(spec)},
        "tables.yaml": {"tables": {n: render_table(t) for n, t in spec["tables"].items()}},
    }
    if spec["views"]:
        files["views.yaml"] = {"views": {n: render_view(v, spec["tables"][v["table"]]["tenant"])
                                         for n, v in spec["views"].items()}}
    if any(t["triggers"] for t in spec["tables"].values()):
        files["functions.yaml"] = {"functions": {TRIGGER_FUNCTION: {
            "returns": "trigger", "language": "plpgsql", "security": "invoker",
            "body": "begin\n  return new;\nend\n"}}}
    return files


def write_spec(files: dict[str, dict], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder
