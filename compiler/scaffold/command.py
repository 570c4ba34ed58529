"""`atlas-compile init [DIR]`: scaffold a project that builds at once, or refuse (exit 1, nothing
written) when DIR already holds a spec or any file init would write. A file git would still
ignore after init's .gitignore lines is a warning, not a failure: the project is written."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..reporting import report_failure
from .files import PRE_COMMIT, existing, planned
from .ignores import GITIGNORE, IgnoreCheck, first_build_files, keep_committed


def run_init(directory: Path, *, layout: str | None = None, fmt: str = "text") -> int:
    """Write the project into `directory` (created when missing); print what was written and
    what to do next. `layout` None: project.layout is left to its default (atlas)."""
    plan = planned(directory, layout)
    clashes = existing(directory, plan)
    if clashes:
        report_failure(fmt, f"atlas-compile: {directory} already holds {', '.join(clashes)}; "
                            "init writes into a folder without a spec and overwrites nothing", title="init")
        return 1
    for rel, data in plan.files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_new(path, data)
    try:
        ignores = keep_committed(directory, list(plan.files) + first_build_files(directory))
    except OSError as error:   # git failed in a way init cannot read: say so, the project is written
        ignores = IgnoreCheck(asked_git=False)
        plan.notes.append(f"could not check {GITIGNORE} with git: {error}")
    notes = plan.notes + _ignore_notes(ignores)
    warning = _still_ignored(ignores)
    if fmt == "json":
        print(json.dumps({"ok": True, "directory": str(directory), "written": list(plan.files),
                          "gitignore": {"asked_git": ignores.asked_git, "added": ignores.added,
                                        "still_ignored": sorted(ignores.still_ignored)},
                          "notes": notes, "warnings": [warning] if warning else [],
                          "pre_commit_snippet": plan.pre_commit_snippet}, indent=2))
        return 0
    for rel in plan.files:
        print(f"wrote {directory / rel}")
    if ignores.added:
        print(f"{'wrote' if ignores.created else 'added to'} {directory / GITIGNORE}: {', '.join(ignores.added)}")
    for note in notes:
        print(f"note: {note}")
    if plan.pre_commit_snippet:
        print(f"{directory / PRE_COMMIT} exists: add this to its repos:")
        print("\n".join("  " + line for line in plan.pre_commit_snippet.splitlines()[1:]))
    where = "" if directory.resolve() == Path.cwd().resolve() else f"cd {directory} && "
    print(f"next: {where}atlas-compile build   (writes the first migration; commit schema/ and build/)")
    if warning:
        print(f"atlas-compile: warning: {warning}", file=sys.stderr)
    return 0


def _ignore_notes(ignores: IgnoreCheck) -> list[str]:
    if not ignores.asked_git:
        negated = " (and negated them)" if ignores.added else ""
        return [f"not inside a git work tree (or no git): could not ask git which files {GITIGNORE} ignores; "
                f"checked only its lines that ignore build/{negated}. After git init, `git status --ignored` "
                "shows what stays out"]
    if ignores.added and not ignores.still_ignored:
        return [f"git ignored files that must be committed (the spec, the schema lock, the released migrations, "
                f"which build --check compares): {GITIGNORE} now re-includes them"]
    return []


def _still_ignored(ignores: IgnoreCheck) -> str | None:
    if not ignores.still_ignored:
        return None
    listed = ", ".join(f"{path} ({rule})" for path, rule in sorted(ignores.still_ignored.items()))
    return (f"git still ignores {listed}: change the rule git names (a {GITIGNORE} here cannot re-include "
            "the files of a folder that is itself ignored), or commit them with `git add -f`")


def _write_new(path: Path, data: bytes) -> None:
    """Create the file, failing rather than overwriting one that appeared since the check."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
