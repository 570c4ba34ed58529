"""Proves one spec change sound on a real PostgreSQL (the acceptance runner's core, reusable
by a future `verify`): build and apply `before`, seed rows, apply the next migration's `up`,
require every value that exists before and after to be kept by `up` (renames followed), require
the catalog to equal a fresh build of `after`, require a re-plan to be empty, apply `down`,
require catalog and rows to equal the start.

`expectation_problems` compares a report with what a case expects: the exact set of hazards and
one expected substring per warning."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from psycopg import sql

from ..codes import SPEC_WARNINGS
from ..kinds import RenameColumn, RenameTable
from ..kinds.casts import is_widening
from ..output import write_files
from ..pipeline import compile_with_hints, next_migration
from ..postgres import PostgresCluster, diff_catalogs, snapshot_catalog
from ..released import migration_text
from .chain import apply_sql

LIVE_SCHEMAS = ("public", "atlas_private")   # atlas_archive holds archives by design


@dataclass
class EvolutionReport:
    migration: str | None = None
    up_sql: str = ""
    down_sql: str = ""
    hazards: set = field(default_factory=set)
    warnings: list = field(default_factory=list)   # "W001: message": the migration's, not the spec's W1xx
    up_error: str | None = None                    # why `up` failed, when it did
    problems: list = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Renames:
    """What a change renames: "schema.table" -> "schema.table", and ("schema.new_table",
    old column) -> new column."""

    tables: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TableValues:
    """One table's rows as PostgreSQL's text of each value, in column order."""

    types: dict            # column -> format_type()
    rows: list             # tuples of text (None for null), one per row


def table_rows(conn) -> dict:
    """Every row of every table of the live schemas, as sorted JSON text (jsonb: key order, and so
    column position, does not matter)."""
    rows = {}
    for schema, name in _tables(conn):
        data = conn.execute(f'select to_jsonb(t)::text from "{schema}"."{name}" as t').fetchall()
        rows[f"{schema}.{name}"] = sorted(r[0] for r in data)
    return rows


def _tables(conn) -> list[tuple[str, str]]:
    # partitions are read through their partitioned table: which partition holds a row depends
    # on the date the partitions were made, not on what a migration keeps
    return conn.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(%s) order by 1, 2",
        [list(LIVE_SCHEMAS)]).fetchall()


def table_values(conn) -> dict[str, TableValues]:
    """Every table of the live schemas with its column types and its rows as text."""
    result = {}
    # Encrypted columns (kinds/encryption.py) by their plaintext: a down and up encrypts them
    # again, randomized, under the key the up makes; the key itself is never read here.
    plain = conn.execute("select to_regprocedure('atlas_private.decrypt_value(text)') is not null").fetchone()[0]
    for schema, name in _tables(conn):
        if (schema, name) == ("atlas_private", "encryption_key"):
            continue
        types = dict(conn.execute(
            "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
            "where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum",
            [sql.Identifier(schema, name).as_string(conn)]).fetchall())
        columns = sql.SQL(", ").join(
            sql.SQL("atlas_private.decrypt_value({})" if plain and t == "text" else "{}::text").format(sql.Identifier(c))
            for c, t in types.items())
        query = sql.SQL("select {} from {}").format(columns, sql.Identifier(schema, name))
        rows = conn.execute(query).fetchall() if types else []
        result[f"{schema}.{name}"] = TableValues(types, [tuple(r) for r in rows])
    return result


def _type_spelling(type_text: str) -> str:
    """format_type() as the compiler spells types (`numeric(10, 2)`), for is_widening."""
    return type_text.replace(",", ", ")


def renames_of(after: Path, operations=()) -> Renames:
    """Renames the change intends (renamed_from in the `after` spec) and those the diff made
    (audit tables follow their table). The intent is what catches a rename the compiler turned
    into drop + add: the old values must then be found under the new name."""
    _, hints = compile_with_hints(after)
    tables = {f"public.{old}": f"public.{new}" for new, old in hints.tables.items()}
    columns = {(f"public.{table}", old): new for (table, new), old in hints.columns.items()}
    for op in operations:
        if isinstance(op, RenameTable):
            tables.setdefault(f"{op.schema}.{op.old}", f"{op.schema}.{op.new}")
        elif isinstance(op, RenameColumn):
            columns.setdefault((f"{op.schema}.{op.table}", op.old), op.new)
    return Renames(tables, columns)


def kept_values_problems(conn, before: dict[str, TableValues], after: dict[str, TableValues],
                         renames: Renames) -> list[str]:
    """Every table and column that exists before and after `up` (following renames) holds the
    same values as before, compared as text. Columns whose type changed are compared after
    casting the old text to the new type, and skipped when the change is not widening (a lossy
    cast changes values on purpose); new tables and columns have nothing to keep."""
    problems = []
    for old_table, old in sorted(before.items()):
        new_table = renames.tables.get(old_table, old_table)
        if new_table != old_table and (new_table in before or new_table not in after):
            new_table = old_table   # a stale hint: it renames nothing
        if new_table not in after:
            continue   # dropped (its values are archived; `down` brings them back)
        new = after[new_table]
        pairs = []   # (old column, new column, new type when it changed)
        for column, old_type in old.types.items():
            target = renames.columns.get((new_table, column), column)
            if target != column and (target in old.types or target not in new.types):
                target = column   # a stale hint
            if target not in new.types:
                continue   # dropped
            new_type = new.types[target]
            if new_type == old_type:
                pairs.append((column, target, None))
            elif is_widening(_type_spelling(old_type), _type_spelling(new_type)):
                pairs.append((column, target, new_type))
        if not pairs:
            continue
        expected = _project(conn, old, pairs, cast=True)
        found = _project(conn, new, [(t, t, None) for _, t, _ in pairs], cast=False)
        if expected == found:
            continue
        where = old_table if new_table == old_table else f"{old_table} -> {new_table}"
        if len(expected) != len(found):
            problems.append(f"up changed values of {where}: {len(expected)} row(s) before, {len(found)} after")
            continue
        changed = [i for i in range(len(pairs)) if _column(expected, i) != _column(found, i)]
        for i in changed:
            column, target, _ = pairs[i]
            lost = [v for v in _column(expected, i) if v not in _column(found, i)]
            shown = column if column == target else f"{column} -> {target}"
            problems.append(f"up changed values of {where} ({shown}): {lost[0]!r} is gone" if lost else
                            f"up changed values of {where} ({shown})")
        if not changed:
            problems.append(f"up changed values of {where}: the rows' values were recombined")
    return problems


def _column(rows: list, i: int) -> list:
    return sorted((r[i] for r in rows), key=lambda v: (v is None, v or ""))


def _project(conn, values: TableValues, pairs, cast: bool) -> list:
    """The rows restricted to `pairs`' columns, sorted; old text cast to a changed type."""
    index = {c: i for i, c in enumerate(values.types)}
    casts = {}
    if cast:
        for column, _, new_type in pairs:
            if new_type is not None:
                texts = sorted({r[index[column]] for r in values.rows if r[index[column]] is not None})
                casts[column] = dict(conn.execute(
                    sql.SQL("select t, t::{}::text from unnest(%s::text[]) t").format(sql.SQL(new_type)),
                    [texts]).fetchall()) if texts else {}
    rows = []
    for row in values.rows:
        picked = []
        for column, _, _ in pairs:
            value = row[index[column]]
            picked.append(casts[column].get(value) if column in casts and value is not None else value)
        rows.append(tuple(picked))
    return sorted(rows, key=lambda r: tuple((v is None, v or "") for v in r))


