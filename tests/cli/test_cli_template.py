"""``docspace-onboard`` with a room-template blueprint: runs, and says what is wrong with one."""

from __future__ import annotations

from pathlib import Path

from support.engine import Harness, make_clients, write_csv
from support.room_templates import make_template
from support.sandbox_api import Api

from onboarding import cli


def test_run_with_a_template_blueprint_makes_rooms_from_it(
    harness: Harness, env: list[str], tmp_path: Path
) -> None:
    """`run --blueprint` naming a template by title onboards every client with one start each."""
    make_template(Api(harness.sandbox), "Client room")
    harness.sandbox.clear_log()
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('room_template = "Client room"\n', encoding="utf-8")
    sheet = write_csv(tmp_path / "c.csv", make_clients(2))
    assert cli.main(["run", str(sheet), *env, "--blueprint", str(blueprint)]) == 0
    starts = [r for r in harness.writes_logged() if r["path"].endswith("/fromTemplate")]
    assert len(starts) == 2


def test_an_unknown_template_is_a_usage_error_with_its_name(
    harness: Harness, env: list[str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """A template the portal does not have: exit 2, the message names it, nothing is written."""
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('room_template = "Nope"\n', encoding="utf-8")
    sheet = write_csv(tmp_path / "c.csv", make_clients(1))
    assert cli.main(["plan", str(sheet), *env, "--blueprint", str(blueprint)]) == 2
    assert "no room template is titled 'Nope'" in capsys.readouterr().err
    assert harness.writes_logged() == []
