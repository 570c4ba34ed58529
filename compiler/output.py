"""Writes a build's files so that a failure leaves build/ exactly as it was.

Every file is written to a temporary file beside its target and flushed; then each target is
swapped in, the previous version kept aside until all swaps succeeded. Any failure puts every
previous version back and removes every temporary file, and every folder the build created. The
lock file, which marks a build complete, is swapped in last. A layout other than atlas writes
beside the build folder (`../supabase/migrations/...`): the same rules hold there.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .released import LOCK, SUM


def _file_mode() -> int:
    """What open() would give a new file: mkstemp makes its files 0600 whatever the umask, and
    build/ is read by others (psql as postgres, CI, a reviewer's editor)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _stage(target: Path, content: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _file_mode())
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _target(out: Path, rel: str) -> Path:
    """Where a file goes: `../` taken literally (the build folder need not exist yet)."""
    return Path(os.path.normpath(out / rel))


def _missing_folders(out: Path, files: dict[str, bytes]) -> set[Path]:
    missing = set()
    for folder in {_target(out, rel).parent for rel in files} | {Path(os.path.normpath(out))}:
        while not folder.exists() and folder not in missing:
            missing.add(folder)
            folder = folder.parent
    return missing


def write_files(out: Path, files: dict[str, bytes]) -> None:
    created_dirs = _missing_folders(out, files)
    staged: list[tuple[Path, Path]] = []
    swapped: list[tuple[Path, bytes | None]] = []   # (target, its previous bytes)
    try:
        for rel in sorted(files, key=lambda r: (r in (SUM, LOCK), r == LOCK, r)):
            staged.append((_stage(_target(out, rel), files[rel]), _target(out, rel)))
        for tmp, target in staged:
            previous = target.read_bytes() if target.exists() else None
            os.replace(tmp, target)   # atomic: the target holds either version, never a mix
            swapped.append((target, previous))
    except BaseException:
        _roll_back(swapped)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for folder in sorted(created_dirs, key=lambda p: len(p.parts), reverse=True):
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
        raise


def _roll_back(swapped: list[tuple[Path, bytes | None]]) -> None:
    """Puts back every file already swapped; keeps going if one of them fails."""
    for target, previous in reversed(swapped):
        try:
            if previous is None:
                target.unlink(missing_ok=True)
            else:
                tmp = _stage(target, previous)
                try:
                    os.replace(tmp, target)
                finally:
                    tmp.unlink(missing_ok=True)
        except OSError:
            continue


def differs(out: Path, files: dict[str, bytes]) -> list[str]:
    """Files whose bytes on disk are not what the build would write."""
    return [rel for rel in sorted(files)
            if not _target(out, rel).exists() or _target(out, rel).read_bytes() != files[rel]]
