"""Regressions found in review: each test pins one repaired behaviour."""

from __future__ import annotations

import time

import pytest
from support.engine import Client, Harness, make_clients, one_room_per_client

from onboarding.blueprint import Blueprint
from onboarding.docspace import RoomType
from onboarding.errors import ConfigError
from onboarding.journal import DONE, SqliteJournal
from onboarding.workflow.retry import RetryPolicy


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def _delete_only_room(harness: Harness) -> None:
    """Archive and delete the portal's one room, as someone might by hand."""
    api = harness.client()
    (room,) = harness.rooms()
    api.wait_operation(api.archive_room(room["id"]))
    api.wait_operation(api.delete_room(room["id"]))


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


def test_a_deleted_room_is_created_again(harness: Harness) -> None:
    """A client whose room was deleted on the portal gets a new room instead of being reported done."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    _delete_only_room(harness)
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_a_failed_client_whose_room_vanished_completes(harness: Harness) -> None:
    """Stale progress pointing at a room that no longer exists is discarded, not retried forever."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {
            "rules": [
                {
                    "method": "PUT",
                    "path": r"^/api/2.0/files/rooms/\d+/share$",
                    "fault": "error500",
                    "times": 99,
                }
            ]
        }
    )
    first = harness.engine(retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.001)).run(clients)
    assert first.exit_code == 1
    harness.sandbox.set_faults(None)
    _delete_only_room(harness)
    again = harness.engine().run(clients)
    assert again.exit_code == 0, again.errors
    one_room_per_client(harness.rooms(), clients, _tag)


def test_link_title_with_an_unknown_column_blocks_the_client_and_the_run_finishes(harness: Harness) -> None:
    """A link title naming a column the row lacks blocks the client with that reason; the run is finished."""
    bp = Blueprint.from_dict({"link": {"title": "Invitation for {company}"}})
    engine = harness.engine(bp)
    result = engine.run(make_clients(1))
    assert result.statuses == {"C-0001": "blocked"}
    assert "company" in result.errors["C-0001"]
    (run,) = engine.journal.runs()
    assert run.status == "finished"


def test_client_email_of_the_manager_or_the_key_owner_is_not_invited_twice(harness: Harness) -> None:
    """A client e-mail that is the manager's or the key account's is invited once (or not) and verifies."""
    clients = [
        Client("E-1", "Same As Manager", "anna.manager@sandbox.example", "anna.manager@sandbox.example"),
        Client("E-2", "Same As Owner", "owner@sandbox.example", "anna.manager@sandbox.example"),
    ]
    engine = harness.engine()
    plan = engine.plan(clients)
    assert all(not cp.invite_client for cp in plan.clients)
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    again = harness.engine().run(clients)
    assert again.exit_code == 0 and again.count(DONE) == 2


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


def test_a_stopped_run_does_not_overwrite_a_client_another_run_finished(harness: Harness) -> None:
    """A stopped run leaves alone the queued clients that another run onboarded meanwhile."""
    clients = make_clients(1)
    a = harness.engine()
    plan_a = a.plan(clients)
    assert harness.engine().run(clients).exit_code == 0
    a.stop()
    a.run(plan_a)
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", "C-0001")
    assert rec is not None and rec.status == DONE


def test_rolled_back_client_whose_room_is_gone_is_created_again(harness: Harness) -> None:
    """After archive and deletion of its room, a rolled-back client plans as create, with a reason shown."""
    clients = make_clients(1)
    engine = harness.engine()
    assert engine.run(clients).exit_code == 0
    room_id = engine.archive("C-0001")
    api = harness.client()
    api.wait_operation(api.delete_room(room_id))
    (cp,) = harness.engine().plan(clients).clients
    assert cp.action == "create" and any("created again" in w for w in cp.warnings)


def test_template_folder_in_another_case_lands_in_that_folder(harness: Harness) -> None:
    """A template aimed at 'deliverables' lands in the 'Deliverables' folder, not the room root."""
    bp = Blueprint.from_dict(
        {"templates": [{"source": "@my/Welcome to your client room.pdf", "folder": "deliverables"}]}
    )
    assert harness.engine(bp).run(make_clients(1)).exit_code == 0
    (room,) = harness.rooms()
    deliverables = next(f for f in room["folders"] if f["title"] == "Deliverables")
    assert deliverables["files"] == ["Welcome to your client room.pdf"] and room["files"] == []


def test_bad_default_manager_email_is_a_blueprint_error() -> None:
    """A malformed default manager e-mail is refused when the blueprint is built, not mid-plan."""
    with pytest.raises(ConfigError, match="default manager"):
        Blueprint.from_dict({"default_manager_email": "anna at example"})


def test_create_that_completes_after_its_timeout_is_found_not_repeated(harness: Harness) -> None:
    """Creates that answer after our timeout: waiting as long again before looking finds them; no duplicates."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {"rules": [
            {"method": "POST", "path": r"^/api/2.0/files/rooms$", "fault": "latency", "latency_ms": 400, "times": 1},
            {"method": "POST", "path": r"^/api/2.0/files/folder/\d+$", "fault": "latency", "latency_ms": 400, "times": 2},
        ]}
    )  # fmt: skip
    result = harness.engine(read_timeout=0.3, sleep=time.sleep).run(clients)
    assert result.exit_code == 0, result.errors
    one_room_per_client(harness.rooms(), clients, _tag)
    assert result.stats["duplicates_avoided"] == 3


def test_room_create_later_than_the_settling_time_is_archived_as_a_stray(harness: Harness) -> None:
    """A room create that lands even after the settling wait: the empty late room is archived at verification."""
    clients = make_clients(1)
    harness.sandbox.set_faults(
        {"rules": [
            {"method": "POST", "path": r"^/api/2.0/files/rooms$", "fault": "latency", "latency_ms": 1500, "times": 1},
            # verification's first reads time out three times: the late room has landed by then
            {"method": "GET", "path": r"^/api/2.0/files/rooms/\d+/share$", "fault": "latency", "latency_ms": 900, "times": 3},
        ]}
    )  # fmt: skip
    result = harness.engine(read_timeout=0.5, sleep=time.sleep).run(clients)
    assert result.exit_code == 0, result.errors
    active = [r for r in harness.rooms() if not r["archived"]]
    archived = [r for r in harness.rooms() if r["archived"]]
    one_room_per_client(active, clients, _tag)
    assert len(archived) == 1 and archived[0]["folders"] == []


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
