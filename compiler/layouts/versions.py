"""Version stamps of a layout's files. Taken once per build and kept in the lock, so rebuilding
the same history writes the same bytes. A new migration's first version is greater than every
version already in the folder (a team's hand-written migrations, earlier releases); unit i of
the migration is first + i (seconds for timestamps).

TIMESTAMP: 14-digit UTC `YYYYMMDDHHMMSS` from SOURCE_DATE_EPOCH when set, else now (Supabase,
dbmate). SEQUENCE: integers counting from 1 (Flyway, golang-migrate)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

TIMESTAMP, SEQUENCE = "timestamp", "sequence"
_FORMAT = "%Y%m%d%H%M%S"


def now() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        try:
            return datetime.fromtimestamp(int(epoch), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970") from None
    return datetime.now(timezone.utc)


def first(clock: str, taken: list[int], width: int = 0) -> str:
    """The first version of a new migration, above every version in `taken`."""
    top = max(taken, default=0)
    if clock == SEQUENCE:
        return _number(top + 1, width)
    stamp = now().strftime(_FORMAT)
    if int(stamp) > top:
        return stamp
    try:
        return (datetime.strptime(str(top), _FORMAT) + timedelta(seconds=1)).strftime(_FORMAT)
    except ValueError:   # a hand-written version that is no timestamp: the next number
        return str(top + 1)


def nth(clock: str, first_version: str, index: int, width: int = 0) -> str:
    """The version of unit `index` (0 for the first) of a migration."""
    if clock == SEQUENCE:
        return _number(int(first_version) + index, width)
    try:
        return (datetime.strptime(first_version, _FORMAT) + timedelta(seconds=index)).strftime(_FORMAT)
    except ValueError:
        return str(int(first_version) + index)


def _number(value: int, width: int) -> str:
    return f"{value:0{width}d}"
