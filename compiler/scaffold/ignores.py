"""Keep what must be committed out of .gitignore's reach. `init` writes the spec and build/ will
hold the schema lock and the released migrations, which `build --check` compares: a .gitignore
that ignores them (`build/`, `build/**`, `*.sql`, `*.json`, ...) loses them silently. Inside a git
work tree git itself is asked (`git check-ignore --no-index -v`), negations are added where they
re-include the files (a file under an excluded folder needs the folder re-included first), and
git is asked again; whatever it still ignores is named. Outside one, .gitignore is read for
lines that ignore build/."""
from __future__ import annotations

import os
import posixpath
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import CompileError
from ..pipeline import next_migration

GITIGNORE = ".gitignore"
HEADER = "# atlas-compile: the spec, the schema lock and the released migrations must be committed\n"
# the first build's files, when the dry run cannot tell (it always can for init's own spec)
FIRST_BUILD = ("build/schema.lock.json", "build/migrations.sum", "build/migrations/0001_initial.up.sql",
               "build/migrations/0001_initial.down.sql")
# .gitignore lines that would keep build/ out of git (the check made without git)
IGNORES_BUILD = re.compile(r"^/?build(/|/\*+)?$")
OUTSIDE_GIT_LINES = ("!/build/", "!/build/**")


@dataclass
class IgnoreCheck:
    asked_git: bool
    added: list[str] = field(default_factory=list)           # lines appended to .gitignore
    still_ignored: dict[str, str] = field(default_factory=dict)   # path -> the rule git names
    created: bool = False                                    # .gitignore did not exist before


def first_build_files(directory: Path) -> list[str]:
    """The files the first `atlas-compile build` will write, relative to `directory`: a dry run
    into a throwaway build folder (the layout decides the names), nothing written here."""
    with tempfile.TemporaryDirectory() as scratch:
        try:
            result = next_migration(directory / "schema", Path(scratch) / "build")
        except CompileError:
            return list(FIRST_BUILD)
    return [posixpath.normpath(f"build/{rel}") for rel in result.files]


def keep_committed(directory: Path, files: list[str]) -> IgnoreCheck:
    """Make .gitignore let `files` (relative to `directory`) be committed, asking git when
    `directory` is in a work tree; what is added and what git still ignores."""
    if not _in_work_tree(directory):
        return _without_git(directory)
    check = IgnoreCheck(asked_git=True, created=not (directory / GITIGNORE).exists())
    if _folder_ignored(directory):   # a line here cannot re-include what an ignored folder holds
        check.created = False
        check.still_ignored = _ignored(directory, files)
        return check
    folders = sorted({posixpath.dirname(f) for f in files if "/" in f})
    growing = {f for f in folders if f == "schema" or f.startswith("schema/")} | \
        {posixpath.dirname(f) for f in files if f.endswith(".sql")}
    parents = sorted({"/".join(f.split("/")[:depth]) for f in folders for depth in range(1, f.count("/") + 2)},
                     key=lambda d: (d.count("/"), d))
    for depth in sorted({d.count("/") for d in parents}):   # a folder's parent is re-included first
        level = [d for d in parents if d.count("/") == depth]
        _append(directory, check, [f"!/{d.rstrip('/')}/" for d in _ignored(directory, [d + "/" for d in level])])
    lines = []
    for path in _ignored(directory, files):
        folder = posixpath.dirname(path)
        line = f"!/{folder}/**" if folder in growing else f"!/{path}"
        if line not in lines:
            lines.append(line)
    _append(directory, check, lines)
    check.still_ignored = _ignored(directory, files)
    if check.created and not check.added:
        check.created = False
    return check


def _without_git(directory: Path) -> IgnoreCheck:
    """No git to ask: a .gitignore line that ignores build/ gets negations that work for each of
    them (`build/`, `build`, `build/**`, `/build/*`); other patterns go unseen."""
    check = IgnoreCheck(asked_git=False)
    path = directory / GITIGNORE
    if not path.exists():
        return check
    ignored = False
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if IGNORES_BUILD.match(line):
            ignored = True
        elif line.startswith("!") and IGNORES_BUILD.match(line[1:]):
            ignored = False
    if ignored:
        _append(directory, check, list(OUTSIDE_GIT_LINES))
    return check


def _append(directory: Path, check: IgnoreCheck, lines: list[str]) -> None:
    if not lines:
        return
    path = directory / GITIGNORE
    text = path.read_bytes() if path.exists() else b""
    lead = "" if not text or text.endswith(b"\n") else "\n"
    head = "" if check.added else ("\n" if text else "") + HEADER
    with open(path, "ab") as handle:
        handle.write((lead + head + "".join(line + "\n" for line in lines)).encode())
    check.added += lines


def _in_work_tree(directory: Path) -> bool:
    try:
        done = subprocess.run(["git", "-C", str(directory), "rev-parse", "--is-inside-work-tree"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and done.stdout.strip() == "true"


def _folder_ignored(directory: Path) -> bool:
    """Whether `directory` itself, or a folder above it in the work tree, is ignored."""
    done = subprocess.run(["git", "-C", str(directory), "rev-parse", "--show-toplevel", "--show-prefix"],
                          capture_output=True, text=True, timeout=30)
    top, prefix = (done.stdout.split("\n") + ["", ""])[:2]
    parts = [p for p in prefix.split("/") if p]
    folders = ["/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
    return done.returncode == 0 and bool(_ignored(Path(top), folders))


def _ignored(directory: Path, paths: list[str]) -> dict[str, str]:
    """The paths git ignores (a folder: with a trailing /), each with the rule that does it
    (`source:line:pattern`); a path a negation matched last is not ignored."""
    if not paths:
        return {}
    done = subprocess.run(["git", "-C", str(directory), "check-ignore", "--no-index", "-v", "-n", "-z", "--stdin"],
                          input="\0".join(paths) + "\0", capture_output=True, text=True, timeout=60)
    if done.returncode not in (0, 1):
        raise OSError(f"git check-ignore failed: {done.stderr.strip()}")
    fields = done.stdout.split("\0")
    found = {}
    for source, line, pattern, path in zip(fields[0::4], fields[1::4], fields[2::4], fields[3::4]):
        if pattern and not pattern.startswith("!"):
            found[path] = f"{_shown_source(directory, source)}:{line}:{pattern}"
    return found


def _shown_source(directory: Path, source: str) -> str:
    """git names a .gitignore relative to the top of the work tree: say it from `directory`."""
    if Path(source).is_absolute():
        return source
    done = subprocess.run(["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
                          capture_output=True, text=True, timeout=30)
    return os.path.relpath(Path(done.stdout.strip()) / source, directory) if done.returncode == 0 else source
