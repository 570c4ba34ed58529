"""Command line: the only place that chooses exit codes (0 success, 1 invalid spec or failed
check, 2 usage error) and the format of what commands print (compiler/reporting.py): text for
people, `--format json` for scripts (one object on stdout, failures too), `--format github` for
Actions (workflow commands that mark the spec line in a pull request). Never a traceback."""
from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from pathlib import Path

import click

from .diagnostics import CompileError, Diagnostic, Location
from .layouts import LAYOUTS
from .output import differs, write_files
from .pipeline import NextMigration, next_migration, phase_done, report_phases, without_cycle_collection
from .progress import Progress, showing
from .released import table_place
from .reporting import FORMATS, diagnostic_annotation, diagnostic_data, render_diagnostics, report_failure

BUILD_PROGRESS_DELAY = 0.5   # seconds a build step runs before a terminal shows it (a small spec: nothing)


def format_option(choices=FORMATS, default="text",
                  help="Output: text for people, json for scripts, github for Actions annotations."):
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help=help)


def schema_option(command):
    return click.option("--schema", "schema", default="schema", show_default=True,
                        type=click.Path(file_okay=False, path_type=Path), help="Folder of *.yaml spec files.")(command)


def out_option(command):
    return click.option("--out", "out", default="build", show_default=True,
                        type=click.Path(file_okay=False, path_type=Path),
                        help="Build folder (lock, sum; migrations in the layout's folder).")(command)


def _fail(diagnostics: list[Diagnostic], fmt: str, warnings: list[Diagnostic] = (), **data) -> None:
    """The spec (or build/) is wrong: every diagnostic, then exit 1."""
    count = len(diagnostics)
    message = f"atlas-compile: {count} error{'s' if count != 1 else ''}; nothing was written"
    if fmt == "json":
        data["warnings"] = [diagnostic_data(w) for w in warnings]
    else:
        _print_warnings(warnings, fmt)
    report_failure(fmt, message, diagnostics, data=data)
    sys.exit(1)


def _internal(exc: Exception, fmt: str) -> None:
    """A compiler bug: one line (one JSON object, one annotation), exit 1."""
    report_failure(fmt, f"atlas-compile: internal error: {type(exc).__name__}: {exc}", title="internal error")
    sys.exit(1)


def _print_warnings(warnings: list[Diagnostic], fmt: str) -> None:
    """Text: on stderr as always; github: annotations on stdout; json carries them in its object."""
    if not warnings or fmt == "json":
        return
    if fmt == "github":
        click.echo(render_diagnostics(warnings, "github"))
    else:
        click.echo(render_diagnostics(warnings, "text"), err=True)


def _compile(schema: Path, out: Path, layout: str | None) -> NextMigration:
    """next_migration, with a progress line on a terminal when the build is big or a step slow."""
    with showing(Progress(sys.stderr, delay=BUILD_PROGRESS_DELAY)), without_cycle_collection(_own_process()):
        if layout is None:
            return next_migration(schema, out)
        return next_migration(schema, out, layout=layout)


def _own_process() -> bool:
    """Whether the command line is the program (the console script, `python -m compiler.cli`),
    which ends with the command, rather than a host calling main() (a test runner) that goes on."""
    return Path(sys.argv[0]).name in ("atlas-compile", "cli.py")


def _planned(command):
    """The shared options of commands that compile the spec against build/, and the shared
    handling of what goes wrong: diagnostics and exit 1, never a traceback."""

    @schema_option
    @out_option
    @click.option("--layout", type=click.Choice(LAYOUTS), help="Migration layout (default: project.layout, "
                  "else the released one, else atlas); fixed once a migration is released.")
    @format_option()
    @functools.wraps(command)
    def run(schema: Path, out: Path, layout: str | None, fmt: str, **options):
        try:
            result = _compile(schema, out, layout)
        except CompileError as error:
            _fail(error.diagnostics, fmt)
            return
        except Exception as exc:  # a compiler bug: one line, not a traceback
            _internal(exc, fmt)
            return
        try:
            command(result, schema, out, fmt, **options)
        except CompileError as error:   # writing, or a check of what is on disk
            _fail(error.diagnostics, fmt, result.warnings)
        except OSError as exc:
            report_failure(fmt, f"atlas-compile: cannot write {out}: {exc}")
            sys.exit(1)

    return run


def asks_json(args) -> bool:
    """Whether the command line asks for `--format json` (read from the words, since a usage error
    stops click before it has parsed the option)."""
    words = list(args)
    return "--format=json" in words or any(a == "--format" and b == "json" for a, b in zip(words, words[1:]))


class JsonUsageGroup(click.Group):
    """Usage errors (exit 2) as one JSON object on stdout under --format json, as every other
    failure is; click's text otherwise."""

    def make_context(self, info_name, args, parent=None, **extra):
        words = list(args)
        with _usage_as_json(asks_json(words)):
            ctx = super().make_context(info_name, words, parent=parent, **extra)
        ctx.meta["json_usage"] = asks_json(words)
        return ctx

    def invoke(self, ctx):
        with _usage_as_json(ctx.meta.get("json_usage", False)):
            return super().invoke(ctx)


