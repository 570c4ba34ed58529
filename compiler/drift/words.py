"""A difference in words a reviewer reads without the catalog at hand: what is missing or extra
(a policy's command, roles and expression; an index's definition; who may use a table), or,
for an object on both sides, each field that differs as ``spec value → database value``
(privileges as who gains or loses what, a function or view body as the lines that differ); an
API role's widening as what it may now do; a migration runner's history table as what it is and
how to move it out of the API's schemas (compiler/postgres/runner_tables.py)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from ..postgres.catalog_compare import NOUN, Difference
from ..postgres.role_facts import role_widenings
from ..postgres.runner_tables import runner_table_note

_LABEL = {"rowsecurity": "row level security", "forcerowsecurity": "forced row level security",
          "not_null": "not null", "qual": "using", "with_check": "with check", "cmd": "command",
          "security_definer": "security definer", "replica_identity": "replica identity",
          "relkind": "kind", "owned_by": "owned by", "labels": "values", "acl": "privileges",
          "reloptions": "options", "description": "text"}
_TRIGGER_STATE = {"O": "enabled", "D": "disabled", "R": "enabled on replicas only", "A": "always enabled"}
_RELKIND = {"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view",
            "S": "sequence", "f": "foreign table", "c": "composite type"}
_TABLE_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}
_API_ROLES = ("anon", "authenticated", "PUBLIC")
_SHOWN_DIFF_LINES = 8


@dataclass(frozen=True)
class Wording:
    text: str                     # one line: "missing from the database: CREATE INDEX ..."
    lines: tuple[str, ...] = ()   # shown under it: the lines of a body that differ, a note


def noun(difference: Difference) -> str:
    if difference.category == "relations":
        facts = difference.live or difference.reference or {}
        return _RELKIND.get(facts.get("relkind"), "relation")
    return NOUN.get(difference.category, difference.category)


def word(difference: Difference) -> Wording:
    if difference.category == "roles":
        return Wording("changed (reference cluster → database): "
                       + "; ".join(role_widenings(difference.live, difference.reference)))
    note = runner_table_note(difference.key) if difference.category == "relations" else None
    if note:
        return Wording(_presence(difference).text, (f"this is {note}",))
    return _presence(difference)


def _presence(difference: Difference) -> Wording:
    if difference.live is None:
        return Wording(f"missing from the database (the spec has {_summary(difference.category, difference.reference)})")
    if difference.reference is None:
        return Wording(f"in the database only, not in the spec: {_summary(difference.category, difference.live)}")
    parts, lines = [], []
    for name in _changed_fields(difference):
        text, body = _field_change(difference.category, name, difference.reference.get(name),
                                   difference.live.get(name))
        parts.append(text)
        lines += body
    return Wording("changed (spec → database): " + "; ".join(parts), tuple(lines))


def changes(difference: Difference) -> list[dict]:
    """Each differing field with both values, for --format json."""
    if difference.live is None or difference.reference is None:
        return []
    return [{"field": name, "spec": difference.reference.get(name), "database": difference.live.get(name)}
            for name in _changed_fields(difference)]


def _changed_fields(difference: Difference) -> list[str]:
    live, ref = difference.live or {}, difference.reference or {}
    return sorted(name for name in live.keys() | ref.keys() if live.get(name) != ref.get(name))


def _field_change(category: str, name: str, spec: Any, database: Any) -> tuple[str, list[str]]:
    label = _LABEL.get(name, name)
    if name == "acl":
        return f"privileges: {_acl_change(spec, database)}", []
    if isinstance(spec, str) and isinstance(database, str) and ("\n" in spec or "\n" in database):
        return f"{label} differs", _body_diff(spec, database)
    head = "" if (category, name) == ("triggers", "enabled") else f"{label} "
    return f"{head}{_value(category, name, spec)} → {_value(category, name, database)}", []


def _value(category: str, name: str, value: Any) -> str:
    if value is None:
        return "none"
    if name == "enabled" and category == "triggers":
        return _TRIGGER_STATE.get(value, value)
    if name == "relkind":
        return _RELKIND.get(value, value)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _acl_change(spec, database) -> str:
    """``anon gains INSERT; authenticated loses DELETE``, by grantee (grantors aside)."""
    held_spec, held_db = _held(spec), _held(database)
    parts = []
    for grantee in sorted(held_spec.keys() | held_db.keys()):
        gained = held_db.get(grantee, set()) - held_spec.get(grantee, set())
        lost = held_spec.get(grantee, set()) - held_db.get(grantee, set())
        if gained:
            parts.append(f"{grantee} gains {_privileges(gained)}")
        if lost:
            parts.append(f"{grantee} loses {_privileges(lost)}")
    return "; ".join(parts) or "the same privileges, granted by another role"


def _held(acl) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {}
    for _grantor, grantee, privilege, grantable in acl or ():
        held.setdefault(grantee, set()).add(privilege + (" (with grant option)" if grantable else ""))
    return held


def _privileges(privileges: set[str]) -> str:
    return "ALL" if privileges == _TABLE_PRIVILEGES else ", ".join(sorted(privileges))


def _body_diff(spec: str, database: str) -> list[str]:
    """The lines that differ (- spec, + database), a few at most."""
    shown = [line for line in difflib.unified_diff(spec.splitlines(), database.splitlines(), lineterm="", n=0)
             if line[:1] in "-+" and not line.startswith(("---", "+++"))]
    more = len(shown) - _SHOWN_DIFF_LINES
    return shown[:_SHOWN_DIFF_LINES] + ([f"... {more} more lines"] if more > 0 else [])


def _summary(category: str, facts: dict) -> str:
    """An object of one side in a few words."""
    if category == "policies":
        text = f"{facts['permissive'].lower()} policy for {facts['cmd']} to {', '.join(facts['roles'] or ['public'])}"
        text += f" using ({facts['qual']})" if facts.get("qual") else ""
        return text + (f" with check ({facts['with_check']})" if facts.get("with_check") else "")
    if category in ("indexes", "constraints", "triggers"):
        state = facts.get("enabled")
        return facts["definition"] + (f" ({_TRIGGER_STATE.get(state, state)})" if state and state != "O" else "")
    if category == "columns":
        text = facts["type"] + (" not null" if facts.get("not_null") else "")
        return text + (f" default {facts['default']}" if facts.get("default") else "")
    if category == "relations":
        kind = _RELKIND.get(facts.get("relkind"), "relation")
        held = _held(facts.get("acl"))
        access = ", ".join(f"{role} {_privileges(held[role])}" for role in _API_ROLES if role in held)
        text = kind + (f", row level security {'on' if facts.get('rowsecurity') else 'off'}"
                       if facts.get("relkind") in ("r", "p") else "")
        return text + (f", privileges {access}" if access else ", no privileges for the API roles")
    if category == "functions":
        definer = "security definer " if facts.get("security_definer") else ""
        return f"{definer}function returning {facts.get('result')}"
    if category == "enums":
        return "values " + ", ".join(facts.get("labels") or ())
    shown = {k: v for k, v in facts.items() if v not in (None, [], "") and k != "acl"}
    return ", ".join(f"{_LABEL.get(k, k)} {_value(category, k, v)}" for k, v in shown.items()) or "an object"
