"""The ``docspace-sandbox`` command: one line with URL and key, serves, exits 0 on SIGTERM."""

from __future__ import annotations

import signal

import requests
from support.sandbox_cli import running_sandbox


def test_cli_prints_one_line_and_serves() -> None:
    """The printed key authenticates ``people/@self`` as the owner; without it → 401."""
    with running_sandbox("--api-key", "sk-cli-test-key") as (proc, url, key):
        assert key == "sk-cli-test-key"
        me = requests.get(
            f"{url}/api/2.0/people/@self", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert me.json()["response"]["email"] == "owner@sandbox.example"
        assert requests.get(f"{url}/api/2.0/people/@self", timeout=5).status_code == 401
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert proc.stdout is not None and proc.stdout.read() == ""
