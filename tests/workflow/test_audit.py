"""Drift rules as pure functions: what the audit calls a difference, and what repair reopens."""

from __future__ import annotations

from onboarding.blueprint import Blueprint
from onboarding.docspace import Folder
from onboarding.journal import ClientRecord
from onboarding.workflow.audit import RoomView, compare, reopen, steps_to_redo
from onboarding.workflow.status import Step


def _rec(**kw: object) -> ClientRecord:
    base: dict[str, object] = {
        "portal": "p", "client_id": "C1", "tag": "client:C1", "room_id": 7, "room_title": "Client - Acme",
        "status": "onboarded", "email": "it@acme.example",
    }  # fmt: skip
    return ClientRecord(**{**base, **kw})  # type: ignore[arg-type]


def _room(**kw: object) -> Folder:
    base: dict[str, object] = {"id": 7, "title": "Client - Acme", "room_type": 2, "tags": ["client:C1"]}
    return Folder(**{**base, **kw})  # type: ignore[arg-type]


def test_renamed_untagged_retyped_room_is_three_differences() -> None:
    """A renamed room, its tag removed and another type: title, tag and room type are reported."""
    view = RoomView(_room(title="Acme (old)", tags=[], room_type=6))
    items = {d.item: d for d in compare(_rec(), Blueprint(), view, "me@x.example").differences}
    assert set(items) == {"title", "tag", "room type"}
    assert (items["title"].expected, items["title"].found) == ("Client - Acme", "Acme (old)")


def test_missing_and_archived_rooms() -> None:
    """No room at all is one difference; an archived room is 'room archived' (contents not read)."""
    assert [d.item for d in compare(_rec(), Blueprint(), RoomView(None), "").differences] == ["room"]
    archived = RoomView(_room(root_folder_type=20))
    assert [d.item for d in compare(_rec(), Blueprint(), archived, "").differences] == ["room archived"]


def test_accepted_items_are_kept_apart() -> None:
    """An accepted item is no longer among the differences but is still known as accepted."""
    result = compare(_rec(accepted=["title"]), Blueprint(), RoomView(_room(title="x")), "")
    assert result.differences == [] and [d.item for d in result.accepted] == ["title"]


def test_repair_reopens_the_steps_that_restore_each_difference() -> None:
    """A deleted folder redoes folders and files; a member access; a link the link; the room nothing."""
    view = RoomView(_room(), root=([], []), members=[], links=[])
    diffs = compare(_rec(), Blueprint(), view, "").differences
    assert steps_to_redo(diffs) == [Step.FOLDERS, Step.FILES, Step.ACCESS, Step.LINK]
    progress = reopen({"folders": {"Invoices": 3}, "link": {"id": "x"}, "verify": True}, [Step.LINK])
    assert progress == {"folders": {"Invoices": 3}, "link_started": True}
