"""A cache of loaded spec files, keyed by their content: a file whose bytes a build has loaded and
shape-checked before is not parsed again (its data come back through marshal, a few
milliseconds for a thousand tables instead of a fifth of a second).

It lives outside the project: $ATLAS_CACHE_DIR, else $XDG_CACHE_HOME/atlas-compile, else
~/.cache/atlas-compile; `ATLAS_CACHE_DIR=off` turns it off. One file per schema folder, holding
the entries of that folder's current files only, replaced whole (write, then rename). The build
folder never holds it, so `build --check`, the checksums and a failed build's "nothing written"
are untouched. An entry is trusted only when the compiler's own loader, PyYAML, Python and the
JSON Schema are those that wrote it (`FORMAT`) and its bytes match their digest; anything else,
an unreadable file included, is a miss. A miss costs a parse, never a different output."""
from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path

import yaml

from . import construct, loader, positions
from .shape import schema_text

KEEP = 64   # cache files (schema folders) kept; a save drops the least recently written beyond
# (key position, value position) of the paths a build asks for on every table: (), a section,
# an object (hints.places, most warnings). Deeper ones are read again from the file's text.
Top = dict


def cache_file(folder: Path) -> Path | None:
    setting = os.environ.get("ATLAS_CACHE_DIR")
    if setting is not None and setting.strip().lower() in ("", "off", "0", "no"):
        return None
    if setting:
        base = Path(setting)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "atlas-compile"
    name = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return base / f"load-{name}.marshal"


@lru_cache(maxsize=1)
def format_tag() -> bytes:
    """What an entry's meaning depends on: this loader's code, PyYAML, Python, the schema."""
    digest = hashlib.sha256()
    for module in (construct, loader, positions, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(f"{yaml.__version__} {sys.version} {marshal.version}".encode())
    digest.update(schema_text().encode())
    return digest.digest()


class LoadCache:
    """The entries of one schema folder: content digest -> marshalled (data, top positions)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[bytes, bytes] = self._read() if path is not None else {}
        self.kept: dict[bytes, bytes] = {}
        self.changed = False

    def _read(self) -> dict[bytes, bytes]:
        try:
            tag, entries = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if tag != format_tag() or not isinstance(entries, dict):
            return {}
        return {key: blob for key, (check, blob) in _pairs(entries)
                if isinstance(blob, bytes) and hashlib.sha256(blob).digest() == check}

    def get(self, digest: bytes):
        """(data, top positions) of a file with this content digest, or None."""
        blob = self.entries.get(digest)
        if blob is None:
            return None
        try:
            data, top = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or not (top is None or isinstance(top, dict)):
            return None
        self.kept[digest] = blob
        return data, top

    def put(self, digest: bytes, data: dict, top: Top | None) -> None:
        self.kept[digest] = marshal.dumps((data, top))
        self.changed = True

    def save(self) -> None:
        """Writes the entries of this build's files, when any is new or one has gone; quietly
        gives up when the cache folder cannot be written (a read-only home in CI)."""
        if self.path is None or not (self.changed or set(self.entries) != set(self.kept)):
            return
        entries = {key: (hashlib.sha256(blob).digest(), blob) for key, blob in self.kept.items()}
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps((format_tag(), entries)))
            os.replace(temporary, self.path)
            _prune(self.path.parent)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()


def _prune(folder: Path) -> None:
    """At most KEEP cache files: a machine that builds many throwaway folders (a test suite)
    does not fill its cache folder."""
    files = sorted(folder.glob("load-*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)


def _pairs(entries: dict):
    for key, value in entries.items():
        if isinstance(key, bytes) and isinstance(value, tuple) and len(value) == 2:
            yield key, value


def top_positions(source) -> Top | None:
    """The positions of (), each section and each object of a file read from its nodes."""
    if source.positions is None:
        return None
    find = source.positions.find
    top = {(): find(())}
    for section, objects in source.data.items():
        top[(section,)] = find((section,))
        if isinstance(objects, dict):
            for name in objects:
                top[(section, name)] = find((section, name))
    return top


def remember(cache: LoadCache, sources: list) -> None:
    """After a shape check that passed: every file parsed by this build into the cache (a file
    with merge keys keeps its recorded positions, which the cache cannot give back: left out)."""
    for source in sources:
        if not source.checked and source.digest is not None and not isinstance(source.positions,
                                                                                positions.RecordedPositions):
            cache.put(source.digest, source.data, top_positions(source))
    cache.save()
