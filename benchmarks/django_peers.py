"""Against the peers: the synthetic schemas of compile_time.py as Django models, timed with
`manage.py makemigrations` + `manage.py sqlmigrate app 0001`, beside `atlas-compile build`.

    .venv/bin/python benchmarks/django_peers.py [--sizes 100 250 1000] [--quick] [--timeout 600]

Django runs in its own venv (made on first run under ~/.cache/atlas-compile-bench/django-venv,
Django and psycopg pinned below) against a throwaway PostgreSQL cluster: sqlmigrate needs a live
connection (its migration loader reads django_migrations, and psycopg quotes the SQL's literals).
Each size is built from nothing, then after ten changes (a new text column on ten tables, like
/work/notes' byte-identity run), best of --repeat runs; a size whose first run takes over
--slow seconds runs once, and a command over --timeout is stopped and reported as unfinished.
When Django's time per model grows with the size, makemigrations at --profile-size runs under
cProfile and the output names where the time goes. Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from django_models import write_models  # noqa: E402

from compiler.postgres import PostgresCluster  # noqa: E402

PINS = ("Django==5.2.19", "psycopg[binary]==3.3.9")  # 5.2 LTS: the last line for Python 3.11
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "atlas-compile-bench"
ATLAS_PYTHON = ROOT / ".venv" / "bin" / "python"

MANAGE = """import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""
SETTINGS = """import os
SECRET_KEY = "benchmark"
INSTALLED_APPS = ["app"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": os.environ["BENCH_PGDATABASE"],
    "USER": "postgres", "HOST": os.environ["BENCH_PGHOST"], "PORT": os.environ["BENCH_PGPORT"],
}}
"""


def django_python() -> Path:
    """The benchmark's own venv with Django pinned, made (or remade for new pins) on first use."""
    folder = CACHE / "django-venv"
    python = folder / "bin" / "python"
    marker = folder / "pins.txt"
    if not (python.exists() and marker.exists() and marker.read_text() == "\n".join(PINS)):
        print(f"making {folder} ({', '.join(PINS)}) ...", flush=True)
        shutil.rmtree(folder, ignore_errors=True)
        venv.create(folder, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *PINS], check=True)
        marker.write_text("\n".join(PINS))
    return python


def write_spec(folder: Path, tables: int) -> None:
    """The synthetic spec, from compile_time.py's generator (whatever else that module does)."""
    import compile_time

    if hasattr(compile_time, "write_schema"):
        compile_time.write_schema(folder, tables)
        return
    folder.mkdir(parents=True)  # fallback: its PROJECT and table(i) in one file
    tables_ = {f"t{i:04d}s": compile_time.table(i) for i in range(tables)}
    (folder / "_project.yaml").write_text(yaml.safe_dump(compile_time.PROJECT, sort_keys=False))
    (folder / "tables.yaml").write_text(yaml.safe_dump({"tables": tables_}, sort_keys=False))


