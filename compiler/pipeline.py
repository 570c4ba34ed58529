"""The compile pipeline, read top to bottom:

    load -> shape -> meaning and model -> released state -> diff -> order -> render -> files

Each step is one function of its own module; this module only passes one step's result to the
next. `atlas-compile build` writes `NextMigration.files`; `atlas-compile plan` prints its
operations. Nothing here touches the disk but to read, save the load cache, which lives outside the
project (compiler/source/cache.py).
"""
from __future__ import annotations

import gc
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import checksums, lockfile, progress
from .diagnostics import CompileError, Diagnostic, Location
from .diff import diff_models
from .layouts import ATLAS, LAYOUTS, Canonical
from .lower import lower_with_hints
from .lower.access_warnings import access_warnings
from .meaning.hints import RenameHints
from .meaning.project import LayoutSetting, read_layout
from .model import Model
from .ordering import Step, initial_steps, reverse_plan, steps_of
from .released import LOCK, SUM, BuildState, Placement, read_state, released_files, table_place
from .render import render_migration
from .source.cache import LoadCache, cache_file, remember
from .source.loader import display_path, load_folder
from .source.shape import check_shape
from .source.spec import merge


@dataclass
class NextMigration:
    """What the next build writes (relative path -> bytes; empty when nothing changed), and
    what `plan` shows of it."""

    files: dict[str, bytes] = field(default_factory=dict)
    migration: str | None = None        # the new migration's name (names, when split)
    migrations: list[str] = field(default_factory=list)
    operations: list = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    hints: RenameHints | None = None    # what the spec says beside the model (renames, access rules)
    model: Model | None = None          # the spec's model (what the lock will record)
    written: list[str] = field(default_factory=list)   # display paths of the migration files, in order
    previous: Model | None = None       # the lock's model before this build (None: nothing released)


# ATLAS_PHASE_TIMES=1: each phase's wall time on stderr (benchmarks/compile_time.py reads them).
PHASE_TIMES = os.environ.get("ATLAS_PHASE_TIMES") == "1"
_clock = {"last": time.perf_counter(), "times": []}


def phase_done(name: str) -> None:
    """Ends the phase `name` (its time runs from the previous phase's end); free when off."""
    if PHASE_TIMES:
        now = time.perf_counter()
        _clock["times"].append((name, now - _clock["last"]))
        _clock["last"] = now


def report_phases() -> None:
    """The phase times so far, one `phase <name> <ms>` line each, on stderr."""
    if PHASE_TIMES:
        for name, seconds in _clock["times"]:
            print(f"phase {name} {seconds * 1000:.1f}", file=sys.stderr)


