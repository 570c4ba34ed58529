"""build/schema.lock.json: the compiled model of the last build, the next diff's base, and its
history (.history): what each build after the first changed, so that the model after every
released migration can be rebuilt from the last one."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

from .diagnostics import CompileError, Diagnostic, Location
from .lock_decode import decode
from .lock_json import encode as _encode_object
from .model import FAMILIES, Model, Tenancy, from_data, to_data

FORMAT = 1   # "history" is optional (old locks have none), so the format stays 1
_HEADER = ("postgres", "project", "target", "tenancy")   # the model's settings beside its objects


@dataclass(frozen=True)
class HistoryEntry:
    """One build after the first: the model before it is the model after it, minus the objects
    it `added` (their keys), plus the objects as they were `before` it changed or removed them.
    `first` names the build's first migration when it wrote two (an enum value split; the model
    between the two is not a spec's); `settings` the previous model's postgres/project/target/
    tenancy when the build changed them. Both are left out of the lock when empty."""

    after: str                      # the build's last migration
    added: tuple = ()               # keys (tuples) of objects new in the build, sorted
    before: tuple = ()              # objects of the previous model it changed or removed, by key
    first: str | None = None
    settings: dict | None = None


def history_entry(previous: Model, model: Model, written: list[str], unchanged=frozenset()) -> HistoryEntry:
    """What the build that wrote the migrations `written` turning `previous` into `model` adds
    to the history. `unchanged`: keys whose objects the diff found equal (==) already."""
    old, new = previous.by_key(), model.by_key()
    added = tuple(sorted(key for key in new if key not in old))
    before = tuple(sorted((obj for key, obj in old.items() if key not in new or not (
        _uncompared_same(new[key], obj) if key in unchanged else _same(new[key], obj))), key=lambda o: o.key))
    settings = {name: _setting_data(getattr(previous, name)) for name in _HEADER}
    changed = settings != {name: _setting_data(getattr(model, name)) for name in _HEADER}
    return HistoryEntry(written[-1], added, before, written[0] if len(written) > 1 else None,
                        settings if changed else None)


def _same(a, b) -> bool:
    """Whether the lock records a and b alike (their to_data is equal). Equal dataclasses,
    fields not left out of the comparison equal too, record alike: only others are converted."""
    if a is b:
        return True
    if type(a) is type(b) and a == b and all(getattr(a, name) == getattr(b, name) for name in _uncompared(type(a))):
        return True
    return to_data(a) == to_data(b)


def _uncompared_same(a, b) -> bool:
    """_same of two objects known equal (==): only the fields equality skips are left to compare."""
    if a is b or all(getattr(a, name) == getattr(b, name) for name in _uncompared(type(a))):
        return True
    return to_data(a) == to_data(b)


@lru_cache(maxsize=None)
def _uncompared(cls) -> tuple[str, ...]:
    """Fields that dataclass equality skips (compare=False, View.reads) but the lock records."""
    return tuple(f.name for f in fields(cls) if not f.compare)


def _setting_data(value):
    """A model setting as the lock holds it.  Tenancy's `current_tenant` fields are left out at
    their defaults (memberships): the lock of a project that never set them stays as it was."""
    if not isinstance(value, Tenancy):
        return to_data(value)
    data = to_data(value)
    for name in ("current_tenant", "current_tenant_key"):
        if data[name] == _TENANCY_DEFAULTS[name]:
            del data[name]
    return data


_TENANCY_DEFAULTS = {f.name: f.default for f in fields(Tenancy)}


def model_before(model: Model, entry: HistoryEntry) -> Model:
    """The model before the build `entry` records, from the model after it."""
    objects = model.by_key()
    for key in entry.added:
        if key not in objects:
            raise ValueError(f"the build of {entry.after} added {list(key)}, which the model after it lacks")
        del objects[key]
    objects.update((obj.key, obj) for obj in entry.before)
    previous = replace(model, objects=tuple(sorted(objects.values(), key=lambda o: o.key)))
    if entry.settings is not None:
        tenancy = entry.settings["tenancy"]
        previous = replace(previous, postgres=entry.settings["postgres"], project=entry.settings["project"],
                           target=entry.settings["target"], tenancy=from_data(Tenancy, tenancy) if tenancy else None)
    return previous


def entry_data(entry: HistoryEntry) -> dict:
    # The family goes with each earlier object (to_data has no family); from_data ignores it.
    data = {"after": entry.after, "added": [list(key) for key in entry.added],
            "before": [{"family": obj.family, **to_data(obj)} for obj in entry.before]}
    if entry.first is not None:
        data["first"] = entry.first
    if entry.settings is not None:
        data["settings"] = entry.settings
    return data


def entry_from_data(data) -> HistoryEntry:
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, found {json.dumps(data)[:20]}")
    unknown = sorted(set(data) - {"after", "added", "before", "first", "settings"})
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    for name in ("after", "first"):
        if name in data and not isinstance(data[name], str):
            raise ValueError(f"{name!r} must be a migration name")
    if "after" not in data:
        raise ValueError("'after' is missing")
    if not isinstance(data.get("added", []), list) or not isinstance(data.get("before", []), list):
        raise ValueError("'added' and 'before' must be lists")
    added = []
    for key in data.get("added", []):
        if not isinstance(key, list) or not key or not all(isinstance(part, str) for part in key):
            raise ValueError(f"'added' holds {json.dumps(key)[:40]}, not an object key")
        added.append(tuple(key))
    before = []
    for item in data.get("before", []):
        if not isinstance(item, dict) or item.get("family") not in FAMILIES:
            raise ValueError(f"'before' holds {json.dumps(item)[:40]}, not an object with a known family")
        before.append(from_data(FAMILIES[item["family"]], item))
    settings = data.get("settings")
    if settings is not None and (not isinstance(settings, dict) or set(settings) != set(_HEADER)):
        raise ValueError(f"'settings' must hold exactly {', '.join(_HEADER)}")
    return HistoryEntry(data["after"], tuple(added), tuple(before), data.get("first"), settings)


def check_history(model: Model, migrations: list[str], history: list[HistoryEntry]) -> None:
    """The history is a chain without gaps ending at the last migration (every build since
    recording began left its entry), each build after the first one, and each entry applies.
    It walks back the keys only (model_before's checks and errors, without a model per entry): a
    lock with many builds' history is read as fast as one with a single entry."""
    keys = set(model.by_key())
    # model_before sorts the objects by key: keys of anything but str parts may fail to compare,
    # so only keys of str parts walk without a model (the old walk keeps its errors otherwise).
    by_keys = all(type(part) is str for key in keys for part in key) and all(
        type(part) is str for entry in history for obj in entry.before for part in obj.key)
    end = len(migrations) - 1
    for number in range(len(history), 0, -1):
        entry = history[number - 1]
        where = f"history entry {number}"
        if entry.after not in migrations:
            raise ValueError(f"{where}: {entry.after!r} is not a released migration")
        if migrations.index(entry.after) != end:
            expected = migrations[end] if end >= 0 else "nothing"
            raise ValueError(f"{where}: the build ends at {entry.after!r}, expected {expected!r} "
                             "(entries go oldest first, one per build)")
        if entry.first is None:
            start = end
        elif entry.first in migrations and migrations.index(entry.first) < end:
            start = migrations.index(entry.first)
        else:
            raise ValueError(f"{where}: 'first' {entry.first!r} is not a released migration before {entry.after!r}")
        if start == 0:
            raise ValueError(f"{where}: the build of {migrations[0]!r} is the first build, which has no entry")
        try:
            if by_keys:
                _keys_before(keys, entry)
            else:
                model = model_before(model, entry)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        end = start - 1


def _keys_before(keys: set, entry: HistoryEntry) -> None:
    """model_before on the keys of a model: the same ValueError where it would raise one, and
    the settings decoded as it decodes them (their errors are its errors)."""
    for key in entry.added:
        if key not in keys:
            raise ValueError(f"the build of {entry.after} added {list(key)}, which the model after it lacks")
        keys.remove(key)
    keys.update(obj.key for obj in entry.before)
    if entry.settings is not None and entry.settings["tenancy"]:
        from_data(Tenancy, entry.settings["tenancy"])


@dataclass
class Lock:
    """A lock file's content: the model of the last build, the released migrations in order,
    and the history of the builds after the first (oldest first; empty in an old lock)."""

    model: Model
    migrations: list[str]
    history: list[HistoryEntry] = field(default_factory=list)
    layout: Layout = field(default_factory=lambda: Layout())


@dataclass(frozen=True)
class Layout:
    """Where the migrations' files are: the layout (compiler/layouts), each migration's first
    file's version, and the folder when project.migrations_dir moved it. Written to the lock
    only for a layout other than atlas, whose lock stays what it always was."""

    name: str = "atlas"
    versions: dict = field(default_factory=dict)   # migration name -> its first file's version
    folder: str | None = None                       # project.migrations_dir, relative to the root


def dump(model: Model, migrations: list[str], history: list[HistoryEntry] = (), layout: Layout | None = None) -> str:
    objects: dict[str, list] = {}
    for obj in model.objects:   # each object's line, straight from the dataclass (lock_json)
        objects.setdefault(obj.family, []).append(_encode_object(obj))
    placed = {} if layout is None or layout.name == "atlas" else {
        "layout": layout.name, **({"migrations_dir": layout.folder} if layout.folder else {})}
    header = {
        "format": FORMAT,
        **placed,
        "migrations": migrations,
        **({"versions": layout.versions} if placed else {}),
        "postgres": model.postgres,
        "project": model.project,
        "target": model.target,
        "tenancy": _setting_data(model.tenancy),
    }
    # One object per line: a change to the spec shows in review as the lines of the objects it
    # changes, and the encoder stays the fast one (an indented dump is several times slower).
    lines = ["{"] + [f" {_compact(key)}: {_compact(value)}," for key, value in header.items()] + [' "objects": {']
    families = sorted(objects)
    for f, family in enumerate(families):
        lines.append(f"  {_compact(family)}: [")
        items = objects[family]
        lines += [f"   {item}{',' if i < len(items) - 1 else ''}" for i, item in enumerate(items)]
        lines.append("  ]" + ("," if f < len(families) - 1 else ""))
    lines.append(" }" + ("," if history else ""))
    if history:   # left out while empty: a first build's lock is what it always was
        lines.append(' "history": [')
        lines += [f"  {_compact(entry_data(e))}{',' if i < len(history) - 1 else ''}" for i, e in enumerate(history)]
        lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _compact(value) -> str:
    return _ENCODE(value)


# json.dumps with options builds an encoder per call; the lock encodes one value per object.
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def load(raw: bytes | str, path: str) -> tuple[Model, list[str]]:
    lock = load_lock(raw, path)
    return lock.model, lock.migrations


def load_lock(raw: bytes | str, path: str) -> Lock:
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
            objects += [decode(cls, item) for item in items]   # from_data's objects, generated
        tenancy = from_data(Tenancy, data["tenancy"]) if data.get("tenancy") else None
        model = Model(data["target"], data["postgres"], tuple(sorted(objects, key=lambda o: o.key)), data["project"],
                      tenancy)
        migrations = list(data["migrations"])
        raw_history = data.get("history", [])
        if not isinstance(raw_history, list):
            raise ValueError(f"history: expected a list, found {json.dumps(raw_history)[:20]}")
        history = []
        for number, item in enumerate(raw_history, 1):
            try:
                history.append(entry_from_data(item))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise ValueError(f"history entry {number}: {exc}") from None
        check_history(model, migrations, history)
        return Lock(model, migrations, history, layout_of(data, migrations))
    except json.JSONDecodeError as exc:
        raise CompileError([Diagnostic("E902", f"the lock file is not valid JSON: {exc.msg}",
                                       Location(path, exc.lineno, exc.colno), "restore it from version control")]) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # UnicodeDecodeError is a ValueError
        raise CompileError([Diagnostic("E902", f"cannot read the lock file: {exc}", Location(path),
                                       "restore it from version control")]) from None


def layout_of(data: dict, migrations: list[str]) -> Layout:
    """The layout a lock's data records (ValueError when it does not hold together)."""
    if "layout" not in data:
        return Layout()
    name, versions, folder = data["layout"], data.get("versions"), data.get("migrations_dir")
    if not isinstance(name, str) or name == "atlas":
        raise ValueError(f"layout: {json.dumps(name)[:20]} is not a layout other than atlas")
    if not isinstance(versions, dict) or sorted(versions) != sorted(migrations) or \
            not all(isinstance(v, str) and v.isdigit() for v in versions.values()):
        raise ValueError("versions: expected the first version (digits) of every released migration")
    if folder is not None and (not isinstance(folder, str) or not folder):
        raise ValueError("migrations_dir: expected a folder")
    return Layout(name, dict(versions), folder)


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

