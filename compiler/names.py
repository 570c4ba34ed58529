"""Deterministic names for generated objects (seed conventions), never over 63 bytes."""
from __future__ import annotations

import hashlib

MAX_IDENTIFIER_BYTES = 63
_HASH_CHARS = 8


def fit(name: str) -> str:
    """The name itself, or a prefix plus a short hash of the whole name when too long.

    PostgreSQL would silently truncate a long name, and two long names sharing a prefix
    would then collide; the hash keeps them apart and the result stable across runs.
    """
    if len(name.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    prefix = name.encode("utf-8")[: MAX_IDENTIFIER_BYTES - _HASH_CHARS - 1].decode("utf-8", "ignore")
    return f"{prefix.rstrip('_')}_{digest}"


def index_name(table: str, columns) -> str:
    return fit(f"idx_{table}_{'_'.join(columns)}")


def unique_name(table: str, columns) -> str:
    return fit(f"{table}_{'_'.join(columns)}_key")


def foreign_key_name(table: str, column: str) -> str:
    return fit(f"{table}_{column}_fkey")


def check_name(table: str, name: str) -> str:
    return fit(f"{table}_{name}_check")


def primary_key_name(table: str) -> str:
    return fit(f"{table}_pkey")


def updated_at_trigger_name(table: str) -> str:
    return fit(f"update_{table}_updated_at")


def backfill_trigger_name(table: str) -> str:
    """The trigger (and its function in atlas_private) that fills a table's backfilled columns
    on every write while a migration backfills them (kinds/backfills.py)."""
    return fit(f"backfill_{table}")


def audit_trigger_name(table: str) -> str:
    return fit(f"audit_{table}")


def audit_table_name(table: str) -> str:
    return fit(f"{table}_audit")


def policy_name(table: str, purpose: str) -> str:
    return fit(f"{table}_{purpose}")


def identity_sequence_name(table: str, column: str) -> str:
    """The name PostgreSQL gives an identity column's sequence (makeObjectName: the longer
    part is cut until table_column_seq fits in 63 bytes)."""
    first, second = table, column
    room = MAX_IDENTIFIER_BYTES - len("seq") - 2
    while len(first.encode()) + len(second.encode()) > room:
        if len(first) > len(second):
            first = first[:-1]
        else:
            second = second[:-1]
    return f"{first}_{second}_seq"
