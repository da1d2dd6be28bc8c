"""A template batch killed mid-run and run again: one full room per client, no job repeated."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.engine import Client, cli_run, make_clients, one_room_per_client, run_and_kill, write_csv
from support.room_templates import make_default_template
from support.sandbox_api import Api

import docspace_sandbox


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


@pytest.mark.slow
def test_sigkill_mid_template_batch_then_resume(tmp_path: Path) -> None:
    """SIGKILL while rooms are made from a template, then the same run again: each client has one
    room with the template's folders and files, and at most one start beyond one per client (a
    start swallowed by the killed run's job, which was still running)."""
    clients = make_clients(30)
    sb = docspace_sandbox.start(port=0, latency_ms=25)
    try:
        template_id = make_default_template(Api(sb))
        blueprint = tmp_path / "blueprint.toml"
        blueprint.write_text(f'room_template = "{template_id}"\n', encoding="utf-8")
        sheet = write_csv(tmp_path / "clients.csv", clients)
        cmd, env = cli_run(sb, sheet, tmp_path / "journal.sqlite3", tmp_path)
        cmd += ["--blueprint", str(blueprint)]
        sb.clear_log()
        made = run_and_kill(cmd, env, sb, rooms=10)  # the template's source room is one of them
        assert made < len(clients) + 1, "the run finished before it could be killed"
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
        assert again.returncode == 0, again.stdout + again.stderr
        rooms = [r for r in sb.state()["rooms"] if r["title"] != "Template source"]
        one_room_per_client(rooms, clients, _tag)
        starts = [
            r for r in sb.request_log() if r["method"] == "POST" and r["path"].endswith("/fromTemplate")
        ]
        assert len(clients) <= len(starts) <= len(clients) + 1
    finally:
        sb.stop()
