"""The project settings of `_project.yaml`, resolved once per build: target, tenancy, defaults
and the external tables the spec may reference."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Collector, Location
from ..expressions import SqlError, parse_expression
from ..external_tables import ExternalTable, read_external_tables
from ..source.spec import Spec
from .current_user import unset_settings_read_as_null

DEFAULT_FLAGS = {"tenant": True, "timestamps": True, "soft_delete": False, "audit": False, "realtime": False}


@dataclass
class Project:
    name: str
    postgres: int
    target: str
    extensions: tuple[str, ...]
    tenant_table: str
    tenant_column: str
    membership_table: str
    user_column: str
    role_column: str | None
    current_user_id: str
    defaults: dict
    current_tenant: str = "memberships"      # how a request names its tenant (lower/current_tenant.py)
    current_tenant_key: str | None = None    # the claim path or setting name
    external_tables: dict[str, ExternalTable] = field(default_factory=dict)   # by qualified name
    layout: str = "atlas"               # the migration files' layout (compiler/layouts)
    migrations_dir: str | None = None   # their folder, relative to the folder holding build/

    @property
    def supabase(self) -> bool:
        return self.target == "supabase"

    @property
    def signed_in_roles(self) -> tuple[str, ...]:
        """Who policies are for: Supabase's signed-in role, or every role elsewhere."""
        return ("authenticated",) if self.supabase else ("public",)


def read_project(spec: Spec, collector: Collector) -> Project:
    data = spec.project.data if spec.project and isinstance(spec.project.data, dict) else {}
    tenancy = data.get("tenancy") or {}
    membership = tenancy.get("membership") or {}
    defaults = dict(DEFAULT_FLAGS)
    defaults.update({k: v for k, v in (data.get("defaults") or {}).items() if v is not None})
    current_user_id = tenancy.get("current_user_id", "auth.uid()")
    try:
        current_user_id = unset_settings_read_as_null(parse_expression(current_user_id))
    except SqlError as exc:
        collector.error("E501", f"tenancy.current_user_id: {exc}",
                        spec.project.at("tenancy", "current_user_id"))
    target = data.get("target", "supabase")
    extensions = tuple(data.get("extensions") or ())
    external = read_external_tables(spec.project, data, target, spec.enums, extensions, collector)
    return Project(
        name=data.get("name", ""),
        postgres=int(data.get("postgres", 15)),
        target=target,
        extensions=extensions,
        tenant_table=tenancy.get("table", ""),
        tenant_column=tenancy.get("column", "organization_id"),
        membership_table=membership.get("table", ""),
        user_column=membership.get("user_column", ""),
        role_column=membership.get("role_column"),
        current_user_id=current_user_id,
        defaults=defaults,
        **read_current_tenant(tenancy.get("current_tenant", "memberships")),
        external_tables=external,
        **read_layout(spec).settings,
    )


def read_current_tenant(value) -> dict:
    """`tenancy.current_tenant` as the mode and its key (spec.schema.json has checked the shape;
    check_current_tenant in lower/tenancy.py the values)."""
    if isinstance(value, dict) and len(value) == 1:
        (mode, key), = value.items()
        return {"current_tenant": mode, "current_tenant_key": key}
    return {"current_tenant": value if isinstance(value, str) else "memberships", "current_tenant_key": None}


@dataclass(frozen=True)
class LayoutSetting:
    """project.layout and project.migrations_dir as the spec gives them, and where (the build
    reports a layout that differs from the released one there)."""

    layout: str | None = None          # None: not set (a build follows the released layout)
    migrations_dir: str | None = None
    where: Location | None = None

    @property
    def settings(self) -> dict:
        return {"layout": self.layout, "migrations_dir": self.migrations_dir}


def read_layout(spec: Spec) -> LayoutSetting:
    """The layout settings (spec.schema.json has checked their values)."""
    data = spec.project.data if spec.project and isinstance(spec.project.data, dict) else {}
    where = None
    if spec.project is not None:
        where = spec.project.at("layout") if "layout" in data else spec.project.at()
    return LayoutSetting(data.get("layout"), data.get("migrations_dir"), where)
