"""build/migrations.sum: a chained checksum over every released migration and the lock.

Each line's hash covers the file and every line before it, so editing, removing or reordering a
released migration changes every hash after it; the build names the first file that differs.
"""
from __future__ import annotations

import hashlib

HEADER = "atlas-compile-sum 1"


def compute(files: list[tuple[str, bytes]]) -> str:
    """files: (relative name, content) in release order, the lock file last."""
    chained = hashlib.sha256(HEADER.encode()).hexdigest()
    lines = []
    for name, content in files:
        chained = hashlib.sha256((chained + name).encode() + hashlib.sha256(content).digest()).hexdigest()
        lines.append(f"{name} {chained}")
    return "\n".join([f"{HEADER} {chained}", *lines]) + "\n"


def parse(text: str) -> list[tuple[str, str]]:
    lines = text.strip("\n").split("\n")
    if not lines or not lines[0].startswith(HEADER):
        raise ValueError("not an atlas-compile checksum file")
    entries = []
    for line in lines[1:]:
        name, _, digest = line.rpartition(" ")
        if not name or len(digest) != 64:
            raise ValueError(f"bad line {line!r}")
        entries.append((name, digest))
    return entries


def first_difference(recorded: list[tuple[str, str]], actual: str) -> str | None:
    """The name of the first file whose chained hash differs, or None when all agree."""
    fresh = parse(actual)
    for (name, digest), (fresh_name, fresh_digest) in zip(recorded, fresh):
        if name != fresh_name or digest != fresh_digest:
            return name
    if len(recorded) != len(fresh):
        longer = recorded if len(recorded) > len(fresh) else fresh
        return longer[min(len(recorded), len(fresh))][0]
    return None
