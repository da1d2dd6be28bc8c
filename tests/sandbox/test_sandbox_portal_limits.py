"""Portal limits: the e-mail invitation budget, the tariff's room quota and guest invitations off.

Server sources (ONLYOFFICE/DocSpace-server v3.7.2): ``MaxEmailInvitationsAttribute``
(common/ASC.Api.Core/Model/EmailInvitationDto.cs) and ``UserInvitationLimitHelper`` (budget,
``ReduceLimit`` per invitation mail sent from ``FileSharingAceHelper.SetAceObjectAsync``);
``CountRoomChecker`` / ``TenantQuotaFeatureChecker`` (room count, ``TenantQuotaException`` → 402 in
``CustomExceptionHandler``); ``VirtualRoomsController.SetRoomSecurity`` (``AllowInvitingGuests``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from support.checked_api import CheckedApi, validation_errors
from support.sandbox_api import error_message

from docspace_sandbox.server import Sandbox, start

CARL = "carl.user@sandbox.example"


def _invite(api: CheckedApi, room_id: int, *emails: str, access: int = 2) -> requests.Response:
    return api.put(
        f"files/rooms/{room_id}/share",
        json={"invitations": [{"email": email, "access": access} for email in emails]},
    )


def _member_emails(api: CheckedApi, room_id: int) -> set[str]:
    return {m["sharedTo"]["email"] for m in api.get(f"files/rooms/{room_id}/share").json()["response"]}


@pytest.fixture
def limited() -> Iterator[Sandbox]:
    """A sandbox with a budget of two e-mail invitations."""
    with start(port=0, invitation_limit=2) as portal:
        yield portal


# ---------------------------------------------------------------------- the settings endpoint


def test_settings_are_changed_at_runtime_and_shown(sandbox: Sandbox) -> None:
    """POST /__sandbox__/settings takes the documented names and answers the settings in force."""
    api = CheckedApi(sandbox)
    changed = api.settings(invitation_limit=50, room_quota=3, guest_invites=False, external_links="internal")
    assert changed == {
        "key_user": "owner",
        "invitation_limit": 50,
        "room_quota": 3,
        "guest_invites": False,
        "external_links": "internal",
        "password_policy": {"min_length": 8, "upper_case": False, "digits": False, "spec_symbols": False},
    }
    assert api.settings(room_quota=None, guest_invites=True)["room_quota"] is None
    assert api.settings() == {**changed, "room_quota": None, "guest_invites": True}


@pytest.mark.parametrize(
    "body",
    [
        {"invitation_limit": -1},
        {"room_quota": "3"},
        {"guest_invites": "no"},
        {"external_links": "private"},
        {"key_user": "guest"},
        {"invitation_limit": 5, "no_such_setting": 1},
    ],
)
def test_bad_settings_are_refused_and_change_nothing(sandbox: Sandbox, body: dict[str, Any]) -> None:
    """A bad value or an unknown name is a 400 naming the setting; nothing is applied."""
    before = CheckedApi(sandbox).settings()
    response = requests.post(f"{sandbox.url}/__sandbox__/settings", json=body, timeout=10)
    assert response.status_code == 400
    assert any(name in response.json()["error"] for name in body)
    assert CheckedApi(sandbox).settings() == before


# ---------------------------------------------------------------------- invitation budget


def test_each_new_email_invitation_uses_the_budget_until_it_is_exceeded(limited: Sandbox) -> None:
    """Two new addresses use the budget of 2; the third is 400 "Invitation limit is exceeded"
    (model validation under ``Invitations``) and creates no guest."""
    api = CheckedApi(limited)
    room = api.room()
    assert _invite(api, room["id"], "one@acme.example").status_code == 200
    assert api.settings()["invitation_limit"] == 1
    assert _invite(api, room["id"], "two@acme.example").status_code == 200
    assert api.settings()["invitation_limit"] == 0
    refused = _invite(api, room["id"], "three@acme.example")
    assert refused.status_code == 400
    assert validation_errors(refused) == {"Invitations": ["Invitation limit is exceeded"]}
    assert api.get("people/email", params={"email": "three@acme.example"}).status_code == 404


def test_a_request_with_more_emails_than_the_budget_is_refused_whole(limited: Sandbox) -> None:
    """Three e-mail entries against a budget of 2: nothing is invited, nothing is spent."""
    api = CheckedApi(limited)
    room = api.room()
    refused = _invite(api, room["id"], "a@acme.example", "b@acme.example", "c@acme.example")
    assert validation_errors(refused) == {"Invitations": ["Invitation limit is exceeded"]}
    assert _member_emails(api, room["id"]) == {"owner@sandbox.example"}
    assert api.settings()["invitation_limit"] == 2


def test_only_invitation_mails_sent_use_the_budget(limited: Sandbox) -> None:
    """An active user invited by e-mail gets no invitation mail (budget kept); re-inviting a pending
    guest with the access it already has sends none either; ids never count."""
    api = CheckedApi(limited)
    room = api.room()
    assert _invite(api, room["id"], CARL).status_code == 200
    assert api.settings()["invitation_limit"] == 2
    assert _invite(api, room["id"], "guest@acme.example").status_code == 200
    assert _invite(api, room["id"], "guest@acme.example").status_code == 200
    assert api.settings()["invitation_limit"] == 1
    anna = api.user_id("anna.manager@sandbox.example")
    by_id = api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": anna, "access": 9}]})
    assert by_id.status_code == 200
    assert api.settings()["invitation_limit"] == 1


def test_an_exhausted_budget_refuses_even_known_addresses_until_raised(limited: Sandbox) -> None:
    """At 0, any request with an e-mail entry is refused (the attribute counts entries, not new
    people); invitations by id still work; raising the budget lets e-mails through again."""
    api = CheckedApi(limited)
    room = api.room()
    _invite(api, room["id"], "one@acme.example", "two@acme.example")
    assert api.settings()["invitation_limit"] == 0
    assert _invite(api, room["id"], "one@acme.example").status_code == 400
    carl = api.user_id(CARL)
    assert api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": carl, "access": 2}]}).ok
    api.settings(invitation_limit=100)
    assert _invite(api, room["id"], "three@acme.example").status_code == 200
    assert api.settings()["invitation_limit"] == 99


# ---------------------------------------------------------------------- room quota


def test_room_beyond_the_quota_is_402_with_the_quota_error(sandbox: Sandbox) -> None:
    """``room_quota`` 2: rooms 1 and 2 are created, room 3 answers 402 TenantQuotaException."""
    api = CheckedApi(sandbox)
    api.settings(room_quota=2)
    api.room("One")
    api.room("Two")
    response = api.post("files/rooms", json={"title": "Three", "roomType": 2})
    assert response.status_code == 402
    body = response.json()
    assert (body["status"], body["statusCode"]) == (1, 402)
    assert body["error"]["message"] == "The number of rooms should not exceed 2"
    assert body["error"]["type"] == "ASC.Core.Tenants.TenantQuotaException"
    titles = [r["title"] for r in api.get("files/rooms").json()["response"]["folders"]]
    assert sorted(titles) == ["One", "Two"]


def test_archived_rooms_do_not_count_and_the_quota_is_checked_first() -> None:
    """Only active rooms count (``CountRoomCheckerStatistic``); the check runs before the title and
    permission checks, so even an invalid create answers 402 when the quota is full."""
    with start(port=0, room_quota=1) as portal:
        api = CheckedApi(portal)
        first = api.room("One")
        assert api.post("files/rooms", json={"title": " ", "roomType": 2}).status_code == 402
        op = api.put(f"files/rooms/{first['id']}/archive", json={}).json()["response"]
        api.wait_operation(op["id"])
        assert api.post("files/rooms", json={"title": "Two", "roomType": 2}).status_code == 200
        api.settings(room_quota=None)
        assert api.post("files/rooms", json={"title": "Three", "roomType": 2}).status_code == 200


# ---------------------------------------------------------------------- guest invitations off


def test_guest_invites_off_refuses_the_whole_request() -> None:
    """An e-mail invitation while guests may not be invited: 403 "Access denied" and nothing of
    the request is applied (the check precedes the room look-up, so a missing room is 403 too)."""
    with start(port=0, guest_invites=False) as portal:
        api = CheckedApi(portal)
        room = api.room()
        carl = api.user_id(CARL)
        body = {"invitations": [{"id": carl, "access": 2}, {"email": "client@acme.example", "access": 2}]}
        response = api.put(f"files/rooms/{room['id']}/share", json=body)
        assert (response.status_code, error_message(response)) == (403, "Access denied")
        assert _member_emails(api, room["id"]) == {"owner@sandbox.example"}
        missing = api.put("files/rooms/999999/share", json=body)
        assert (missing.status_code, error_message(missing)) == (403, "Access denied")


def test_guest_invites_off_still_allows_ids_and_removals(sandbox: Sandbox) -> None:
    """Invitations by id (even of existing guests) and e-mail entries with access None pass;
    an e-mail of an existing user is refused like any other e-mail."""
    api = CheckedApi(sandbox)
    api.settings(guest_invites=False)
    room = api.room()
    gina = api.user_id("gina.guest@sandbox.example")
    assert api.put(f"files/rooms/{room['id']}/share", json={"invitations": [{"id": gina, "access": 2}]}).ok
    assert _invite(api, room["id"], "nobody@acme.example", access=0).status_code == 200
    assert _invite(api, room["id"], CARL).status_code == 403
    api.settings(guest_invites=True)
    assert _invite(api, room["id"], CARL).status_code == 200


def test_unarchiving_beyond_the_quota_fails_in_the_operation() -> None:
    """Unarchive is a Move into Rooms, which checks the room count inside the operation
    (``FileMoveCopyOperation``): the PUT is accepted, the operation ends with the quota error and
    the room stays archived."""
    with start(port=0, room_quota=1) as portal:
        api = CheckedApi(portal)
        first = api.room("One")
        op = api.put(f"files/rooms/{first['id']}/archive", json={}).json()["response"]
        api.wait_operation(op["id"])
        api.room("Two")
        op = api.put(f"files/rooms/{first['id']}/unarchive", json={}).json()["response"]
        assert api.wait_operation(op["id"])["error"] == "The number of rooms should not exceed 1"
        assert api.get(f"files/rooms/{first['id']}").json()["response"]["rootFolderType"] == 20


def test_room_creation_with_emailed_shares_counts_against_the_budget() -> None:
    """``CreateRoomRequestDto.Share`` carries ``[MaxEmailInvitations]`` too: e-mail entries beyond
    the budget fail validation under ``Share`` and no room is created."""
    with start(port=0, invitation_limit=0) as portal:
        api = CheckedApi(portal)
        body = {"title": "Acme", "roomType": 2, "share": [{"email": "client@acme.example", "access": 2}]}
        refused = api.post("files/rooms", json=body)
        assert validation_errors(refused) == {"Share": ["Invitation limit is exceeded"]}
        assert api.get("files/rooms").json()["response"]["folders"] == []
