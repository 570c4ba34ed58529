"""What many test files share: where the case folders are, how cases are found, the command
line as users run it, and a folder read into a comparable tree."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from compiler.pipeline import next_migration

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
SNAPSHOT_CASES = CASES / "snapshots"      # small specs: built, applied, probed, snapshotted
MIGRATION_CASES = CASES / "migrations"    # before/after specs: one migration each
ERROR_CASES = CASES / "errors"            # bad specs with their exact stderr


def snapshot_cases() -> list[str]:
    """Names of the small specs (each a folder with a schema/ folder)."""
    return sorted(p.name for p in SNAPSHOT_CASES.iterdir() if (p / "schema").is_dir())


def migration_cases() -> list[Path]:
    """Folders of the migration cases (family/name, each with a case.yaml); `_` folders hold
    shared parts, not cases."""
    return sorted(p.parent for p in MIGRATION_CASES.glob("*/*/case.yaml") if not p.parent.parent.name.startswith("_"))


def error_cases() -> list[str]:
    return sorted(p.name for p in ERROR_CASES.iterdir() if p.is_dir())


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (hidden ones included) -> bytes; {} when it does not exist."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli_command() -> list[str]:
    """The installed console script next to this interpreter, else the module itself."""
    script = Path(sys.executable).parent / "atlas-compile"
    if script.exists():
        return [str(script)]
    found = shutil.which("atlas-compile")
    if found:
        return [found]
    return [sys.executable, "-m", "compiler.cli"]


def run_cli(*args: str, cwd: Path = ROOT, hash_seed: str | None = "0", timeout: float = 300,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """The command line as users run it, importing this checkout's compiler. The hash seed is
    pinned so that a failure reproduces (None: the interpreter's own random seed)."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    if hash_seed is not None:
        env["PYTHONHASHSEED"] = hash_seed
    else:
        env.pop("PYTHONHASHSEED", None)
    return subprocess.run([*cli_command(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout)


def initial_up(schema: Path, out: Path) -> str:
    """The SQL of the first migration a fresh build of `schema` writes (into nothing on disk)."""
    return next_migration(schema, out).files["migrations/0001_initial.up.sql"].decode()
