"""The chain round trip of `atlas-compile verify` (area "chain"): the released migrations of a
build folder, applied part by part as `migrate` applies them, in a scratch database cloned from
the template:

1. up every migration in order; after each, the catalog equals a fresh build of the model the
   lock's history gives for that step (``up_matches_fresh_build``; SKIP where unknown);
2. seed two tenants at the top (compiler.isolation.seed_tenants: ``seed_tenants``);
3. newest first, for each migration k: rows snapshot, down k (the catalog equals the one after
   k-1, the empty template at 0: ``down_restores_catalog``), up k (the catalog equals the one
   after k: ``up_after_down_matches``; every value is back, but those the `down` declares it
   deletes: ``rows_survive_round_trip``), down k again (a FAIL of ``down_restores_catalog`` if
   the second down differs);
4. up every migration again; after each, the catalog equals the one after the first up
   (``reapply_matches``).

Chain states are compared with the archive schema included (what `up` archived must be there
again, and gone at 0); the fresh build, which has archived nothing, without it. After a down
that leaves the catalog wrong, the chain is rebuilt up to the migration below it (and seeded
again), so that the migrations below are not blamed for its leftovers. A `down` that
refuses to run over the seeded rows (an enum value still held) is retried on empty tables,
which is then said (rows SKIP), and the tenants are seeded again below it where the model is
known. A migration that fails otherwise ends the chain with an ERROR naming it: the database is
then in no known state."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..isolation import seed_tenants
from ..model import Model
from ..pipeline import fresh_build
from ..postgres import DEFAULT_SCHEMAS, SUPABASE_TEMPLATE, Database, PostgresCluster, diff_catalogs, snapshot_catalog
from ..postgres.catalog_partitions import dated_partitions, hold_partitions
from ..released import migration_path, migration_text, model_history
from .chain import apply_sql
from .checks import ERROR, FAIL, PASS, SKIP, Check
from .evolution import live_catalog, table_values
from .roundtrip_rows import clear_rows, count_rows, declared_losses, rows_differences

SHOWN = 5   # differences quoted in a failed check's detail


def fresh_held(chain: dict, fresh: dict, model: Model) -> dict:
    """The fresh build with its date-named partitions in the chain's (catalog_partitions): a
    chain keeps the partitions made before a change of interval, which is no rebuild, while a
    fresh build makes the new interval's. Only for a table the chain has dated partitions of (a
    chain that made none still differs); round trips keep comparing exactly."""
    parents = {f"{t.schema}.{t.name}" for t in model.of("table") if t.partition is not None}
    parents &= set(dated_partitions(chain, parents).values())
    return hold_partitions(chain, fresh, parents) if parents else fresh


class ChainBroken(Exception):
    """A migration did not apply: the rest of the chain cannot be checked."""


class RoundTrip:
    """One run over one build folder; `checks` grows as it goes."""

    def __init__(self, create: Callable[[], Database], out: Path, history: list[tuple[str, Model | None]],
                 fresh: Callable[[Model], dict], progress: Callable[[str], None]) -> None:
        self.create, self.out, self.history, self.fresh, self.progress = create, out, history, fresh, progress
        self.names = [name for name, _ in history]
        self.checks: list[Check] = []
        self.after: list[dict] = []   # after[k]: the catalog after migration k (after[0]: empty)
        self.db = create()
        self.conn = self.db.connect()

    def close(self) -> None:
        if self.db is not None:
            self.conn.close()
            self.db.drop()
            self.db = None

    def reset(self, k: int) -> None:
        """A new chain database at migration k: after a down that did not restore the catalog,
        the migrations below it are judged on a chain as it should be, not on its leftovers."""
        self.progress(f"rebuilding the chain up to {self.names[k - 1] if k else 'nothing'}")
        self.close()
        self.db = self.create()
        self.conn = self.db.connect()
        for step in range(1, k + 1):
            self.apply(step, "up")
        if k and self.history[k - 1][1] is not None:
            self.seed(k)

    def run(self) -> list[Check]:
        self.after.append(self.catalog())
        try:
            self.first_pass()
            self.seed(len(self.names))
            for k in range(len(self.names), 0, -1):
                self.round_trip(k)
            self.reapply()
        except ChainBroken:
            pass
        return self.checks

    # -- the passes ------------------------------------------------------------------------

    def first_pass(self) -> None:
        for k, (name, model) in enumerate(self.history, 1):
            self.apply(k, "up")
            self.after.append(self.catalog())
            if model is None:
                self.add(name, "up_matches_fresh_build", SKIP,
                         "the lock's history has no model after this migration (the first of two "
                         "migrations one build wrote, or released before the lock recorded history)")
                continue
            self.progress(f"fresh build of the model after {name}")
            try:
                expected = self.fresh(model)
            except Exception as exc:  # the fresh build itself does not apply: say so, go on
                self.add(name, "up_matches_fresh_build", ERROR, f"the fresh build does not apply: {_first_line(exc)}")
                continue
            chain = live_catalog(self.conn)
            self.verdict(name, "up_matches_fresh_build", diff_catalogs(fresh_held(chain, expected, model), chain,
                                                                       ("fresh", "chain")),
                         "the catalog after up equals a fresh build of this step's spec")

    def seed(self, k: int) -> None:
        """Two tenants' rows at migration k (whose model the history knows)."""
        name, model = self.history[k - 1]
        self.progress(f"seeding two tenants after {name}")
        try:
            seed_tenants(self.conn, model)
        except Exception as exc:  # SeedError, or a row the server refuses: the catalog is still proven
            self.add(name, "seed_tenants", ERROR, f"cannot seed two tenants: {_first_line(exc)}")
            return
        values = table_values(self.conn)
        self.add(name, "seed_tenants", PASS,
                 f"two tenants seeded: {count_rows(values)} rows in {sum(bool(v.rows) for v in values.values())} tables")

    def round_trip(self, k: int) -> None:
        name = self.names[k - 1]
        previous = f"after {self.names[k - 2]}" if k > 1 else "of the empty template"
        rows = table_values(self.conn)
        refused = self.first_down(k, rows)
        self.verdict(name, "down_restores_catalog", diff_catalogs(self.after[k - 1], self.catalog(), (previous, "down")),
                     f"down gives the catalog {previous}")
        self.apply(k, "up")
        self.verdict(name, "up_after_down_matches", diff_catalogs(self.after[k], self.catalog(), ("up", "down, up")),
                     "up after down gives the catalog of the first up")
        if refused is not None:
            self.add(name, "rows_survive_round_trip", SKIP,
                     f"down refuses while the seeded rows hold what the model before it cannot ({refused}): "
                     "it was run on empty tables")
        else:
            self.rows_check(k, rows)
        self.apply(k, "down")
        again = diff_catalogs(self.after[k - 1], self.catalog(), (previous, "second down"))
        if again:
            self.verdict(name, "down_restores_catalog", again, "")
            self.reset(k - 1)
        elif refused is not None and k > 1 and self.history[k - 2][1] is not None:
            self.seed(k - 1)

    def first_down(self, k: int, rows: dict) -> str | None:
        """Down k; when it refuses over the seeded rows and changed nothing, the rows are removed
        and it runs again: the reason it refused, then (None when it ran at once)."""
        try:
            self.run_file(k, "down")
            return None
        except Exception as exc:  # judged below: refused over rows, or broken
            reason = _first_line(exc)
            if not count_rows(rows) or diff_catalogs(self.after[k], self.catalog()):
                self.add(self.names[k - 1], "down_applies", ERROR, f"{self.file(k, 'down').name} failed: {reason}")
                raise ChainBroken from None
        clear_rows(self.conn, sorted(rows))
        self.apply(k, "down")
        return reason

    def reapply(self) -> None:
        for k, name in enumerate(self.names, 1):
            self.apply(k, "up")
            self.verdict(name, "reapply_matches", diff_catalogs(self.after[k], self.catalog(), ("first up", "up again")),
                         "up again from nothing gives the catalog of the first up")

    # -- steps and verdicts ----------------------------------------------------------------

    def file(self, k: int, direction: str) -> Path:
        return migration_path(self.out, self.names[k - 1], direction)

    def text(self, k: int, direction: str) -> str:
        return migration_text(self.out, self.names[k - 1], direction)

    def run_file(self, k: int, direction: str) -> None:
        self.progress(f"{direction} {self.names[k - 1]}")
        apply_sql(self.conn, self.text(k, direction))

    def apply(self, k: int, direction: str) -> None:
        try:
            self.run_file(k, direction)
        except Exception as exc:  # any failure leaves the chain in no known state
            self.add(self.names[k - 1], f"{direction}_applies", ERROR,
                     f"{self.file(k, direction).name} failed: {_first_line(exc)}")
            raise ChainBroken from None

    def catalog(self) -> dict:
        return snapshot_catalog(self.conn, DEFAULT_SCHEMAS)

    def verdict(self, name: str, check: str, problems: list[str], passed: str, what: str = "catalog") -> None:
        if not problems:
            self.add(name, check, PASS, passed)
            return
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        self.add(name, check, FAIL, f"{len(problems)} {what} difference(s): {'; '.join(problems[:SHOWN])}{more}")

    def rows_check(self, k: int, before: dict) -> None:
        name = self.names[k - 1]
        lost = declared_losses(self.text(k, "down"))
        kept = {t: v for t, v in before.items() if t not in lost}
        if not count_rows(kept):
            self.add(name, "rows_survive_round_trip", SKIP,
                     "no rows to keep here" + (" (the down deletes, as it declares, every table holding rows)"
                                               if count_rows(before) else ""))
            return
        declared = f"; the down deletes, as it declares, {', '.join(sorted(lost))}" if lost else ""
        self.verdict(name, "rows_survive_round_trip", rows_differences(before, table_values(self.conn), lost),
                     f"{count_rows(kept)} rows keep their values through down and up{declared}", "row")

    def add(self, name: str, check: str, status: str, detail: str) -> None:
        self.checks.append(Check("chain", name, check, status, detail))


def check_chain(cluster: PostgresCluster, out: Path, template: str | None,
                progress: Callable[[str], None]) -> list[Check]:
    """The round trip of every released migration of `out` (see the module doc). `template`: the
    database the scratch databases are cloned from; None takes the Supabase template for the
    `supabase` target and the cluster's default template otherwise. The lock and the sum are
    read as a build reads them (an edited released file raises E901)."""
    history = model_history(out)
    if not history:
        return [Check("chain", str(out), "released_migrations", SKIP, "no migration is released")]
    if template is None and history[-1][1].target == "supabase":
        template = SUPABASE_TEMPLATE

    def fresh(model: Model) -> dict:
        db = cluster.create_database(cluster.unique_database_name("verify_fresh"), template=template)
        try:
            with db.connect() as conn:
                apply_sql(conn, fresh_build(model))
                return live_catalog(conn)
        finally:
            db.drop()

    trip = RoundTrip(lambda: cluster.create_database(cluster.unique_database_name("verify_chain"), template=template),
                     out, history, fresh, progress)
    try:
        return trip.run()
    finally:
        trip.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
