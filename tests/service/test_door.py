"""The door: background runs, the manager rule, exports and notifications, all through Onboarding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.engine import make_clients, one_room_per_client
from support.waiting import wait_until

from docspace_sandbox.server import Sandbox
from onboarding import RUN_ALREADY_ONBOARDED, ClientRecord, FileShare, Onboarding, Settings, notify
from onboarding.journal import DONE
from onboarding.webhook import WebhookNotifier


def _tag(c: Any) -> str:
    return f"client:{c.client_id}"


def test_overlapping_selection_starts_the_clients_no_live_run_covers(
    door: Onboarding, sandbox: Sandbox
) -> None:
    """Starting {C2, C3} while {C1, C2} runs onboards C3 in a new run instead of dropping it."""
    sandbox.set_faults("latency_ms=30")
    c1, c2, c3 = make_clients(3)
    first = door.start([c1, c2])
    second = door.start([c2, c3])
    assert not second.joined and second.run_id != first.run_id
    assert door.start([c1]).joined
    assert door.wait(first.run_id, 60) and door.wait(second.run_id, 60)
    statuses = {r.client_id: r.status for r in door.records()}
    assert statuses == {c.client_id: DONE for c in (c1, c2, c3)}
    one_room_per_client(sandbox.state()["rooms"], [c1, c2, c3], _tag)


def test_stop_ends_a_background_run_and_progress_reads_the_journal(
    door: Onboarding, sandbox: Sandbox
) -> None:
    """A stopped run ends, is no longer live, and its progress accounts for every client."""
    sandbox.set_faults("latency_ms=30")
    clients = make_clients(6)
    outcome = door.start(clients)
    assert door.stop(outcome.run_id)
    assert door.wait(outcome.run_id, 60)
    assert door.live_runs() == [] and not door.stop(outcome.run_id)
    progress = door.progress(outcome.run_id)
    assert progress.total == 6 and not progress.running


def test_a_run_just_started_is_running_before_the_journal_has_it(door: Onboarding, sandbox: Sandbox) -> None:
    """Right after start the run is still planning (the portal holds its look-ups), has no journal
    record yet, and its progress already says running; once it ends, not running."""
    sandbox.pause()
    try:
        outcome = door.start(make_clients(2))
        assert door.run_record(outcome.run_id) is None  # planning: not journalled yet
        assert door.progress(outcome.run_id).running
    finally:
        sandbox.resume()
    assert door.wait(outcome.run_id, 60)
    assert not door.progress(outcome.run_id).running


def test_closing_the_door_stops_its_runs_before_the_journal_closes(sandbox: Sandbox, tmp_path: Path) -> None:
    """A door closed while its background run goes on stops that run (journalled as stopped, its
    thread ended) instead of closing the journal under it; a later run finishes the batch."""
    settings = Settings(portal_url=sandbox.url, api_key=sandbox.api_key, journal_path=tmp_path / "j.sqlite3")
    sandbox.set_faults("latency_ms=30")
    clients = make_clients(30)
    door = Onboarding(settings, actor="test")
    outcome = door.start(clients)
    wait_until(lambda: door.run_record(outcome.run_id) is not None)  # past planning, journalled
    handle = door.run_handle(outcome.run_id)
    door.close()
    assert handle is not None and not handle.alive
    with Onboarding(settings, actor="test") as again:
        record = again.run_record(outcome.run_id)
        assert record is not None and record.status == "stopped"
        sandbox.set_faults(None)
        assert again.run(clients).exit_code == 0
    one_room_per_client(sandbox.state()["rooms"], clients, _tag)


def test_check_manager_applies_the_blueprints_fallback(door: Onboarding) -> None:
    """A plain user gets the fallback role, a room admin Room manager, an unknown e-mail blocks."""
    plain = door.check_manager("  carl.user@sandbox.example ")
    assert plain.email == "carl.user@sandbox.example" and plain.user is not None
    assert plain.decision.role == door.blueprint.manager_fallback_role and "instead" in plain.decision.note
    admin = door.check_manager("anna.manager@sandbox.example")
    assert admin.decision.role == FileShare.ROOM_MANAGER and not admin.decision.blocked
    unknown = door.check_manager("nobody@nowhere.example")
    assert unknown.user is None and "not a user of this portal" in unknown.decision.blocked
    strict = door.blueprint.model_copy(update={"manager_fallback": "block"})
    assert door.check_manager("carl.user@sandbox.example", strict).decision.blocked


def test_export_formats_hold_the_onboarded_clients(door: Onboarding) -> None:
    """CSV, JSON Lines and XLSX exports come from the door and hold each onboarded client."""
    result = door.run(make_clients(2))
    assert result.exit_code == 0
    csv = door.export("csv").decode("utf-8")
    assert "C-0001" in csv and "C-0002" in csv
    assert door.export("jsonl", run_id=result.run_id).count(b"\n") == 2
    assert door.export("xlsx").startswith(b"PK")


def test_notifiers_are_told_once_per_run(door: Onboarding, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every configured notifier gets the run's id, summary and records after a foreground run."""
    told: list[tuple[str, list[str]]] = []

    class Recorder:
        name = "recorder"

        def after_run(self, run_id: str, summary: dict[str, Any], records: list[ClientRecord]) -> None:
            told.append((run_id, sorted(r.client_id for r in records)))

    monkeypatch.setattr(notify, "configured", lambda *a: [Recorder()])
    result = door.run(make_clients(2))
    assert told == [(result.run_id, ["C-0001", "C-0002"])]


