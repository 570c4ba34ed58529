#!/usr/bin/env bash
# Installs atlas-compile with its test dependencies into .venv and runs the test suite.
# The suite starts its own throwaway PostgreSQL 15 (as the postgres user when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/python -m pytest "$@"
