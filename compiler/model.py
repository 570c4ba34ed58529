"""The database as it will be: frozen dataclasses with every convention already expanded.

The diff and the templates read only this model; they never invent objects or names. Each
object has a `family` (its template folder), a `key` (its identity in the database) and
`requires` (the keys of objects that must exist before it).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .expressions import column_refs, function_calls
from .model_data import OPTIONAL, from_data, omitted_at_default, to_data  # noqa: F401  (re-exported)

# issue 12's objects live in model_scale.py; the model's users import them from here
from .model_scale import CIPHERTEXT_PREFIX, Distribution, EncryptedColumn, EncryptionKey, Schedule  # noqa: F401
from .schema_names import ARCHIVE, PRIVATE, PUBLIC  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Column:
    name: str
    type: str                    # rendered type, e.g. "text", "numeric(10, 2)", "public.lead_status"
    nullable: bool = True
    default: str | None = None   # normalized SQL expression
    identity: str | None = None  # "always" | "by_default"
    comment: str | None = None
    sensitive: bool = False
    origin: str = "spec"         # spec | tenant | timestamps | soft_delete | audit
    # Stored encrypted (issue 12): the table holds ciphertext, readers see plaintext through the
    # table's accessor. Left out of the lock while False.
    encrypted: bool = field(default=False, metadata=OPTIONAL)


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str                    # primary_key | unique | check | foreign_key
    columns: tuple[str, ...] = ()
    expression: str | None = None
    ref_schema: str | None = None
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()
    on_delete: str = "no_action"
    on_delete_columns: tuple[str, ...] = ()  # PostgreSQL 15: set null (col) nulls only these
    on_update: str = "no_action"
    deferrable: bool = False


@dataclass(frozen=True)
class Grant:
    role: str
    privileges: tuple[str, ...]


@dataclass(frozen=True)
class Partitioning:
    """`partition:` of a table: PARTITION BY RANGE on a timestamp column, partitions of
    `interval` made `premake` ahead, by the generated maintenance function or by pg_partman."""

    by: str                      # range (list / hash may follow)
    column: str
    interval: str                # normalized: "1 month", "7 days", "1 day", ...
    premake: int = 3
    manager: str = "atlas"       # atlas (generated maintenance function) | pg_partman


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    comment: str | None = None
    kind: str = "tenant"         # tenant | root | shared | audit
    row_security: bool = True    # enable + force row level security
    revoke_from: tuple[str, ...] = ()  # API roles that get nothing but what `grants` says
    grants: tuple[Grant, ...] = ()
    partition: Partitioning | None = field(default=None, metadata=OPTIONAL)
    family = "table"

    @property
    def key(self):
        return ("table", self.schema, self.name)

    @property
    def requires(self):
        deps = {("schema", self.schema)}
        for c in self.constraints:
            if c.kind == "foreign_key" and (c.ref_schema, c.ref_table) != (self.schema, self.name):
                deps.add(("table", c.ref_schema, c.ref_table))
        for col in self.columns:
            if col.type.startswith(PUBLIC + "."):
                deps.add(("enum", PUBLIC, col.type[len(PUBLIC) + 1:].removesuffix("[]").strip('"')))
        return deps | {("function", PUBLIC, f) for f in self.functions_called()}

    def functions_called(self) -> set[str]:
        """Functions that column defaults and checks call: they must exist first."""
        called = set()
        for col in self.columns:
            if col.default:
                called |= function_calls(col.default)
        for c in self.constraints:
            if c.expression:
                called |= function_calls(c.expression)
        return called

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key added after its tables: it closes a cycle in the table graph."""

    schema: str
    table: str
    constraint: Constraint
    family = "foreign_key"

    @property
    def key(self):
        return ("foreign_key", self.schema, self.table, self.constraint.name)

    @property
    def requires(self):
        c = self.constraint
        # target citus: added once both tables are distributed (Citus refuses a key from a
        # distributed table to a local one); elsewhere no Distribution provides these keys.
        return {("table", self.schema, self.table), ("table", c.ref_schema, c.ref_table),
                ("distribution", self.schema, self.table), ("distribution", c.ref_schema, c.ref_table)}


@dataclass(frozen=True)
class IndexKey:
    column: str
    order: str | None = None     # asc | desc
    nulls: str | None = None     # first | last
    opclass: str | None = None