@contextmanager
def without_cycle_collection(freeze_after: bool = False):
    """A compile allocates millions of small objects and frees almost none until it ends: the cycle
    collector's passes over them cost a seventh of a build and free nothing. Restored after.
    `freeze_after` (the command line, whose process ends with the command): what the compile left
    is moved out of the collector's sight (gc.freeze) rather than scanned once more on the way out."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze_after:
            gc.freeze()
        if enabled:
            gc.enable()


def compile_folder(folder: Path) -> Model:
    return compile_with_hints(folder)[0]


def compile_with_hints(folder: Path) -> tuple[Model, RenameHints]:
    """The model of the spec and what the spec says beside it: renamed_from and backfill_sql
    (which the diff alone uses), the declared access rules (which verify's probes judge by)."""
    model, hints, _ = compile_with_warnings(folder)
    return model, hints


def compile_with_warnings(folder: Path) -> tuple[Model, RenameHints, list[Diagnostic]]:
    """The model, its hints, and the warnings about the spec as written (W1xx: access rules
    that are slow or risky), which every build and plan prints."""
    model, hints, warnings, _ = _compiled(folder)
    return model, hints, warnings


def _compiled(folder: Path) -> tuple[Model, RenameHints, list[Diagnostic], LayoutSetting]:
    """compile_with_warnings, and the project's layout settings (which only a build reads)."""
    phase_done("cli")
    progress.step(f"loading {folder}")
    cache = LoadCache(cache_file(folder))  # files loaded before, by content (outside build/)
    sources = load_folder(folder, cache)   # load: YAML with positions
    phase_done("load")
    progress.step(f"checking the shape of {len(sources)} files")
    check_shape(sources)                   # shape: spec.schema.json
    remember(cache, sources)
    phase_done("shape")
    spec = merge(sources)                  # one spec from every file
    progress.size(len(spec.tables))        # a big spec shows every step, a small one only slow ones
    progress.step(f"lowering {len(spec.tables)} tables")
    model, hints = lower_with_hints(spec)  # meaning and model: located errors, or the typed model
    phase_done("lower")
    warnings = access_warnings(spec, model)
    phase_done("access_warnings")
    return model, hints, warnings, read_layout(spec)


def next_migration(schema: Path, out: Path, layout: str | None = None) -> NextMigration:
    """`layout`: --layout, over project.layout; when neither is given, the released layout (atlas
    before any release). Fixed once a migration is released: asking for another is E904."""
    model, hints, spec_warnings, setting = _compiled(schema)
    state = read_state(out)                # released: lock, checksums, migrations in order
    phase_done("read_state")
    where = _placement(setting, layout, state, out)
    result = NextMigration(warnings=spec_warnings, hints=hints, model=model, previous=state.model)
    if state.model is None:
        steps = initial_steps(model)
    else:
        number = len(state.migrations) + 1
        progress.step(f"diffing against {out}")
        changes = diff_models(state.model, model, hints, number)   # diff: unordered operations
        result.warnings += [Diagnostic(code, text, table_place(table, hints, schema, out), severity="warning")
                            for table, text, code in changes.warnings]
        result.warnings += changes.notices
        phase_done("diff")
        steps = steps_of(changes.operations, number)               # order: one or two migrations
        if not steps:
            return result
    phase_done("order")
    progress.step(f"rendering {sum(len(step.operations) for step in steps)} operations")
    result.migrations = [step.name for step in steps]
    result.files, where = _rendered(steps, model, where, state)    # render, in the layout
    phase_done("render")
    result.written = [display_path(where.out / rel) for rel in result.files]
    result.migration = ", ".join(result.migrations)
    result.operations = [op for step in steps for op in step.operations]
    result.summary = [f"{len(result.operations)} operations"]
    _add_lock_and_sum(result.files, model, state, where, result.migrations,
                      changes.unchanged if state.model is not None else frozenset())
    phase_done("lock_and_sum")
    return result


def _placement(setting: LayoutSetting, override: str | None, state: BuildState, out: Path) -> Placement:
    """Where this build writes: the layout asked for, which must be the released one (E904); the
    released one when nothing asks (a team that passed --layout once need not repeat it)."""
    released = state.layout
    follows = not (override or setting.layout) and bool(state.migrations)
    name = override or setting.layout or (released.name if follows else ATLAS)
    where = Location(display_path(out / LOCK)) if override else setting.where or Location(display_path(out / LOCK))
    if name not in LAYOUTS:
        raise CompileError([Diagnostic("E904", f"unknown migration layout {name!r}", where,
                                       f"one of {', '.join(LAYOUTS)}")])
    if name == ATLAS and setting.migrations_dir:
        raise CompileError([Diagnostic("E904", "project.migrations_dir is for the layouts other than atlas, whose "
                                       "migrations stay in the build folder", setting.where,
                                       "remove migrations_dir, or choose the layout of your migration runner")])
    folder = setting.migrations_dir if name != ATLAS else None
    if follows and not setting.migrations_dir:
        folder = released.folder
    if state.migrations and (released.name, released.folder) != (name, folder):
        now = f"{name}" + (f" in {folder}" if folder else "")
        then = f"{released.name}" + (f" in {released.folder}" if released.folder else "")
        raise CompileError([Diagnostic("E904", f"{out} released its migrations in the {then} layout; this build asks "
                                       f"for {now}", where, "a layout is fixed by the first build: keep the "
                                       f"released one ({then}), or start a new build folder")])
    return Placement(out, lockfile.Layout(name, dict(released.versions), folder))


def fresh_build(model: Model) -> str:
    """The `up` SQL of the initial migration of `model`, as `build` writes it into an empty build
    folder. A build from nothing is always one migration (initial_steps: an enum is created with
    all its values, so no value split is needed), hence one text; apply it as a migration
    (compiler.migrate.apply.apply_text), since it may hold parts outside the transaction."""
    (step,) = initial_steps(model)
    return render_migration(step.name, "up", step.operations, model)


def _rendered(steps: list[Step], model: Model, where: Placement, state: BuildState) -> tuple[dict[str, bytes], Placement]:
    """The files of the new migrations in the layout (keys relative to the build folder), and the
    placement with their versions: each above every version in the layout's folders."""
    files, module = {}, where.module
    if not where.atlas and module.unit_downs:   # a down per statement: only some layouts write them
        from .unit_downs import render_unit_downs
    versions = dict(where.layout.versions)
    taken = [] if where.atlas else _versions_taken(where)
    for step in steps:
        up, down = step.operations, reverse_plan(step.operations)
        migration = Canonical(step.name, render_migration(step.name, "up", up, model),
                              render_migration(step.name, "down", down, model),
                              "" if where.atlas or not module.unit_downs else
                              render_unit_downs(step.name, up, model, module.per_statement))
        first = None if where.atlas else module.first_version(taken)
        for rel, text in module.write(migration, first, where.folder):
            files[where.key(rel)] = text.encode()
            version = None if where.atlas else module.version_of(rel.rsplit("/", 1)[-1])
            taken += [version] if version is not None else []
        if first is not None:
            versions[step.name] = first
    return files, Placement(where.out, lockfile.Layout(where.layout.name, versions, where.layout.folder))


def _versions_taken(where: Placement) -> list[int]:
    """Every version in the layout's folders (the team's hand-written migrations too) and every
    released one."""
    module = where.module
    taken = [int(v) for v in where.layout.versions.values()]
    for folder in module.watched(where.folder):
        directory = where.base / folder
        names = [p.name for p in directory.iterdir() if p.is_file()] if directory.is_dir() else []
        taken += [v for v in map(module.version_of, names) if v is not None]
    return taken


def _add_lock_and_sum(files: dict[str, bytes], model: Model, state: BuildState, where: Placement,
                      written: list[str], unchanged: frozenset = frozenset()) -> None:
    """The lock records the model, the migration list and the history (what this build changed,
    when it is not the first), and the layout with its versions; the sum covers every released
    file."""
    history = state.history
    if state.model is not None:
        history = history + [lockfile.history_entry(state.model, model, written, unchanged)]
    lock = lockfile.dump(model, state.migrations + written, history, where.layout).encode()
    released = released_files(where.out, state.migrations, state.layout)[:-1] if state.migrations else []
    files[SUM] = checksums.compute(released + list(files.items()) + [(LOCK, lock)]).encode()
    files[LOCK] = lock
