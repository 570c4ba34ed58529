"""Diagnostics are data: collected per phase, raised together, printed only by the CLI."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location
    hint: str | None = None
    severity: str = "error"

    def render(self) -> str:
        text = f"{self.location}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def sort_key(self):
        return (self.location, self.code, self.message)


class CompileError(Exception):
    """Raised with every diagnostic a phase found; the CLI prints them and exits 1."""

    def __init__(self, diagnostics: list[Diagnostic]):
        # One problem found by several rules (e.g. `all:` expanding to four commands) is
        # reported once.
        self.diagnostics = sorted(set(diagnostics), key=Diagnostic.sort_key)
        super().__init__("\n".join(d.render() for d in self.diagnostics))


@dataclass
class Collector:
    """Gathers diagnostics of one phase; `raise_if_any` ends the phase."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, location: Location, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, location, hint))

    def raise_if_any(self) -> None:
        if self.diagnostics:
            raise CompileError(self.diagnostics)
