"""The released state in the build folder: migrations in order, the lock's model and history
(the model after each released migration), and the checksums that keep released files
immutable. The migrations' files are where the lock's layout puts them (compiler/layouts); every
reader of a released migration goes through `migration_text`, which gives its canonical text."""
from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import checksums, lockfile
from .diagnostics import CompileError, Diagnostic, Location
from .layouts import ATLAS, LAYOUTS, MissingFile, Texts, layout
from .model import Model
from .source.loader import display_path

LOCK = "schema.lock.json"
SUM = "migrations.sum"
MIGRATIONS = "migrations"
_MIGRATION = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$")


@dataclass
class BuildState:
    """The released state in build/: migrations in order, the lock's model and history."""

    migrations: list[str]
    model: Model | None
    history: list[lockfile.HistoryEntry] = field(default_factory=list)
    layout: lockfile.Layout = field(default_factory=lockfile.Layout)


@dataclass(frozen=True)
class Placement:
    """Where a build folder's migration files are: its layout's folder, under the build folder
    for atlas, under the folder holding it (the project root) for the others. Paths are relative
    to that base; `key` gives a path as the sum names it (relative to the build folder)."""

    out: Path
    layout: lockfile.Layout

    @property
    def module(self):
        return layout(self.layout.name)

    @property
    def atlas(self) -> bool:
        return self.layout.name == ATLAS

    @property
    def base(self) -> Path:
        return self.out if self.atlas else self.out.parent

    @property
    def folder(self) -> str:
        return self.layout.folder or self.module.folder

    def key(self, rel: str) -> str:
        return rel if self.atlas else posixpath.normpath(f"../{rel}")

    def exists(self, rel: str) -> bool:
        return (self.base / rel).is_file()

    def text(self, rel: str) -> str:
        try:
            return (self.base / rel).read_bytes().decode("utf-8")   # no newline translation: the bytes
        except FileNotFoundError:
            raise MissingFile(rel) from None

    def files(self, name: str) -> list[str]:
        return self.module.files(name, self.layout.versions.get(name), self.folder, self.exists)

    def texts(self, name: str) -> Texts:
        return self.module.read(name, self.layout.versions.get(name), self.folder, self.text, self.exists)


def placement(out: Path, lock: lockfile.Layout | None = None) -> Placement:
    """The placement the lock of `out` records (atlas without a lock)."""
    if lock is None:
        lock = lockfile.Layout()
        if (out / LOCK).exists():
            try:
                data = json.loads((out / LOCK).read_bytes())
                lock = lockfile.layout_of(data, list(data.get("migrations", [])))
            except (ValueError, AttributeError, TypeError):
                pass   # read_state reports an unreadable lock
    return Placement(out, lock)


def migration_text(out: Path, name: str, direction: str) -> str:
    """The canonical text (up or down) of a released migration of `out`, read through its
    layout: what `migrate` runs and verify checks. For atlas, the file's bytes as they are."""
    try:
        texts = placement(out).texts(name)
    except MissingFile as exc:
        raise _sum_error(out, f"released migration file {exc.path} is missing") from None
    return texts.up if direction == "up" else texts.down


def migration_path(out: Path, name: str, direction: str) -> Path:
    """The file to point at for a released migration's up or down (its first such file)."""
    where = placement(out)
    files = where.files(name)
    downs = [f for f in files if f.endswith(".down.sql") or posixpath.basename(f).startswith("U")]
    return where.base / (downs[0] if direction == "down" and downs else files[0])


def read_state(out: Path) -> BuildState:
    lock_path = out / LOCK
    sum_path = out / SUM
    if not lock_path.exists():
        released = sorted((out / MIGRATIONS).glob("*.sql")) if (out / MIGRATIONS).is_dir() else []
        if released or sum_path.exists():
            raise CompileError([Diagnostic("E902", f"{LOCK} is missing but {out} holds released migrations",
                                           Location(display_path(lock_path)), "restore it from version control")])
        return BuildState([], None)
    shown = display_path(lock_path)
    lock = lockfile.load_lock(lock_path.read_bytes(), shown)
    if lock.layout.name not in LAYOUTS:
        raise CompileError([Diagnostic("E902", f"cannot read the lock file: layout {lock.layout.name!r} is not one "
                                       f"of {', '.join(LAYOUTS)}", Location(shown), "restore it from version control")])
    verify_sum(out, lock.migrations, lock.layout)
    return BuildState(lock.migrations, lock.model, lock.history, lock.layout)


