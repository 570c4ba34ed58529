"""Diagnostics for people and for machines: the text the terminal shows, JSON a script parses,
and GitHub Actions workflow commands (`::error file=F,line=L,col=C,title=CODE::message`) that
mark the spec line in a pull request. Every command prints its diagnostics through here."""
from __future__ import annotations

import json
import sys

from .diagnostics import Diagnostic

FORMATS = ("text", "json", "github")
LEVELS = ("error", "warning", "notice")   # the workflow commands GitHub annotates with


def escape_data(text: str) -> str:
    """A command's message, escaped as the Actions runner reads it back (% first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): the message's escapes plus the separators : and ,."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(level: str, message: str, file: str | None = None, line: int | None = None,
                      col: int | None = None, title: str | None = None) -> str:
    """One workflow command line; properties that are None are left out (GitHub then annotates
    the run, not a file)."""
    if level not in LEVELS:
        raise ValueError(f"unknown annotation level {level!r}")
    properties = [f"{key}={escape_property(str(value))}"
                  for key, value in (("file", file), ("line", line), ("col", col), ("title", title))
                  if value is not None]
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{escape_data(message)}"


def level_of(diagnostic: Diagnostic) -> str:
    return diagnostic.severity if diagnostic.severity in LEVELS else "error"


def diagnostic_annotation(diagnostic: Diagnostic) -> str:
    """A diagnostic at its spec line; the hint goes into the message (a title holds one line)."""
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    where = diagnostic.location
    return github_annotation(level_of(diagnostic), message, where.path, where.line, where.col, diagnostic.code)


def diagnostic_data(diagnostic: Diagnostic) -> dict:
    """The JSON object of one diagnostic (the same keys in every command's output)."""
    where = diagnostic.location
    return {"code": diagnostic.code, "severity": diagnostic.severity, "message": diagnostic.message,
            "file": where.path, "line": where.line, "col": where.col, "hint": diagnostic.hint}


def render_diagnostics(diagnostics: list[Diagnostic], fmt: str) -> str:
    """Every diagnostic in one format: text (as `Diagnostic.render`), json (a list of
    diagnostic_data objects) or github (one workflow command each)."""
    if fmt == "text":
        return "\n".join(d.render() for d in diagnostics)
    if fmt == "json":
        return json.dumps([diagnostic_data(d) for d in diagnostics], indent=2)
    if fmt == "github":
        return "\n".join(diagnostic_annotation(d) for d in diagnostics)
    raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


def report_failure(fmt: str, message: str, diagnostics: list[Diagnostic] = (), *, title: str = "atlas-compile",
                   data: dict | None = None) -> None:
    """Print why a command stopped, in its format: text, the diagnostics and the one line on
    stderr; json, one object on stdout ({"ok": false, "error", "diagnostics", **data}) that CI
    parses; github, the diagnostics as annotations, or the line as one when there are none, on
    stdout (where the runner reads commands), the line on stderr for the log."""
    if fmt == "json":
        document = {"ok": False, "error": message, "diagnostics": [diagnostic_data(d) for d in diagnostics]}
        print(json.dumps({**document, **(data or {})}, indent=2), flush=True)
        return
    if fmt == "github":
        lines = [diagnostic_annotation(d) for d in diagnostics] or [github_annotation("error", message, title=title)]
        print("\n".join(lines), flush=True)
    elif diagnostics:
        print(render_diagnostics(list(diagnostics), "text"), file=sys.stderr, flush=True)
    print(message, file=sys.stderr, flush=True)
