"""Compile time of synthetic schemas of 250 / 1,000 / 2,000 tenant tables against the floor:
Python start-up plus yaml.load (libyaml's CSafeLoader) over the same files.

    .venv/bin/python benchmarks/compile_time.py [--quick] [--tables 250 1000 2000] [--repeat 3]

For each size, two builds: from nothing (an empty build folder, an empty load cache) and after
10 changes (a new column on ten tables, built over the first build's migration, with the load
cache that build left). Prints the best of --repeat wall
and CPU seconds (user + system of the build process), the floor's, their ratio, ms per table,
the peak resident memory of the build, the growth from 1,000 to 2,000 tables, the time of each
phase (ATLAS_PHASE_TIMES=1, compiler/pipeline.py) and the import time of the command line.
Prints figures; asserts nothing. `--quick`: 100 and 250 tables."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT = {
    "project": {
        "name": "bench", "postgres": 15, "target": "supabase",
        "tenancy": {"table": "organizations", "column": "organization_id",
                    "membership": {"table": "members", "user_column": "user_id", "role_column": "role"}},
    },
    "enums": {"member_role": ["owner", "admin", "staff"], "item_status": ["open", "done"]},
    "tables": {
        "organizations": {"columns": {"id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"},
                                      "name": {"type": "text", "nullable": False}}},
        "members": {"columns": {"id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"},
                                "user_id": {"type": "uuid", "nullable": False},
                                "role": {"type": "member_role", "nullable": False, "default": "staff"}}},
    },
}
CHANGED = 10   # tables that get a new column in the second build
PHASES = ("cli", "load", "shape", "lower", "access_warnings", "read_state", "diff", "order", "render",
          "lock_and_sum", "write")   # compiler/pipeline.py's phase_done names, in the order they run


def table(i: int) -> dict:
    """A realistic tenant table: a few typed columns, a check, an FK to the previous table,
    an index, role and owner rules; every tenth one audited and soft-deleting."""
    columns = {
        "id": {"type": "uuid", "primary_key": True, "default_sql": "gen_random_uuid()"},
        "title": {"type": "text", "nullable": False, "check": "length(title) > 0"},
        "status": {"type": "item_status", "nullable": False, "default": "open"},
        "amount": {"type": "numeric(10,2)", "default": 0},
        "owner_id": {"type": "uuid", "references": {"table": "members", "on_delete": "set_null"}},
        "payload": {"type": "jsonb", "nullable": False, "default_sql": "'{}'::jsonb"},
    }
    if i > 0:
        columns["parent_id"] = {"type": "uuid", "references": f"t{i - 1:04d}s"}
    return {
        "audit": i % 10 == 0, "soft_delete": i % 10 == 0,
        "columns": columns,
        "indexes": [{"columns": ["organization_id", "status", "created_at desc"]}],
        "access": {"select": "member", "insert": "member", "update": ["owner", "role:admin"], "delete": "role:admin"},
        "owner_column": "owner_id",
    }


def write_schema(folder: Path, tables: int) -> None:
    folder.mkdir(parents=True)
    (folder / "_project.yaml").write_text(yaml.safe_dump(PROJECT, sort_keys=False))
    per_file = 50
    for start in range(0, tables, per_file):
        chunk = {f"t{i:04d}s": table(i) for i in range(start, min(start + per_file, tables))}
        (folder / f"tables_{start:05d}.yaml").write_text(yaml.safe_dump({"tables": chunk}, sort_keys=False))


def change_tables(folder: Path, count: int = CHANGED) -> None:
    """A new column on the first `count` tables (the edit /work/notes/ref11.sh makes)."""
    path = folder / "tables_00000.yaml"
    data = yaml.safe_load(path.read_text())
    for i, name in enumerate(list(data["tables"])[:count]):
        data["tables"][name]["columns"][f"note{i}"] = {"type": "text"}
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    phases: dict = field(default_factory=dict)


def run(command: list[str], cwd: Path, env: dict | None = None) -> Run:
    """One process: its wall time, its own CPU time and peak RSS (wait4), its phase lines."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{stderr.decode()}")
    phases = {}
    for line in stderr.decode().splitlines():
        if line.startswith("phase "):
            _, name, ms = line.split()
            phases[name] = float(ms)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, phases)


def best(runs: list[Run]) -> Run:
    fastest = min(runs, key=lambda r: r.wall)
    return Run(fastest.wall, min(r.cpu for r in runs), max(r.peak_mb for r in runs), fastest.phases)


