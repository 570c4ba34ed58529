"""What a lint is (one row of :data:`compiler.lint.conditions.LINTS`) and what
it reports.

Every lint has the same shape: rows of one catalog :class:`Source`, limited to
the schemas of its :class:`Schemas` scope, kept where its SQL ``condition``
holds (and, for the policy lints, where a Python ``check`` of the parsed
expression agrees); each row left is one :class:`Finding`.  The runner
(:mod:`compiler.lint.runner`) turns a lint into its query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable, Mapping, Optional

LEVELS = ("ERROR", "WARN", "INFO")


@dataclass(frozen=True)
class Source:
    """A catalog relation a lint walks: the FROM clause (always with ``n``, the
    object's pg_namespace row), the finding's object name, and the catalog row
    whose membership of an extension hides the object (``catalog``, ``oid``)."""

    tables: str
    object: str
    catalog: str
    oid: str
    where: str = ""  # rows of the source that are not lintable objects at all


class Schemas(Enum):
    """Which schemas a lint looks at (``n.nspname``)."""

    USER = "user"        # every schema but pg_*, information_schema and SYSTEM_SCHEMAS
    API = "api"          # the API-exposed schemas, less SYSTEM_SCHEMAS
    EXPOSED = "exposed"  # the API-exposed schemas, as given
    ANY = "any"          # no limit; the condition says which


#: A policy lint's last word on a row: None (no finding), or the values its
#: ``detail`` needs besides the row's fields.
Check = Callable[[Mapping[str, object]], Optional[Mapping[str, str]]]


@dataclass(frozen=True)
class Lint:
    """One advisor check.  ``code``/``name``/``level``/``category`` are what the
    dashboard shows; ``remediation`` says what to change.

    ``fields`` are SQL values (by name) a finding's ``detail`` (a ``str.format``
    template) and ``check`` read.  ``object`` replaces the source's object name,
    ``joins`` adds catalogs, ``group_by``/``having`` fold rows into one finding.
    ``skip_extension_members`` hides objects an extension created (``member``:
    another row of the source to ask about).  ``api_selectable``: anon or
    authenticated (those that exist) may SELECT the relation.  ``needs_roles`` and
    ``needs_pg_graphql``: the lint only runs when those exist."""

    code: str
    name: str
    level: str
    category: str
    description: str
    remediation: str
    source: Source
    condition: str
    detail: str
    fields: Mapping[str, str] = field(default_factory=dict)
    schemas: Schemas = Schemas.USER
    skip_extension_members: bool = True
    member: str = ""
    api_selectable: bool = False
    object: str = ""
    joins: str = ""
    group_by: str = ""
    having: str = ""
    needs_roles: tuple[str, ...] = ()
    needs_pg_graphql: bool = False
    check: Check | None = None


@dataclass(frozen=True, order=True)
class Finding:
    """One advisor finding.  ``object`` is a readable name: ``schema.table``,
    ``schema.table.policy``, ``schema.function(args)``, or for
    multiple_permissive_policies ``schema.table (role, ACTION)``."""

    name: str
    level: str
    object: str
    detail: str
    code: str = ""
    category: str = ""

    def __str__(self) -> str:
        return f"{self.level} {self.code} {self.name}: {self.object}: {self.detail}"
