"""Validates each file's shape against spec.schema.json, with positions and hints."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from .diagnostics import Collector
from .loader import SourceFile


def schema_path() -> Path:
    """spec.schema.json ships inside the package and is mirrored at the repository root."""
    return Path(str(resources.files("compiler") / "spec.schema.json"))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


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
    if error.validator == "enum":
        close = difflib.get_close_matches(str(error.instance), [str(v) for v in error.validator_value], n=1)
        hint = f"did you mean {close[0]}?" if close else None
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{path}: {error.instance!r} is not one of {options}", hint
    return f"{path}: {error.message}", None


def _extra_key(error) -> str | None:
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - allowed)
        return extra[0] if extra else None
    return None


def check_shape(sources: list[SourceFile]) -> None:
    collector = Collector()
    validator = _validator()
    for source in sources:
        seen_paths: set[tuple] = set()
        for error in sorted(validator.iter_errors(source.data), key=lambda e: [str(p) for p in e.absolute_path]):
            if error.context:
                error = best_match(error.context) or error
            keys = tuple(error.absolute_path)
            extra = _extra_key(error)
            if extra is not None:
                keys = keys + (extra,)
            if keys in seen_paths:
                continue
            seen_paths.add(keys)
            message, hint = _describe(error)
            collector.error("E201", message, source.where(keys), hint)
    collector.raise_if_any()
