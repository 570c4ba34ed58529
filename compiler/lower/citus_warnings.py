"""W107 (target citus): a distributed or reference table with triggers. Citus refuses to create
a trigger on such a table, and to distribute a table that has one, unless
citus.enable_unsafe_triggers is on (its commands/trigger.c, the setting since v11.0.2); with it
on, a row trigger runs on the worker beside the shard. The distribution's DO block turns it on
for its own transaction; every later trigger change and every write needs it on the cluster."""
from __future__ import annotations

from ..codes import SPEC_WARNINGS
from ..diagnostics import Diagnostic
from ..model import Model
from ..source.spec import Entry


def distributed_trigger_warnings(entry: Entry, model: Model) -> list[Diagnostic]:
    distributed = {d.table: d for d in model.of("distribution")}
    found = distributed.get(entry.name)
    if found is None:
        return []
    triggers = sorted(t.name for t in model.of("trigger") if t.table == entry.name)
    if not triggers:
        return []
    how = "a reference table" if found.method == "reference" else f"distributed by {found.column}"
    writes = any(t.function == "audit_row" for t in model.of("trigger") if t.table == entry.name)
    message = (f"table '{entry.name}' is {how} and has triggers ({', '.join(triggers)}): Citus refuses them "
               "unless citus.enable_unsafe_triggers is on, and runs each on the worker beside the shard")
    if writes:
        message += "; the audit trigger writes another distributed table from there"
    assert "W107" in SPEC_WARNINGS
    return [Diagnostic("W107", message, entry.at(), severity="warning",
                       hint="set citus.enable_unsafe_triggers = on on every node (ALTER SYSTEM, or ALTER DATABASE "
                            "... SET); the distribution sets it for its own transaction only. Or turn the "
                            "trigger's feature off for this table (timestamps, audit, soft_delete)")]
