"""The isolation report: one finding per probe, table and actor, judged PASS, FAIL, ERROR or
SKIP, with the statement tried (values bound), its text (one line per finding and a summary)
and its data form (for JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

PASS = "pass"     # isolation held
FAIL = "fail"     # a leak, or a positive control that did not hold
ERROR = "error"   # the probe could not be run meaningfully
SKIP = "skip"     # not possible here (e.g. not a superuser), with the reason; never a failure


@dataclass(frozen=True)
class Finding:
    """The outcome of one probe against one table, as one actor."""

    table: str                 # "public.leads"
    probe: str                 # "select_other_tenant", ...
    actor: str                 # "A:owner", "anon"
    status: str                # pass | fail | error | skip
    detail: str
    sqlstate: str | None = None
    rowcount: int | None = None
    subject: str | None = None  # e.g. the foreign key probed
    statement: str | None = None  # the SQL tried, values bound

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def line(self) -> str:
        subject = f"[{self.subject}]" if self.subject else ""
        text = f"{self.status.upper():5} {self.table} {self.probe}{subject} as {self.actor}: {self.detail}"
        return text + (f"\n      statement: {self.statement}" if self.statement and self.status in (FAIL, ERROR) else "")


@dataclass
class IsolationReport:
    findings: list[Finding]
    tenant_tables: tuple[str, ...]   # tenant tables of the model
    tables_probed: tuple[str, ...]   # tenant tables probes (a)-(e) ran on

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == FAIL]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.status == ERROR]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.errors

    def for_table(self, table: str) -> list[Finding]:
        table = table if "." in table else f"public.{table}"
        return [f for f in self.findings if f.table == table]

    def probes(self) -> set[str]:
        return {f.probe for f in self.findings}

    def summary(self) -> str:
        passed = sum(f.passed for f in self.findings)
        skipped = sum(f.status == SKIP for f in self.findings)
        return (f"{len(self.findings)} probes on {len(self.tables_probed)}/{len(self.tenant_tables)} tenant tables: "
                f"{passed} passed, {len(self.failures)} failed, {len(self.errors)} errors, {skipped} skipped")

    def format(self, verbose: bool = False) -> str:
        shown = self.findings if verbose else [f for f in self.findings if f.status in (FAIL, ERROR)]
        return "\n".join([*(f.line() for f in shown), self.summary()])

    def to_data(self) -> dict:
        return {"tenant_tables": list(self.tenant_tables), "tables_probed": list(self.tables_probed),
                "findings": [asdict(f) for f in self.findings]}