@contextlib.contextmanager
def _usage_as_json(wanted: bool):
    try:
        yield
    except click.UsageError as error:
        if not wanted:
            raise
        command = error.ctx.command_path if error.ctx else "atlas-compile"
        report_failure("json", f"atlas-compile: {error.format_message()}",
                       data={"usage": True, "command": command})
        raise click.exceptions.Exit(2) from None


@click.group(cls=JsonUsageGroup)
@click.version_option(package_name="atlas-compile")
def main() -> None:
    """atlas-compile: YAML specs to multi-tenant PostgreSQL migrations."""


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when build/ is out of date.")
@_planned
def build(result: NextMigration, schema: Path, out: Path, fmt: str, check: bool) -> None:
    """Compile the spec and write the next migration into build/."""
    stale = differs(out, result.files)
    data = {"check": check, "migrations": result.migrations, "summary": result.summary}
    if check:
        if stale:
            paths = [_display(out, name) for name in stale]
            where = Location(paths[0])
            _fail([Diagnostic("E903", f"{out} is out of date: {', '.join(stale)} would change", where,
                              "run atlas-compile build and commit the result")], fmt, result.warnings,
                  stale=paths, written=[], **data)
        _done(fmt, result, "build/ is up to date", up_to_date=True, stale=[], written=[], **data)
        return
    if not result.files or not stale:
        _done(fmt, result, "no changes: the spec matches build/schema.lock.json; nothing written",
              up_to_date=True, written=[], **data)
        return
    write_files(out, result.files)
    phase_done("write")
    written = _written(result, out)
    lines = _written_lines(written) + ["; ".join(result.summary)]
    _done(fmt, result, "\n".join(lines), up_to_date=False, written=written, **data)


def _done(fmt: str, result: NextMigration, text: str, **data) -> None:
    report_phases()
    if fmt == "json":
        click.echo(json.dumps({"ok": True, **data, "diagnostics": [],
                               "warnings": [diagnostic_data(w) for w in result.warnings]}, indent=2))
        return
    _print_warnings(result.warnings, fmt)
    click.echo(text)


def _display(out: Path, name: str) -> str:
    return os.path.normpath(out / name)


def _written(result: NextMigration, out: Path) -> list[str]:
    """The migration files this build wrote (the layout says which; atlas: up and down)."""
    written = getattr(result, "written", None)
    if written:
        return list(written)
    return [_display(out, f"migrations/{name}.{way}.sql") for name in result.migrations for way in ("up", "down")]


def _written_lines(written: list[str]) -> list[str]:
    """`wrote X.up.sql and .down.sql` for a pair, `wrote F` for a file of its own."""
    lines, rest = [], list(written)
    while rest:
        path = rest.pop(0)
        if path.endswith(".up.sql") and rest and rest[0] == path.removesuffix(".up.sql") + ".down.sql":
            rest.pop(0)
            lines.append(f"wrote {path} and .down.sql")
        else:
            lines.append(f"wrote {path}")
    return lines


@main.command()
@_planned
def plan(result: NextMigration, schema: Path, out: Path, fmt: str) -> None:
    """Print what the next migration would do; writes nothing."""
    # plan's alone: a build never loads it
    from .plan_report import hazard_lines, plan_data, plan_text

    migration = result.migration if result.files else None
    models = {"previous": result.previous, "model": result.model, "hints": result.hints}
    if fmt == "json":
        document = {"ok": True, **plan_data(migration, result.operations, result.warnings, **models)}
        click.echo(json.dumps(document, indent=2))
        return
    click.echo(plan_text(migration, result.operations, result.warnings, **models))
    if fmt == "github":
        lines = [_hazard_annotation(code, table, text, result, schema, out)
                 for label, table, text in hazard_lines(result.operations, **models) for code in label.split(", ")]
        lines += [diagnostic_annotation(w) for w in result.warnings]
        if lines:
            click.echo("\n".join(lines))


def _hazard_annotation(label: str, table: str, text: str, result: NextMigration, schema: Path, out: Path) -> str:
    """One ::warning per line of the plan's hazards, at the spec's definition of its table."""
    return diagnostic_annotation(Diagnostic(label, text, _spec_place(table, result, schema, out), severity="warning"))


def _spec_place(name: str, result: NextMigration, schema: Path, out: Path) -> Location:
    """Where the spec defines the object a change belongs to; a removed table's lock entry."""
    places = result.hints.places if result.hints else {}
    for section in ("tables", "enums", "views", "functions"):
        if (section, name) in places:
            return places[(section, name)]
    try:
        return table_place(name, result.hints, schema, out)
    except (OSError, ValueError):   # no lock yet: the spec folder is the best place there is
        return Location(str(schema))


