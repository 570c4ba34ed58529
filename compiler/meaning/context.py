"""Shared state of one lowering run: the spec, the project settings and the diagnostics."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Collector
from ..expressions import SqlError, parse_expression
from ..source.spec import Entry, Spec
from .project import Project


@dataclass
class Context:
    spec: Spec
    project: Project
    collector: Collector = field(default_factory=Collector)

    def error(self, code: str, message: str, entry: Entry, *keys, hint: str | None = None, value: bool = False):
        self.collector.error(code, message, entry.at(*keys, value=value), hint)

    def expression(self, entry: Entry, keys: tuple, text, subqueries: bool = True) -> str | None:
        """The normalized expression, or None after reporting E501 at its key."""
        try:
            return parse_expression(text, subqueries)
        except SqlError as exc:
            key = ".".join(str(k) for k in keys)
            self.error("E501", f"{key}: {exc}", entry, *keys)
            return None

    def flag(self, entry: Entry, name: str) -> bool:
        value = entry.get(name)
        return self.project.defaults[name] if value is None else bool(value)
