"""Roll-back's archive operation over HTTP: canceled or unseen outcomes are never taken as 'archived'."""

from __future__ import annotations

import pytest
import requests
from support.engine import Harness, make_clients

from onboarding.errors import DocSpaceError


def _control(h: Harness, name: str, body: dict | None = None) -> None:
    resp = requests.post(f"{h.sandbox.url}/__sandbox__/{name}", json=body or {}, timeout=10)
    assert resp.status_code == 200, resp.text


def _read_ops_elsewhere(h: Harness) -> None:
    """Another reader of the key's operations: it takes the finished result the server reports once."""
    resp = requests.get(
        f"{h.sandbox.url}/api/2.0/files/fileops",
        headers={"Authorization": f"Bearer {h.sandbox.api_key}"},
        timeout=10,
    )
    assert resp.status_code == 200


def _onboarded(h: Harness) -> str:
    (c,) = make_clients(1)
    assert h.engine().run([c]).exit_code == 0
    return c.client_id


def _room_archived(h: Harness) -> bool:
    (room,) = h.rooms()
    return bool(room["archived"])


def test_a_canceled_archive_is_a_failure(harness: Harness) -> None:
    """Status 3 (Canceled) fails the roll-back; the room stays active."""
    cid = _onboarded(harness)
    with pytest.raises(DocSpaceError, match="canceled"):
        harness.engine(sleep=lambda s: _control(harness, "operations/cancel")).archive(cid)
    assert not _room_archived(harness)


def test_an_unseen_canceled_archive_is_found_out_by_reading_the_room(harness: Harness) -> None:
    """Canceled and dequeued by another reader: the room is read again and is not archived -> failure."""
    cid = _onboarded(harness)

    def meanwhile(_: float) -> None:
        _control(harness, "operations/cancel")
        _read_ops_elsewhere(harness)

    with pytest.raises(DocSpaceError, match="not in the Archive"):
        harness.engine(sleep=meanwhile).archive(cid)
    assert not _room_archived(harness)


def test_an_unseen_finished_archive_is_confirmed_by_reading_the_room(harness: Harness) -> None:
    """Finished and dequeued by another reader: the room, read again, is archived -> success."""
    cid = _onboarded(harness)

    def meanwhile(_: float) -> None:
        _read_ops_elsewhere(harness)
        _read_ops_elsewhere(harness)
        _read_ops_elsewhere(harness)

    assert harness.engine(sleep=meanwhile).archive(cid) > 0
    assert _room_archived(harness)
