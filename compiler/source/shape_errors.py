"""The located messages of a spec that breaks spec.schema.json: jsonschema's errors, each at
its key or value, with hints. Imported only when the fast validator (shape.py) says a file fails."""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from ..diagnostics import Collector
from ..external_tables import OWN_SCHEMAS, known_names, unknown_hint
from .loader import SourceFile
from .shape import schema_text


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_text()))


def _most_useful(error):
    """Of a oneOf/anyOf's branch errors, the one about what the author wrote: a misspelt
    value beats "is not of type array" from a branch the author never meant."""
    branches = [e for e in error.context if e.validator != "type"] or list(error.context)
    return best_match(branches) or error


def _describe(error) -> tuple[str, str | None]:
    """A reader-friendly message and hint for one jsonschema error."""
    path = ".".join(str(p) for p in error.absolute_path) or "(file)"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        name = extra[0] if extra else "?"
        close = difflib.get_close_matches(name, allowed, n=1)
        where = f" in {path}" if error.absolute_path else ""
        hint = f"did you mean {close[0]}?" if close else ("allowed keys: " + ", ".join(allowed) if allowed else None)
        return f"unknown key '{name}'{where}", hint
    if error.validator == "pattern" and isinstance(error.instance, str):
        pattern = error.schema.get("pattern", "")
        options = _pattern_options(pattern)
        close = difflib.get_close_matches(error.instance, options, n=1) if options else []
        hint = f"did you mean {close[0]}?" if close else None
        if options:
            allowed = ", ".join(options) + (" or role:<name>" if "role:" in pattern else "")
            return f"{path}: {error.instance!r} is not one of {allowed}", hint
        expected = error.schema.get("description", "").split(".")[0].rstrip()
        return f"{path}: {error.instance!r} is not valid" + (f" (expected: {expected[0].lower()}{expected[1:]})"
                                                           if expected else ""), hint
    if error.validator == "enum":
        close = difflib.get_close_matches(str(error.instance), [str(v) for v in error.validator_value], n=1)
        hint = f"did you mean {close[0]}?" if close else None
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{path}: {error.instance!r} is not one of {options}", hint
    if error.validator == "type":
        return _type_message(path, error.validator_value, error.instance)
    return f"{path}: {error.message}", None


_KINDS = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
          "integer": "an integer", "number": "a number", "null": "nothing"}


def _kind_of(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the string {value!r}" if isinstance(value, str) else type(value).__name__


def _type_message(path: str, expected, value) -> tuple[str, str | None]:
    """`views: expected a mapping, got a list` rather than the whole value's Python repr."""
    wanted = " or ".join(_KINDS.get(k, k) for k in ([expected] if isinstance(expected, str) else expected))
    hint = None
    if "a mapping" in wanted and isinstance(value, list):
        hint = "write `name: value` entries (a mapping), not `- item` entries (a list)"
    elif "a list" in wanted and isinstance(value, dict):
        hint = "write a list: [a, b] or one `- item` line each"
    return f"{path}: expected {wanted}, got {_kind_of(value)}", hint


def _pattern_options(pattern: str) -> list[str]:
    """The literal words of a pattern like ^(member|owner|role:[a-z_]...)$, for hints."""
    match = re.match(r"^\^\(([^()]*)", pattern)
    if not match:
        return []
    return [w for w in match[1].split("|") if re.fullmatch(r"[a-z_:]+", w)]


def _extra_key(error) -> str | None:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - allowed)
        return extra[0] if extra else None
    return None


IDENTIFIER = "^[a-z_][a-z0-9_]*$"
_PART = "[a-z_][a-z0-9_]{0,62}"
TABLE_REFERENCE = f"^{_PART}(\\.{_PART})?$"      # a spec table, or schema.table outside the spec
EXTERNAL_NAME = f"^(?!(public|atlas_private|atlas_archive)\\.){_PART}\\.{_PART}$"
_NAME_PATTERNS = (IDENTIFIER, TABLE_REFERENCE, EXTERNAL_NAME)


def _is_name_error(error) -> bool:
    """A name (identifier) that breaks the identifier pattern or length."""
    return (error.validator in ("pattern", "maxLength") and isinstance(error.instance, str)
            and error.schema.get("pattern") in _NAME_PATTERNS)


def _is_reference(keys: tuple) -> bool:
    """The value of a column's `references` (either spelling): it names a table."""
    return (len(keys) >= 5 and keys[0] == "tables" and keys[2] == "columns"
            and (keys[-1] == "references" or keys[-2:] == ("references", "table")))


