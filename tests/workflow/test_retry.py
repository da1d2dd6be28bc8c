"""One retry loop: Retrier.call retries what its error class calls retryable; ensure and the engine use it."""

from __future__ import annotations

import random

import pytest
from support.engine import Harness, make_clients

from onboarding.errors import (
    ConfigError,
    DeliveryRefused,
    DocSpaceError,
    NotFound,
    OnboardingError,
    RateLimited,
    ServerError,
    TransportError,
    WebhookError,
    WebhookUnavailable,
    WebhookUnreachable,
    is_retryable,
)
from onboarding.journal import SqliteJournal
from onboarding.workflow.calls import Caller, CallStats
from onboarding.workflow.retry import Retrier, RetryPolicy
from onboarding.workflow.status import Outcome, Step
from onboarding.workflow.throttle import Limits, Throttle


def _retrier(sleeps: list[float], attempts: int = 4) -> Retrier:
    policy = RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.02)
    return Retrier(policy=policy, sleep=sleeps.append, rng=random.Random(1))


def _caller(sleeps: list[float], retries: list[tuple[str, str]] | None = None) -> Caller:
    hook = None if retries is None else (lambda what, exc, wait: retries.append((what, str(exc))))
    return Caller(Throttle(Limits(requests_per_minute=0)), _retrier(sleeps), CallStats(), hook)


class Flaky:
    """A call that fails with the given errors, in order, then answers ``result``."""

    def __init__(self, *errors: Exception, result: object = "made") -> None:
        self.errors = list(errors)
        self.result = result
        self.calls = 0

    def __call__(self) -> object:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def test_retryable_is_a_property_of_the_error_class() -> None:
    """Transport, 429, 5xx and the webhook's unreachable/unavailable retry; 4xx, refusals and config do not."""
    assert all(
        is_retryable(e)
        for e in (
            TransportError("reset"),
            RateLimited("slow down"),
            ServerError("boom"),
            WebhookUnreachable("no answer"),
            WebhookUnavailable("503", status=503),
        )
    )
    assert not any(
        is_retryable(e)
        for e in (NotFound("gone"), DeliveryRefused("401"), ConfigError("bad"), ValueError("not ours"))
    )
    assert OnboardingError.retryable is False


def test_webhook_failures_are_not_portal_errors() -> None:
    """A failing CRM raises the webhook's own subtree, so nothing reports it as a portal error."""
    for exc in (WebhookUnreachable("x"), WebhookUnavailable("x", status=502), DeliveryRefused("x")):
        assert isinstance(exc, WebhookError) and not isinstance(exc, DocSpaceError)


def test_call_reports_each_retry_before_its_wait_and_stops_at_a_final_error() -> None:
    """on_retry gets (attempt, error, wait) before each sleep; a 404 after two 5xx ends the loop at once."""
    sleeps: list[float] = []
    told: list[tuple[int, str, float]] = []
    flaky = Flaky(ServerError("503 one"), TransportError("reset"), NotFound("gone"))
    with pytest.raises(NotFound):
        _retrier(sleeps).call(flaky, on_retry=lambda n, exc, wait: told.append((n, str(exc), wait)))
    assert flaky.calls == 3
    assert [(n, e) for n, e, _ in told] == [(1, "503 one"), (2, "reset")]
    assert [w for *_, w in told] == sleeps


def test_before_retry_can_end_the_loop_with_what_it_found() -> None:
    """A before_retry that finds the result (a write that was carried out) is the call's answer; no new try."""
    flaky = Flaky(TransportError("lost answer"), result="second")
    assert _retrier([]).call(flaky, before_retry=lambda exc: "found") == "found"
    assert flaky.calls == 1


def test_ensure_looks_after_a_lost_answer_and_does_not_create_twice() -> None:
    """The create's answer is lost; the look-up before the next try finds it: created once, reported found."""
    sleeps: list[float] = []
    retries: list[tuple[str, str]] = []
    made: list[str] = []

    def create() -> str:
        made.append("room")
        raise TransportError("connection dropped after the portal committed")

    caller = _caller(sleeps, retries)
    thing, created = caller.ensure(create, lambda: made[0] if made else None, maybe_done=False, what="room")
    assert (thing, created, made) == ("room", False, ["room"])
    assert retries == [("room", "connection dropped after the portal committed")]
    assert caller.stats.lookups_saved_duplicates == 1 and caller.stats.retries == 1


def test_ensure_skips_the_look_up_after_a_429() -> None:
    """A 429 is refused before anything is done, so the next try follows without a look-up."""
    looked: list[int] = []
    create = Flaky(RateLimited("slow down", retry_after=0.01))
    thing, created = _caller([]).ensure(create, lambda: looked.append(1), maybe_done=False)
    assert (thing, created, looked, create.calls) == ("made", True, [], 2)


def test_ensure_gives_up_where_the_policy_says() -> None:
    """ensure runs the policy's loop: four tries at most, then the last error is raised."""
    create = Flaky(*(ServerError(f"5xx {i}") for i in range(10)))
    with pytest.raises(ServerError, match="5xx 3"):
        _caller([]).ensure(create, lambda: None, maybe_done=False)
    assert create.calls == 4


def test_every_retry_in_a_run_is_a_journalled_event_with_its_reason(harness: Harness) -> None:
    """Two 500s on folder creation: two 'retry' events on the folders step, in the journal and on_event."""
    harness.sandbox.set_faults(
        {
            "rules": [
                {"method": "POST", "path": r"^/api/2.0/files/folder/\d+$", "fault": "error500", "times": 2}
            ]
        }
    )
    engine = harness.engine()
    result = engine.run(make_clients(1))
    assert result.exit_code == 0, result.errors
    live = [e for e in harness.events if e.outcome == Outcome.RETRY]
    assert [e.step for e in live] == [Step.FOLDERS, Step.FOLDERS]
    assert all(e.detail.startswith("folder: POST /api/2.0/files/folder/") for e in live)
    assert all("-> 500" in e.detail and "trying again in" in e.detail for e in live)
    journalled = [
        e for e in SqliteJournal(harness.journal_path).events(result.run_id) if e.outcome == "retry"
    ]
    assert [(e.client_id, e.step, e.detail) for e in journalled] == [
        ("C-0001", e.step, e.detail) for e in live
    ]
    assert result.stats["retries"] == 2
