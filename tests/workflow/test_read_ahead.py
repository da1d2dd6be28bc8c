"""Verification's members read travels alongside the link write, and a failed one is read again."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import cast

import pytest
from support.engine import Harness, make_clients

from onboarding.docspace import DocSpaceClient
from onboarding.workflow.calls import Caller
from onboarding.workflow.read_ahead import ReadAhead, taken
from onboarding.workflow.retry import Retrier, RetryPolicy
from onboarding.workflow.status import Outcome, Step
from onboarding.workflow.steps import StepContext
from onboarding.workflow.throttle import Limits, Throttle


def _members_reads(log: list[dict]) -> list[dict]:
    return [r for r in log if r["method"] == "GET" and r["path"].endswith("/share")]


def test_members_read_is_answered_before_the_slow_link_write(harness: Harness) -> None:
    """With the link write held 1 s, the members read (sent when the share call answered) ends first.

    The sandbox logs each request when it answers: before, the read was sent only after the
    link write's answer, so it always came later in the log. The tag look-up stays last.
    """
    harness.sandbox.set_faults(
        {"rules": [{"method": "PUT", "path": r"^/api/2.0/files/rooms/\d+/links$", "fault": "latency",
                    "latency_ms": 1000, "times": 1}]}
    )  # fmt: skip
    engine = harness.engine()
    plan = engine.plan(make_clients(1))
    harness.sandbox.clear_log()
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    log = harness.sandbox.request_log()
    order = [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in log]
    assert order.index(("GET", "share")) < order.index(("PUT", "links"))
    assert order[-1] == ("GET", "rooms")  # verification's tag look-up, after the members read
    assert len(_members_reads(log)) == 1


def test_failed_read_ahead_is_read_again_by_verification(harness: Harness) -> None:
    """A 5xx on the read sent ahead is not a failure: verification reads once more, and confirms."""
    harness.sandbox.set_faults(
        {
            "rules": [
                {
                    "method": "GET",
                    "path": r"^/api/2.0/files/rooms/\d+/share$",
                    "fault": "error5xx",
                    "times": 1,
                }
            ]
        }
    )
    engine = harness.engine()
    plan = engine.plan(make_clients(1))
    harness.sandbox.clear_log()
    result = engine.run(plan)
    assert result.exit_code == 0, result.errors
    reads = _members_reads(harness.sandbox.request_log())
    assert [r["status"] for r in reads] == [500, 200]
    events = [(e.step, e.outcome) for e in engine.journal.events(result.run_id)]
    assert (Step.VERIFY, Outcome.DONE) in events
    assert not [e for e in events if e[1] == Outcome.RETRY]  # the read ahead is one quiet attempt


def _reads_ahead(threads: int) -> ReadAhead:
    policy = RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.02)
    return ReadAhead(Caller(Throttle(Limits(requests_per_minute=0)), Retrier(policy=policy)), threads)


def test_closing_waits_for_reads_in_flight_and_drops_queued_ones() -> None:
    """A stopped run's end: the read under way finishes, the one still queued is never sent."""
    reads_ahead = _reads_ahead(1)
    release, sent = threading.Event(), []
    under_way = reads_ahead.submit(lambda: release.wait(10) and sent.append("first"))
    queued = reads_ahead.submit(lambda: sent.append("second"))
    closing = threading.Thread(target=reads_ahead.close)
    closing.start()
    deadline = time.monotonic() + 10
    while not queued.cancelled():  # close drops the queued read at once...
        assert time.monotonic() < deadline, "the queued read was not dropped"
        time.sleep(0.001)
    assert closing.is_alive() and not under_way.done()  # ...and waits for the one in flight
    release.set()
    closing.join(10)
    assert under_way.done() and queued.cancelled()
    assert sent == ["first"]
    assert taken(queued) is None  # a dropped read is read again by the step, if it comes


def test_a_client_ending_before_verification_drops_its_queued_read() -> None:
    """drop_members_read cancels the read sent ahead while it still waits for a thread."""
    reads_ahead = _reads_ahead(1)
    release = threading.Event()
    reads_ahead.submit(lambda: release.wait(10))  # the pool's one thread is busy
    ctx = StepContext.__new__(StepContext)
    ctx._members_ahead = None
    ctx.read_ahead = reads_ahead
    ctx.api = cast(DocSpaceClient, SimpleNamespace(room_members=lambda room: pytest.fail("read sent")))
    ctx.send_members_read(7)
    ahead = ctx._members_ahead
    ctx.drop_members_read()
    assert ahead is not None and ahead[1].cancelled()
    release.set()
    reads_ahead.close()
