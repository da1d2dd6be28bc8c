"""CRM delivery on the Results page: status per client, and "Re-send to CRM".

A real HTTP receiver on loopback (``ThreadingHTTPServer``) records every delivery and can be told
to refuse; the app is given its address through DOCSPACE_WEBHOOK_URL and DOCSPACE_WEBHOOK_SECRET.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import table, texts, unescape, upload_sample
from support.crm import SECRET, Receiver, serve_receiver
from support.waiting import wait_until

import docspace_sandbox
from onboarding import Onboarding, Settings
from onboarding.journal import Journal
from ui import display


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """A CRM stand-in on a free loopback port that records what it is sent (and verifies signatures)."""
    yield from serve_receiver(monkeypatch)


def onboard_all(at: AppTest, journal: Journal) -> None:
    upload_sample(at, "clients.csv")
    at.switch_page("pages/onboard.py").run()
    at.button(key="onboard_start_batch").click().run()
    wait_until(lambda: bool(journal.runs()) and all(r.status != "running" for r in journal.runs()))


def crm_column(at: AppTest) -> dict[str, str]:
    grid = table(at, "CRM delivery")
    return dict(zip(grid["Client ID"], grid["CRM delivery"], strict=True))


def select(at: AppTest, row: int | None) -> AppTest:
    rows = [] if row is None else [row]
    at.session_state["results_table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def test_delivery_status_and_resend(
    app: AppTest, sandbox: object, receiver: Receiver, journal: Callable[[], Journal]
) -> None:
    """Each client's CRM status shows (delivered / failed with the answer); re-send delivers again."""
    j = journal()
    onboard_all(app, j)
    wait_until(lambda: len(receiver.clients()) == 13)
    assert all(d["signed"] for d in receiver.deliveries)
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    assert set(crm_column(at).values()) == {"✔ delivered"}
    assert "13 delivered, 0 failed, 0 not sent" in texts(at)

    receiver.status = 400  # the CRM starts refusing
    select(at, 0)
    first = table(at, "CRM delivery")["Client ID"].iloc[0]
    button = at.button(key="results_resend")
    assert button.label == "Re-send 1 to CRM" and not button.disabled
    button.click().run()
    assert not at.exception
    assert any("1 failed" in unescape(w.value) and "HTTP 400" in unescape(w.value) for w in at.warning)
    status = crm_column(at)
    assert status[first].startswith("✖ failed") and "HTTP 400" in status[first]
    assert receiver.clients()[-1] == first

    receiver.status = 200
    select(at, None)
    at.multiselect(key="results_manager").set_value(["anna.manager@sandbox.example"]).run()
    shown = list(table(at, "CRM delivery")["Client ID"])
    before = len(receiver.clients())
    at.button(key="results_resend").click().run()  # the filtered clients, delivered or not
    assert not at.exception
    assert any(f"Re-sent {len(shown)} to the CRM" in unescape(s.value) for s in at.success)
    assert sorted(receiver.clients()[before:]) == sorted(shown)
    assert all(crm_column(at)[cid] == "✔ delivered" for cid in shown)

    at.multiselect(key="results_manager").set_value([]).run()
    assert at.button(key="results_resend").label == "Re-send 13 to CRM"
    at.button(key="results_resend").click().run()  # everything shown: the failed one is delivered again
    assert not at.exception
    assert set(crm_column(at).values()) == {"✔ delivered"}
    assert receiver.clients().count(first) >= 3  # after the run, the refused attempt, and now


def test_the_crm_column_shows_a_lifecycle_event_sent_after_the_onboarding(
    app: AppTest,
    sandbox: docspace_sandbox.Sandbox,
    receiver: Receiver,
    journal: Callable[[], Journal],
    clean_app_state: Path,
) -> None:
    """A renewed link sent to the CRM (``client.link_renewed``) shows in the CRM column after the
    onboarding's delivery, with the selected row's caption saying the same: the column used to
    track ``client.onboarded`` alone. A client with no onboarding delivery still shows its event."""
    j = journal()
    onboard_all(app, j)
    wait_until(lambda: len(receiver.clients()) == 13)
    first = sorted(r.client_id for r in j.clients())[0]
    settings = Settings(
        portal_url=sandbox.url,
        api_key=sandbox.api_key,
        journal_path=clean_app_state / "journal.sqlite3",
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    with Onboarding(settings, actor="test") as door:
        door.renew(first)
    assert any(d["body"].get("type") == "client.link_renewed" for d in receiver.deliveries)
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    said = crm_column(at)[first]
    assert said.startswith("✔ delivered · link_renewed ✔ delivered ")
    assert "13 delivered, 0 failed, 0 not sent" in texts(at)
    rec = next(r for r in j.clients() if r.client_id == first)
    assert display.delivery_label(rec, None, j.notices(rec.portal)) == f"○ not sent · {said.split(' · ')[1]}"


def test_without_a_webhook_the_page_says_how_to_configure_it(
    app: AppTest, sandbox: object, journal: Callable[[], Journal]
) -> None:
    """No webhook configured: no CRM column or button, and a note naming the settings to set."""
    onboard_all(app, journal())
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    assert "CRM delivery" not in table(at, "Room title").columns
    note = texts(at)
    for name in ("DOCSPACE_WEBHOOK_URL", "DOCSPACE_WEBHOOK_SECRET", "webhook_url", "webhook_secret"):
        assert name in note
    assert not [b for b in at.button if b.key == "results_resend"]


def test_resend_is_refused_when_read_only(
    app: AppTest,
    real_portal: object,
    receiver: Receiver,
    journal: Callable[[], Journal],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a read-only dashboard the statuses show but "Re-send to CRM" is disabled, saying why."""
    monkeypatch.setenv("DOCSPACE_ALLOW_UNAUTHENTICATED", "true")
    j = journal()
    onboard_all(app, j)
    wait_until(lambda: len(receiver.clients()) == 13)
    monkeypatch.delenv("DOCSPACE_ALLOW_UNAUTHENTICATED")
    at = app.switch_page("pages/results.py").run()
    assert not at.exception
    assert set(crm_column(at).values()) == {"✔ delivered"}
    button = at.button(key="results_resend")
    assert button.disabled and "read-only" in (button.proto.help or "")
