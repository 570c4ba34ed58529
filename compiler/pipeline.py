"""The compile pipeline, read top to bottom:

    load -> shape -> meaning and model -> released state -> diff -> order -> render -> files

Each step is one function of its own module; this module only passes one step's result to the
next. `atlas-compile build` writes `NextMigration.files`; `atlas-compile plan` prints its
operations. Nothing here touches the disk but to read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import checksums, lockfile
from .diagnostics import Diagnostic
from .diff import diff_models
from .lower import lower_with_hints
from .lower.access_warnings import access_warnings
from .meaning.hints import RenameHints
from .model import Model
from .ordering import Step, initial_steps, reverse_plan, steps_of
from .released import LOCK, MIGRATIONS, SUM, BuildState, read_state, released_files, table_place
from .render import render_migration
from .source.loader import load_folder
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
    sources = load_folder(folder)          # load: YAML with positions
    check_shape(sources)                   # shape: spec.schema.json
    spec = merge(sources)                  # one spec from every file
    model, hints = lower_with_hints(spec)  # meaning and model: located errors, or the typed model
    return model, hints, access_warnings(spec, model)


def next_migration(schema: Path, out: Path) -> NextMigration:
    model, hints, spec_warnings = compile_with_warnings(schema)
    state = read_state(out)                # released: lock, checksums, migrations in order
    result = NextMigration(warnings=spec_warnings, hints=hints)
    if state.model is None:
        steps = initial_steps(model)
    else:
        number = len(state.migrations) + 1
        changes = diff_models(state.model, model, hints, number)   # diff: unordered operations
        result.warnings += [Diagnostic(code, text, table_place(table, hints, schema, out), severity="warning")
                            for table, text, code in changes.warnings]
        result.warnings += changes.notices
        steps = steps_of(changes.operations, number)               # order: one or two migrations
        if not steps:
            return result
    result.files = _rendered(steps, model)                         # render
    result.migrations = [step.name for step in steps]
    result.migration = ", ".join(result.migrations)
    result.operations = [op for step in steps for op in step.operations]
    result.summary = [f"{len(result.operations)} operations"]
    _add_lock_and_sum(result.files, model, state, out)
    return result


def fresh_build(model: Model) -> str:
    """The `up` SQL of the initial migration of `model`, as `build` writes it into an empty build
    folder. A build from nothing is always one migration (initial_steps: an enum is created with
    all its values, so no value split is needed), hence one text; apply it as a migration
    (compiler.migrate.apply.apply_text), since it may hold parts outside the transaction."""
    (step,) = initial_steps(model)
    return render_migration(step.name, "up", step.operations, model)


def _rendered(steps: list[Step], model: Model) -> dict[str, bytes]:
    files = {}
    for step in steps:
        up = step.operations
        files[f"{MIGRATIONS}/{step.name}.up.sql"] = render_migration(step.name, "up", up, model).encode()
        files[f"{MIGRATIONS}/{step.name}.down.sql"] = render_migration(
            step.name, "down", reverse_plan(up), model).encode()
    return files


def _add_lock_and_sum(files: dict[str, bytes], model: Model, state: BuildState, out: Path) -> None:
    """The lock records the model, the migration list and the history (what this build changed,
    when it is not the first); the sum covers every released file."""
    written = [rel.split("/")[1].removesuffix(".up.sql") for rel in files if rel.endswith(".up.sql")]
    history = state.history
    if state.model is not None:
        history = history + [lockfile.history_entry(state.model, model, written)]
    lock = lockfile.dump(model, state.migrations + written, history).encode()
    released = released_files(out, state.migrations)[:-1] if state.migrations else []
    files[SUM] = checksums.compute(released + list(files.items()) + [(LOCK, lock)]).encode()
    files[LOCK] = lock
