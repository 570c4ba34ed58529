"""``verify``'s catalog checks of partitions: every partition of every partitioned table of the
model (found recursively, the default one too: :mod:`compiler.isolation.partitions`) is fenced
by itself, since a statement naming a partition skips the parent's policies.

One :class:`Check` per partition and fact, area "catalog", subject the table (where the spec
defines it), the partition in brackets:

  partition_rls_enabled[p]   row level security is enabled on the partition
  partition_rls_forced[p]    ... and forced (without FORCE, its owner reads every row directly)
  partition_privileges[p]    no privilege (table or column) for anon / authenticated / PUBLIC
  partitions_present         the table is partitioned in the database (as the spec declares)
                             and has at least one partition

What a member can really reach is probed by the isolation family ``partitions``
(:mod:`compiler.isolation.partition_probes`)."""
from __future__ import annotations

import psycopg

from ..isolation.catalog import api_roles
from ..isolation.partitions import is_partitioned, partition_tree, partitioned_tables
from ..model import Model
from ..postgres.catalog_partitions import Snapshot, hold_partitions
from .checks import FAIL, PASS, Check

AREA = "catalog"


def held_reference(live: Snapshot, reference: Snapshot, model: Model) -> Snapshot:
    """The reference with the date-named partitions of the model's partitioned tables in the
    live database's dates (:mod:`compiler.postgres.catalog_partitions`): what `verify
    --database-url` and `drift` compare the live catalog with; the partitions' fences are
    held here, one by one."""
    parents = {f"{t.schema}.{t.name}" for t in model.of("table") if t.partition is not None}
    return hold_partitions(live, reference, parents) if parents else reference


def partition_checks(conn: psycopg.Connection, model: Model) -> list[Check]:
    roles = api_roles(conn)
    checks = []
    for table in partitioned_tables(conn, model):
        if not is_partitioned(conn, table):
            checks.append(Check(AREA, table, "partitions_present", FAIL,
                                "the spec declares partition: but the table is not partitioned in the database"))
            continue
        tree = partition_tree(conn, table, roles)
        if not tree:
            checks.append(Check(AREA, table, "partitions_present", FAIL,
                                "partitioned, but without any partition (not even a default): every insert fails"))
            continue
        default = [p.qualified for p in tree if p.default]
        checks.append(Check(AREA, table, "partitions_present", PASS,
                            f"{len(tree)} partition(s), default {', '.join(default) if default else 'none'}"))
        for part in tree:
            checks += _fence(table, part)
    return checks


def _fence(table: str, part) -> list[Check]:
    name = part.qualified
    enabled = Check(AREA, table, f"partition_rls_enabled[{name}]", PASS if part.rls_enabled else FAIL,
                    f"{part.describe()}: row level security "
                    + ("enabled" if part.rls_enabled else "disabled: with a privilege, a direct read skips "
                                                          "the parent's policies"))
    forced = Check(AREA, table, f"partition_rls_forced[{name}]", PASS if part.rls_forced else FAIL,
                   f"{part.describe()}: row level security "
                   + ("forced (its owner too)" if part.rls_forced else "not forced: the partition's owner reads "
                                                                      "every tenant's rows directly"))
    granted = part.grants()
    privileges = Check(AREA, table, f"partition_privileges[{name}]", FAIL if granted else PASS,
                       f"{part.describe()}: " + (f"API roles hold {granted}" if granted else
                                                 "no privilege for the API roles (reached through the parent only)"))
    return [enabled, forced, privileges]
