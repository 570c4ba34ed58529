"""The isolation part of ``atlas-compile verify``: seed two tenants, run every probe family
(:mod:`compiler.isolation`), one :class:`Check` per finding (area "isolation"): the subject is
the table (or view, function), the check the probe (``[subject]`` added: the command, the
foreign key, the sequence), the actor and the statement tried as the finding has them."""
from __future__ import annotations

from typing import Callable, Mapping

import psycopg

from ..isolation import Finding, probe_isolation
from ..model import DeclaredAccess, Model
from .checks import Check

AREA = "isolation"


def check_isolation(conn: psycopg.Connection, model: Model, progress: Callable[[str], None] | None = None, *,
                    consume_sequences: bool = True, access: Mapping[str, DeclaredAccess] | None = None) -> list[Check]:
    """Seed and probe through ``conn`` (a superuser connection).  The seed is committed unless
    the caller wraps the call in a transaction; with ``consume_sequences=False`` (inside a
    transaction rolled back) every sequence is left as it was.  ``access``: the spec's rules
    (``compile_with_hints(...)[1].access``), which the access rule probes judge by."""
    if progress:
        progress("isolation: seeding tenants A and B")
    report = probe_isolation(conn, model, consume_sequences=consume_sequences, progress=progress, access=access)
    return [to_check(f) for f in report.findings]


def to_check(finding: Finding) -> Check:
    check = finding.probe + (f"[{finding.subject}]" if finding.subject else "")
    return Check(AREA, finding.table, check, finding.status, finding.detail, actor=finding.actor,
                 statement=finding.statement)