@dataclass(frozen=True)
class Index:
    schema: str
    table: str
    name: str
    keys: tuple[IndexKey, ...]
    method: str = "btree"
    unique: bool = False
    where: str | None = None
    on_view: bool = False        # an index of a materialized view
    family = "index"

    @property
    def key(self):
        return ("index", self.schema, self.name)

    @property
    def requires(self):
        called = {("function", PUBLIC, f) for f in function_calls(self.where)} if self.where else set()
        if self.on_view:
            return {("view", self.schema, self.table)} | called
        columns = {k.column for k in self.keys} | (column_refs(self.where) if self.where else set())
        return {("table", self.schema, self.table)} | {("column", self.schema, self.table, c) for c in columns} | called


@dataclass(frozen=True)
class Policy:
    schema: str
    table: str
    name: str
    command: str                 # all | select | insert | update | delete
    permissive: bool
    roles: tuple[str, ...]
    using: str | None = None
    with_check: str | None = None
    needs: tuple[tuple[str, ...], ...] = ()  # functions the expressions call
    family = "policy"

    @property
    def key(self):
        return ("policy", self.schema, self.table, self.name)

    @property
    def requires(self):
        names, called = set(), set()
        for expression in (self.using, self.with_check):
            if expression:
                names |= column_refs(expression)
                called |= function_calls(expression)
        columns = {("column", self.schema, self.table, n) for n in names}
        functions = {("function", PUBLIC, f) for f in called}
        return {("table", self.schema, self.table), *self.needs} | columns | functions


@dataclass(frozen=True)
class Trigger:
    schema: str
    table: str
    name: str
    timing: str                  # before | after
    events: tuple[str, ...]
    for_each: str                # row | statement
    function_schema: str
    function: str
    arguments: tuple[str, ...] = ()
    when: str | None = None
    family = "trigger"

    @property
    def key(self):
        return ("trigger", self.schema, self.table, self.name)

    @property
    def requires(self):
        # PostgreSQL ties a WHEN condition to the columns it reads: it refuses to retype or drop
        # them while the trigger exists, so the trigger is rebuilt around such a change.
        columns = column_refs(self.when, ("new", "old")) if self.when else ()
        return {("table", self.schema, self.table), ("function", self.function_schema, self.function),
                *(("column", self.schema, self.table, c) for c in columns)}


@dataclass(frozen=True)
class Argument:
    name: str
    type: str
    default: str | None = None


@dataclass(frozen=True)
class Function:
    schema: str
    name: str
    returns: str
    language: str
    body: str
    arguments: tuple[Argument, ...] = ()
    security: str = "invoker"
    volatility: str = "volatile"
    search_path: str | None = None   # set search_path = '' for definer functions
    comment: str | None = None
    execute_roles: tuple[str, ...] = ()  # granted execute; public is revoked when set
    reads: tuple[tuple[str, ...], ...] = ()  # objects an sql-language body needs at creation
    family = "function"

    @property
    def key(self):
        return ("function", self.schema, self.name)

    @property
    def executable_by_public(self) -> bool:
        """PostgreSQL lets PUBLIC execute a new function; only those in `public` keep that,
        unless execute_roles names who may."""
        return self.schema == PUBLIC and not self.execute_roles

    @property
    def revokes_api_roles(self) -> bool:
        """A function in `public` with execute_roles is a Supabase target's security definer
        function: Supabase's default privileges granted anon and authenticated EXECUTE on it
        by name, which revoking PUBLIC's leaves in place, so theirs are revoked too."""
        return self.schema == PUBLIC and bool(self.execute_roles)

    @property
    def requires(self):
        return {("schema", self.schema), *self.reads}


@dataclass(frozen=True)
class Enum:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None
    family = "enum"

    @property
    def key(self):
        return ("enum", self.schema, self.name)

    @property
    def requires(self):
        return {("schema", self.schema)}


@dataclass(frozen=True)
class Refresh:
    """`refresh:` of a materialized view: how (concurrently needs a unique index) and how often
    (a pg_cron schedule where the project has pg_cron)."""

    concurrently: bool = False
    every: str | None = None     # normalized interval: "15 minutes", "1 hour", "1 day"


