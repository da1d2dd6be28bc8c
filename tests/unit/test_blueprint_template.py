"""A blueprint may name a room template instead of folders and welcome files, never both."""

from __future__ import annotations

import pytest

from onboarding.blueprint import Blueprint
from onboarding.errors import ConfigError


def test_a_template_replaces_the_default_folders_and_files() -> None:
    """Naming a room template empties the default folders and welcome files (the template brings them)."""
    bp = Blueprint.from_dict({"room_template": " Client room "})
    assert (bp.room_template, bp.folders, bp.templates, bp.template_id) == ("Client room", [], [], None)
    assert Blueprint.from_dict({"room_template": "88"}).template_id == 88


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"folders": ["Invoices"]}, "room_template and folders exclude each other"),
        ({"templates": [{"source": "12"}]}, "room_template and templates exclude each other"),
    ],
    ids=["folders", "files"],
)
def test_a_template_with_folders_or_files_is_refused_by_name(extra: dict, message: str) -> None:
    """Folders or welcome files next to a room template are refused with a message naming both."""
    with pytest.raises(ConfigError, match=message):
        Blueprint.from_dict({"room_template": "Client room", **extra})


def test_a_template_blueprint_survives_toml() -> None:
    """Saved and loaded again, a template blueprint keeps its template and stays without folders."""
    bp = Blueprint.from_dict({"room_template": "Client room"})
    again = Blueprint.from_toml(bp.to_toml())
    assert (again.room_template, again.folders, again.templates) == ("Client room", [], [])


def test_adding_folders_to_a_template_blueprint_is_refused() -> None:
    """Setting folders on a template blueprint later (the editor) is refused, not silently kept."""
    bp = Blueprint.from_dict({"room_template": "Client room"})
    with pytest.raises(ValueError, match="exclude each other"):
        bp.folders = ["Invoices"]


def test_an_overlong_template_name_is_refused() -> None:
    """A template title longer than a room title can be is refused with the limit."""
    with pytest.raises(ConfigError, match="longer than 170"):
        Blueprint.from_dict({"room_template": "x" * 171})
