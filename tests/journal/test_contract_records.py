"""The journal contract, records, runs, events and deliveries: the same answers from every store."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from onboarding.journal import DONE, RUNNING, Journal


def test_client_documents_round_trip(journal: Journal) -> None:
    """Progress documents and extra columns come back as the dicts that were stored."""
    journal.upsert_client(
        "p", "c1", progress={"room": {"id": 5}}, extra={"Industry": "Retail"}, status=RUNNING
    )
    rec = journal.get("p", "c1")
    assert rec is not None
    assert rec.progress == {"room": {"id": 5}} and rec.extra == {"Industry": "Retail"}
    assert rec.status == RUNNING and rec.portal == "p" and rec.updated_at > 0


def test_upsert_keeps_fields_not_named(journal: Journal) -> None:
    """A second upsert changes only the fields it names."""
    journal.upsert_client("p", "c1", name="Acme", email="a@acme.example", room_id=12)
    journal.upsert_client("p", "c1", status=DONE)
    rec = journal.get("p", "c1")
    assert rec is not None and (rec.name, rec.email, rec.room_id, rec.status) == (
        "Acme",
        "a@acme.example",
        12,
        DONE,
    )


def test_unknown_fields_are_refused(journal: Journal) -> None:
    """A field the journal does not have (or the lease it owns) cannot be set by a caller."""
    with pytest.raises(ValueError, match="unknown journal fields"):
        journal.upsert_client("p", "c1", lease_owner="me")


def test_get_many_and_clients_by_portal_and_run(journal: Journal) -> None:
    """Clients are read by id, by portal, and by the run whose events name them."""
    for cid in ("a", "b", "c"):
        journal.upsert_client("p", cid, name=cid.upper())
    journal.upsert_client("other", "a", name="elsewhere")
    journal.add_event("r1", "p", "b", "client", "started")
    assert sorted(journal.get_many("p", ["a", "c", "zz"])) == ["a", "c"]
    assert journal.get_many("p", []) == {}
    assert [r.client_id for r in journal.clients("p")] == ["a", "b", "c"]
    assert len(journal.clients()) == 4
    assert [r.client_id for r in journal.clients("p", run_id="r1")] == ["b"]
    assert journal.get("p", "zz") is None


def test_get_many_reads_more_ids_than_one_statement_holds(journal: Journal) -> None:
    """Long id lists are read in chunks, none lost at the chunk boundary."""
    ids = [f"C-{i:04d}" for i in range(1203)]
    for cid in ids[::100]:
        journal.upsert_client("p", cid)
    assert sorted(journal.get_many("p", ids)) == ids[::100]


def test_runs_start_finish_and_list_newest_first(journal: Journal) -> None:
    """A run is recorded with its blueprint and summary; lists are per portal, newest first."""
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", journal.new_run_id())
    first = journal.start_run(portal="p", actor="ann", owner="o", total=2, blueprint={"room_type": 2})
    second = journal.start_run(portal="p", actor="bob", owner="o", total=1, blueprint={}, run_id="r-fixed")
    journal.start_run(portal="q", actor="x", owner="o", total=0, blueprint={})
    journal.finish_run(first, "finished", {"counts": {"onboarded": 2}})
    run = journal.run(first)
    assert run is not None and run.status == "finished" and run.finished_at is not None
    assert run.summary == {"counts": {"onboarded": 2}} and run.blueprint == {"room_type": 2}
    assert second == "r-fixed"
    assert [r.run_id for r in journal.runs("p")][-1] == first
    assert {r.run_id for r in journal.runs("p")} == {first, second}
    assert len(journal.runs(limit=2)) == 2 and journal.run("nope") is None


def test_stop_is_stored_for_running_runs_only(journal: Journal) -> None:
    """A Stop reaches a running run through the journal; a finished run cannot be stopped."""
    run_id = journal.start_run(portal="p", actor="a", owner="o", total=1, blueprint={})
    assert not journal.stop_requested(run_id)
    assert journal.request_stop(run_id)
    assert journal.stop_requested(run_id)
    journal.finish_run(run_id, "stopped", {})
    assert not journal.request_stop(run_id)
    assert not journal.request_stop("no-such-run") and not journal.stop_requested("no-such-run")


def test_events_in_order_with_cursor_and_client_filter(journal: Journal) -> None:
    """Events come back in insertion order, after a cursor, optionally for one client."""
    for i in range(5):
        journal.add_event("r", "p", f"c{i % 2}", "room", "done", f"#{i}")
    journal.add_event("other", "p", "c9", "room", "done")
    events = journal.events("r")
    assert [e.detail for e in events] == [f"#{i}" for i in range(5)]
    assert [e.detail for e in journal.events("r", after_id=events[2].id)] == ["#3", "#4"]
    assert [e.detail for e in journal.events("r", client_id="c1")] == ["#1", "#3"]
    assert sorted(journal.run_client_ids("r")) == ["c0", "c1"]


def test_deliveries_are_one_row_per_client(journal: Journal) -> None:
    """A second delivery of a client replaces the first; deliveries are read per portal."""
    journal.record_delivery("p", "c1", "k1", "failed", 3, "HTTP 500")
    journal.record_delivery("p", "c1", "k2", "delivered", 1, "HTTP 200")
    journal.record_delivery("q", "c1", "k9", "delivered", 1, "HTTP 200")
    got = journal.delivery("p", "c1")
    assert got is not None and (got["key"], got["status"], got["attempts"]) == ("k2", "delivered", 1)
    assert set(journal.deliveries("p")) == {"c1"} and journal.delivery("p", "zz") is None


def test_a_second_handle_sees_the_first_handles_writes(open_journal: Callable[..., Journal]) -> None:
    """Two handles (two processes' journals) read each other's writes at once."""
    one, two = open_journal(), open_journal()
    run_id = one.start_run(portal="p", actor="a", owner="o", total=1, blueprint={})
    one.add_event(run_id, "p", "c1", "client", "started")
    assert two.run(run_id) is not None and [e.client_id for e in two.events(run_id)] == ["c1"]


def test_joined_at_accepted_and_notices_round_trip(journal: Journal) -> None:
    """Schema 3: joined_at and accepted differences persist; notices are one row per client and event."""
    journal.upsert_client("p", "c1", joined_at=1700000000.5, accepted=["link", "member x@y.example"])
    rec = journal.get("p", "c1")
    assert rec is not None and rec.joined_at == 1700000000.5
    assert rec.accepted == ["link", "member x@y.example"]
    assert journal.notice("p", "c1", "client.joined") is None
    journal.record_notice("p", "c1", "client.joined", "k1", "failed", "HTTP 503")
    journal.record_notice("p", "c1", "client.joined", "k1", "delivered", "HTTP 200")
    journal.record_notice("p", "c1", "client.offboarded", "k2", "delivered")
    got = journal.notice("p", "c1", "client.joined")
    assert got is not None and (got["key"], got["status"]) == ("k1", "delivered")
    assert journal.notice("p", "c1", "client.offboarded") is not None
    journal.record_notice("q", "c1", "client.joined", "k3", "delivered")
    assert [(n["client_id"], n["event"]) for n in journal.notices("p")] == [
        ("c1", "client.joined"),
        ("c1", "client.offboarded"),
    ]  # this portal's, oldest first: the Results page's CRM column shows the last