@main.command()
@click.argument("action", required=False, type=click.Choice(["status"]))
@click.option("--database-url", envvar="DATABASE_URL", help="PostgreSQL URL (default: $DATABASE_URL).")
@out_option
@click.option("--down", type=click.IntRange(min=1), help="Roll back the last N applied migrations.")
@click.option("--to", "to", metavar="VERSION", help="Migrate up or down to this migration (name or number).")
@click.option("--attempts", type=click.IntRange(min=1), default=5, show_default=True,
              help="Tries of a part whose lock is not granted (lock_timeout) before stopping.")
@click.option("--retry-wait", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds before the first retry; doubled after each, up to 30.")
@format_option()
def migrate(action: str | None, database_url: str | None, out: Path, down: int | None, to: str | None,
            attempts: int, retry_wait: float, fmt: str) -> None:
    """Apply build/'s pending migrations to a database (`migrate status`: list applied and pending)."""
    if not database_url:
        raise click.UsageError("--database-url (or the DATABASE_URL environment variable) is required")
    if down is not None and to is not None:
        raise click.UsageError("--down and --to cannot be combined")
    if action == "status" and (down is not None or to is not None):
        raise click.UsageError("migrate status takes neither --down nor --to")
    run = _harness("migrate", fmt)
    sys.exit(run(action, database_url, out, down=down, to=to, attempts=attempts, retry_wait=retry_wait, fmt=fmt))


@main.command()
@schema_option
@out_option
@click.option("--database-url", help="Check this database, where the migrations are applied, instead of "
              "a throwaway one; every probe is rolled back.")
@click.option("--emit-pgtap", "emit_pgtap", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the checks as pgTAP tests into this folder (pg_prove, supabase test db).")
@format_option()
@click.option("-v", "--verbose", is_flag=True, help="List every check, not only the failed ones.")
def verify(schema: Path, out: Path, database_url: str | None, emit_pgtap: Path | None, fmt: str,
           verbose: bool) -> None:
    """Prove the released migrations and every tenant boundary on a throwaway PostgreSQL (or on a
    live database with --database-url); exit 1 on any failure."""
    run = _harness("verify", fmt)
    sys.exit(run(schema, out, database_url=database_url, emit_pgtap=emit_pgtap, fmt=fmt, verbose=verbose))


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(LAYOUTS),
              help="Migration layout of the new project (the runner the team applies migrations with); "
              "written as project.layout. Default: atlas, left as a commented line.")
@format_option()
def init(directory: Path, layout: str | None, fmt: str) -> None:
    """Scaffold a project in DIRECTORY (default: here) that builds at once; refuses an existing one."""
    run = _harness("init", fmt)
    sys.exit(run(directory, layout=layout, fmt=fmt))


@main.command()
@schema_option
@format_option(("mermaid", "dot", "svg", "json"), default="mermaid",
               help="mermaid (GitHub renders it in Markdown), dot (Graphviz), svg (through `dot`), json (the data).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the diagram into this file instead of stdout.")
@click.option("--all-columns", is_flag=True, help="Every column, not only the key columns.")
@click.option("--views", is_flag=True, help="Views too, with the tables they read.")
@click.option("--tables", "tables", multiple=True, metavar="PATTERN",
              help="Draw only the tables whose names match this glob (repeatable, e.g. 'crm_*'); the "
              "tables they reference are drawn as stubs.")
def graph(schema: Path, fmt: str, output: Path | None, all_columns: bool, views: bool, tables: tuple[str, ...]) -> None:
    """The schema as an ERD: tables, key columns, foreign keys, tenant tables marked."""
    run = _harness("graph", "json" if fmt == "json" else "text")
    sys.exit(run(schema, fmt=fmt, output=output, all_columns=all_columns, views=views, tables=tables))


@main.command()
@schema_option
@out_option
@click.option("--database-url", envvar="DATABASE_URL", help="PostgreSQL URL (default: $DATABASE_URL).")
@format_option()
def drift(schema: Path, out: Path, database_url: str | None, fmt: str) -> None:
    """Compare a live database with what the spec compiles to; exit 1 on any difference."""
    if not database_url:
        raise click.UsageError("--database-url (or the DATABASE_URL environment variable) is required")
    run = _harness("drift", fmt)
    sys.exit(run(schema, out, database_url=database_url, fmt=fmt))


def _harness(command: str, fmt: str):
    """The command's entry point, imported late: build and plan never load psycopg (the `verify`
    extra) nor the code of commands they do not run."""
    try:
        if command == "verify":
            from .verify.command import run_verify as run
        elif command == "migrate":
            from .migrate.command import run_migrate as run
        elif command == "drift":
            from .drift.command import run_drift as run
        elif command == "init":
            from .scaffold import run_init as run
        else:
            from .graph import run_graph as run
    except ImportError as exc:
        if not (exc.name or "").startswith("psycopg"):
            raise
        report_failure(fmt, f"atlas-compile: {command} needs psycopg: pip install 'atlas-compile[verify]'",
                       title=command)
        sys.exit(1)
    return run


if __name__ == "__main__":  # pragma: no cover
    main()
