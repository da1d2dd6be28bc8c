"""Restricted external sharing over HTTP: a link the portal makes internal is flagged, or fails the client."""

from __future__ import annotations

from support.engine import Harness, make_clients
from support.portals import PortalFactory

from onboarding.blueprint import Blueprint
from onboarding.export import record_row
from onboarding.journal import DONE, FAILED, SqliteJournal

CUSTOM = {"room_type": 5}


def _only_signed_in(text: str) -> bool:
    return "only works for people signed in to the portal" in text


def test_an_internal_link_is_flagged_in_the_journal_and_the_plan(portal: PortalFactory) -> None:
    """--external-links internal: the client is onboarded; its link is flagged in events and the next plan."""
    h: Harness = portal(external_links="internal")
    clients = make_clients(2)
    bp = Blueprint.from_dict(CUSTOM)
    result = h.engine(bp).run(clients)
    assert result.exit_code == 0, result.errors
    assert result.count(DONE) == 2
    link_events = [e for e in h.events if (e.step, e.outcome) == ("link", "done")]
    assert len(link_events) == 2 and all(_only_signed_in(e.detail) for e in link_events)
    rec = SqliteJournal(h.journal_path).get("sandbox-test", clients[0].client_id)
    assert rec is not None and rec.progress["link"]["internal"] is True
    assert rec.link_sign_in_only and record_row(rec)["link_sign_in_only"] == "yes"
    plan = h.engine(bp).plan(clients)
    assert all(any(_only_signed_in(w) for w in c.warnings) for c in plan.clients)


def test_a_required_public_link_fails_the_client_with_the_reason(portal: PortalFactory) -> None:
    """With link.require_public, an internal link fails the client at the link step, saying why."""
    h: Harness = portal(external_links="internal")
    (c,) = make_clients(1)
    bp = Blueprint.from_dict({**CUSTOM, "link": {"require_public": True}})
    result = h.engine(bp).run([c])
    assert result.statuses[c.client_id] == FAILED
    assert (
        _only_signed_in(result.errors[c.client_id]) and "requires a public link" in result.errors[c.client_id]
    )


def test_a_public_portal_link_is_not_flagged(harness: Harness) -> None:
    """On a default portal the same blueprint's link is public: no flag, and the export says "no"."""
    (c,) = make_clients(1)
    assert harness.engine(Blueprint.from_dict(CUSTOM)).run([c]).exit_code == 0
    assert not any(_only_signed_in(e.detail) for e in harness.events)
    rec = SqliteJournal(harness.journal_path).get("sandbox-test", c.client_id)
    assert rec is not None and rec.link_url and not rec.link_sign_in_only
    assert record_row(rec)["link_sign_in_only"] == "no"
