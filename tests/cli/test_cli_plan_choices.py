"""`plan` takes the same choices as `run` (--on-conflict, --hand-over), so a person can preview them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.engine import Client, Harness, make_clients, write_csv

from onboarding import cli

BEN = "ben.manager@sandbox.example"


def test_plan_previews_an_update_with_a_hand_over_and_a_skip(
    harness: Harness, env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A finished client's row with a new e-mail and a new manager: plain `plan` shows a conflict
    (exit 1); `--on-conflict update --hand-over` shows it resuming with both changes, as `run`
    would do them (exit 0); `--on-conflict skip` leaves it out and says so (exit 0); nothing is written."""
    (first,) = make_clients(1)
    assert cli.main(["run", str(write_csv(tmp_path / "a.csv", [first])), *env]) == 0
    moved = Client(first.client_id, first.name, "new.contact@client.example", BEN)
    sheet = str(write_csv(tmp_path / "b.csv", [moved]))
    capsys.readouterr()
    writes = len(harness.writes_logged())
    assert cli.main(["plan", sheet, "--json", *env]) == 1
    assert json.loads(capsys.readouterr().out)["clients"][0]["action"] == "conflict"
    assert cli.main(["plan", sheet, "--json", "--on-conflict", "update", "--hand-over", *env]) == 0
    (row,) = json.loads(capsys.readouterr().out)["clients"]
    assert row["action"] == "resume"
    assert row["manager_change"] == {"journal": first.manager_email, "row": BEN, "handed_over": True}
    assert any(f"handed over to {BEN}" in w for w in row["warnings"]), row["warnings"]
    assert cli.main(["plan", sheet, "--json", "--on-conflict", "skip", *env]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["clients"] == []
    assert f"{first.client_id}: conflict skipped" in captured.err
    assert len(harness.writes_logged()) == writes


def test_a_plan_of_one_client_says_client(
    env: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The plan's summary of one client reads "1 client:", not "1 clients:"."""
    assert cli.main(["plan", str(write_csv(tmp_path / "one.csv", make_clients(1))), *env]) == 0
    assert "\n1 client: 1 to create" in capsys.readouterr().out


def test_the_cli_onboards_with_the_blueprint_the_dashboard_saved(
    harness: Harness, env: list[str], tmp_path: Path
) -> None:
    """A blueprint saved on the dashboard (blueprint.toml in the data folder) is the CLI's too when
    no --blueprint is given: its folders are the room's; --blueprint still wins."""
    (tmp_path / "blueprint.toml").write_text('folders = ["Reports"]\ntemplates = []\n', encoding="utf-8")
    first, second = make_clients(2)
    assert cli.main(["run", str(write_csv(tmp_path / "a.csv", [first])), *env]) == 0
    room = next(r for r in harness.rooms() if f"client:{first.client_id}" in r["tags"])
    assert [f["title"] for f in room["folders"]] == ["Reports"]
    other = tmp_path / "other.toml"
    other.write_text('folders = ["Contracts"]\ntemplates = []\n', encoding="utf-8")
    assert (
        cli.main(["run", str(write_csv(tmp_path / "b.csv", [second])), "--blueprint", str(other), *env]) == 0
    )
    room = next(r for r in harness.rooms() if f"client:{second.client_id}" in r["tags"])
    assert [f["title"] for f in room["folders"]] == ["Contracts"]