@dataclass(frozen=True)
class KnownTables:
    """The tables a reference may name, read from every file before the merge: hints for a
    misspelt reference must point at a table that exists."""

    spec: frozenset
    external: tuple

    @classmethod
    def of(cls, sources: list[SourceFile]) -> "KnownTables":
        spec, target, declared = set(), "supabase", []
        for source in sources:
            data = source.data if isinstance(source.data, dict) else {}
            if isinstance(data.get("tables"), dict):
                spec |= {n for n in data["tables"] if isinstance(n, str)}
            project = data.get("project")
            if isinstance(project, dict):
                target = project.get("target", target) if isinstance(project.get("target"), str) else target
                if isinstance(project.get("external_tables"), dict):
                    declared += list(project["external_tables"])
        return cls(frozenset(spec), tuple(known_names(target, declared)))

    def hint(self, name: str) -> str | None:
        """Only a name that builds: the name fixed up if it is known, else what is known."""
        fixed = _fixed_name(name)
        if fixed and (fixed in self.spec or fixed in self.external):
            return f"did you mean {fixed}?"
        if fixed and "." in fixed:
            return unknown_hint(fixed, list(self.external))
        bare = [q for q in self.external if q.split(".", 1)[1] == fixed]
        if bare:
            return f"did you mean {bare[0]}?"
        close = difflib.get_close_matches(fixed or name, sorted(self.spec), n=1)
        return f"did you mean {close[0]}?" if close else None


def _is_key(source: SourceFile, keys: tuple, name: str) -> bool:
    return source.has_key(keys + (name,))


def _fixed_part(part: str) -> str:
    fixed = re.sub(r"[^a-z0-9_]+", "_", part.lower()).strip("_")[:63]
    return "_" + fixed if fixed and fixed[0].isdigit() else fixed


def _fixed_name(name: str, qualified: bool = True) -> str:
    """The name in lower-case snake_case; a schema-qualified name keeps its one dot."""
    parts = name.split(".")
    if qualified and len(parts) == 2 and all(_fixed_part(p) for p in parts):
        return ".".join(_fixed_part(p) for p in parts)
    return _fixed_part(name)


def _name_hint(name: str, qualified: bool = False) -> str | None:
    fixed = _fixed_name(name, qualified)
    return f"did you mean {fixed}?" if fixed and fixed != name else None


def _name_message(error, keys: tuple) -> str:
    name, pattern = error.instance, error.schema.get("pattern")
    rule = "use lower-case letters, digits and _, starting with a letter or _, at most 63 bytes"
    if pattern == EXTERNAL_NAME:
        schema = name.partition(".")[0]
        if "." in name and schema in OWN_SCHEMAS:
            return (f"external table {name!r}: schema {schema} holds the tables the compiler writes; "
                    "define the table under tables, or name its own schema")
        return f"invalid external table name {name!r}: write schema.table; in each part {rule}"
    if pattern == TABLE_REFERENCE:
        return f"invalid table name {name!r}: {rule} (schema.table for a table outside the spec)"
    return f"invalid name {name!r}: {rule}"


def report_shape_errors(sources: list[SourceFile], failing: list[SourceFile]) -> None:
    """Every located shape error of the `failing` files (the others name the tables a misspelt
    reference may mean); raises CompileError, or returns when jsonschema finds nothing."""
    collector = Collector()
    validator = _validator()
    known = KnownTables.of(sources)
    for source in failing:
        seen_paths: set[tuple] = set()
        for error in sorted(validator.iter_errors(source.data), key=lambda e: [str(p) for p in e.absolute_path]):
            if error.context:
                error = _most_useful(error)
            keys = tuple(error.absolute_path)
            extra = _extra_key(error)
            if extra is not None:
                keys = keys + (extra,)
            name_error = _is_name_error(error)
            if name_error:
                keys = keys + (error.instance,) if _is_key(source, keys, error.instance) else keys
            if keys in seen_paths:
                continue
            seen_paths.add(keys)
            if name_error:
                if _is_reference(keys):
                    hint = known.hint(error.instance)
                else:
                    hint = _name_hint(error.instance, error.schema.get("pattern") == EXTERNAL_NAME)
                collector.error("E601", _name_message(error, keys), source.where(keys, prefer_value=_is_reference(keys)),
                                hint)
                continue
            message, hint = _describe(error)
            collector.error("E201", message, source.where(keys), hint)
    collector.raise_if_any()
