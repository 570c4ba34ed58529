#!/usr/bin/env bash
# Installs atlas-compile with its test dependencies into .venv and runs the test suite.
# The suite starts its own throwaway PostgreSQL 15 (as the postgres user when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
# pgTAP and pg_prove run the tests `atlas-compile verify --emit-pgtap` writes (tests/test_pgtap.py);
# Graphviz's `dot` draws `atlas-compile graph --format svg` (tests/test_graph.py).
# pg_partman and pg_cron back partition maintenance and refresh schedules (the suite's cluster
# preloads pg_cron when it is installed); plpgsql_check checks every generated plpgsql body.
DEBIAN_PACKAGES=(postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl graphviz
  postgresql-15-partman postgresql-15-cron postgresql-15-plpgsql-check)
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "scripts/test.sh: run as root (or apt-get install ${missing[*]} first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# dbmate (from the npm registry, a Go binary) applies the dbmate layout for real
# (tests/test_layout_runners.py); kept in .tools/, out of the repository.
if [ ! -x .tools/node_modules/.bin/dbmate ]; then
  npm install --silent --no-audit --no-fund --prefix .tools dbmate@2.36.0 >/dev/null
fi
.venv/bin/python -m pytest "$@"
