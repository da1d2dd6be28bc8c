"""The ``docspace-sandbox`` command: one line with URL and key, serves, exits 0 on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def test_cli_prints_one_line_and_serves() -> None:
    """The printed key authenticates ``people/@self`` as the owner; without it → 401."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "docspace_sandbox", "--port", "0", "--api-key", "sk-cli-test-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.fullmatch(
            r"DocSpace sandbox portal at (http://127\.0\.0\.1:\d+) — API key (sk-\S+)\n", line
        )
        assert found, line
        url, key = found.groups()
        assert key == "sk-cli-test-key"
        me = requests.get(
            f"{url}/api/2.0/people/@self", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert me.json()["response"]["email"] == "owner@sandbox.example"
        assert requests.get(f"{url}/api/2.0/people/@self", timeout=5).status_code == 401
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert proc.stdout.read() == ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
