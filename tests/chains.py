"""A small project built in four steps into one build folder (tests of the lock history and
of `verify`'s chain round trip): a table, then an enum column and a new column, then an enum
value used as the new default (a build that writes two migrations), then a rename and a
dropped column."""
from __future__ import annotations

import shutil
from pathlib import Path

from helpers import MIGRATION_CASES

from compiler.output import write_files
from compiler.pipeline import compile_folder, next_migration

BASE = MIGRATION_CASES / "_base" / "schema"

_NOTES = """tables:
  {name}:{renamed}
    comment: "Free-text notes."
    columns:
      id: {{type: uuid, primary_key: true, default_sql: gen_random_uuid()}}
      title: {{type: text, nullable: false}}
{columns}"""

STEPS = [
    {"notes.yaml": _NOTES.format(name="notes", renamed="", columns="      body: {type: text}\n")},
    {"note_kind.yaml": "enums:\n  note_kind: [general, sales]\n",
     "notes.yaml": _NOTES.format(name="notes", renamed="", columns=(
         "      body: {type: text}\n"
         "      kind: {type: note_kind, nullable: false, default: general}\n"
         "      pinned: {type: boolean, nullable: false, default: false}\n"))},
    {"note_kind.yaml": "enums:\n  note_kind: [general, sales, todo]\n",
     "notes.yaml": _NOTES.format(name="notes", renamed="", columns=(
         "      body: {type: text}\n"
         "      kind: {type: note_kind, nullable: false, default: todo}\n"
         "      pinned: {type: boolean, nullable: false, default: false}\n"))},
    {"note_kind.yaml": "enums:\n  note_kind: [general, sales, todo]\n",
     "memos.yaml": _NOTES.format(name="memos", renamed="\n    renamed_from: notes", columns=(
         "      kind: {type: note_kind, nullable: false, default: todo}\n"
         "      pinned: {type: boolean, nullable: false, default: false}\n"))},
]


def write_spec(folder: Path, files: dict[str, str]) -> Path:
    """The shared base (organizations, auth_users) plus `files`."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(BASE, folder)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build_chain(root: Path, steps: list[dict] = STEPS) -> tuple[Path, list[tuple[list[str], Path]]]:
    """Builds every step into root/build; returns the build folder and, per step, the
    migrations its build wrote and its spec folder."""
    out = root / "build"
    built = []
    for number, files in enumerate(steps, 1):
        spec = write_spec(root / f"spec{number}", files)
        result = next_migration(spec, out)
        assert result.files, f"step {number} changes nothing"
        write_files(out, result.files)
        built.append((result.migrations, spec))
    return out, built


def compiled(spec: Path):
    return compile_folder(spec)