def change_ten(folder: Path) -> None:
    """Ten changes: a new nullable text column on the first ten tenant tables of the spec."""
    changed = 0
    for path in sorted(folder.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        tables = [name for name in data.get("tables") or {} if name.startswith("t")]
        for name in tables[: 10 - changed]:
            data["tables"][name]["columns"][f"note{changed}"] = {"type": "text"}
            changed += 1
        if tables:
            path.write_text(yaml.safe_dump(data, sort_keys=False))
        if changed == 10:
            return


def write_project(folder: Path, spec: Path) -> int:
    (folder / "benchsite").mkdir(parents=True)
    (folder / "app" / "migrations").mkdir(parents=True)
    (folder / "manage.py").write_text(MANAGE)
    (folder / "benchsite" / "__init__.py").write_text("")
    (folder / "benchsite" / "settings.py").write_text(SETTINGS)
    (folder / "app" / "__init__.py").write_text("")
    (folder / "app" / "migrations" / "__init__.py").write_text("")
    return write_models(spec, folder / "app" / "models.py")


@dataclass
class Timing:
    seconds: float | None  # None: stopped at the timeout
    timeout: float

    def __str__(self) -> str:
        return f"{self.seconds:.2f}" if self.seconds is not None else f">{self.timeout:.0f}"


def run_timed(command: list, cwd: Path, timeout: float, env: dict | None = None) -> Timing:
    start = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  {' '.join(map(str, command[1:3]))}: did not finish in {timeout:.0f} s", flush=True)
        return Timing(None, timeout)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed in {cwd}:\n{done.stderr[-3000:]}")
    return Timing(elapsed, timeout)


def best(runs: int, slow: float, once, reset=lambda: None) -> Timing:
    """Best of `runs` calls of once(); one call only if the first is slow or unfinished."""
    results = []
    for attempt in range(runs):
        if attempt:
            reset()
        results.append(once())
        if results[0].seconds is None or results[0].seconds > slow:
            break
    finished = [r.seconds for r in results if r.seconds is not None]
    return Timing(min(finished) if finished else None, results[0].timeout)


@dataclass
class Row:
    label: str
    models: int
    makemigrations: Timing
    sqlmigrate: Timing | None
    atlas: Timing

    def django_total(self) -> float | None:
        parts = [self.makemigrations, self.sqlmigrate]
        return None if any(p is None or p.seconds is None for p in parts) else sum(p.seconds for p in parts)


class Bench:
    def __init__(self, args, python: Path, env: dict, work: Path):
        self.args, self.python, self.env, self.work = args, python, env, work

    def django(self, project: Path, migration: str, name: list[str]) -> tuple[Timing, Timing | None]:
        migrations = project / "app" / "migrations"

        def forget():
            for path in migrations.glob(f"{migration}_*.py"):
                path.unlink()
            shutil.rmtree(migrations / "__pycache__", ignore_errors=True)

        make = best(self.args.repeat, self.args.slow, lambda: run_timed(
            [self.python, "manage.py", "makemigrations", "app", *name], project, self.args.timeout, self.env), forget)
        if make.seconds is None:
            return make, None
        if not list(migrations.glob(f"{migration}_*.py")):  # the last run was stopped: make it again
            run_timed([self.python, "manage.py", "makemigrations", "app", *name], project, None, self.env)
        sql = best(self.args.repeat, self.args.slow, lambda: run_timed(
            [self.python, "manage.py", "sqlmigrate", "app", migration], project, self.args.timeout, self.env))
        return make, sql

    def atlas(self, size_dir: Path, schema: str, base: Path | None) -> Timing:
        def once():
            out = size_dir / "atlas-out"
            shutil.rmtree(out, ignore_errors=True)
            if base is not None:
                shutil.copytree(base, out)
            return run_timed([ATLAS_PYTHON, "-m", "compiler.cli", "build", "--schema", schema, "--out", out.name],
                             size_dir, self.args.timeout)
        return best(self.args.repeat, self.args.slow, once)

    def size(self, count: int) -> list[Row]:
        size_dir = self.work / str(count)
        write_spec(size_dir / "schema", count)
        project = size_dir / "django"
        models = write_project(project, size_dir / "schema")
        print(f"{models} models ...", flush=True)
        atlas = self.atlas(size_dir, "schema", None)
        shutil.copytree(size_dir / "atlas-out", size_dir / "atlas-base")
        rows = [Row(str(models), models, *self.django(project, "0001", []), atlas)]
        if rows[0].sqlmigrate is None:
            return rows
        shutil.copytree(size_dir / "schema", size_dir / "schema10")
        change_ten(size_dir / "schema10")
        write_models(size_dir / "schema10", project / "app" / "models.py")
        atlas10 = self.atlas(size_dir, "schema10", size_dir / "atlas-base")
        make, sql = self.django(project, "0002", ["--name", "ten_changes"])
        rows.append(Row(f"{models} +10 changes", models, make, sql, atlas10))
        return rows

    def profile(self, count: int, command: str) -> None:
        """One manage.py command at `count` models under cProfile: where Django's time goes."""
        size_dir = self.work / f"profile-{command}-{count}"
        write_spec(size_dir / "schema", count)
        project = size_dir / "django"
        write_project(project, size_dir / "schema")
        manage = [self.python, "manage.py", "makemigrations", "app"]
        if command == "sqlmigrate":
            run_timed(manage, project, None, self.env)
            manage = [self.python, "manage.py", "sqlmigrate", "app", "0001"]
        out = size_dir / f"{command}.prof"
        print(f"\nprofiling {command} at {count} tables (cProfile roughly doubles the time) ...", flush=True)
        took = run_timed([self.python, "-m", "cProfile", "-o", out, *manage[1:]], project, self.args.timeout, self.env)
        if took.seconds is not None:
            report_profile(out, took.seconds)


# Django functions whose cumulative share says which phase of makemigrations the time is in.
PHASES = {
    "autodetector.py:_detect_changes": "autodetector (model state diff)",
    "optimizer.py:optimize": "MigrationOptimizer.optimize (pairwise reduce of operations)",
    "state.py:render_multiple": "StateApps.render_multiple (building model classes from state)",
    "state.py:apps": "ProjectState.apps (rendering the model state)",
    "state.py:from_apps": "ProjectState.from_apps (reading the models)",
    "autodetector.py:arrange_for_graph": "arrange_for_graph",
    "writer.py:as_string": "MigrationWriter.as_string (writing the Python file)",
    "autodetector.py:_sort_migrations": "_sort_migrations (dependency sort)",
    "autodetector.py:_build_migration_list": "_build_migration_list",
    "checks/registry.py:run_checks": "system checks",
    "executor.py:collect_sql": "MigrationExecutor.collect_sql (sqlmigrate: each operation's SQL)",
    "state.py:reload_model": "ProjectState.reload_model (re-rendering a changed model and its relations)",
    "registry.py:clear_cache": "Apps.clear_cache (expiring every model's _meta caches)",
    "options.py:_expire_cache": "Options._expire_cache",
    "options.py:_populate_directed_relation_graph": "Options._populate_directed_relation_graph (all models' relations)",
}


def report_profile(path: Path, wall: float) -> None:
    stats = pstats.Stats(str(path))
    total = stats.total_tt
    rows = []
    for (filename, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((f"{'/'.join(Path(filename).parts[-2:])}:{func}", calls, tottime, cumtime))
    print(f"profiled run {wall:.1f} s wall, {total:.1f} s profiled; phases (cumulative share):")
    for key, label in PHASES.items():
        cum = max((r[3] for r in rows if r[0].endswith(key)), default=0.0)
        if cum >= 0.01 * total:
            print(f"  {100 * cum / total:5.1f}%  {label}")
    built = sum(r[1] for r in rows if r[0].endswith("models/base.py:__new__"))
    print(f"  model classes built (ModelBase.__new__): {built}")
    print("top functions by own time:")
    print(f"  {'own s':>7} {'cum s':>7} {'calls':>10}  function")
    for name, calls, tottime, cumtime in sorted(rows, key=lambda r: -r[2])[:12]:
        print(f"  {tottime:>7.2f} {cumtime:>7.2f} {calls:>10}  {name}")


def print_table(rows: list[Row]) -> None:
    print(f"\n{'models':<18} {'makemigrations s':>16} {'sqlmigrate s':>12} {'django s':>9} "
          f"{'atlas-compile s':>15} {'ratio':>7}")
    for row in rows:
        total = row.django_total()
        ratio = f"{total / row.atlas.seconds:.1f}x" if total and row.atlas.seconds else "-"
        sql = str(row.sqlmigrate) if row.sqlmigrate else "-"
        print(f"{row.label:<18} {str(row.makemigrations):>16} {sql:>12} "
              f"{f'{total:.2f}' if total else 'unfinished':>9} {str(row.atlas):>15} {ratio:>7}")


def growth(rows: list[Row], step: str) -> float | None:
    """How much the time per model of makemigrations or sqlmigrate grows from the smallest size
    to the largest finished one (1.0: linear); inf when a larger size did not finish."""
    first = [r for r in rows if "+" not in r.label]
    timed = [(r.models, getattr(r, step).seconds) for r in first if getattr(r, step) and getattr(r, step).seconds]
    if any(getattr(r, step) is not None and getattr(r, step).seconds is None for r in first):
        return float("inf")
    if len(timed) < 2:
        return None
    (small, s_time), (large, l_time) = timed[0], timed[-1]
    return (l_time / large) / (s_time / small)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 1000])
    parser.add_argument("--quick", action="store_true", help="sizes 50 and 100")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow", type=float, default=30.0, help="run once a command slower than this")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command")
    parser.add_argument("--profile-size", type=int, default=250, help="makemigrations; 0: never profile")
    parser.add_argument("--profile-sql-size", type=int, default=50, help="sqlmigrate; 0: never profile")
    args = parser.parse_args()
    sizes = [50, 100] if args.quick else sorted(args.sizes)
    python = django_python()
    subprocess.run([python, "-c", "import django, psycopg"], check=True)  # warm the venv's imports
    with tempfile.TemporaryDirectory(prefix="django-peers-") as tmp, PostgresCluster() as cluster:
        database = cluster.create_database("django_bench")
        env = {**os.environ, "BENCH_PGHOST": str(cluster.socket_dir), "BENCH_PGPORT": str(cluster.port),
               "BENCH_PGDATABASE": database.name, "PYTHONDONTWRITEBYTECODE": "1"}
        bench = Bench(args, python, env, Path(tmp))
        rows = []
        for count in sizes:
            rows += bench.size(count)
        print_table(rows)
        for step, size in (("makemigrations", args.profile_size), ("sqlmigrate", args.profile_sql_size)):
            factor = growth(rows, step)
            if factor is not None:
                print(f"{step}: time per model grows {factor:.1f}x from {rows[0].models} models to the largest"
                      + (" (a larger size did not finish)" if factor == float("inf") else ""))
            if size and not args.quick and factor is not None and factor > 1.5:
                bench.profile(size, step)
    print(f"\nDjango {PINS[0].split('==')[1]} in {CACHE / 'django-venv'}; atlas-compile from {ATLAS_PYTHON}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
