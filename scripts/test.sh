#!/usr/bin/env bash
# The project's one test command: installs the locked environment, lints, type-checks, runs pytest.
# Browser (e2e) tests need Debian's chromium at /usr/bin/chromium; without it they are skipped
# with a message (.ci/run installs it, so CI always runs them).
set -euo pipefail
cd "$(dirname "$0")/.."
export STREAMLIT_BROWSER_GATHER_USAGE_STATS=false STREAMLIT_SERVER_HEADLESS=true
bash scripts/bootstrap.sh
echo "[test] ruff"; .venv/bin/ruff check .
echo "[test] ruff format"; .venv/bin/ruff format --check . >/dev/null
echo "[test] mypy"; .venv/bin/mypy --cache-dir .venv/.mypy_cache
echo "[test] pytest"
rc=0
.venv/bin/python -m pytest -q "$@" || rc=$?
if [ "$rc" -eq 5 ]; then echo "[test] pytest collected no tests: failing"; exit 1; fi
exit "$rc"
