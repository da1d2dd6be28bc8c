"""Link rules per room type over HTTP: a Form filling room's client link is its primary link."""

from __future__ import annotations

import re

import pytest
from support.engine import Client, Harness, make_clients

from onboarding.blueprint import Blueprint
from onboarding.errors import ConfigError
from onboarding.journal import SqliteJournal

FORM_FILLING = {
    "room_type": 1,
    "client_role": 7,
    "manager_fallback_role": 7,
    "link": {"access": 7},
    "templates": [{"source": "@my/Client intake form.pdf"}],  # a Form filling room takes forms only
}


def _tag(c: Client) -> str:
    return f"client:{c.client_id}"


def test_form_filling_rooms_hand_out_their_primary_link(harness: Harness) -> None:
    """Type 1 allows no additional link: each client's link is the room's primary one, titled for them."""
    clients = make_clients(3)
    result = harness.engine(Blueprint.from_dict(FORM_FILLING)).run(clients)
    assert result.exit_code == 0, result.errors
    records = SqliteJournal(harness.journal_path).get_many("sandbox-test", [c.client_id for c in clients])
    for c in clients:
        room = next(r for r in harness.rooms() if _tag(c) in r["tags"])
        (link,) = room["links"]
        assert (link["linkType"], link["primary"], link["access"]) == (1, True, 7)
        assert link["title"] == f"Invitation for {c.name}"
        assert records[c.client_id].link_url == link["shareLink"]
    before = len(harness.writes_logged())
    assert harness.engine(Blueprint.from_dict(FORM_FILLING)).run(clients).exit_code == 0
    assert len(harness.writes_logged()) == before


def test_primary_link_expiry_is_refused_in_the_blueprint() -> None:
    """The portal ignores a Form filling room's primary-link expiry, so the blueprint may not ask for one."""
    with pytest.raises(ConfigError, match="primary link"):
        Blueprint.from_dict({**FORM_FILLING, "link": {"access": 7, "expires_in_days": 7}})


def test_link_titles_keep_characters_room_titles_replace(harness: Harness) -> None:
    """A link title keeps ':' and '?' (only its length is limited), unlike the room title."""
    bp = Blueprint.from_dict({"room_type": 5, "link": {"title": "Files: {name}?"}})
    (c,) = make_clients(1)
    assert harness.engine(bp).run([c]).exit_code == 0
    room = next(r for r in harness.rooms() if _tag(c) in r["tags"])
    assert [lk["title"] for lk in room["links"] if not lk["primary"]] == [f"Files: {c.name}?"]


def test_form_filling_templates_must_be_pdf_forms(harness: Harness) -> None:
    """The portal refuses to copy a file that is not a PDF form into a Form filling room (a 500 on
    copy-as): the plan names the template and writes nothing."""
    bp = Blueprint.from_dict(
        {**FORM_FILLING, "templates": [{"source": "@my/Welcome to your client room.pdf"}]}
    )
    with pytest.raises(
        ConfigError, match=re.escape("'@my/Welcome to your client room.pdf' is not an ONLYOFFICE PDF form")
    ):
        harness.engine(bp).plan(make_clients(1))
    assert not [r for r in harness.sandbox.request_log() if r["method"] != "GET"]


def test_form_filling_rooms_get_their_form_copied(harness: Harness) -> None:
    """A PDF form is copied into each Form filling room's folder, once."""
    (c,) = make_clients(1)
    assert harness.engine(Blueprint.from_dict(FORM_FILLING)).run([c]).exit_code == 0
    room = next(r for r in harness.rooms() if _tag(c) in r["tags"])
    deliverables = next(f for f in room["folders"] if f["title"] == "Deliverables")
    assert deliverables["files"] == ["Client intake form.pdf"]


def test_a_link_password_the_portals_policy_refuses_stops_the_plan(harness: Harness) -> None:
    """A portal whose password policy refuses the blueprint's link password (12 characters and a
    digit against "plainpassword"): the plan says what the policy asks for and nothing is written,
    where every client used to fail at the link step after its room, folders and files were made."""
    from support.checked_api import CheckedApi

    CheckedApi(harness.sandbox).settings(password_policy={"min_length": 12, "digits": True})
    bp = Blueprint.from_dict({"room_type": 5, "link": {"password": "plainpassword"}})
    with pytest.raises(ConfigError, match=r"asks for from 12 to 30 characters .*, a digit: change it"):
        harness.engine(bp).plan(make_clients(2))
    assert not [r for r in harness.sandbox.request_log() if r["method"] != "GET"]


def test_a_link_password_that_meets_the_policy_goes_through(harness: Harness) -> None:
    """The same strict policy and a password that meets it (digit, 12+ characters): one policy
    read in the plan, and the client gets its link."""
    from support.checked_api import CheckedApi

    CheckedApi(harness.sandbox).settings(password_policy={"min_length": 12, "digits": True})
    bp = Blueprint.from_dict({"room_type": 5, "link": {"password": "plainpassword7"}})
    (c,) = make_clients(1)
    assert harness.engine(bp).run([c]).exit_code == 0
    reads = [r for r in harness.sandbox.request_log() if r["path"].endswith("settings/security/password")]
    assert len(reads) == 1
    room = next(r for r in harness.rooms() if _tag(c) in r["tags"])
    assert [lk for lk in room["links"] if not lk["primary"]]


def test_no_link_password_no_policy_read(harness: Harness) -> None:
    """A blueprint without a link password costs no read of the password policy."""
    harness.engine(Blueprint.from_dict({"room_type": 5})).plan(make_clients(1))
    assert not [r for r in harness.sandbox.request_log() if "settings/security" in r["path"]]
