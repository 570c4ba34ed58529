"""`atlas-compile graph`: the ERD of the compiled spec, printed or written to a file. A spec that
does not compile prints its located diagnostics and exits 1, as `build` does. A Mermaid text too
long for Mermaid's renderer (GitHub's included) is still written, with a warning that says what
draws it instead."""
from __future__ import annotations

import sys
from pathlib import Path

from ..diagnostics import CompileError
from ..pipeline import compile_folder
from ..reporting import report_failure
from . import data, dot, mermaid
from .diagram import diagram_of
from .subset import NoTableMatches, subset
from .svg import GraphvizFailed, GraphvizMissing, to_svg

FORMATS = ("mermaid", "dot", "svg", "json")
RENDERERS = {"mermaid": mermaid.render, "dot": dot.render, "json": data.render}
# Mermaid's default maxTextSize: past it, mermaid.render draws "Maximum text size in diagram
# exceeded" instead, and a %%{init}%% directive cannot raise it (a "secure" key). GitHub keeps it.
MERMAID_MAX_TEXT = 50_000


def graph_text(schema: Path, *, fmt: str, all_columns: bool = False, views: bool = False,
               tables: tuple[str, ...] = ()) -> bytes:
    """The diagram in one format, of the tables matching `tables` (globs) when given (raises
    CompileError, NoTableMatches, GraphvizMissing, GraphvizFailed)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}: one of {', '.join(FORMATS)}")
    diagram = subset(diagram_of(compile_folder(schema), views=views), tuple(tables))
    if fmt == "svg":
        return to_svg(dot.render(diagram, all_columns=all_columns))
    if fmt == "json":
        return data.render(diagram).encode()
    return RENDERERS[fmt](diagram, all_columns=all_columns).encode()


def run_graph(schema: Path, *, fmt: str, output: Path | None, all_columns: bool = False, views: bool = False,
              tables: tuple[str, ...] = ()) -> int:
    """Print the diagram (or write it to `output`); the exit code (2: a --tables pattern that
    matches nothing)."""
    try:
        text = graph_text(schema, fmt=fmt, all_columns=all_columns, views=views, tables=tables)
    except NoTableMatches as error:
        report_failure("json" if fmt == "json" else "text", f"atlas-compile: {error}", data={"usage": True})
        return 2
    except CompileError as error:
        count = len(error.diagnostics)
        report_failure("json" if fmt == "json" else "text",
                       f"atlas-compile: {count} error{'s' if count != 1 else ''}; no graph drawn", error.diagnostics)
        return 1
    except (GraphvizMissing, GraphvizFailed) as error:
        print(f"atlas-compile: {error}", file=sys.stderr)
        return 1
    if fmt == "mermaid":
        _warn_when_too_long(len(text.decode()), bool(tables))
    if output is None:
        sys.stdout.buffer.write(text)
        sys.stdout.flush()
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(text)
    print(f"wrote {output}", file=sys.stderr)
    return 0


def _warn_when_too_long(characters: int, subset_drawn: bool) -> None:
    """The diagram is written all the same (mermaid-cli and a raised maxTextSize draw it)."""
    if characters <= MERMAID_MAX_TEXT:
        return
    part = "a smaller part with fewer --tables patterns" if subset_drawn else "a part of it with --tables PATTERN"
    print(f"atlas-compile: warning: the Mermaid diagram is {characters:,} characters, over Mermaid's default "
          f"maxTextSize ({MERMAID_MAX_TEXT:,}): GitHub will not render it (\"Maximum text size in diagram "
          f"exceeded\"); draw it with --format svg or --format dot, or draw {part} "
          "(a glob over table names, repeatable)", file=sys.stderr)
