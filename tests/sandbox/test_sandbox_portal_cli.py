"""The portal-kind options of the ``docspace-sandbox`` command."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests
from support.sandbox_cli import REPO, running_sandbox


def test_cli_portal_options_reach_the_settings() -> None:
    """``--key-user``, ``--invitation-limit``, ``--room-quota``, ``--no-guest-invites`` and
    ``--external-links`` show in GET /__sandbox__/settings, and the key is the room admin's."""
    options = ["--key-user", "room-admin", "--invitation-limit", "3", "--room-quota", "2"]
    options += ["--no-guest-invites", "--external-links", "internal"]
    with running_sandbox(*options) as (proc, url, key):
        settings = requests.get(f"{url}/__sandbox__/settings", timeout=5).json()
        assert settings == {
            "key_user": "room-admin",
            "invitation_limit": 3,
            "room_quota": 2,
            "guest_invites": False,
            "external_links": "internal",
            "password_policy": {"min_length": 8, "upper_case": False, "digits": False, "spec_symbols": False},
        }
        me = requests.get(
            f"{url}/api/2.0/people/@self", headers={"Authorization": f"Bearer {key}"}, timeout=5
        )
        assert me.json()["response"]["email"] == "rita.roomadmin@sandbox.example"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0


def test_cli_refuses_a_bad_portal_option() -> None:
    """An unknown ``--external-links`` value or a negative limit exits 2 with the option named."""
    for bad in (["--external-links", "private"], ["--room-quota", "-1"]):
        done = subprocess.run(
            [sys.executable, "-m", "docspace_sandbox", "--port", "0", *bad],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=REPO,
            timeout=30,
        )
        assert done.returncode == 2
        assert bad[0] in done.stderr
