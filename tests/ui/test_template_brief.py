"""The blueprint summary names a room template instead of folders and files."""

from __future__ import annotations

from onboarding.blueprint import Blueprint
from ui.display import blueprint_brief


def test_a_template_blueprint_is_summarised_by_its_template() -> None:
    """A template blueprint shows the template where folders and files would be; the default does not."""
    brief = dict(blueprint_brief(Blueprint.from_dict({"room_template": "Client room"})))
    assert "Client room" in brief["Folders and files"] and "Folders" not in brief
    assert dict(blueprint_brief(Blueprint()))["Folders"] == "Invoices, Contracts, Deliverables"
