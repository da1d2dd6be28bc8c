#!/usr/bin/env bash
# Starts the dashboard. With no portal configured (no .streamlit/secrets.toml, no DOCSPACE_URL)
# it runs on the built-in sandbox portal, so nothing leaves this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh requirements.lock
exec .venv/bin/streamlit run streamlit_app.py --browser.gatherUsageStats false "$@"
