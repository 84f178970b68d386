#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -r requirements.txt -r tests/requirements.txt
if ! command -v chromium >/dev/null 2>&1; then  # Debian's Chromium drives the browser tests
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium
fi
python -m pytest -q tests "$@"
