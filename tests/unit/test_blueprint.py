"""The blueprint refuses what the portal would refuse or silently ignore."""

from __future__ import annotations

import pytest

from onboarding.blueprint import Blueprint
from onboarding.docspace import FileShare, LinkType, RoomType
from onboarding.errors import ConfigError


def test_defaults_follow_the_product_brief() -> None:
    """Default: collaboration room, three folders, two welcome files, manager 9, client 2, invitation link."""
    bp = Blueprint()
    assert bp.room_type == RoomType.COLLABORATION
    assert bp.folders == ["Invoices", "Contracts", "Deliverables"]
    assert [t.source for t in bp.templates] == [
        "@my/Welcome to your client room.pdf",
        "@my/How to use the client portal.pdf",
    ]
    assert (bp.manager_role, bp.client_role) == (FileShare.ROOM_MANAGER, FileShare.READ)
    assert bp.link_type == LinkType.INVITATION


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entries": [{"id": "x", "access": 4}]}, "unknown setting"),
        ({"manager_role": 4}, "not available"),
        ({"client_role": 1}, "not available"),
        ({"link": {"access": 0}}, "not available"),
        ({"link": {"acess": 2}}, "unknown setting"),
    ],
    ids=["entries-key", "access-4", "access-1", "empty-link", "misspelt-key"],
)
def test_the_vendor_examples_mistakes_cannot_be_expressed(data: dict, message: str) -> None:
    """`entries`, access 4/1 and an access-less link (the seed's `links {}`) are rejected with a reason."""
    with pytest.raises(ConfigError, match=message):
        Blueprint.from_dict(data)


def test_collaboration_rooms_get_invitation_links_and_custom_rooms_external_ones() -> None:
    """The link kind follows the room type: external links are impossible in collaboration rooms."""
    assert Blueprint(room_type=RoomType.CUSTOM).link_type == LinkType.EXTERNAL
    with pytest.raises(ConfigError, match="password"):
        Blueprint.from_dict({"link": {"password": "secret123"}})


def test_toml_round_trip_keeps_every_setting() -> None:
    """Saving to TOML and loading back gives an equal blueprint."""
    bp = Blueprint.from_dict({"room_type": 5, "folders": ["A", "B"], "templates": [], "link": {"access": 6}})
    assert Blueprint.from_toml(bp.to_toml()) == bp


def test_tag_pattern_must_identify_the_client() -> None:
    """A tag pattern without {client_id} is refused: the tag is how a room is found again."""
    with pytest.raises(ConfigError, match="client_id"):
        Blueprint.from_dict({"tag_pattern": "client"})


def test_template_into_unknown_folder_is_refused() -> None:
    """A template file that targets a folder the blueprint does not create is refused."""
    with pytest.raises(ConfigError, match="not in the folder list"):
        Blueprint.from_dict({"folders": ["A"], "templates": [{"source": "@my/x.pdf", "folder": "B"}]})


def test_link_password_follows_the_portal_default_policy() -> None:
    """External-link passwords need 8 to 30 printable ASCII characters without spaces, as the portal checks."""
    for bad in ("short", "has spaces 123", "x" * 31, "pässwörd123"):
        with pytest.raises(ConfigError, match="8 to 30"):
            Blueprint.from_dict({"room_type": 5, "link": {"password": bad}})
    assert (
        Blueprint.from_dict({"room_type": 5, "link": {"password": "Secret-123!"}}).link.password
        == "Secret-123!"
    )


def test_bad_default_manager_email_is_a_blueprint_error() -> None:
    """A malformed default manager e-mail is refused when the blueprint is built, not mid-plan."""
    with pytest.raises(ConfigError, match="default manager"):
        Blueprint.from_dict({"default_manager_email": "anna at example"})


def test_ai_rooms_refuse_content_creator_for_the_client() -> None:
    """AI rooms (type 9): the server refuses Content creator to guests, so the blueprint refuses it."""
    with pytest.raises(ConfigError, match="not available to a guest in a AI room"):
        Blueprint.from_dict({"room_type": 9, "client_role": 11})
    assert Blueprint.from_dict({"room_type": 9, "client_role": 2}).client_role == 2
    assert FileShare.CONTENT_CREATOR in Blueprint.guest_roles(RoomType.AI)  # a plain user still may


def test_a_saved_invitation_message_is_dropped_not_refused() -> None:
    """Old blueprints with ``message`` (ignored by the server for room invitations) still load, without it."""
    bp = Blueprint.from_toml('message = "Welcome!"\n')
    assert "message" not in bp.to_toml()
