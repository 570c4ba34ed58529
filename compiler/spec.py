"""The merged spec: every object of every file, each remembering where it was written."""
from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Collector, Location
from .loader import SECTIONS, SourceFile


@dataclass
class Entry:
    """One named object of the spec (a table, enum, ...) and its place in a file."""

    name: str
    data: object
    source: SourceFile
    keys: tuple

    def at(self, *more, value: bool = False) -> Location:
        return self.source.where(self.keys + tuple(more), prefer_value=value)

    def get(self, key, default=None):
        return self.data.get(key, default) if isinstance(self.data, dict) else default


@dataclass
class Spec:
    project: Entry | None = None
    enums: dict[str, Entry] = field(default_factory=dict)
    functions: dict[str, Entry] = field(default_factory=dict)
    tables: dict[str, Entry] = field(default_factory=dict)
    views: dict[str, Entry] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Entry]:
        return getattr(self, name)


def merge(sources: list[SourceFile]) -> Spec:
    """All files merged; an object defined twice names both places (E301)."""
    spec = Spec()
    collector = Collector()
    for source in sources:
        for section in SECTIONS:
            if section not in source.data:
                continue
            if section == "project":
                entry = Entry("project", source.data["project"], source, ("project",))
                if spec.project is not None:
                    collector.error("E301", f"project is defined twice (first at {spec.project.at()})", entry.at())
                else:
                    spec.project = entry
                continue
            objects = source.data[section] or {}
            if not isinstance(objects, dict):
                continue  # the shape check reports it
            kind = section[:-1]
            for name, data in objects.items():
                entry = Entry(name, data, source, (section, name))
                existing = spec.section(section).get(name)
                if existing is not None:
                    collector.error(
                        "E301",
                        f"{kind} '{name}' is defined twice: here and at {existing.at()}",
                        entry.at(),
                    )
                    continue
                spec.section(section)[name] = entry
    if spec.project is None and sources:
        collector.error(
            "E302",
            "no file defines 'project:'",
            Location(sources[0].path, 1, 1),
            hint="add schema/_project.yaml with project: name, tenancy, ...",
        )
    collector.raise_if_any()
    return spec