def cli() -> list[str]:
    script = Path(sys.executable).parent / "atlas-compile"
    return [str(script)] if script.exists() else [sys.executable, "-m", "compiler.cli"]


FLOOR = ("import sys, yaml, pathlib\n"
         "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
         "    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n")


def measure(work: Path, count: int, repeat: int) -> dict[str, tuple[Run, Run]]:
    """{case: (build, floor)} for one size: from nothing, then after CHANGED changes."""
    schema = work / "schema"
    write_schema(schema, count)
    cache = work / "cache"   # the load cache (compiler/source/cache.py): cold from nothing, warm after
    env = {**os.environ, "ATLAS_PHASE_TIMES": "1", "ATLAS_CACHE_DIR": str(cache)}
    build = cli() + ["build", "--schema", "schema", "--out"]
    fresh = []
    for attempt in range(repeat):
        for folder in ("out", "cache"):
            shutil.rmtree(work / folder, ignore_errors=True)
        fresh.append(run(build + ["out"], work, env))
    first_floor = best([run([sys.executable, "-c", FLOOR, "schema"], work) for _ in range(repeat)])
    shutil.copytree(work / "out", work / "released")   # the first build, released, and its cache
    if cache.exists():
        shutil.copytree(cache, work / "released_cache")
    change_tables(schema)
    changed = []
    for attempt in range(repeat):
        for folder in ("out", "cache"):
            shutil.rmtree(work / folder, ignore_errors=True)
        shutil.copytree(work / "released", work / "out")
        if (work / "released_cache").exists():
            shutil.copytree(work / "released_cache", cache)
        changed.append(run(build + ["out"], work, env))
    floor = best([run([sys.executable, "-c", FLOOR, "schema"], work) for _ in range(repeat)])
    return {"nothing": (best(fresh), first_floor), f"{CHANGED} changes": (best(changed), floor)}


def import_times(repeat: int, cwd: Path) -> tuple[float, float]:
    """Wall seconds of a bare interpreter, and of one that imports the command line (run in `cwd`,
    outside the repository, so that the installed package, or PYTHONPATH's, is the one timed)."""
    bare = min(run([sys.executable, "-c", "pass"], cwd).wall for _ in range(repeat * 3))
    cli_import = min(run([sys.executable, "-c", "import compiler.cli"], cwd).wall for _ in range(repeat * 3))
    return bare, cli_import


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 and 250 tables")
    args = parser.parse_args()
    sizes = args.tables or ([100, 250] if args.quick else [250, 1000, 2000])
    results: dict[tuple[int, str], tuple[Run, Run]] = {}
    print(f"{'tables':>7} {'build':<11} {'wall s':>7} {'cpu s':>7} {'floor s':>8} {'ratio':>6} {'cpu ratio':>9} "
          f"{'ms/table':>9} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            for case, (build, floor) in measure(Path(tmp) / str(count), count, args.repeat).items():
                results[(count, case)] = (build, floor)
                print(f"{count:>7} {case:<11} {build.wall:>7.2f} {build.cpu:>7.2f} {floor.wall:>8.2f} "
                      f"{build.wall / floor.wall:>5.1f}x {build.cpu / floor.cpu:>8.1f}x "
                      f"{1000 * build.wall / count:>9.2f} {build.peak_mb:>8.0f}", flush=True)
        bare, with_cli = import_times(args.repeat, Path(tmp))
    for low, high in zip(sizes, sizes[1:]):
        for case in ("nothing", f"{CHANGED} changes"):
            growth = results[(high, case)][0].wall / results[(low, case)][0].wall
            print(f"growth {low} -> {high} tables ({high / low:.0f}x), {case}: {growth:.2f}x the time")
    seen = {name for build, _ in results.values() for name in build.phases}
    names = [name for name in PHASES if name in seen] + sorted(seen - set(PHASES))
    print("\nphases of the fastest build, ms:")
    print(f"{'tables':>7} {'build':<11} " + " ".join(f"{n:>12}" for n in names))
    for (count, case), (build, _) in results.items():
        print(f"{count:>7} {case:<11} " + " ".join(f"{build.phases.get(n, 0):>12.0f}" for n in names))
    print(f"\nimport of compiler.cli: {1000 * (with_cli - bare):.0f} ms over the interpreter's start-up "
          f"({1000 * bare:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
