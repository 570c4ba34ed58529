"""Tables a spec may reference but never creates: the ones a target provides (Supabase's
`auth.users`) and the ones `project.external_tables` declares. Foreign keys point at them; no
migration creates, alters or drops them, so their columns are declared with types, and only a
primary key or a declared unique may be referenced."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import Collector
from .expressions import SqlError, parse_type
from .sqltext import ident
from .sqltypes import known_type

# Schemas whose tables the compiler itself writes: a table there is a spec table, not an external.
OWN_SCHEMAS = ("public", "atlas_private", "atlas_archive")
QUALIFIED = re.compile(r"(?P<schema>[a-z_][a-z0-9_]{0,62})\.(?P<name>[a-z_][a-z0-9_]{0,62})")


@dataclass(frozen=True)
class ExternalTable:
    schema: str
    name: str
    columns: tuple[tuple[str, str], ...]     # (column, rendered type), in declared order
    primary_key: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    provided_by: str = "declared"             # "declared", or the target that provides it

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def column_type(self, column: str) -> str | None:
        return dict(self.columns).get(column)

    def is_key(self, column: str) -> bool:
        """A single column a foreign key may point at: the primary key or a declared unique."""
        return (column,) in {self.primary_key, *self.unique}


# Supabase's auth.users as its auth service creates it (every column, so a view reading one that
# does not exist is refused at build time). Only its primary key can be referenced: email and
# phone are unique only through partial or version-dependent indexes a foreign key cannot use.
SUPABASE_AUTH_USERS = (
    ("instance_id", "uuid"), ("id", "uuid"), ("aud", "varchar(255)"), ("role", "varchar(255)"),
    ("email", "varchar(255)"), ("encrypted_password", "varchar(255)"), ("email_confirmed_at", "timestamptz"),
    ("invited_at", "timestamptz"), ("confirmation_token", "varchar(255)"), ("confirmation_sent_at", "timestamptz"),
    ("recovery_token", "varchar(255)"), ("recovery_sent_at", "timestamptz"),
    ("email_change_token_new", "varchar(255)"), ("email_change", "varchar(255)"),
    ("email_change_sent_at", "timestamptz"), ("last_sign_in_at", "timestamptz"), ("raw_app_meta_data", "jsonb"),
    ("raw_user_meta_data", "jsonb"), ("is_super_admin", "boolean"), ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"), ("phone", "text"), ("phone_confirmed_at", "timestamptz"),
    ("phone_change", "text"), ("phone_change_token", "varchar(255)"), ("phone_change_sent_at", "timestamptz"),
    ("confirmed_at", "timestamptz"), ("email_change_token_current", "varchar(255)"),
    ("email_change_confirm_status", "smallint"), ("banned_until", "timestamptz"),
    ("reauthentication_token", "varchar(255)"), ("reauthentication_sent_at", "timestamptz"),
    ("is_sso_user", "boolean"), ("deleted_at", "timestamptz"), ("is_anonymous", "boolean"),
)

PROVIDED = {
    "supabase": (ExternalTable("auth", "users", SUPABASE_AUTH_USERS, ("id",), provided_by="supabase"),),
}


def provided(target: str) -> dict[str, ExternalTable]:
    return {t.qualified: t for t in PROVIDED.get(target, ())}


def known_names(target: str, declared) -> list[str]:
    """Qualified names of the external tables a project knows (for hints before lowering)."""
    return sorted(set(provided(target)) | {n for n in declared if isinstance(n, str)})


def declaration_example(qualified: str, column: str = "id", type_text: str = "uuid") -> str:
    """The declaration that makes a reference to `qualified`.`column` build."""
    return (f"project.external_tables: {{{qualified}: {{columns: {{{column}: {type_text}}}, "
            f"primary_key: [{column}]}}}}")


def unknown_hint(qualified: str, known: list[str], column: str = "id", type_text: str = "uuid") -> str:
    """What to do about a schema-qualified table that is not known: which ones are, and how to
    declare one. A close match is offered first, since following it works."""
    close = _close_matches(qualified, known)
    listed = ", ".join(known) if known else "none"
    declare = f"declare a table created outside the spec under {declaration_example(qualified, column, type_text)}"
    if close:
        return f"did you mean {close[0]}?"
    return f"known external tables: {listed}; {declare}"


def read_external_tables(entry, data, target: str, enums, extensions, collector: Collector) -> dict[str, ExternalTable]:
    """The target's tables, overridden or extended by `project.external_tables`; errors in a
    declaration are located at its key."""
    tables = provided(target)
    declared = data.get("external_tables") if isinstance(data, dict) else None
    if not isinstance(declared, dict):
        return tables
    for qualified, spec in declared.items():
        match = QUALIFIED.fullmatch(str(qualified))
        if not isinstance(spec, dict) or not match or match["schema"] in OWN_SCHEMAS:
            continue   # the shape check reports it
        schema, name = match["schema"], match["name"]
        keys = ("external_tables", qualified)
        columns = []
        for column, type_text in (spec.get("columns") or {}).items():
            rendered = _column_type(entry, keys + ("columns", column), type_text, enums, extensions, collector)
            columns.append((column, rendered or str(type_text)))
        names = [c for c, _ in columns]
        primary_key = tuple(spec.get("primary_key") or ())
        unique = tuple(tuple(u) for u in spec.get("unique") or ())
        for where, cols in [(("primary_key",), primary_key)] + [(("unique", i), u) for i, u in enumerate(unique)]:
            for j, c in enumerate(cols):
                if c not in names:
                    close = _close_matches(c, names)
                    collector.error("E402", f"external table '{qualified}' declares no column '{c}'",
                                    entry.at(*keys, *where, j, value=True),
                                    f"did you mean {close[0]}?" if close else f"columns: {', '.join(names)}")
        tables[qualified] = ExternalTable(schema, name, tuple(columns), primary_key, unique)
    return tables


def _column_type(entry, keys, text, enums, extensions, collector: Collector) -> str | None:
    try:
        parsed = parse_type(text)
    except SqlError as exc:
        collector.error("E404", f"invalid type '{text}': {exc}", entry.at(*keys, value=True))
        return None
    if not known_type(parsed, enums, extensions):
        collector.error("E404", f"unknown type '{text}'", entry.at(*keys, value=True))
        return None
    if parsed.base in enums:
        return f"public.{ident(parsed.base)}" + ("[]" if parsed.is_array else "")
    return parsed.text


def _close_matches(word: str, possibilities) -> list[str]:
    """difflib's best match, imported only when a name is unknown (a build that finds every name
    never loads difflib)."""
    from difflib import get_close_matches
    return get_close_matches(word, possibilities, n=1)
