#!/usr/bin/env bash
# Creates .venv with the locked dependencies, using only python3 and pip from the machine.
# uv (from PyPI, installed into .ci/.uv) does the install because it is ~6x faster than pip here.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:-requirements-dev.lock}
stamp=.venv/.installed-$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then exit 0; fi
if [ ! -x .ci/.uv/bin/uv ]; then
  python3 -m pip install -q --disable-pip-version-check --target .ci/.uv uv 2>/dev/null \
    || python3 -m pip install --disable-pip-version-check --target .ci/.uv uv
fi
uv=.ci/.uv/bin/uv
[ -x .venv/bin/python ] || PYTHONPATH=.ci/.uv "$uv" venv -q --python python3 .venv
PYTHONPATH=.ci/.uv "$uv" pip install -q -p .venv/bin/python -r "$lock"
PYTHONPATH=.ci/.uv "$uv" pip install -q -p .venv/bin/python --no-deps -e .
rm -f .venv/.installed-*; touch "$stamp"
