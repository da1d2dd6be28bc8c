"""The contents step: folders and template copies land where the blueprint says."""

from __future__ import annotations

from support.engine import Harness, make_clients

from onboarding.blueprint import Blueprint


def test_template_folder_in_another_case_lands_in_that_folder(harness: Harness) -> None:
    """A template aimed at 'deliverables' lands in the 'Deliverables' folder, not the room root."""
    bp = Blueprint.from_dict(
        {"templates": [{"source": "@my/Welcome to your client room.pdf", "folder": "deliverables"}]}
    )
    assert harness.engine(bp).run(make_clients(1)).exit_code == 0
    (room,) = harness.rooms()
    deliverables = next(f for f in room["folders"] if f["title"] == "Deliverables")
    assert deliverables["files"] == ["Welcome to your client room.pdf"] and room["files"] == []