def explicit_checks_problems(conn, checks: list[dict]) -> list[str]:
    """A case's own `after_up` checks: each query's rows, every value as text (null stays null),
    in the query's order."""
    problems = []
    for check in checks:
        rows = [[None if v is None else str(v) for v in r] for r in conn.execute(check["sql"]).fetchall()]
        expected = [[None if v is None else str(v) for v in r] for r in check["rows"]]
        if rows != expected:
            problems.append(f"after up, {check['sql'].strip()!r} returns {rows}, expected {expected}")
    return problems


def expectation_problems(report: EvolutionReport, hazards, warnings) -> list[str]:
    """The hazards of the up are exactly `hazards`; the warnings match `warnings` one to one:
    each expected entry is a substring of exactly one warning, and every warning is matched."""
    problems = []
    expected = set(hazards or ())
    if report.hazards != expected:
        problems.append(f"hazards of up are {sorted(report.hazards)}, expected exactly {sorted(expected)} "
                        f"(missing {sorted(expected - report.hazards)}, "
                        f"unexpected {sorted(report.hazards - expected)})")
    matched: dict[int, str] = {}
    for entry in warnings or ():
        hits = [i for i, w in enumerate(report.warnings) if entry in w]
        if len(hits) != 1:
            problems.append(f"expected warning {entry!r} matches {len(hits)} warnings, not exactly one")
        elif hits[0] in matched:
            problems.append(f"expected warnings {matched[hits[0]]!r} and {entry!r} match the same warning")
        else:
            matched[hits[0]] = entry
    unmatched = [w for i, w in enumerate(report.warnings) if i not in matched]
    if unmatched:
        problems.append("warnings no expected entry matches: " + "; ".join(unmatched))
    return problems


def live_catalog(conn) -> dict:
    """The catalog of the live schemas; atlas_archive, which holds archives by design, left out."""
    return _live(snapshot_catalog(conn, LIVE_SCHEMAS))


def _live(snapshot: dict) -> dict:
    snapshot = dict(snapshot)
    snapshot["schemas"] = {k: v for k, v in snapshot["schemas"].items() if k != "atlas_archive"}
    return snapshot


def _rows_problems(start: dict, end: dict, when: str) -> list[str]:
    return [f"rows of {table} differ {when}" for table in sorted(set(start) | set(end))
            if start.get(table) != end.get(table)]


