"""The "did you mean" hint of a diagnostic: the closest known name."""
from __future__ import annotations

import difflib


def suggest(name: str, options) -> str | None:
    close = difflib.get_close_matches(name, sorted(options), n=1)
    return f"did you mean {close[0]}?" if close else None
