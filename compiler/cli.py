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


@main.command()
@click.argument("action", required=False, type=click.Choice(["status"]))
@click.option("--database-url", envvar="DATABASE_URL", help="PostgreSQL URL (default: $DATABASE_URL).")
@click.option("--out", "out", default="build", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Build folder (migrations, lock, sum).")
@click.option("--down", type=click.IntRange(min=1), help="Roll back the last N applied migrations.")
@click.option("--to", "to", metavar="VERSION", help="Migrate up or down to this migration (name or number).")
@click.option("--attempts", type=click.IntRange(min=1), default=5, show_default=True,
              help="Tries of a part whose lock is not granted (lock_timeout) before stopping.")
@click.option("--retry-wait", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds before the first retry; doubled after each, up to 30.")
def migrate(action: str | None, database_url: str | None, out: Path, down: int | None, to: str | None,
            attempts: int, retry_wait: float) -> None:
    """Apply build/'s pending migrations to a database (`migrate status`: list applied and pending)."""
    if not database_url:
        raise click.UsageError("--database-url (or the DATABASE_URL environment variable) is required")
    if down is not None and to is not None:
        raise click.UsageError("--down and --to cannot be combined")
    if action == "status" and (down is not None or to is not None):
        raise click.UsageError("migrate status takes neither --down nor --to")
    sys.exit(_harness("migrate")(action, database_url, out, down=down, to=to, attempts=attempts,
                                 retry_wait=retry_wait))


@main.command()
@click.option("--schema", "schema", default="schema", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of *.yaml spec files.")
@click.option("--out", "out", default="build", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Build folder (migrations, lock, sum).")
@click.option("--database-url", help="Check this database, where the migrations are applied, instead of "
              "a throwaway one; every probe is rolled back.")
@click.option("--emit-pgtap", "emit_pgtap", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the checks as pgTAP tests into this folder (pg_prove, supabase test db).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="List every check, not only the failed ones.")
def verify(schema: Path, out: Path, database_url: str | None, emit_pgtap: Path | None, fmt: str,
           verbose: bool) -> None:
    """Prove the released migrations and every tenant boundary on a throwaway PostgreSQL (or on a
    live database with --database-url); exit 1 on any failure."""
    sys.exit(_harness("verify")(schema, out, database_url=database_url, emit_pgtap=emit_pgtap, fmt=fmt,
                                verbose=verbose))


def _harness(command: str):
    """The command's entry point, imported late: build and plan never load psycopg, the `verify` extra."""
    try:
        if command == "verify":
            from .verify.command import run_verify as run
        else:
            from .migrate.command import run_migrate as run
    except ImportError as exc:
        if not (exc.name or "").startswith("psycopg"):
            raise
        click.echo(f"atlas-compile: {command} needs psycopg: pip install 'atlas-compile[verify]'", err=True)
        sys.exit(1)
    return run


if __name__ == "__main__":  # pragma: no cover
    main()
