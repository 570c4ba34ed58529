"""What `atlas-compile verify` reports: one :class:`Check` per thing proven (a migration step, a
catalog fact, a probe as one actor), with its verdict, and the statement that got through when
a probe failed.  Every part of verify (the chain round trip, the live catalog check, the
isolation probes) returns a list of these; the command prints them as text or JSON."""
from __future__ import annotations

from dataclasses import asdict, dataclass

PASS = "pass"     # proven
FAIL = "fail"     # the database does not do what the spec promises (a leak, a drift, a lost row)
ERROR = "error"   # the check could not be run meaningfully (counts as a failure for the exit code)
SKIP = "skip"     # not applicable here, with the reason in `detail` (never a failure)

AREAS = ("chain", "catalog", "isolation")


@dataclass(frozen=True)
class Check:
    area: str                    # one of AREAS
    subject: str                 # "public.leads", "0003_rename_x", "public.current_user_org_ids"
    check: str                   # "up_matches_fresh_build", "rls_forced", "select_other_tenant", ...
    status: str                  # pass | fail | error | skip
    detail: str
    actor: str | None = None     # "A:admin", "anon", "owner", "superuser"
    statement: str | None = None  # the SQL tried (with its values), on fail and error

    @property
    def failed(self) -> bool:
        return self.status in (FAIL, ERROR)

    def line(self) -> str:
        actor = f" as {self.actor}" if self.actor else ""
        text = f"{self.status.upper():5} {self.area:9} {self.subject} {self.check}{actor}: {self.detail}"
        return text + (f"\n      statement: {self.statement}" if self.statement and self.failed else "")

    def to_data(self) -> dict:
        return asdict(self)


def failures(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.failed]


def summary(checks: list[Check]) -> str:
    counts = {status: sum(c.status == status for c in checks) for status in (PASS, FAIL, ERROR, SKIP)}
    return (f"{len(checks)} checks: {counts[PASS]} passed, {counts[FAIL]} failed, {counts[ERROR]} errors, "
            f"{counts[SKIP]} skipped")