def model_history(out: Path) -> list[tuple[str, Model | None]]:
    """Every released migration in order with the model right after it: the lock's model for the
    last, and for each build the history records, the model before it for the migration just
    before that build. None where unknown: before history was recorded (a lock of format 1
    written without it), and between the two migrations of a build that wrote two. The model
    before the first migration is empty (not listed). The sum is verified, as for a build."""
    state = read_state(out)
    if state.model is None:
        return []
    known = {state.migrations[-1]: state.model}
    model = state.model
    for entry in reversed(state.history):   # lockfile.check_history proved the chain has no gaps
        model = lockfile.model_before(model, entry)
        start = state.migrations.index(entry.first or entry.after)
        known[state.migrations[start - 1]] = model
    return [(name, known.get(name)) for name in state.migrations]


def released_files(out: Path, migrations: list[str], lock: lockfile.Layout | None = None) -> list[tuple[str, bytes]]:
    """(name as the sum records it, bytes) of every released migration's files, then the lock."""
    where = placement(out, lock)
    files = []
    for name in migrations:
        for rel in where.files(name):
            if not where.exists(rel):
                raise _sum_error(out, f"released migration {where.key(rel)} is missing")
            files.append((where.key(rel), (where.base / rel).read_bytes()))
    files.append((LOCK, (out / LOCK).read_bytes()))
    return files


def verify_sum(out: Path, migrations: list[str], lock: lockfile.Layout | None = None) -> None:
    sum_path = out / SUM
    if not sum_path.exists():
        raise _sum_error(out, f"{SUM} is missing next to {LOCK}")
    try:
        recorded = checksums.parse(sum_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise _sum_error(out, f"{SUM} is unreadable: {exc}") from None
    names = [name for name, _ in recorded]
    released = released_files(out, migrations, lock)
    expected = [rel for rel, _ in released]
    if names != expected:
        if sorted(names) == sorted(expected):
            raise _sum_error(out, "released migrations were reordered")
        missing = [n for n in names if n not in expected]
        if missing:
            raise _sum_error(out, f"released migration {missing[0]} was removed")
        unlisted = [n for n in expected if n not in names]
        raise _sum_error(out, f"{unlisted[0]} is released in {LOCK} but not recorded in {SUM}")
    differs = checksums.first_difference(recorded, checksums.compute(released))
    if differs:
        raise _sum_error(out, f"released file {differs} was edited after it was released", path=out / differs)
    where = placement(out, lock)
    if not where.atlas:
        _unlisted_in_folders(where, migrations, set(names))
        return
    on_disk = sorted(p.name for p in (out / MIGRATIONS).glob("*.sql")) if (out / MIGRATIONS).exists() else []
    listed = {Path(n).name for n in names}
    for name in on_disk:
        match = _MIGRATION.match(name)
        stem = f"{match[1]}_{match[2]}" if match else None
        if name not in listed and (stem is None or stem < (migrations[-1] if migrations else "")):
            raise _sum_error(out, f"{MIGRATIONS}/{name} is not a released migration of {SUM}",
                             path=out / MIGRATIONS / name)


def _unlisted_in_folders(where: Placement, migrations: list[str], listed: set[str]) -> None:
    """A file in the layout's folders that the sum does not list, but whose version is one a
    released migration's files have: an added or renamed unit. Other files there are the team's
    own (hand-written migrations), which the build leaves alone."""
    module, taken = where.module, set()
    for name in migrations:
        first = where.layout.versions[name]
        count = len(module.stems(name, first, where.folder, where.exists))
        taken |= {int(v) for v in module.unit_versions(first, count)}
    for folder in module.watched(where.folder):
        directory = where.base / folder
        for path in sorted(directory.iterdir()) if directory.is_dir() else []:
            rel = f"{folder}/{path.name}"
            if path.is_file() and where.key(rel) not in listed and module.version_of(path.name) in taken:
                raise _sum_error(where.out, f"{where.key(rel)} is not a released migration of {SUM}", path=path)


def _sum_error(out: Path, message: str, path: Path | None = None) -> CompileError:
    where = Location(display_path(path or out / SUM))
    return CompileError([Diagnostic("E901", message, where,
                                    "released migrations are immutable: restore them from version control "
                                    "and change the spec instead")])


def table_place(table: str, hints, schema: Path, out: Path) -> Location:
    """A table's definition in the spec; a removed table's entry in the lock, where it was."""
    place = hints.places.get(("tables", table))
    if place is None:
        lock = out / LOCK
        place = lockfile.place_of(lock.read_text(encoding="utf-8"), display_path(lock), "table", table)
    return place or Location(display_path(schema))
