"""A run learns the portal's rate limit from its first 429 and the next run starts paced (issue 16)."""

from __future__ import annotations

from support.engine import Harness, make_clients

from onboarding.workflow.steps import StepEvent
from onboarding.workflow.throttle import Limits


def test_first_429_sets_the_pace_and_the_next_run_meets_none(harness: Harness) -> None:
    """The sandbox's limiter announces its limit; the run paces under it; a later engine remembers it."""
    harness.sandbox.set_limits("rpm=40,window=2")
    first = harness.engine(limits=Limits(window_seconds=2)).run(make_clients(5, prefix="A"))
    assert first.exit_code == 0, first.errors
    assert first.throttle["announced_limit"] == 40
    assert first.throttle["requests_per_window"] == 38
    assert first.throttle["rate_429s"] >= 1
    assert first.summary()["portal_rate"]["limit"] == 40
    harness.sandbox.clear_log()

    # Other limits make a new throttle in this process: it knows the limit only from the journal.
    second = harness.engine(limits=Limits(window_seconds=2, reads_in_flight=49)).run(
        make_clients(5, prefix="B")
    )
    assert second.exit_code == 0, second.errors
    assert [r for r in harness.sandbox.request_log() if r["status"] == 429] == []
    assert second.throttle["pace_source"] == "learned on an earlier run on this portal"


def test_portal_without_limiter_is_never_paced(harness: Harness) -> None:
    """With the portal's limiter off (self-hosted default) nothing waits for a rate window."""
    result = harness.engine().run(make_clients(3))
    assert result.exit_code == 0, result.errors
    assert result.throttle["pace"] in ("learning", "open")
    assert result.throttle["waits"] == 0
    assert "portal_rate" not in result.summary()


def test_live_eta_comes_from_the_model_while_the_run_goes_on(harness: Harness) -> None:
    """As the run's first client starts the engine gives a time left (the portal's model for the
    calls still to send); once the run ends, none."""
    engine = harness.engine()
    seen: list[float | None] = []

    def on_event(event: StepEvent) -> None:
        if event.outcome == "started" and not seen:
            seen.append(engine.eta(event.run_id))

    engine.on_event = on_event
    result = engine.run(make_clients(5))
    assert result.exit_code == 0, result.errors
    (eta,) = seen
    assert eta is not None and eta > 0
    assert engine.eta(result.run_id) is None
