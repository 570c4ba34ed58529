"""A canonical migration cut into units, the files a runner applies one by one, and the units
put back together into the canonical text (the exact bytes: the canonical migration stays the
identity that the lock, `atlas_migrate.history` and verify know).

A canonical `up` is its header, then parts under `-- atlas-compile part N/M` markers
(migration_parts). Each transaction part is one unit; an outside part is one unit, or, for a
runner that runs a file as one implicit transaction (where CREATE INDEX CONCURRENTLY must be the
only statement), one unit per statement. The header goes with the first unit.

A unit's file body is its slice of the canonical text with two reversible changes, both lines
commented with ONLY (what only `atlas-compile migrate` runs):
- a runner that wraps each file in a transaction gets no BEGIN and COMMIT of its own;
- a file that must hold one statement gets no session SET (the runner's session settings apply).
Every file but the first starts with a heading of its own, up to its first blank line: which unit
of which migration it is, and the preamble's SETs where the file may hold more than one statement.
"""
from __future__ import annotations

from dataclasses import dataclass

import pglast

from ..migration_parts import marker_matches

ONLY = "-- migrate only: "


@dataclass(frozen=True)
class Unit:
    text: str             # its slice of the canonical text
    transactional: bool   # a transaction part (or a text without parts)
    where: str            # what it is, for the heading: "part 2/3, outside a transaction"


def cut(text: str, per_statement: bool) -> list[Unit]:
    """The units of a canonical text, in order; their texts joined give the text back."""
    found = marker_matches(text)
    if not found:
        return [Unit(text, True, "the whole migration")]
    units = []
    for index, marker in enumerate(found):
        start = 0 if index == 0 else marker.start()
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        where = f"part {marker[1]}/{marker[2]}, {marker[3]}"
        if marker[3] == "transaction" or not per_statement:
            units.append(Unit(text[start:end], marker[3] == "transaction", where))
            continue
        pieces = _per_statement(text[start:end])
        units += [Unit(piece, False, f"{where}, statement {n} of {len(pieces)}") for n, piece in enumerate(pieces, 1)]
    return units


def _per_statement(text: str) -> list[str]:
    """An outside part cut after each statement that is not a session SET (the SETs and comments
    before a statement go with it; what follows the last one goes with the last)."""
    cuts = [_line_end(text, s.stop) for s in _slices(text) if not _is_set(text[s])]
    if not cuts:
        return [text]
    cuts[-1] = len(text)
    return [text[a:b] for a, b in zip([0] + cuts[:-1], cuts)]


def body(unit: Unit, number: int, count: int, name: str, preamble: list[str], *, wraps: bool,
         alone: bool, commits: bool = True, direction: str = "up") -> str:
    """The file body of unit `number` (1-based) of `count`. `wraps`: the runner runs the file in a
    transaction of its own; `alone`: the file must hold one statement; `commits=False`: not even
    that one runs outside a transaction (Supabase's CLI), so a DO block's own COMMITs (a batched
    backfill) are commented: its batches then commit together. A down (compiler/unit_downs.py)
    is cut as an up, its units last file first: its heading names the file of the up it takes
    back."""
    text = unit.text
    slices = _slices(text)
    if wraps and unit.transactional:
        control = [s for s in slices if text[s].upper() in ("BEGIN", "COMMIT")]
        text = _commented(text, [control[0], control[-1]] if len(control) >= 2 else [])
    if alone:
        text = _commented(text, [s for s in slices if _is_set(text[s])])
    if alone and not commits:
        text = _without_commits(text)
    if number == 1:
        return text
    shown = [] if alone else [f"{statement};" for statement in preamble]
    which = f"(up), file {number}/{count}" if direction == "up" else \
        f"(down), takes back file {count + 1 - number}/{count} of the up"
    heading = [f"-- atlas-compile migration {name} {which}: {unit.where}", *shown]
    return "\n".join(heading) + "\n\n" + text


def canonical(bodies: list[str]) -> str:
    """The canonical text of the unit file bodies, in order (the inverse of body)."""
    texts = [b if n == 0 else b.split("\n\n", 1)[1] for n, b in enumerate(bodies)]
    return uncommented("".join(texts))


def uncommented(text: str) -> str:
    return "".join(line[len(ONLY):] if line.startswith(ONLY) else line for line in text.splitlines(keepends=True))


def _commented(text: str, slices: list[slice]) -> str:
    """The lines of these one-line statements commented with ONLY (from the last, so offsets hold)."""
    for s in sorted(slices, key=lambda s: s.start, reverse=True):
        start = text.rfind("\n", 0, s.start) + 1
        end = _line_end(text, s.stop)
        if text[start:s.start].strip() or "\n" in text[s.start:end].rstrip("\n"):
            raise ValueError(f"cannot comment {text[s]!r}: not alone on its line")
        text = text[:start] + ONLY + text[start:]
    return text


def _without_commits(text: str) -> str:
    """The `COMMIT;` lines inside DO blocks commented with ONLY (a plpgsql comment there)."""
    for s in reversed(_slices(text)):
        if text[s][:3].upper() != "DO ":
            continue
        start = text.rfind("\n", 0, s.start) + 1
        lines = text[start:s.stop].splitlines(keepends=True)
        lines = [ONLY + line if line.strip().upper() == "COMMIT;" else line for line in lines]
        text = text[:start] + "".join(lines) + text[s.stop:]
    return text


def _slices(text: str) -> list[slice]:
    try:
        return list(pglast.split(text, only_slices=True))
    except pglast.parser.ParseError as exc:
        raise ValueError(f"unparsable SQL: {exc}") from None


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end + 1


def _is_set(statement: str) -> bool:
    return statement[:4].upper() == "SET "
