"""The Results table says who a client's link opens for (a restricted portal makes links internal)."""

from __future__ import annotations

from onboarding import ClientRecord
from ui.display import link_audience, records_frame


def _rec(internal: bool, link: str = "https://portal.example/s/abc") -> ClientRecord:
    return ClientRecord(portal="p", client_id="C-1", link_url=link, progress={"link": {"internal": internal}})


def test_an_internal_link_is_shown_as_sign_in_only() -> None:
    """A link the portal made internal reads 'signed-in portal users only' in the Results table."""
    frame = records_frame([_rec(True), _rec(False), _rec(False, link="")])
    assert list(frame["Link opens for"]) == [
        "signed-in portal users only",
        "anyone with the link",
        "",
    ]


def test_no_link_says_nothing() -> None:
    """A client without a link gets an empty cell, not a claim about who it opens for."""
    assert link_audience(_rec(True, link="")) == ""
