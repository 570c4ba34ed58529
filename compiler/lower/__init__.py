"""Spec to model: every convention expanded into explicit, named objects, meaning checked on the
way. This module is only the order of the passes; each pass lives in a module of its own:
tenancy settings (tenancy.py), enums, columns, keys and indexes (tables.py, references.py),
foreign keys and the table graph (graph.py), generated functions (generated.py), what each
table brings (table_parts.py, access.py, audit.py), functions, views, name collisions."""
from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Collector
from ..meaning.context import Context
from ..meaning.hints import RenameHints, collect_hints
from ..meaning.project import read_project
from ..model import PRIVATE, PUBLIC, Enum, Extension, Model, SchemaObject, Tenancy
from ..source.spec import Spec
from .access import declared_access, role_enum
from .citus import check_citus, distributions, fit_keys
from .collisions import check_names
from .current_tenant import current_tenant_functions, scalar
from .encryption import with_encryption
from .functions import lower_functions
from .generated import (
    audit_function,
    bypasses_row_security_function,
    membership_functions,
    membership_lookup_index,
    updated_at_function,
)
from .graph import break_cycles, check_view_cycles
from .partitions import partitioned, read_partitions
from .refresh import with_refreshes
from .table_parts import check_row_identity, check_triggers_and_views, finish_table
from .tables import enum_values, lower_columns, lower_foreign_keys, lower_indexes, lower_keys
from .tenancy import check_tenancy, make_draft
from .views import ViewCatalog, lower_view


def lower(spec: Spec) -> Model:
    return lower_with_hints(spec)[0]


def lower_with_hints(spec: Spec) -> tuple[Model, RenameHints]:
    collector = Collector()
    project = read_project(spec, collector)
    ctx = Context(spec, project, collector)
    check_tenancy(ctx)
    collector.raise_if_any()  # everything below assumes the tenancy settings resolve

    objects: list = [SchemaObject(PRIVATE, ("authenticated",) if project.supabase else ("public",))]
    objects += [Extension(name, "extensions" if project.supabase else None) for name in project.extensions]
    objects += lower_enums(ctx)
    drafts = {name: make_draft(ctx, entry) for name, entry in spec.tables.items()}
    for draft in drafts.values():
        lower_columns(ctx, draft)
    read_partitions(ctx, drafts)   # before the keys: they include the partition column
    for draft in drafts.values():
        lower_keys(ctx, draft)
        fit_keys(ctx, draft)   # target citus: keys include the distribution column
        lower_indexes(ctx, draft)
    membership = drafts[project.membership_table]
    lookup_index = membership_lookup_index(ctx, membership)
    if lookup_index is not None:
        # Before the foreign keys: it covers a key on the user column (auth.users), which then
        # needs no index of its own.
        membership.indexes.append(lookup_index)
    for draft in drafts.values():
        lower_foreign_keys(ctx, draft, drafts)
    check_citus(ctx, drafts)
    deferred = break_cycles(drafts)
    for draft in drafts.values():
        check_row_identity(ctx, draft)
    user_type = membership.column(project.user_column).type
    objects.append(updated_at_function())
    membership_pk_type = membership.column("id").type if membership.column("id") else "uuid"
    objects += membership_functions(ctx, "uuid", membership_pk_type, membership.soft_delete)
    if scalar(ctx):
        objects += current_tenant_functions(ctx, role_enum(ctx), membership_pk_type, membership.soft_delete)
    if any(ctx.flag(d.entry, "audit") for d in drafts.values()):
        objects.append(audit_function(ctx, user_type))
    if any(d.soft_delete for d in drafts.values()):
        objects.append(bypasses_row_security_function())
    for draft in drafts.values():
        objects += finish_table(ctx, draft, deferred.get(draft.name, ()), user_type)
    objects += [fk for fks in deferred.values() for fk in fks]
    objects = partitioned(ctx, drafts, objects)
    columns_of = {name: [c.name for c in draft.columns] for name, draft in drafts.items()}
    types_of = {name: {c.name: c.type for c in draft.columns} for name, draft in drafts.items()}
    catalog = ViewCatalog(ctx, columns_of, types_of)
    objects += lower_functions(ctx, catalog)
    check_triggers_and_views(ctx)
    for entry in spec.views.values():
        objects += lower_view(ctx, entry, catalog)
    objects = with_refreshes(ctx, objects)
    objects = with_encryption(ctx, drafts, objects)
    check_view_cycles(ctx, objects)
    objects = distributions(ctx, objects)
    check_names(ctx, objects)
    backfills = {(d.name, column): e for d in drafts.values() for column, e in d.backfills.items()}
    access = {f"{a.schema}.{a.table}": a for a in (declared_access(ctx, draft) for draft in drafts.values())}
    hints = collect_hints(ctx)
    places = {("backfill_sql", f"{d.name}.{column}"): d.entry.at("columns", column, "backfill_sql")
              for d in drafts.values() for column in d.backfills}   # for the diff's E410
    hints = replace(hints, backfills=backfills, access=access, places={**hints.places, **places})
    collector.raise_if_any()
    tenancy = Tenancy(project.tenant_table, drafts[project.tenant_table].primary_key[0], project.tenant_column,
                      project.membership_table, project.user_column, project.role_column, role_enum(ctx),
                      project.current_user_id, project.current_tenant, project.current_tenant_key)
    model = Model(project.target, project.postgres, tuple(sorted(objects, key=lambda o: o.key)), project.name, tenancy)
    return model, hints


def lower_enums(ctx: Context) -> list[Enum]:
    result = []
    for name, entry in ctx.spec.enums.items():
        values = enum_values(ctx, name)
        for i, value in enumerate(values):
            if len(str(value).encode()) > 63:
                ctx.error("E601", f"enum label '{value}' is longer than 63 bytes", entry, i)
        comment = entry.data.get("comment") if isinstance(entry.data, dict) else None
        result.append(Enum(PUBLIC, name, tuple(str(v) for v in values), comment))
    return result