def check_evolution(cluster: PostgresCluster, template: str, before: Path, after: Path, workdir: Path,
                    seed_sql: str | None = None, *, intent: Path | None = None,
                    after_up: list[dict] | None = None, up_fails: str | None = None) -> EvolutionReport:
    """`intent`: the spec whose renamed_from says what is renamed (default `after`; a self-test
    builds from a spec without them). `after_up`: explicit checks run after up. `up_fails`: the
    up must fail with an error containing this text, and leave the database as it was."""
    report = EvolutionReport()
    out, fresh = workdir / "build", workdir / "fresh"
    first = next_migration(before, out)
    write_files(out, first.files)
    step = next_migration(after, out)
    report.warnings = [f"{w.code}: {w.message}" for w in step.warnings if w.code not in SPEC_WARNINGS]
    fresh_build = next_migration(after, fresh)
    write_files(fresh, fresh_build.files)
    renames = renames_of(intent or after, step.operations)
    chain_db = cluster.create_database(cluster.unique_database_name("chain"), template=template)
    fresh_db = cluster.create_database(cluster.unique_database_name("fresh"), template=template)
    try:
        with chain_db.connect() as chain, fresh_db.connect() as fresh_conn:
            apply_sql(chain, migration_text(out, "0001_initial", "up"))
            if seed_sql:
                apply_sql(chain, seed_sql)
            start_catalog = snapshot_catalog(chain, LIVE_SCHEMAS)
            start_rows = table_rows(chain)
            start_values = table_values(chain)
            apply_sql(fresh_conn, migration_text(fresh, "0001_initial", "up"))
            target = snapshot_catalog(fresh_conn, LIVE_SCHEMAS)
            if step.files:
                write_files(out, step.files)
                report.migration = step.migration
                ups = [migration_text(out, name, "up") for name in step.migrations]
                downs = [migration_text(out, name, "down") for name in reversed(step.migrations)]
                report.up_sql, report.down_sql = "\n".join(ups), "\n".join(downs)
                report.hazards = {line.split(": ", 1)[1] for line in report.up_sql.splitlines()
                                  if line.startswith("-- hazard: ")}
                before_step = None
                for sql_text in ups:   # each migration in its own transaction, as a runner applies them
                    if up_fails is not None:   # what the failing migration must leave as it found
                        before_step = (snapshot_catalog(chain, LIVE_SCHEMAS), table_rows(chain))
                    try:
                        apply_sql(chain, sql_text)
                    except Exception as exc:  # the report says which step failed and why
                        report.up_error = str(exc)
                        break
                if report.up_error is not None or up_fails is not None:
                    report.problems += _failed_up_problems(chain, report, up_fails, before_step)
                    return report
            elif up_fails is not None:
                report.problems.append(f"up must fail with {up_fails!r}, but the build wrote no migration")
                return report
            report.problems += kept_values_problems(chain, start_values, table_values(chain), renames)
            report.problems += explicit_checks_problems(chain, after_up or [])
            differences = diff_catalogs(_live(snapshot_catalog(chain, LIVE_SCHEMAS)), _live(target),
                                        labels=("chain", "fresh"))
            report.problems += [f"up != fresh build: {d}" for d in differences]
            if next_migration(after, out).files:
                report.problems.append("re-plan after up is not empty")
            if step.files:
                try:
                    for sql_text in downs:
                        apply_sql(chain, sql_text)
                except Exception as exc:
                    report.problems.append(f"down failed: {exc}")
                    return report
                end_catalog = snapshot_catalog(chain, LIVE_SCHEMAS)
                report.problems += [f"down != start: {d}" for d in
                                    diff_catalogs(_live(start_catalog), _live(end_catalog), labels=("start", "down"))]
                report.problems += _rows_problems(start_rows, table_rows(chain), "after down")
                archive = chain.execute("select count(*) from pg_namespace where nspname = 'atlas_archive'").fetchone()[0]
                if archive:
                    report.problems.append("atlas_archive is left behind after down")
    finally:
        chain_db.drop()
        fresh_db.drop()
    return report


def _failed_up_problems(chain, report: EvolutionReport, up_fails: str | None, before_step) -> list[str]:
    """An up that failed: a problem unless the case expects exactly that failure; then the failed
    migration must have changed nothing (its transaction rolled back)."""
    if up_fails is None:
        return [f"up failed: {report.up_error}"]
    if report.up_error is None:
        return [f"up must fail with {up_fails!r}, but it succeeded"]
    if up_fails not in report.up_error:
        return [f"up failed with {report.up_error!r}, expected a message containing {up_fails!r}"]
    catalog, rows = before_step
    problems = [f"the failed up changed the catalog: {d}" for d in
                diff_catalogs(_live(catalog), _live(snapshot_catalog(chain, LIVE_SCHEMAS)), labels=("before", "after"))]
    return problems + _rows_problems(rows, table_rows(chain), "after the failed up")
