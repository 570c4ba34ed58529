"""Writes a build's files so that a failure leaves build/ as it was.

Every file is written to a temporary file in its own folder, flushed, then renamed into place;
the lock file, which marks a build complete, is renamed last. A crash before that leaves only
an unreleased migration the next build rewrites with identical bytes.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .build import LOCK, SUM


def write_files(out: Path, files: dict[str, bytes]) -> None:
    staged: list[tuple[Path, Path]] = []
    try:
        for rel in sorted(files, key=lambda r: (r in (SUM, LOCK), r == LOCK, r)):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(files[rel])
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((Path(tmp), target))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


def differs(out: Path, files: dict[str, bytes]) -> list[str]:
    """Files whose bytes on disk are not what the build would write."""
    return [rel for rel in sorted(files) if not (out / rel).exists() or (out / rel).read_bytes() != files[rel]]
