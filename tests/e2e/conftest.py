"""Browser tests: the dashboard as a real server in zero-configuration mode, driven by Chromium.

The server is started once per session on a free port with an empty data folder and no portal
settings, so it runs against its built-in sandbox. Its output goes to a file that is printed if it
fails to start. Chromium is Debian's (``/usr/bin/chromium``); without it the tests are skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from support.browser import wait_for_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(
    data: Path, extra_env: dict[str, str] | None = None, script: str = "streamlit_app.py"
) -> Iterator[str]:
    """``streamlit run streamlit_app.py`` (or another ``script``) with no portal configured; yields its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    port = _free_port()
    log_path = data / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSPACE_")}
    env.update(DOCSPACE_DATA_DIR=str(data), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    env.update(extra_env or {})
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the dashboard did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.1)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    output = log_path.read_text(errors="replace")
    if "Traceback" in output:
        print(f"server log:\n{output}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard in zero-configuration mode (the sandbox, no sign-in); yields its base URL."""
    yield from _serve(tmp_path_factory.mktemp("e2e-data"))


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A dashboard of the module's own (zero-configuration, own data folder), for tests that save
    settings the shared server's other tests must not see."""
    yield from _serve(tmp_path_factory.mktemp("e2e-own"))


E2E_PASSWORD = "e2e dashboard password"


@pytest.fixture(scope="session")
def protected_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard on the sandbox with a dashboard password (``E2E_PASSWORD``) configured."""
    from onboarding.access import PASSWORD_HASH_ENV, hash_password

    extra = {PASSWORD_HASH_ENV: hash_password(E2E_PASSWORD)}
    yield from _serve(tmp_path_factory.mktemp("e2e-protected"), extra)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium (Playwright cannot download its own browser on these machines)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-dev-shm-usage"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1300}, "accept_downloads": True}


@pytest.fixture
def app(page: Page, app_server: str) -> Page:
    """The dashboard's Home page, loaded and idle."""
    page.goto(app_server)
    wait_for_app(page)
    return page
