"""Reads a migration file into its parts (README.md, "Zero-downtime migrations"): the preamble
of session `SET`s, then parts that run in a transaction or outside one, each marked by a line
`-- atlas-compile part N/M: transaction|outside a transaction`. A file without markers (the
format of migrations released before parts existed) is one transaction part. Pure: no database."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pglast

MARKER = re.compile(r"^-- atlas-compile part (\d+)/(\d+): (transaction|outside a transaction)[ \t]*$", re.M)
_SESSION_SET = re.compile(r"^SET\s+(?!LOCAL\b)", re.I)
_BEGIN = re.compile(r"^(BEGIN|START\s+TRANSACTION)\b", re.I)
_COMMIT = re.compile(r"^(COMMIT|END)\b", re.I)
_CONTROL = re.compile(r"^(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b", re.I)


@dataclass(frozen=True)
class Part:
    """One part: `statements` without the part's own BEGIN and COMMIT, which the runner sends."""

    number: int
    transactional: bool
    statements: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "transaction" if self.transactional else "outside a transaction"


@dataclass(frozen=True)
class Migration:
    preamble: list[str]
    parts: list[Part]


def split_migration(text: str) -> Migration:
    """The file's preamble and parts; ValueError when the markers or the statements between them
    do not follow the format (a runner must not guess what runs where)."""
    markers = marker_matches(text)
    if not markers:
        statements = _statements(text)
        preamble = []
        while statements and _SESSION_SET.match(statements[0]):
            preamble.append(statements.pop(0))
        body = _transaction_body(statements, "the migration") if statements else None
        return Migration(preamble, [Part(1, True, body)] if body else [])
    preamble = _statements(text[: markers[0].start()])
    for statement in preamble:
        if not _SESSION_SET.match(statement):
            raise ValueError(f"only session SETs may come before the first part: {_first_line(statement)}")
    total = int(markers[0][2])
    parts = []
    for index, marker in enumerate(markers):
        number, count, kind = int(marker[1]), int(marker[2]), marker[3]
        if number != index + 1 or count != total:
            raise ValueError(f"part marker {number}/{count} where part {index + 1}/{total} was expected")
        end = markers[index + 1].start() if index + 1 < len(markers) else len(text)
        statements = _statements(text[marker.end(): end])
        where = f"part {number}/{total}"
        if kind == "transaction":
            parts.append(Part(number, True, _transaction_body(statements, where)))
        else:
            for statement in statements:
                if _CONTROL.match(statement):
                    raise ValueError(f"{where} runs outside a transaction but holds {_first_line(statement)}")
            parts.append(Part(number, False, statements))
    if len(parts) != total:
        raise ValueError(f"the file announces {total} parts but marks {len(parts)}")
    return Migration(preamble, parts)


def marker_matches(text: str) -> list[re.Match]:
    """Marker lines outside any statement (a line like one inside a $$ body is the body's)."""
    found = list(MARKER.finditer(text))
    if not found:
        return []
    try:
        slices = list(pglast.split(text, only_slices=True))
    except pglast.parser.ParseError as exc:
        raise ValueError(f"unparsable SQL: {exc}") from None
    return [m for m in found if not any(s.start < m.start() < s.stop for s in slices)]


def _statements(text: str) -> list[str]:
    try:
        return [s.strip() for s in pglast.split(text)]
    except pglast.parser.ParseError as exc:
        raise ValueError(f"unparsable SQL: {exc}") from None


def _transaction_body(statements: list[str], where: str) -> list[str]:
    """A transaction part's statements without its BEGIN and COMMIT (both or neither)."""
    body = list(statements)
    if body and _BEGIN.match(body[0]):
        if len(body) < 2 or not _COMMIT.match(body[-1]):
            raise ValueError(f"{where} opens a transaction it does not commit")
        body = body[1:-1]
    for statement in body:
        if _CONTROL.match(statement):
            raise ValueError(f"{where} holds {_first_line(statement)} between its statements")
    return body


def _first_line(statement: str) -> str:
    return statement.splitlines()[0] if statement else ""
