"""Compile time for synthetic schemas of 250 / 1,000 / 2,000 tenant tables, against the floor:
Python start-up plus yaml.load with the C loader over the same files (ROADMAP 3).

    python benchmarks/compile_time.py [--tables 250 1000 2000] [--repeat 3]

Prints wall seconds (best of --repeat) of `atlas-compile build` into an empty folder, of the
floor, their ratio, and the time per table, so a quadratic step shows as a growing per-table
cost."""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
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


def best(command: list[str], repeat: int, cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


FLOOR = ("import sys, yaml, pathlib\n"
         "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
         "    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[250, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'tables':>7} {'build s':>9} {'floor s':>9} {'ratio':>7} {'ms/table':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.tables:
            work = Path(tmp) / str(count)
            write_schema(work / "schema", count)
            build_times = []
            for run in range(args.repeat):
                out = work / f"build{run}"
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "compiler.cli", "build", "--schema", "schema", "--out", out.name],
                               cwd=work, check=True, capture_output=True)
                build_times.append(time.perf_counter() - start)
            build = min(build_times)
            floor = best([sys.executable, "-c", FLOOR, "schema"], args.repeat, work)
            print(f"{count:>7} {build:>9.2f} {floor:>9.2f} {build / floor:>6.1f}x {1000 * build / count:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
