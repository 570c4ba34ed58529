#!/usr/bin/env bash
# Installs atlas-compile into .venv and builds the example schema in schema/ into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet .   # the package as users get it (not editable)
.venv/bin/atlas-compile build "$@"
