"""Meta-tests for spec.schema.json: it is a valid 2020-12 schema, documents every key,
accepts the SPEC.md examples and rejects typos and bad identifiers."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "spec.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

# Keywords whose value is a map of name -> subschema.
_MAP_KEYWORDS = ("properties", "patternProperties", "$defs")
# Keywords whose value is a list of subschemas.
_LIST_KEYWORDS = ("oneOf", "anyOf", "allOf", "prefixItems")
# Keywords whose value is a single subschema.
_SINGLE_KEYWORDS = ("items", "propertyNames", "additionalProperties", "not", "contains")

# SPEC.md, "tables": the leads example.
LEADS = {
    "tables": {
        "leads": {
            "comment": "Prospects captured from forms, ads and walk-ins.",
            "renamed_from": "prospects",
            "tenant": True,
            "timestamps": True,
            "soft_delete": True,
            "audit": True,
            "realtime": True,
            "columns": {
                "id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"},
                "email": {"type": "text", "nullable": False},
                "full_name": {"type": "text"},
                "status": {"type": "lead_status", "nullable": False, "default": "new"},
                "score": {"type": "integer", "default": 0, "check": "score between 0 and 100"},
                "source_id": {"type": "uuid", "references": "lead_sources"},
                "owner_id": {
                    "type": "uuid",
                    "references": {"table": "auth_users", "on_delete": "set_null"},
                },
                "phone": {"type": "text", "sensitive": True},
                "nickname": {"type": "text", "renamed_from": "alias"},
            },
            "unique": [["email"]],
            "checks": {"email_has_at": "position('@' in email) > 1"},
            "indexes": [
                {"columns": ["status", "created_at desc"]},
                {"columns": ["email"], "where": "deleted_at is null", "name": "idx_leads_live_email"},
                {"columns": ["full_name"], "method": "gin", "opclass": "gin_trgm_ops"},
            ],
            "access": {
                "select": "member",
                "insert": "member",
                "update": ["owner", "role:admin"],
                "delete": "role:admin",
            },
            "owner_column": "owner_id",
            "policies": {
                "scored_leads_for_coaches": {
                    "for": "select",
                    "to": ["authenticated"],
                    "using": "score > 50",
                }
            },
            "triggers": {
                "notify_lead_scored": {
                    "timing": "after",
                    "events": ["insert", "update"],
                    "for_each": "row",
                    "function": "notify_lead_scored",
                }
            },
        }
    }
}

# SPEC.md, the other sections, as one file.
PROJECT_AND_FRIENDS = {
    "project": {
        "name": "atlas-fitness",
        "postgres": 15,
        "target": "supabase",
        "extensions": ["pgcrypto", "pg_trgm"],
        "tenancy": {
            "table": "organizations",
            "column": "organization_id",
            "membership": {"table": "auth_users", "user_column": "auth_id", "role_column": "role"},
            "current_user_id": "auth.uid()",
        },
        "defaults": {"tenant": True, "timestamps": True, "soft_delete": False, "audit": False},
    },
    "enums": {"lead_status": ["new", "contacted", "qualified", "converted", "lost"]},
    "functions": {
        "notify_lead_scored": {
            "returns": "trigger",
            "language": "plpgsql",
            "security": "invoker",
            "body": "begin\n  perform pg_notify('lead_scored', new.id::text);\n  return new;\nend\n",
        }
    },
    "views": {
        "lead_funnel_daily": {
            "materialized": True,
            "query": "select organization_id, date_trunc('day', created_at) as day, status,"
            " count(*) as leads from leads group by 1, 2, 3\n",
            "indexes": [{"columns": ["organization_id", "day", "status"], "unique": True}],
        }
    },
}


def _walk(node, path):
    """Yield (path, subschema) for every subschema reachable through the keywords above."""
    if not isinstance(node, dict):
        return
    yield path, node
    for key in _MAP_KEYWORDS:
        for name, sub in node.get(key, {}).items():
            yield from _walk(sub, f"{path}/{key}/{name}")
    for key in _LIST_KEYWORDS:
        for i, sub in enumerate(node.get(key, [])):
            yield from _walk(sub, f"{path}/{key}/{i}")
    for key in _SINGLE_KEYWORDS:
        if isinstance(node.get(key), dict):
            yield from _walk(node[key], f"{path}/{key}")


def _errors(instance):
    return sorted(VALIDATOR.iter_errors(instance), key=lambda e: list(e.absolute_path))


def _leads():
    return copy.deepcopy(LEADS)


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA.get("$id") and SCHEMA.get("title") and SCHEMA.get("description")
    Draft202012Validator.check_schema(SCHEMA)


def test_every_subschema_has_a_description():
    missing = [
        path
        for path, sub in _walk(SCHEMA, "#")
        if not (isinstance(sub.get("description"), str) and sub["description"].strip())
    ]
    assert not missing, "subschemas without a description:\n" + "\n".join(missing)


def test_every_object_forbids_unknown_keys():
    loose = [
        path
        for path, sub in _walk(SCHEMA, "#")
        if sub.get("type") == "object" and sub.get("additionalProperties") is not False
    ]
    assert not loose, "objects without additionalProperties: false:\n" + "\n".join(loose)


def test_all_refs_resolve():
    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(SCHEMA):
        assert ref.startswith("#/$defs/"), ref
        assert ref.split("/")[-1] in SCHEMA["$defs"], ref


@pytest.mark.parametrize("instance", [LEADS, PROJECT_AND_FRIENDS, {}], ids=["leads", "project", "empty"])
def test_spec_examples_validate(instance):
    assert _errors(instance) == []


def test_typo_key_fails():
    spec = _leads()
    spec["tables"]["leads"]["columns"]["id"]["primay_key"] = True
    del spec["tables"]["leads"]["columns"]["id"]["primary_key"]
    errors = _errors(spec)
    assert errors
    assert any("primay_key" in e.message for e in errors)


def test_typo_top_level_key_fails():
    assert _errors({"table": {}})


def test_bad_table_name_fails():
    spec = _leads()
    spec["tables"]["Leads"] = spec["tables"].pop("leads")
    assert _errors(spec)


def test_too_long_column_name_fails():
    spec = _leads()
    spec["tables"]["leads"]["columns"]["x" * 64] = {"type": "text"}
    assert _errors(spec)
    spec["tables"]["leads"]["columns"] = {"x" * 63: {"type": "text"}}
    assert _errors(spec) == []


@pytest.mark.parametrize("rule", ["member", "owner", "public", "service", "none", "role:admin",
                                  ["owner", "role:coach"]])
def test_access_rules_accepted(rule):
    spec = _leads()
    spec["tables"]["leads"]["access"] = {"select": rule, "delete": rule}
    assert _errors(spec) == []


@pytest.mark.parametrize("rule", ["admin", "role:", "role:Admin", "Member", [], ["member", 1]])
def test_bad_access_rules_fail(rule):
    spec = _leads()
    spec["tables"]["leads"]["access"] = {"select": rule}
    assert _errors(spec)


@pytest.mark.parametrize("value", ["x", 1, 1.5, True, [], ["a", 2, False]])
def test_literal_defaults_accepted(value):
    spec = _leads()
    spec["tables"]["leads"]["columns"]["full_name"]["default"] = value
    assert _errors(spec) == []


@pytest.mark.parametrize("value", [None, {"a": 1}, [{"a": 1}], [None]])
def test_non_literal_defaults_fail(value):
    spec = _leads()
    spec["tables"]["leads"]["columns"]["full_name"]["default"] = value
    assert _errors(spec)


def test_reference_object_requires_table_and_valid_action():
    spec = _leads()
    columns = spec["tables"]["leads"]["columns"]
    columns["owner_id"]["references"] = {"column": "id"}
    assert _errors(spec)
    columns["owner_id"]["references"] = {"table": "auth_users", "on_delete": "set null"}
    assert _errors(spec)


@pytest.mark.parametrize("column", ["created_at", "created_at asc", "score desc nulls last",
                                    "score nulls first"])
def test_index_columns_accepted(column):
    spec = _leads()
    spec["tables"]["leads"]["indexes"] = [{"columns": [column]}]
    assert _errors(spec) == []


@pytest.mark.parametrize("column", ["created_at descending", "Created_at", "a, b", "x desc nulls"])
def test_bad_index_columns_fail(column):
    spec = _leads()
    spec["tables"]["leads"]["indexes"] = [{"columns": [column]}]
    assert _errors(spec)


def test_enum_mapping_form_extension():
    assert _errors({"enums": {"s": {"values": ["a", "b"], "comment": "c"}}}) == []
    assert _errors({"enums": {"s": []}})
    assert _errors({"enums": {"s": ["a", "a"]}})
    assert _errors({"enums": {"s": {"labels": ["a"]}}})


def test_project_requires_name_and_tenancy():
    spec = copy.deepcopy(PROJECT_AND_FRIENDS)
    del spec["project"]["tenancy"]
    assert _errors(spec)
    spec = copy.deepcopy(PROJECT_AND_FRIENDS)
    spec["project"]["postgres"] = 14
    assert _errors(spec)
