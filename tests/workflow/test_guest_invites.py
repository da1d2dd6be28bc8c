"""A portal that forbids inviting guests (--no-guest-invites): the plan blocks before any write."""

from __future__ import annotations

import requests
from contract import oracle
from support.engine import Harness, make_clients
from support.portals import PortalFactory

from onboarding.blueprint import Blueprint
from onboarding.workflow.status import Action


def test_plan_blocks_e_mail_invitations_with_how_to_fix_it(portal: PortalFactory) -> None:
    """Every client invited by e-mail is blocked with the reason and the fix; the run writes nothing."""
    h: Harness = portal(guest_invites=False)
    clients = make_clients(3)
    plan = h.engine().plan(clients)
    assert [c.action for c in plan.clients] == [Action.BLOCKED] * 3
    reason = plan.clients[0].reasons[0]
    assert "forbids inviting guests" in reason and "turn client invitations off in the blueprint" in reason
    result = h.engine().run(clients)
    assert result.exit_code == 1
    assert h.writes_logged() == []


def test_with_client_invitations_off_the_same_portal_onboards(portal: PortalFactory) -> None:
    """invite_client = false: rooms, manager and link are made; no e-mail invitation is sent."""
    h: Harness = portal(guest_invites=False)
    clients = make_clients(2)
    result = h.engine(Blueprint.from_dict({"invite_client": False})).run(clients)
    assert result.exit_code == 0, result.errors
    assert len(h.rooms()) == 2


def test_the_invitation_settings_answer_fits_the_sdk(portal: PortalFactory) -> None:
    """GET settings/invitationsettings answers the portal's setting, in the SDK's model."""
    h: Harness = portal(guest_invites=False)
    url = f"{h.sandbox.url}/api/2.0/settings/invitationsettings"
    resp = requests.get(url, headers={"Authorization": f"Bearer {h.sandbox.api_key}"}, timeout=10)
    oracle.check_exchange("GET", "/api/2.0/settings/invitationsettings", None, resp.json(), resp.status_code)
    assert resp.json()["response"]["allowInvitingGuests"] is False
