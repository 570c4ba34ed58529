"""The merged spec: every object of every file, each remembering where it was written."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Collector, Location
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
        # Point at the conventional file when it exists (empty, or with the key misspelt).
        named = [s for s in sources if s.path.replace("\\", "/").rsplit("/", 1)[-1] == "_project.yaml"]
        place = named[0].path if named else sources[0].path
        folder = place.replace("\\", "/").rsplit("/", 1)[0] if "/" in place.replace("\\", "/") else "."
        collector.error(
            "E302",
            "no file defines 'project:'",
            Location(place, 1, 1),
            hint=(f"write project: (name, tenancy, ...) in {place}" if named
                  else f"add {folder}/_project.yaml with project: name, tenancy, ..."),
        )
    collector.raise_if_any()
    return spec
