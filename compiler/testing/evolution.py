"""Proves one spec change sound on a real PostgreSQL (the acceptance runner's core, reusable
by a future `verify`): build and apply `before`, seed rows, apply the next migration's `up`,
require the catalog to equal a fresh build of `after`, require a re-plan to be empty, apply
`down`, require catalog and rows to equal the start."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..build import plan_build
from ..output import write_files
from .catalog import diff_catalogs, snapshot_catalog
from .chain import apply_sql
from .cluster import PostgresCluster

LIVE_SCHEMAS = ("public", "atlas_private")   # atlas_archive holds archives by design


@dataclass
class EvolutionReport:
    migration: str | None = None
    up_sql: str = ""
    down_sql: str = ""
    hazards: set = field(default_factory=set)
    warnings: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def table_rows(conn) -> dict:
    """Every row of every table of the live schemas, as sorted JSON text (jsonb: key order, and so
    column position, does not matter)."""
    tables = conn.execute(
        "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and n.nspname = any(%s) order by 1, 2", [list(LIVE_SCHEMAS)]).fetchall()
    rows = {}
    for schema, name in tables:
        data = conn.execute(f'select to_jsonb(t)::text from "{schema}"."{name}" as t').fetchall()
        rows[f"{schema}.{name}"] = sorted(r[0] for r in data)
    return rows


def live_catalog(conn) -> dict:
    """The catalog of the live schemas; atlas_archive, which holds archives by design, left out."""
    return _live(snapshot_catalog(conn, LIVE_SCHEMAS))


def _live(snapshot: dict) -> dict:
    snapshot = dict(snapshot)
    snapshot["schemas"] = {k: v for k, v in snapshot["schemas"].items() if k != "atlas_archive"}
    return snapshot


def _kept_enum_labels(start: dict, end: dict) -> dict:
    """`down` keeps enum labels an `up` added (PostgreSQL cannot drop them): accept exactly that."""
    end = dict(end)
    enums = dict(end.get("enums", {}))
    for key, facts in start.get("enums", {}).items():
        if key in enums and enums[key] != facts:
            before = list(facts.get("labels", []))
            after = list(enums[key].get("labels", []))
            if [label for label in after if label in before] == before:
                enums[key] = facts
    end["enums"] = enums
    return end


def check_evolution(cluster: PostgresCluster, template: str, before: Path, after: Path, workdir: Path,
                    seed_sql: str | None = None) -> EvolutionReport:
    report = EvolutionReport()
    out, fresh = workdir / "build", workdir / "fresh"
    first = plan_build(before, out)
    write_files(out, first.files)
    step = plan_build(after, out)
    report.warnings = [w.message for w in step.warnings]
    fresh_build = plan_build(after, fresh)
    write_files(fresh, fresh_build.files)
    chain_db = cluster.create_database(cluster.unique_database_name("chain"), template=template)
    fresh_db = cluster.create_database(cluster.unique_database_name("fresh"), template=template)
    try:
        with chain_db.connect() as chain, fresh_db.connect() as fresh_conn:
            apply_sql(chain, (out / "migrations" / "0001_initial.up.sql").read_text())
            if seed_sql:
                apply_sql(chain, seed_sql)
            start_catalog = snapshot_catalog(chain, LIVE_SCHEMAS)
            start_rows = table_rows(chain)
            apply_sql(fresh_conn, (fresh / "migrations" / "0001_initial.up.sql").read_text())
            target = snapshot_catalog(fresh_conn, LIVE_SCHEMAS)
            if step.files:
                write_files(out, step.files)
                report.migration = step.migration
                ups = [(out / "migrations" / f"{name}.up.sql").read_text() for name in step.migrations]
                downs = [(out / "migrations" / f"{name}.down.sql").read_text() for name in reversed(step.migrations)]
                report.up_sql, report.down_sql = "\n".join(ups), "\n".join(downs)
                report.hazards = {line.split(": ", 1)[1] for line in report.up_sql.splitlines()
                                  if line.startswith("-- hazard: ")}
                try:
                    for sql in ups:   # each migration in its own transaction, as a runner applies them
                        apply_sql(chain, sql)
                except Exception as exc:  # the report says which step failed and why
                    report.problems.append(f"up failed: {exc}")
                    return report
            differences = diff_catalogs(_live(snapshot_catalog(chain, LIVE_SCHEMAS)), _live(target),
                                        labels=("chain", "fresh"))
            report.problems += [f"up != fresh build: {d}" for d in differences]
            if plan_build(after, out).files:
                report.problems.append("re-plan after up is not empty")
            if step.files:
                try:
                    for sql in downs:
                        apply_sql(chain, sql)
                except Exception as exc:
                    report.problems.append(f"down failed: {exc}")
                    return report
                end_catalog = _kept_enum_labels(start_catalog, snapshot_catalog(chain, LIVE_SCHEMAS))
                report.problems += [f"down != start: {d}" for d in
                                    diff_catalogs(_live(start_catalog), _live(end_catalog), labels=("start", "down"))]
                end_rows = table_rows(chain)
                for table in sorted(set(start_rows) | set(end_rows)):
                    if start_rows.get(table) != end_rows.get(table):
                        report.problems.append(f"rows of {table} differ after down")
                archive = chain.execute("select count(*) from pg_namespace where nspname = 'atlas_archive'").fetchone()[0]
                if archive:
                    report.problems.append("atlas_archive is left behind after down")
    finally:
        chain_db.drop()
        fresh_db.drop()
    return report
