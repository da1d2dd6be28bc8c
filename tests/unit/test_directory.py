"""The Clients table's read model: upload rows and journal records merged, one state each."""

from __future__ import annotations

from support.engine import Client as Row

from onboarding import ClientRecord, ClientState, ClientStatus
from onboarding.directory import build, select_clients, state_counts, state_of

NOW = 1_800_000_000.0


def rec(cid: str, status: str, **kw: object) -> ClientRecord:
    base: dict[str, object] = {
        "name": f"Name {cid}",
        "email": f"{cid.lower()}@x.example",
        "room_id": 100,
        "room_title": f"Real room of {cid}",
        "room_url": f"http://portal/rooms/shared/{cid}",
        "link_url": f"http://portal/s/{cid}",
        "link_expires": "2027-01-31T00:00:00Z",
        "updated_at": NOW,
    }
    base.update(kw)
    return ClientRecord(portal="p", client_id=cid, status=status, **base)  # type: ignore[arg-type]


def test_each_stored_status_maps_to_one_state() -> None:
    """Journal statuses become the person's states; blocked counts as failed, offboarded as archived."""
    expected = [
        (ClientStatus.PENDING, ClientState.READY),
        (ClientStatus.DONE, ClientState.ONBOARDED),
        (ClientStatus.FAILED, ClientState.FAILED),
        (ClientStatus.BLOCKED, ClientState.BLOCKED),
        (ClientStatus.DEFERRED, ClientState.DEFERRED),
        (ClientStatus.ARCHIVED, ClientState.ARCHIVED),
        (ClientStatus.OFFBOARDED, ClientState.ARCHIVED),
    ]
    for status, state in expected:
        assert state_of(rec("A", status), now=NOW) == state, status
    assert state_of(None, now=NOW) == ClientState.NEW


def test_running_needs_a_live_lease_or_a_live_run() -> None:
    """A record left 'running' by a dead process is ready; a held lease or a live run is running."""
    dead = rec("A", ClientStatus.RUNNING, lease_until=NOW - 1)
    held = rec("A", ClientStatus.RUNNING, lease_until=NOW + 30)
    assert state_of(dead, now=NOW) == ClientState.READY
    assert state_of(held, now=NOW) == ClientState.RUNNING
    assert state_of(rec("A", ClientStatus.DONE), busy=True, now=NOW) == ClientState.RUNNING


def test_a_client_its_live_run_already_finished_is_not_running() -> None:
    """A live run's thread outlives its clients (notifications): a client that run finished shows
    its record's state; one the run has not reached yet (an older run's record) stays running."""
    records = [
        rec("A", ClientStatus.DONE, run_id="r2"),
        rec("B", ClientStatus.DONE, run_id="r1"),
        rec("C", ClientStatus.FAILED, run_id="r2"),
    ]
    states = {
        e.client_id: e.state for e in build([], records, busy={"A": "r2", "B": "r2", "C": "r2"}, now=NOW)
    }
    assert states == {"A": ClientState.ONBOARDED, "B": ClientState.RUNNING, "C": ClientState.FAILED}
    plain = {e.client_id: e.state for e in build([], records, busy={"A"}, now=NOW)}
    assert plain["A"] == ClientState.RUNNING


def test_upload_rows_come_first_then_the_journals_other_clients() -> None:
    """Upload rows in file order (new when unknown), then journal-only clients by id, once each."""
    records = [
        rec("OLD", ClientStatus.DONE, updated_at=NOW - 100),
        rec("NEWER", ClientStatus.FAILED, updated_at=NOW),
        rec("B", ClientStatus.DONE, name="Bee", email="b@x.example"),
    ]
    rows = [Row("Z", "Zed"), Row("B", "Bee", "b@x.example"), Row("Z", "Zed again")]
    entries = build(rows, records, now=NOW)
    assert [e.client_id for e in entries] == ["Z", "B", "NEWER", "OLD"]  # N < O
    assert [e.state for e in entries] == [
        ClientState.NEW,
        ClientState.ONBOARDED,
        ClientState.FAILED,
        ClientState.ONBOARDED,
    ]
    assert entries[0].in_upload and not entries[2].in_upload
    assert entries[1].room_title == "Real room of B"  # the journal's real title, not a pattern
    assert entries[2].client is entries[2].record  # retry without the spreadsheet


def test_a_reused_id_with_another_name_is_a_conflict_until_the_person_chooses() -> None:
    """Differing name or e-mail → conflict with both values; update → ready; skip → journal's; new id → new."""
    records = [rec("00002", ClientStatus.DONE, name="Müller & Söhne GmbH", email="m@x.example")]
    rows = [Row("00002", "Firma 2 Ärzte & Co", "m@x.example")]
    (entry,) = build(rows, records, now=NOW)
    assert entry.state == ClientState.CONFLICT
    assert entry.differences == (("name", "Müller & Söhne GmbH", "Firma 2 Ärzte & Co"),)
    assert not entry.can_onboard
    (updated,) = build(rows, records, choices={"00002": "update"}, now=NOW)
    assert updated.state == ClientState.READY and updated.can_onboard
    (skipped,) = build(rows, records, choices={"00002": "skip"}, now=NOW)
    assert skipped.state == ClientState.ONBOARDED and not skipped.in_upload
    renamed = build(rows, records, choices={"00002": "new:00002-2"}, now=NOW)
    assert [(e.client_id, e.state) for e in renamed] == [
        ("00002-2", ClientState.NEW),
        ("00002", ClientState.ONBOARDED),
    ]
    assert renamed[0].client is not None and renamed[0].client.client_id == "00002-2"


def test_archived_clients_hide_their_link_and_offer_restore() -> None:
    """An archived (or offboarded) client keeps its room but shows no link; restore, not archive."""
    (entry,) = build([], [rec("A", ClientStatus.ARCHIVED)], now=NOW)
    assert entry.state == ClientState.ARCHIVED
    assert entry.link_url == "" and entry.link_expires == "" and not entry.link_sign_in_only
    assert entry.room_title == "Real room of A"
    assert entry.can_restore and not entry.can_archive and not entry.can_onboard
    (done,) = build([], [rec("B", ClientStatus.DONE)], now=NOW)
    assert done.link_url == "http://portal/s/B" and done.can_archive and not done.can_restore


def test_filters_by_state_words_and_run_and_counts_every_state() -> None:
    """State, search words (any case, all must match) and run narrow the list; counts cover all states."""
    records = [
        rec("A-1", ClientStatus.DONE, name="Alpha Bau", run_id="r1", manager_email="anna@m.example"),
        rec("B-2", ClientStatus.FAILED, name="Beta Bau", run_id="r2"),
        rec("C-3", ClientStatus.ARCHIVED, name="Gamma", run_id="r1"),
    ]
    entries = build([Row("N-9", "Neu")], records, now=NOW)
    assert [e.client_id for e in select_clients(entries, states=[ClientState.FAILED])] == ["B-2"]
    assert [e.client_id for e in select_clients(entries, text="bau ALPHA")] == ["A-1"]
    assert [e.client_id for e in select_clients(entries, text="anna@")] == ["A-1"]
    assert [e.client_id for e in select_clients(entries, run_id="r1")] == ["A-1", "C-3"]
    assert [e.client_id for e in select_clients(entries, upload_only=True)] == ["N-9"]
    tally = state_counts(entries)
    assert tally[ClientState.ARCHIVED] == 1 and tally[ClientState.NEW] == 1
    assert tally[ClientState.CONFLICT] == 0 and sum(tally.values()) == 4
