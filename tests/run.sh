#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs pytest, then the browser
# decoder's parity tests (node --test on fixtures the Python core writes).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -r requirements.txt -r tests/requirements.txt
missing=""
command -v chromium >/dev/null 2>&1 || missing="chromium"  # Debian's Chromium drives the browser tests
command -v node >/dev/null 2>&1 || missing="$missing nodejs"  # Node >= 20 runs web/'s parity tests
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q && $SUDO apt-get install -y -q $missing
fi
python -m pytest -q tests "$@"
fixtures="$(mktemp -d)"
trap 'rm -rf "$fixtures"' EXIT
python tests/web/make_fixtures.py "$fixtures"
CHARGEN_WEB_FIXTURES="$fixtures" node --test tests/web/*.test.mjs
