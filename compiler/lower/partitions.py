"""`partition:` of a table (issue 12): checked against what PostgreSQL 15 accepts of a
partitioned table, with E411 at the key that cannot hold, and lowered to Table.partition, the
keys that include the partition column, the maintenance functions and, where the project has
pg_cron, the job that runs them."""
from __future__ import annotations

import re
from dataclasses import replace

from ..meaning.context import Context
from ..meaning.suggest import suggest
from ..model import PRIVATE, Partitioning, Schedule, Table
from .partition_functions import (
    MAINTAIN,
    MAINTENANCE_CRON,
    PARTMAN_MAINTENANCE,
    fence_function,
    maintain_function,
    make_function,
    partman_make_function,
)
from .tables import TableDraft

TIME_TYPES = {"timestamptz", "timestamp with time zone", "timestamp", "timestamp without time zone", "date"}
_INTERVAL = re.compile(r"^\s*(?P<count>\d+)\s*(?P<unit>day|week|month|year)s?\s*$", re.IGNORECASE)
_NAMED = {"daily": "1 day", "weekly": "1 week", "monthly": "1 month", "yearly": "1 year"}
WHY_KEY = ("PostgreSQL enforces a unique on a partitioned table only per partition, so it must include "
           "the partition column")


def normalize_interval(text) -> str | None:
    """'1 month', '2 Weeks', 'monthly' -> '1 month', '2 weeks', '1 month'; None if not one."""
    if not isinstance(text, str):
        return None
    text = _NAMED.get(text.strip().lower(), text)
    match = _INTERVAL.match(text)
    if not match or int(match["count"]) < 1:
        return None
    count, unit = int(match["count"]), match["unit"].lower()
    return f"{count} {unit}{'s' if count > 1 else ''}"


def read_partitions(ctx: Context, drafts: dict[str, TableDraft]) -> None:
    """Sets draft.partition of each table that declares one and passes the checks, and puts
    the partition column into its primary key (before lower_keys builds the keys)."""
    for draft in drafts.values():
        spec = draft.entry.get("partition")
        if not isinstance(spec, dict):
            continue
        partition = _checked(ctx, draft, spec)
        if partition is None:
            continue
        draft.partition = partition
        if draft.primary_key and partition.column not in draft.primary_key:
            draft.primary_key = draft.primary_key + (partition.column,)


def _checked(ctx: Context, draft: TableDraft, spec: dict) -> Partitioning | None:
    entry, table, project = draft.entry, draft.name, ctx.project
    ok = True

    def refuse(message: str, *keys, hint: str | None = None):
        nonlocal ok
        ok = False
        ctx.error("E411", message, entry, "partition", *keys, hint=hint)

    name = spec.get("column")
    column = draft.column(name) if isinstance(name, str) else None
    if column is None:
        refuse(f"partition.column: table '{table}' has no column '{name}'", "column",
               hint=suggest(str(name), [c.name for c in draft.columns]))
    elif column.type.lower() not in TIME_TYPES:
        refuse(f"partition.column '{name}' is {column.type}: range partitions by interval need a timestamptz, "
               "timestamp or date column", "column")
    elif column.nullable:
        refuse(f"partition.column '{name}' is nullable: a row with NULL would only ever land in the default "
               "partition", "column", hint=f"set nullable: false on {table}.{name}")
    interval = normalize_interval(spec.get("interval"))
    if interval is None:
        refuse(f"partition.interval {spec.get('interval')!r} is not '<n> days|weeks|months|years'", "interval",
               hint="for example 1 month, 7 days, 1 week, or monthly")
    if table in (project.tenant_table, project.membership_table):
        role = "tenant table" if table == project.tenant_table else "membership table"
        refuse(f"the {role} '{table}' cannot be partitioned: every tenant table's foreign key references it, "
               "and a key referencing a partitioned table must include its partition column")
    if ctx.flag(entry, "realtime") and project.supabase:
        refuse(f"realtime on partitioned table '{table}': supabase_realtime publishes each partition's changes "
               "under the partition's name and checks the partition's row level security, which the fence leaves "
               "empty (publish_via_partition_root is not set on Supabase's publication)",
               hint="set realtime: false on the table, or keep it unpartitioned")
    if column is not None:
        _check_uniques(ctx, draft, column.name)
    if not ok:
        return None
    manager = "pg_partman" if "pg_partman" in project.extensions else "atlas"
    return Partitioning("range", column.name, interval, int(spec.get("premake", 3)), manager)


def _check_uniques(ctx: Context, draft: TableDraft, column: str) -> None:
    """Declared uniques must include the partition column (generated keys get it added)."""
    entry = draft.entry
    hint = f"include {column}, or leave the table unpartitioned"
    for name, spec in (entry.get("columns") or {}).items():
        if (spec or {}).get("unique") and name != column:
            ctx.error("E411", f"columns.{name}.unique on partitioned table '{draft.name}': {WHY_KEY} ({column})",
                      entry, "columns", name, "unique", hint=f"unique: [[{name}, {column}]] on the table instead")
    for i, cols in enumerate(entry.get("unique") or ()):
        if column not in cols:
            ctx.error("E411", f"unique ({', '.join(cols)}) on partitioned table '{draft.name}': {WHY_KEY} ({column})",
                      entry, "unique", i, hint=f"unique: [[{', '.join([*cols, column])}]]")
    for i, index in enumerate(entry.get("indexes") or ()):
        keys = [str(k).split()[0] for k in index.get("columns") or ()]
        if index.get("unique") and column not in keys:
            ctx.error("E411", f"unique index ({', '.join(keys)}) on partitioned table '{draft.name}': {WHY_KEY} "
                              f"({column})", entry, "indexes", i, "unique", hint=hint)


def partitioned(ctx: Context, drafts: dict[str, TableDraft], objects: list) -> list:
    """The model's objects with each partitioned table's Table.partition set, plus the
    functions that make, fence and maintain partitions and (with pg_cron) their job."""
    partitions = {d.name: d.partition for d in drafts.values() if d.partition is not None}
    if not partitions:
        return objects
    result = [replace(o, partition=partitions[o.name]) if isinstance(o, Table) and o.schema == "public"
              and o.name in partitions and o.kind != "audit" else o for o in objects]
    tables = sorted(("public", name, p) for name, p in partitions.items())
    result += [fence_function(), make_function(), maintain_function(tables)]
    if any(p.manager == "pg_partman" for p in partitions.values()):
        result.append(partman_make_function())
    if "pg_cron" in ctx.project.extensions:
        result.append(Schedule(PARTMAN_MAINTENANCE, MAINTENANCE_CRON, f"SELECT {PRIVATE}.{MAINTAIN}()",
                               (("function", PRIVATE, MAINTAIN),)))
    return result
