"""Link rules: which existing link is ours, and when a link is too stale to hand out."""

from __future__ import annotations

from onboarding.blueprint import Blueprint
from onboarding.docspace import Link
from onboarding.workflow.links import date_passed, find_link, link_outdated, link_request


def _link(link_type: int, access: int = 2, title: str = "Invite", **info: object) -> Link:
    return Link.model_validate(
        {"access": access, "sharedLink": {"id": f"id-{title}", "title": title, "linkType": link_type, **info}}
    )


def test_dates_in_the_past_and_future_with_any_offset() -> None:
    """API dates with Z or an offset are compared in UTC; malformed text counts as not passed."""
    assert date_passed("2020-01-01T00:00:00.0000000Z")
    assert date_passed("2020-01-01T00:00:00.0000000-05:00")
    assert not date_passed("2999-01-01T00:00:00.0000000+03:00")
    assert not date_passed("not a date") and not date_passed(None)


def test_invitation_link_is_found_by_type_and_external_by_title() -> None:
    """A collaboration room's one invitation link is ours; in a custom room only the titled external link is."""
    collab, custom = Blueprint(), Blueprint.from_dict({"room_type": 5})
    links = [_link(1, title="Shared link"), _link(0, title="Someone else's"), _link(1, title="Invite")]
    assert find_link(collab, links, "Invite") is links[1]
    assert find_link(custom, links, "Invite") is links[2]
    assert find_link(custom, links, "Other") is None


def test_stale_links_are_named() -> None:
    """Expired, wrong access, missing expiry and different use counts each make a link stale."""
    bp = Blueprint.from_dict({"link": {"expires_in_days": 7, "max_use_count": 3}})
    fresh = _link(0, expirationDate="2999-01-01T00:00:00.0000000Z", maxUseCount=3)
    assert link_outdated(bp, fresh) == ""
    assert "expired" in link_outdated(
        bp, _link(0, expirationDate="2020-01-01T00:00:00.0000000Z", maxUseCount=3)
    )
    assert "access" in link_outdated(bp, _link(0, access=10, expirationDate="2999-01-01T00:00:00.0000000Z"))
    assert "never expires" in link_outdated(bp, _link(0, maxUseCount=3))
    assert "uses" in link_outdated(bp, _link(0, expirationDate="2999-01-01T00:00:00.0000000Z", maxUseCount=9))


def test_request_carries_only_what_the_link_kind_allows() -> None:
    """Invitation links carry use counts and no password; external ones the reverse."""
    inv = link_request(Blueprint.from_dict({"link": {"max_use_count": 5}}), "T").to_wire()
    ext = link_request(
        Blueprint.from_dict({"room_type": 5, "link": {"password": "Secret-123!"}}), "T"
    ).to_wire()
    assert inv["linkType"] == 0 and inv["maxUseCount"] == 5 and "password" not in inv
    assert ext["linkType"] == 1 and ext["password"] == "Secret-123!" and "maxUseCount" not in ext
