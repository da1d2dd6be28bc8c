#!/usr/bin/env bash
# Creates .venv with the locked dependencies, using only python3 and pip from the machine.
# uv (from PyPI, installed into .ci/.uv) does the install because it is ~6x faster than pip here.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:-requirements-dev.lock}
stamp=.venv/.installed-$(sha256sum "$lock" pyproject.toml "$0" | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then exit 0; fi
if [ ! -x .ci/.uv/bin/uv ]; then
  python3 -m pip install -q --disable-pip-version-check --target .ci/.uv uv 2>/dev/null \
    || python3 -m pip install --disable-pip-version-check --target .ci/.uv uv
fi
uv=.ci/.uv/bin/uv
# Use the system's certificate store: package mirrors behind a TLS-inspecting proxy present a
# certificate that only the system store (not uv's bundled roots) trusts.
export UV_NATIVE_TLS=${UV_NATIVE_TLS:-1}
[ -x .venv/bin/python ] || PYTHONPATH=.ci/.uv "$uv" venv -q --python python3 .venv
if ! PYTHONPATH=.ci/.uv "$uv" pip install -q -p .venv/bin/python -r "$lock"; then
  echo "[bootstrap] uv could not install the lock; falling back to pip (slower)" >&2
  .venv/bin/python -m ensurepip -q 2>/dev/null || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$lock"
fi
PYTHONPATH=.ci/.uv "$uv" pip install -q -p .venv/bin/python --no-deps -e . \
  || .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
# Compile the bytecode once, here: where PYTHONDONTWRITEBYTECODE is set (as on this machine) or
# site-packages is read-only, every start would otherwise compile pandas & co. again (~1.8 s).
# uv's --compile-bytecode skips packages already installed, so compileall does it for all of them.
.venv/bin/python -m compileall -q -j 0 "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null \
  || echo "[bootstrap] could not compile the bytecode (starts will be slower)" >&2
# The project is installed editable (its modules load from this checkout), so the above does not
# reach them: without this, every start with PYTHONDONTWRITEBYTECODE compiles onboarding/ (~0.3 s).
.venv/bin/python -m compileall -q -j 0 onboarding docspace_sandbox ui pages streamlit_app.py >/dev/null \
  || echo "[bootstrap] could not compile the project's bytecode (starts will be slower)" >&2
rm -f .venv/.installed-*; touch "$stamp"
