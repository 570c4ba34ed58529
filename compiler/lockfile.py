"""build/schema.lock.json: the compiled model of the last build, the next diff's base."""
from __future__ import annotations

import json

from .diagnostics import CompileError, Diagnostic, Location
from .model import FAMILIES, Model, Tenancy, from_data, to_data

FORMAT = 1


def dump(model: Model, migrations: list[str]) -> str:
    objects: dict[str, list] = {}
    for obj in model.objects:
        objects.setdefault(obj.family, []).append(to_data(obj))
    header = {
        "format": FORMAT,
        "migrations": migrations,
        "postgres": model.postgres,
        "project": model.project,
        "target": model.target,
        "tenancy": to_data(model.tenancy) if model.tenancy else None,
    }
    # One object per line: a change to the spec shows in review as the lines of the objects it
    # changes, and the encoder stays the fast one (an indented dump is several times slower).
    lines = ["{"] + [f" {_compact(key)}: {_compact(value)}," for key, value in header.items()] + [' "objects": {']
    families = sorted(objects)
    for f, family in enumerate(families):
        lines.append(f"  {_compact(family)}: [")
        items = objects[family]
        lines += [f"   {_compact(item)}{',' if i < len(items) - 1 else ''}" for i, item in enumerate(items)]
        lines.append("  ]" + ("," if f < len(families) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def _compact(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def load(raw: bytes | str, path: str) -> tuple[Model, list[str]]:
    try:
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            raise ValueError(f"invalid UTF-8 (byte 0x{raw[exc.start]:02x})") from None
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, found {json.dumps(data)[:20]}")
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        objects = []
        for family, items in data["objects"].items():
            cls = FAMILIES[family]
            objects += [from_data(cls, item) for item in items]
        tenancy = from_data(Tenancy, data["tenancy"]) if data.get("tenancy") else None
        model = Model(data["target"], data["postgres"], tuple(sorted(objects, key=lambda o: o.key)), data["project"],
                      tenancy)
        return model, list(data["migrations"])
    except json.JSONDecodeError as exc:
        raise CompileError([Diagnostic("E902", f"the lock file is not valid JSON: {exc.msg}",
                                       Location(path, exc.lineno, exc.colno), "restore it from version control")]) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # UnicodeDecodeError is a ValueError
        raise CompileError([Diagnostic("E902", f"cannot read the lock file: {exc}", Location(path),
                                       "restore it from version control")]) from None


def place_of(text: str, path: str, family: str, name: str) -> Location | None:
    """Where an object of the compiled state is written in the lock (one object per line): the
    place to point at for an object the spec no longer has."""
    block = f"  {_compact(family)}: ["
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if line == block:
            inside = True
        elif inside and line.startswith("  ]"):
            return None
        elif inside:
            try:
                item = json.loads(line.strip().rstrip(","))
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict) and item.get("name") == name:
                return Location(path, number, 4)
    return None

