"""Results page, joined and drift: the Audit action lists differences per client; Repair fixes them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest
from support.apptest import table, texts
from test_results import onboard_all

import docspace_sandbox
from onboarding import Blueprint, Onboarding, Settings
from onboarding.docspace import DocSpaceClient, FileShare, Invitation, LinkRequest, LinkType
from onboarding.journal import Journal
from ui.drift_panel import NOTICE

ALL_CLEAR = "Every audited room matches the journal and the blueprint."


def test_audit_shows_a_deleted_link_and_repair_restores_it(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, journal: Callable[[], Journal]
) -> None:
    """A link deleted in DocSpace shows as that client's difference; Repair makes the room match again."""
    j = journal()
    onboard_all(app, j)
    room = sandbox.state()["rooms"][0]
    cid = next(t for t in room["tags"] if t.startswith("client:")).split(":", 1)[1]
    api = DocSpaceClient(sandbox.url, sandbox.api_key)
    (lk,) = api.room_links(room["id"])
    req = LinkRequest(link_type=LinkType(lk.link_type), access=FileShare.NONE, link_id=lk.shared_link.id)
    api.set_room_link(room["id"], req)
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    assert set(table(at, "Room title")["Joined"]) == {"not yet"}
    at.button(key="drift_audit").click().run()
    assert not at.exception
    assert f"**{cid}** — 1 difference(s)" in texts(at)
    at.button(key=f"drift_repair_{cid}").click().run()
    assert not at.exception
    assert "Every audited room matches the journal and the blueprint." in texts(at)
    assert len(api.room_links(room["id"])) == 1


def test_not_joined_filter_keeps_clients_waiting_that_long(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, journal: Callable[[], Journal]
) -> None:
    """ "Not joined after N days" shows only clients invited that long ago and not joined."""
    j = journal()
    onboard_all(app, j)
    old, joined = j.clients()[:2]
    j.upsert_client(old.portal, old.client_id, onboarded_at=(old.onboarded_at or 0) - 10 * 86400)
    earlier = (joined.onboarded_at or 0) - 10 * 86400
    j.upsert_client(joined.portal, joined.client_id, onboarded_at=earlier, joined_at=earlier + 1)
    at = app.switch_page("pages/results.py").run()
    at.number_input(key="results_not_joined").set_value(7).run()
    assert not at.exception
    assert list(table(at, "Room title")["Client ID"]) == [old.client_id]


def test_a_person_added_by_hand_is_listed_and_repair_is_off_for_people_alone(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, journal: Callable[[], Journal]
) -> None:
    """Someone invited to a room by hand shows as an extra member ("not a member" expected);
    Repair is disabled with the reason (it never removes people); Accept takes them off the list."""
    j = journal()
    onboard_all(app, j)
    room = sandbox.state()["rooms"][0]
    cid = next(t for t in room["tags"] if t.startswith("client:")).split(":", 1)[1]
    api = DocSpaceClient(sandbox.url, sandbox.api_key)
    api.share_room(room["id"], [Invitation(access=FileShare.READ, email="eve.outsider@example.org")])
    at = app.switch_page("pages/results.py").run()
    at.button(key="drift_audit").click().run()
    assert not at.exception
    found = table(at, "expected")
    assert list(found.iloc[0]) == ["member eve.outsider@example.org", "not a member", "Viewer (read-only)"]
    repair = at.button(key=f"drift_repair_{cid}")
    assert repair.disabled and "does not take people out" in (repair.help or "")
    at.button(key=f"drift_accept_{cid}").click().run()
    assert not at.exception
    assert "Every audited room matches the journal and the blueprint." in texts(at)


def _all_clear(app: AppTest, journal: Callable[[], Journal]) -> AppTest:
    onboard_all(app, journal())
    at = app.switch_page("pages/results.py").run()
    at.button(key="drift_audit").click().run()
    assert not at.exception
    assert ALL_CLEAR in texts(at)
    return at


def test_an_all_clear_made_with_an_earlier_blueprint_is_no_longer_shown(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, journal: Callable[[], Journal], clean_app_state: Path
) -> None:
    """The blueprint changes after an all-clear (a folder added, link expiry set): the panel says
    the audit was made with an earlier blueprint and asks for a new one; a new audit finds the
    differences."""
    at = _all_clear(app, journal)
    path = clean_app_state / "blueprint.toml"
    bp = Blueprint.load(path) if path.exists() else Blueprint()
    link = bp.link.model_copy(update={"expires_in_days": 30})
    bp.model_copy(update={"folders": [*bp.folders, "Reports"], "link": link}).save(path)
    at.run()
    assert not at.exception
    shown = texts(at)
    assert ALL_CLEAR not in shown
    assert "with an earlier blueprint" in shown and "Audit again" in shown
    at.button(key="drift_audit").click().run()
    assert not at.exception
    assert ALL_CLEAR not in texts(at) and "difference(s)" in texts(at)


def test_findings_from_before_a_run_on_their_clients_are_marked_stale(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, journal: Callable[[], Journal], clean_app_state: Path
) -> None:
    """A renewal (any run) after the audit: its findings are no longer shown as current."""
    at = _all_clear(app, journal)
    settings = Settings(
        portal_url=sandbox.url, api_key=sandbox.api_key, journal_path=clean_app_state / "journal.sqlite3"
    )
    with Onboarding(settings, actor="test") as door:
        door.renew(journal().clients()[0].client_id)
    at.run()
    assert ALL_CLEAR not in texts(at) and "before the journal changed" in texts(at)


def test_a_notice_of_an_earlier_action_is_not_shown_after_a_new_audit(
    app: AppTest, sandbox: docspace_sandbox.Sandbox, journal: Callable[[], Journal]
) -> None:
    """Accept's notice left unshown (its rerun cut short by the next click, the Audit): the audit
    does not show it as if it were its own."""
    at = _all_clear(app, journal)
    findings = at.session_state["drift_findings"]
    at.session_state[NOTICE] = (
        getattr(findings, "serial", None),
        "BX-006: accepted 'member carl' (no longer reported)",
    )
    at.button(key="drift_audit").click().run()
    assert not at.exception
    assert "no longer reported" not in texts(at)
    assert "audited at " in texts(at)  # when the all-clear was true
