"""What every migration layout shares: the canonical migration it writes, the texts it reads
back, and the runner layouts' common writer and reader (units.py cuts, versions.py stamps).

A layout's paths are relative to its base: the build folder for `atlas`, the folder holding it
(the project root) for the others. Each runner layout module says how one unit's files look
(`pack`, `unpack`); this module cuts, names, numbers and checks that what it wrote reads back
as the canonical texts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..migration_parts import split_migration
from . import versions
from .units import Unit, body, canonical, cut


@dataclass(frozen=True)
class Canonical:
    """One canonical migration: its name (NNNN_slug), up and down texts with part markers, and,
    for a layout that keeps one down per file, the units' downs (compiler/unit_downs.py: one part
    per unit of the up, the last unit's first; read back, the migration's down)."""

    name: str
    up: str
    down: str
    unit_down: str = ""

    @property
    def slug(self) -> str:
        return slug_of(self.name)


@dataclass(frozen=True)
class Texts:
    """A released migration read back: its files (in the sum's order) and canonical texts."""

    files: list[str]
    up: str
    down: str
    versions: list[str]   # each unit's version, first to last ([] for atlas)


class MissingFile(Exception):
    """A file a released migration needs is not there; `path` names it (relative to the base)."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


Read = Callable[[str], str]   # a base-relative path -> its text; MissingFile when absent
Exists = Callable[[str], bool]


def slug_of(name: str) -> str:
    return name.split("_", 1)[1] if "_" in name else name


class RunnerLayout:
    """A layout for a runner other than `migrate`. Subclasses set the class attributes and
    implement pack/unpack for one unit's files."""

    name = ""
    folder = ""               # default, relative to the project root
    clock = versions.SEQUENCE
    width = 0                 # zero padding of a sequence version
    per_statement = True      # an outside part is cut into one file per statement
    wraps = True              # the runner runs each file (and each down) in a transaction of its own
    unit_downs = True         # each unit has a down that takes back that unit alone
    commits = True            # a file of one statement runs outside a transaction (a DO block may COMMIT)
    version_pattern = re.compile(r"^(\d+)_")

    # -- what a module says ---------------------------------------------------------------

    def stem(self, version: str, slug: str, number: int) -> str:
        return f"{version}_{slug}" + (f"_part{number}" if number > 1 else "")

    def pack(self, folder: str, stem: str, up: str, down: str | None, outside: bool,
             down_outside: bool) -> list[tuple[str, str]]:
        """The unit's files; `outside`, `down_outside`: its up, its down run outside a transaction."""
        raise NotImplementedError

    def unit_files(self, folder: str, stem: str, exists: Exists) -> list[str]:
        """The unit's files in the sum's order, the first one first (the unit exists when it does)."""
        raise NotImplementedError

    def unpack(self, folder: str, stem: str, read: Read) -> tuple[str, str]:
        """The unit's up body and down body ("" without downs); `read` raises MissingFile, a
        malformed file ValueError."""
        raise NotImplementedError

    def extra(self, folder: str, migration: Canonical, stems: list[str]) -> list[tuple[str, str]]:
        """Files beside the units (Supabase's rollback)."""
        return []

    def extra_files(self, folder: str, stems: list[str]) -> list[str]:
        return []

    def read_extra(self, folder: str, stems: list[str], read: Read) -> str | None:
        """The canonical down, when a file beside the units holds it."""
        return None

    def watched(self, folder: str) -> list[str]:
        """The folders whose files the sum guards (an unlisted file there that claims a released
        version is refused)."""
        return [folder]

    def version_of(self, filename: str) -> int | None:
        match = self.version_pattern.match(filename)
        return int(match[1]) if match else None

    # -- shared ---------------------------------------------------------------------------

    def first_version(self, taken: list[int]) -> str:
        return versions.first(self.clock, taken, self.width)

    def unit_versions(self, first: str, count: int) -> list[str]:
        return [versions.nth(self.clock, first, i, self.width) for i in range(count)]

    def write(self, migration: Canonical, first: str, folder: str) -> list[tuple[str, str]]:
        """The files of one canonical migration, in the sum's order."""
        units = cut(migration.up, self.per_statement)
        stems = [self.stem(v, migration.slug, k) for k, v in enumerate(self.unit_versions(first, len(units)), 1)]
        downs = self._downs(migration, len(units))
        preambles = {"up": split_migration(migration.up).preamble,
                     "down": split_migration(migration.unit_down).preamble if downs else []}
        files = []
        for number, unit in enumerate(units, 1):
            up = self._body(migration.name, preambles["up"], unit, number, len(units), "up")
            down = downs[number - 1] if downs else None
            down_text = down and self._body(migration.name, preambles["down"], down, len(units) + 1 - number,
                                            len(units), "down")
            files += self.pack(folder, stems[number - 1], up, down_text, not unit.transactional,
                               bool(down) and not down.transactional)
        files += self.extra(folder, migration, stems)
        self._check(migration, first, folder, files)
        return files

    def _downs(self, migration: Canonical, count: int) -> list[Unit]:
        """Each unit's down, in the units' order (none for a layout without unit downs)."""
        if not self.unit_downs:
            return []
        downs = cut(migration.unit_down, self.per_statement)[::-1]
        if len(downs) != count:
            raise AssertionError(f"the down of {migration.name} has {len(downs)} units for {count} of the up")
        return downs

    def _body(self, name: str, preamble: list[str], unit: Unit, number: int, count: int, direction: str) -> str:
        alone = self.per_statement and not unit.transactional
        return body(unit, number, count, name, preamble, wraps=self.wraps, alone=alone, commits=self.commits,
                    direction=direction)

    def stems(self, name: str, first: str, folder: str, exists: Exists) -> list[str]:
        """The released migration's units (their stems), found by their first files: the first
        unit always (a missing one is for the sum to report), each next one while it exists."""
        found = []
        while True:
            version = versions.nth(self.clock, first, len(found), self.width)
            stem = self.stem(version, slug_of(name), len(found) + 1)
            if found and not exists(self.unit_files(folder, stem, exists)[0]):
                return found
            found.append(stem)

    def files(self, name: str, first: str, folder: str, exists: Exists) -> list[str]:
        """The released migration's files in the sum's order, without reading them."""
        stems = self.stems(name, first, folder, exists)
        return [path for stem in stems for path in self.unit_files(folder, stem, exists)] + \
            self.extra_files(folder, stems)

    def read(self, name: str, first: str, folder: str, read: Read, exists: Exists) -> Texts:
        stems = self.stems(name, first, folder, exists)
        bodies = [self.unpack(folder, stem, read) for stem in stems]
        down = self.read_extra(folder, stems, read)
        down = canonical([down for _, down in reversed(bodies)]) if down is None else down
        return Texts(self.files(name, first, folder, exists), canonical([up for up, _ in bodies]), down,
                     self.unit_versions(first, len(stems)))

    def _check(self, migration: Canonical, first: str, folder: str, files: list[tuple[str, str]]) -> None:
        """What was written reads back as the canonical texts (a bug here would release files
        that `migrate` and verify read differently from what the build meant)."""
        written = dict(files)

        def read(path: str) -> str:
            if path not in written:
                raise MissingFile(path)
            return written[path]

        back = self.read(migration.name, first, folder, read, written.__contains__)
        down = migration.down if not self.unit_downs else migration.unit_down
        if back.up != migration.up or back.down != down or back.files != [p for p, _ in files]:
            raise AssertionError(f"the {self.name} files of {migration.name} do not read back as written")
