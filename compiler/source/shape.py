"""Checks each file's shape against spec.schema.json: a compiled validator (jsonschema-rs) on
the fast path, and jsonschema's located messages (shape_errors.py) only for a file it rejects.

The two agree on pass or fail for every spec (tests/test_shape_validators.py). Where they could
differ, the fast one is the stricter (Rust's `$` does not match before a final newline, a value
it cannot convert is a failure), and a failure is always judged again by jsonschema: its verdict
and messages are the ones printed, so a spec's errors never depend on the fast validator."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .loader import SourceFile


@lru_cache(maxsize=1)
def schema_text() -> str:
    """spec.schema.json ships inside the package and is mirrored at the repository root."""
    return (Path(__file__).parent.parent / "spec.schema.json").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _fast_validator():
    # imported on first use: a build whose files all come from the load cache never checks one
    import jsonschema_rs

    return jsonschema_rs.validator_for(json.loads(schema_text()))


def passes_fast(data) -> bool:
    """Whether the compiled validator accepts `data`; a value it cannot take (an integer beyond
    64 bits, say) counts as a failure, for jsonschema to judge."""
    try:
        return bool(_fast_validator().is_valid(data))
    except Exception:   # whatever it cannot judge, jsonschema judges
        return False


def check_shape(sources: list[SourceFile]) -> None:
    """Raises CompileError with every shape error of every file, in file order."""
    failing = [source for source in sources if not source.checked and not passes_fast(source.data)]
    if failing:
        # jsonschema and its located messages: imported only for a spec that fails
        from .shape_errors import report_shape_errors

        report_shape_errors(sources, failing)
