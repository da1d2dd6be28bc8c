"""The link step: one link per client, found again after a lost answer, renewed when stale."""

from __future__ import annotations

import pytest
from support.engine import Harness, make_clients

from onboarding.blueprint import Blueprint
from onboarding.docspace import RoomType
from onboarding.journal import SqliteJournal
from onboarding.workflow.retry import RetryPolicy


def test_lost_answer_on_an_external_link_makes_one_link(harness: Harness) -> None:
    """Custom rooms take several external links: a retry looks for the one it made before making another."""
    bp = Blueprint.from_dict({"room_type": RoomType.CUSTOM, "link": {"access": 2}})
    harness.sandbox.set_faults(
        {
            "rules": [
                {"method": "PUT", "path": r"^/api/2.0/files/rooms/\d+/links$", "fault": "drop", "times": 1}
            ]
        }
    )
    result = harness.engine(bp).run(make_clients(1))
    assert result.exit_code == 0, result.errors
    (room,) = harness.rooms()
    external = [lk for lk in room["links"] if lk["linkType"] == 1 and not lk.get("primary")]
    assert len(external) == 1


def test_an_expired_link_is_renewed_not_reused(harness: Harness) -> None:
    """An invitation link found expired on resume is updated with a new expiry before it is recorded."""
    clients = make_clients(1)
    bp = Blueprint.from_dict({"link": {"expires_in_days": 30}})
    harness.sandbox.set_faults(
        {
            "rules": [
                {
                    "method": "GET",
                    "path": r"^/api/2.0/files/rooms/\d+/share$",
                    "fault": "error503",
                    "times": 99,
                }
            ]
        }
    )
    first = harness.engine(bp, retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001)).run(clients)
    assert first.exit_code == 1  # verification could not read the members: the link exists already
    harness.sandbox.set_faults(None)
    with harness.sandbox.backend.lock:
        room = next(f for f in harness.sandbox.backend.state.folders.values() if getattr(f, "links", None))
        room.links[0].expiration = "2020-01-01T00:00:00.0000000Z"
    second = harness.engine(bp).run(clients)
    assert second.exit_code == 0, second.errors
    (link,) = harness.rooms()[0]["links"]
    assert link["expirationDate"] > "2026"
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", "C-0001")
    assert rec is not None and rec.link_expires == link["expirationDate"]


def test_invitation_link_limit_answered_without_a_link_reuses_the_existing_one(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the portal answers the one-invitation-link limit with no link (not a 403), the room's link is used."""
    from onboarding.docspace import DocSpaceClient, FileShare, LinkRequest, LinkType

    engine = harness.engine()
    real = DocSpaceClient.set_room_link
    calls = []

    def first_call_stores_nothing(self: DocSpaceClient, room_id: int, request: LinkRequest):  # type: ignore[no-untyped-def]
        calls.append(room_id)
        if len(calls) == 1:  # someone made the room's invitation link just before us
            real(self, room_id, LinkRequest(LinkType.INVITATION, FileShare.READ, title="Made by hand"))
            return None
        return real(self, room_id, request)

    monkeypatch.setattr(DocSpaceClient, "set_room_link", first_call_stores_nothing)
    result = engine.run(make_clients(1))
    assert result.exit_code == 0, result.errors
    (link,) = harness.rooms()[0]["links"]
    assert link["title"] == "Made by hand" and link["access"] == 2
