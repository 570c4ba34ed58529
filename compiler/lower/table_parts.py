"""What a table brings beside itself: its policies and grants, indexes, the updated_at trigger,
audit and soft-delete objects, its own triggers, realtime; and the checks of what those need
(a primary key for row identity, trigger functions that return trigger)."""
from __future__ import annotations

from .. import names
from ..meaning.context import Context
from ..meaning.suggest import suggest
from ..model import PUBLIC, PublicationMember, Table, Trigger
from .access import lower_policies
from .audit import audit_objects
from .generated import REALTIME_PUBLICATION, UPDATED_AT, soft_delete_objects
from .tables import TableDraft


def finish_table(ctx: Context, draft: TableDraft, deferred, user_type: str) -> list:
    project = ctx.project
    policies, grants = lower_policies(ctx, draft)
    table = Table(PUBLIC, draft.name, tuple(draft.columns), tuple(draft.constraints),
                  comment=draft.entry.get("comment"), kind=draft.kind,
                  revoke_from=("anon", "authenticated") if project.supabase else (), grants=tuple(grants))
    objects: list = [table, *policies, *draft.indexes]
    if draft.timestamps:
        objects.append(Trigger(PUBLIC, draft.name, names.updated_at_trigger_name(draft.name), "before", ("update",),
                               "row", PUBLIC, UPDATED_AT))
    if ctx.flag(draft.entry, "audit"):
        objects += audit_objects(ctx, draft, user_type)
    if draft.soft_delete and draft.primary_key:
        objects += soft_delete_objects(draft)
    for name, spec in (draft.entry.get("triggers") or {}).items():
        when = (ctx.expression(draft.entry, ("triggers", name, "when"), spec["when"], subqueries=False)
                if spec.get("when") else None)
        objects.append(Trigger(PUBLIC, draft.name, name, spec.get("timing"), tuple(spec.get("events") or ()),
                               spec.get("for_each", "row"), PUBLIC, spec.get("function"), (), when))
    if ctx.flag(draft.entry, "realtime") and project.supabase:
        objects.append(PublicationMember(REALTIME_PUBLICATION, PUBLIC, draft.name))
    return objects


ROW_IDENTITY_NEEDS = {
    "audit": "audit rows record the changed row by its primary key",
    "soft_delete": "a signed-in user's DELETE marks the row deleted by its primary key",
    "realtime": "the supabase_realtime publication needs it as replica identity to publish updates and deletes",
}


def check_row_identity(ctx: Context, draft: TableDraft) -> None:
    """audit, soft_delete and realtime find a row by its primary key; without one PostgreSQL
    refuses every UPDATE of a published table and audit rows could not say which row changed."""
    if draft.primary_key:
        return
    for flag, why in ROW_IDENTITY_NEEDS.items():
        if not ctx.flag(draft.entry, flag) or (flag == "realtime" and not ctx.project.supabase):
            continue
        written = draft.entry.get(flag) is not None
        origin = "" if written else f" (project.defaults.{flag})"
        ctx.error("E706", f"table '{draft.name}' has {flag}{origin} but no primary key: {why}", draft.entry,
                  *((flag,) if written else ()),
                  hint="add a primary key column, e.g. id: {type: uuid, primary_key: true, "
                       "default_sql: gen_random_uuid()}" + ("" if written else f", or set {flag}: false on the table"))


def check_triggers_and_views(ctx: Context) -> None:
    for table in ctx.spec.tables.values():
        for name, spec in (table.get("triggers") or {}).items():
            function = spec.get("function")
            target = ctx.spec.functions.get(function)
            if target is None:
                ctx.error("E405", f"trigger '{name}' calls unknown function '{function}'", table,
                          "triggers", name, "function", value=True, hint=suggest(function, ctx.spec.functions))
            elif str(target.get("returns", "")).strip().lower() != "trigger":
                ctx.error("E405", f"trigger '{name}' calls '{function}', which returns {target.get('returns')}, "
                                  "not trigger", table, "triggers", name, "function", value=True)