@dataclass(frozen=True)
class View:
    schema: str
    name: str
    query: str
    materialized: bool = False
    security_invoker: bool = True
    comment: str | None = None
    grants: tuple[Grant, ...] = ()
    revoke_from: tuple[str, ...] = ()
    # What the query reads: ("table"|"view"|"function", schema, name), ("column", schema,
    # relation, column), and ("table-columns", schema, table) where PostgreSQL expands a star.
    # Derived from the query, so not part of the definition: a lock file written before the
    # columns were recorded does not make every view look changed (the diff compares reads
    # itself, see _rebuild_dependents).
    reads: tuple[tuple[str, ...], ...] = field(default=(), compare=False)
    refresh: Refresh | None = field(default=None, metadata=OPTIONAL)
    family = "view"

    @property
    def key(self):
        return ("view", self.schema, self.name)

    @property
    def requires(self):
        return {("schema", self.schema), *self.reads}


@dataclass(frozen=True)
class Extension:
    name: str
    schema: str | None = None
    family = "extension"

    @property
    def key(self):
        return ("extension", self.name)

    @property
    def requires(self):
        return {("schema", self.schema)} if self.schema and self.schema != "extensions" else set()


@dataclass(frozen=True)
class SchemaObject:
    """A namespace the compiler owns (atlas_private); public and extensions pre-exist."""

    name: str
    usage_roles: tuple[str, ...] = ()
    family = "schema"

    @property
    def key(self):
        return ("schema", self.name)

    @property
    def requires(self):
        return set()


@dataclass(frozen=True)
class PublicationMember:
    publication: str
    schema: str
    table: str
    family = "publication_table"

    @property
    def key(self):
        return ("publication_table", self.publication, self.schema, self.table)

    @property
    def requires(self):
        return {("table", self.schema, self.table)}


FAMILIES = {
    cls.family: cls
    for cls in (SchemaObject, Extension, Enum, Function, Table, ForeignKey, Index, Policy, Trigger, View,
                PublicationMember, Schedule, Distribution, EncryptionKey, EncryptedColumn)
}


@dataclass(frozen=True)
class Tenancy:
    """Who is a tenant and who belongs to it, as the project settings resolved them."""

    root: str                      # tenant root table
    root_key: str                  # its primary key column
    column: str                    # tenant column of every tenant table
    membership: str                # membership table
    user_column: str               # compared with the signed-in user
    role_column: str | None = None
    role_enum: str | None = None
    current_user_id: str = "auth.uid()"
    current_tenant: str = "memberships"     # "memberships" | "claim" | "setting": how a request names its tenant
    current_tenant_key: str | None = None   # the claim path (dotted) or the setting name


@dataclass(frozen=True)
class DeclaredAccess:
    """A table's `access` rules as the spec wrote them, every command filled (`all`, and the
    `member` default, expanded).  Not part of the lock: verify's probes judge the policies the
    database enforces against these, so a policy that grants other than its rule is caught
    whether the catalog drifted or the compiler wrote it wrong."""

    schema: str
    table: str
    rules: tuple                   # ((command, (rule, ...)), ...) for select, insert, update, delete
    owner_column: str | None = None
    owner_is_membership: bool = False   # the owner column holds a membership row, not a user id

    def of(self, command: str) -> tuple:
        return dict(self.rules)[command]


# Schemas a project shares with the platform, or keeps archives in: never held to the model.
UNMANAGED_SCHEMAS = frozenset({ARCHIVE, "auth", "extensions", "storage"})


@dataclass(frozen=True)
class Model:
    """Everything the spec compiles to, in deterministic order."""

    target: str
    postgres: int
    objects: tuple = field(default_factory=tuple)
    project: str = ""
    tenancy: Tenancy | None = None

    def by_key(self) -> dict:
        """A new dict (callers edit theirs) from the one worked out once per model: a build asks
        for it several times, and each object's key is a property that builds a tuple."""
        return dict(self._by_key)

    @functools.cached_property
    def _by_key(self) -> dict:
        return {o.key: o for o in self.objects}

    def of(self, family: str) -> list:
        return [o for o in self.objects if o.family == family]

    def managed_schemas(self) -> list[str]:
        """public, atlas_private and every other schema the model puts an object in: what verify
        holds to the model (not the platform's schemas, nor the archive)."""
        names = {PUBLIC, PRIVATE} | {o.schema for o in self.objects if getattr(o, "schema", None)}
        names |= {o.name for o in self.of("schema")}
        return sorted(names - UNMANAGED_SCHEMAS)
