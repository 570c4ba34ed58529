"""A diagram as a Mermaid `erDiagram`, in the subset every Mermaid GitHub has rendered since 9.2:
quoted entity names (so `auth.users`, `user` or `end` never meet a keyword of the lexer), attribute
words of letters, digits, `_`, `-`, `[]` and `()`, keys PK/FK/UK, quoted comments and labels.
No styling statements (classDef arrived in 11): the kind of a table shows in its name and in the
comment of its tenant column."""
from __future__ import annotations

import re

from .diagram import EXTERNAL, KIND_LABELS, ROOT, SHARED, Diagram, Edge, Entity

# What the erDiagram lexer takes as an attribute type or name (its oldest, strictest form).
ATTRIBUTE_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9\-_\[\]()]*")
# Inside an entity block the lexer reads PK, FK and UK (any case) as keys, wherever a word
# begins with one of them followed by a word boundary.
KEY_WORD = re.compile(r"(?i)(pk|fk|uk)\b")


def render(diagram: Diagram, *, all_columns: bool = False) -> str:
    names = {entity.name: entity_name(entity) for entity in diagram.entities}
    lines = ["erDiagram"]
    for entity in diagram.entities:
        lines += _entity(entity, all_columns)
    for edge in diagram.edges:
        lines.append(_relationship(edge, names))
    return "\n".join(lines) + "\n"


def entity_name(entity: Entity) -> str:
    """The quoted name, with the kind written after it for every kind but tenant-scoped (and
    `stub` for a table drawn only because a table of `graph --tables` references it)."""
    shown = f"{entity.name} ({entity.label})" if entity.label else entity.name
    return '"' + _text(shown) + '"'


def attribute_word(text: str) -> str:
    """A type or column name as one attribute word: `numeric(10, 2)` -> `numeric(10-2)`,
    `public.lead_status` -> `lead_status`, `timestamp with time zone` -> `timestamp_with_time_zone`."""
    text = text.removeprefix("public.").replace('"', "")
    word = re.sub(r",\s*", "-", text)
    word = re.sub(r"[^A-Za-z0-9\-_\[\]()]+", "_", word)
    if not re.match(r"[A-Za-z_]", word) or KEY_WORD.match(word):
        word = "_" + word
    return word


def _entity(entity: Entity, all_columns: bool) -> list[str]:
    attributes = entity.shown(all_columns)
    if not attributes:
        return [f"    {entity_name(entity)}"]
    lines = [f"    {entity_name(entity)} {{"]
    for attribute in attributes:
        parts = [attribute_word(attribute.type), attribute_word(attribute.name)]
        if attribute.keys:
            parts.append(", ".join(attribute.keys))
        comment = _comment(entity, attribute)
        if comment:
            parts.append(f'"{_text(comment)}"')
        lines.append("        " + " ".join(parts))
    lines.append("    }")
    return lines


def _comment(entity: Entity, attribute) -> str:
    notes = []
    if attribute.tenant:
        notes.append("tenant")
    if "PK" in attribute.keys and entity.kind in (ROOT, SHARED, EXTERNAL):
        notes.append(KIND_LABELS[entity.kind])
    if not attribute.nullable and "PK" not in attribute.keys and not attribute.tenant:
        notes.append("not null")
    return ", ".join(notes)


def _relationship(edge: Edge, names: dict[str, str]) -> str:
    """parent <exactly one | zero or one> -- <zero or more | zero or one> child : "columns"."""
    if edge.reads:
        return f'    {names[edge.child]} }}o..o{{ {names[edge.parent]} : "reads"'
    parent = "|o" if edge.optional else "||"
    child = "o|" if edge.one_to_one else "o{"
    line = "--" if edge.identifying else ".."
    return (f"    {names[edge.parent]} {parent}{line}{child} {names[edge.child]}"
            f' : "{_text(edge.label)}"')


def _text(text: str) -> str:
    """Text inside double quotes: no quote, %, backslash or line break (the lexer refuses them)."""
    return re.sub(r"[\"%\\\r\n\v\b]+", " ", text).strip() or "_"