def test_a_run_nobody_is_told_of_does_not_read_its_records_back(
    door: Onboarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a notifier the run ends without reading its clients' records from the journal."""
    reads: list[str] = []
    original = door._journal.clients
    monkeypatch.setattr(
        door._journal, "clients", lambda *a, **k: reads.append("clients") or original(*a, **k)
    )
    assert door.run(make_clients(2)).exit_code == 0
    assert reads == []
    monkeypatch.setattr(notify, "configured", lambda *a: [WebhookNotifier.__new__(WebhookNotifier)])
    monkeypatch.setattr(WebhookNotifier, "after_run", lambda *a: None)
    door.run(make_clients(3))
    assert reads == ["clients"]


def test_no_webhook_configured_means_no_notifier(door: Onboarding) -> None:
    """Without a webhook URL the notifier list is empty (and deliveries read as none)."""
    assert notify.configured(door.settings, None, door.portal_key) == []  # type: ignore[arg-type]
    assert door.deliveries() == {}
    assert WebhookNotifier.name == "webhook"


def test_clients_merges_upload_and_journal_with_one_journal_read(
    door: Onboarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Clients read model reads the journal once, whatever the number of clients, and merges rows."""
    clients = make_clients(3)
    assert door.run(clients[:2]).exit_code == 0
    reads: list[str] = []
    journal = door._journal
    for name in ("clients", "get", "get_many", "events"):
        original = getattr(journal, name)
        monkeypatch.setattr(
            journal, name, lambda *a, _o=original, _n=name, **k: reads.append(_n) or _o(*a, **k)
        )
    entries = door.clients(clients)
    assert reads == ["clients"]
    assert [(e.client_id, e.state) for e in entries] == [
        ("C-0001", "onboarded"),
        ("C-0002", "onboarded"),
        ("C-0003", "new"),
    ]
    assert entries[0].room_title and entries[0].link_url.startswith("http")
    mail = door.invitation(entries[0])
    assert mail is not None and entries[0].link_url in mail.body


def test_the_door_lists_the_portals_room_templates(door: Onboarding, sandbox: Sandbox) -> None:
    """``room_templates()`` lists the templates a blueprint may name (and no ordinary room)."""
    from support.room_templates import make_template
    from support.sandbox_api import Api

    template_id = make_template(Api(sandbox), "Client room")
    assert [(t.id, t.title) for t in door.room_templates()] == [(template_id, "Client room")]


def test_a_run_says_how_many_it_skipped_and_a_restores_run_is_a_rerun(door: Onboarding) -> None:
    """A batch's summary counts apart the clients an earlier run onboarded (the Results chart
    shows what each run did); the steps a restore runs again are a ``rerun``, not a batch run."""
    clients = make_clients(3)
    first = door.run(clients[:2])
    assert RUN_ALREADY_ONBOARDED not in first.summary()
    again = door.run(clients)
    assert again.summary()["counts"]["onboarded"] == 3
    assert again.summary()[RUN_ALREADY_ONBOARDED] == 2
    cid = clients[0].client_id
    door.archive(cid)
    restored = door.restore(cid)
    assert restored.exit_code == 0
    run = door.run_record(restored.run_id)
    assert run is not None and run.kind == "rerun"
    assert [r.kind for r in door.runs()].count("run") == 2
