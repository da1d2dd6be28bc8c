"""Verification's members read travels alongside the link write, and a failed one is read again."""

from __future__ import annotations

from support.engine import Harness, make_clients

from onboarding.workflow.status import Outcome, Step


def _members_reads(log: list[dict]) -> list[dict]:
    return [r for r in log if r["method"] == "GET" and r["path"].endswith("/share")]


def test_members_read_is_answered_before_the_slow_link_write(harness: Harness) -> None:
    """With the link write held 600 ms, the members read (sent when the share call answered) ends first.

    The sandbox logs each request when it answers: before, the read was sent only after the
    link write's answer, so it always came later in the log. The tag look-up stays last.
    """
    harness.sandbox.set_faults(
        {"rules": [{"method": "PUT", "path": r"^/api/2.0/files/rooms/\d+/links$", "fault": "latency",
                    "latency_ms": 600, "times": 1}]}
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
