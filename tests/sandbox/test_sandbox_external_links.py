"""``--external-links public|internal|restricted``: how the portal's sharing settings shape room links.

Server sources (ONLYOFFICE/DocSpace-server v3.7.2): ``FileStorageService.ResolveRequiredAuthAsync``
(DefaultShareLinkInternal for new links outside Public rooms; with external sharing off every link
is internal and Public rooms refuse), ``CheckPrimaryLinkRevokeAsync``, ``CreateRoomAsync`` (a
Form-filling room's primary link follows DefaultShareLinkInternal) and
``FileSharingAceHelper.SetAceObjectAsync`` (Public rooms never internal, VDR always).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.checked_api import CheckedApi
from support.sandbox_api import error_message

from docspace_sandbox.server import Sandbox, start

CUSTOM, PUBLIC, FILLING = 5, 6, 1


def _new_link(api: CheckedApi, room_id: int, **extra: Any) -> Any:
    return api.put(
        f"files/rooms/{room_id}/links", json={"linkType": 1, "access": 2, "title": "Client", **extra}
    )


def _primary(api: CheckedApi, room_id: int) -> dict[str, Any]:
    links = api.get(f"files/rooms/{room_id}/links").json()["response"]
    primary: dict[str, Any] = next(x for x in links if x["sharedLink"]["primary"])
    return primary


@pytest.fixture
def internal() -> Iterator[CheckedApi]:
    """A sandbox whose default share link is internal."""
    with start(port=0, external_links="internal") as portal:
        yield CheckedApi(portal)


@pytest.fixture
def restricted() -> Iterator[CheckedApi]:
    """A sandbox with external sharing switched off for rooms."""
    with start(port=0, external_links="restricted") as portal:
        yield CheckedApi(portal)


def test_public_default_keeps_links_as_requested(sandbox: Sandbox) -> None:
    """By default a new external link is public unless ``internal`` is asked for."""
    api = CheckedApi(sandbox)
    room = api.room(room_type=CUSTOM)
    assert _new_link(api, room["id"]).json()["response"]["sharedLink"]["internal"] is False
    asked = _new_link(api, room["id"], title="Staff", internal=True)
    assert asked.json()["response"]["sharedLink"]["internal"] is True


def test_internal_default_makes_new_custom_room_links_internal(internal: CheckedApi) -> None:
    """New links in a Custom room (and its on-the-fly primary link) come back ``internal: true``
    although ``internal: false`` was sent; an update by ``linkId`` keeps what is sent."""
    room = internal.room(room_type=CUSTOM)
    made = _new_link(internal, room["id"], internal=False).json()["response"]
    assert made["sharedLink"]["internal"] is True
    primary = internal.get(f"files/rooms/{room['id']}/link").json()["response"]
    assert primary["sharedLink"]["internal"] is True
    updated = _new_link(internal, room["id"], linkId=made["sharedLink"]["id"], internal=False)
    assert updated.json()["response"]["sharedLink"]["internal"] is False


def test_internal_default_leaves_public_rooms_public(internal: CheckedApi) -> None:
    """Public rooms are exempt from the default, and their links are never internal."""
    room = internal.room(room_type=PUBLIC)
    assert _primary(internal, room["id"])["sharedLink"]["internal"] is False
    assert _new_link(internal, room["id"]).json()["response"]["sharedLink"]["internal"] is False


def test_internal_default_makes_the_form_filling_primary_link_internal(internal: CheckedApi) -> None:
    """``CreateRoomAsync`` creates a Form-filling room's primary link with DefaultShareLinkInternal."""
    room = internal.room(room_type=FILLING)
    assert _primary(internal, room["id"])["sharedLink"]["internal"] is True


def test_restricted_refuses_links_in_public_rooms(restricted: CheckedApi) -> None:
    """With external sharing off, setting or revoking a Public room's links is 403 "Access denied"."""
    room = restricted.room(room_type=PUBLIC)
    response = _new_link(restricted, room["id"])
    assert (response.status_code, error_message(response)) == (403, "Access denied")
    primary = _primary(restricted, room["id"])
    revoke = restricted.put(
        f"files/rooms/{room['id']}/links",
        json={"linkType": 1, "access": 0, "linkId": primary["sharedLink"]["id"]},
    )
    assert (revoke.status_code, error_message(revoke)) == (403, "Access denied")
    assert _primary(restricted, room["id"])["sharedLink"]["id"] == primary["sharedLink"]["id"]


def test_restricted_makes_every_custom_room_link_internal(restricted: CheckedApi) -> None:
    """With external sharing off, new links and updates alike are stored internal."""
    room = restricted.room(room_type=CUSTOM)
    made = _new_link(restricted, room["id"]).json()["response"]
    assert made["sharedLink"]["internal"] is True
    updated = _new_link(restricted, room["id"], linkId=made["sharedLink"]["id"], internal=False)
    assert updated.json()["response"]["sharedLink"]["internal"] is True
    filling = restricted.room(room_type=FILLING)
    assert _primary(restricted, filling["id"])["sharedLink"]["internal"] is True


def test_switching_back_to_public_applies_to_new_links_only(internal: CheckedApi) -> None:
    """Links already stored keep their ``internal`` flag when the setting changes."""
    room = internal.room(room_type=CUSTOM)
    made = _new_link(internal, room["id"]).json()["response"]
    internal.settings(external_links="public")
    later = _new_link(internal, room["id"], title="Later").json()["response"]
    links = {
        x["sharedLink"]["id"]: x["sharedLink"]["internal"]
        for x in internal.get(f"files/rooms/{room['id']}/links").json()["response"]
    }
    assert (links[made["sharedLink"]["id"]], links[later["sharedLink"]["id"]]) == (True, False)
