"""Command line: the only place that prints diagnostics and chooses exit codes
(0 success, 1 invalid spec or failed check, 2 usage error)."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

from .diagnostics import CompileError, Diagnostic, Location
from .output import differs, write_files
from .pipeline import NextMigration, next_migration
from .plan_report import plan_data, plan_text


def _fail(error: CompileError) -> None:
    for diagnostic in error.diagnostics:
        click.echo(diagnostic.render(), err=True)
    count = len(error.diagnostics)
    click.echo(f"atlas-compile: {count} error{'s' if count != 1 else ''}; nothing was written", err=True)
    sys.exit(1)


def _planned(command):
    """The shared options of commands that compile the spec against build/, and the shared
    handling of what goes wrong: diagnostics and exit 1, never a traceback."""

    @click.option("--schema", "schema", default="schema", show_default=True,
                  type=click.Path(file_okay=False, path_type=Path), help="Folder of *.yaml spec files.")
    @click.option("--out", "out", default="build", show_default=True,
                  type=click.Path(file_okay=False, path_type=Path), help="Build folder (migrations, lock, sum).")
    @functools.wraps(command)
    def run(schema: Path, out: Path, **options):
        try:
            result = next_migration(schema, out)
        except CompileError as error:
            _fail(error)
            return
        except Exception as exc:  # a compiler bug: one line, not a traceback
            click.echo(f"atlas-compile: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
        command(result, out, **options)

    return run


@click.group()
@click.version_option(package_name="atlas-compile")
def main() -> None:
    """atlas-compile: YAML specs to multi-tenant PostgreSQL migrations."""


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when build/ is out of date.")
@_planned
def build(result: NextMigration, out: Path, check: bool) -> None:
    """Compile the spec and write the next migration into build/."""
    for warning in result.warnings:
        click.echo(warning.render(), err=True)
    stale = differs(out, result.files)
    if check:
        if stale:
            where = Location(str(out / stale[0]))
            _fail(CompileError([Diagnostic("E903", f"{out} is out of date: {', '.join(stale)} would change",
                                           where, "run atlas-compile build and commit the result")]))
        click.echo("build/ is up to date")
        return
    if not result.files or not stale:
        click.echo("no changes: the spec matches build/schema.lock.json; nothing written")
        return
    write_files(out, result.files)
    for name in result.migrations:
        click.echo(f"wrote {out}/migrations/{name}.up.sql and .down.sql")
    click.echo(f"{'; '.join(result.summary)}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_planned
def plan(result: NextMigration, out: Path, fmt: str) -> None:
    """Print what the next migration would do; writes nothing."""
    migration = result.migration if result.files else None
    if fmt == "json":
        click.echo(json.dumps(plan_data(migration, result.operations, result.warnings), indent=2))
    else:
        click.echo(plan_text(migration, result.operations, result.warnings))


if __name__ == "__main__":  # pragma: no cover
    main()
