"""The portal's latency in the model: timed on the first calls, and timed again by a plan once old."""

from __future__ import annotations

from onboarding.workflow.throttle import LATENCY_MAX_AGE, LATENCY_SAMPLES, Throttle


def _calls(throttle: Throttle, now: list[float], seconds: float, n: int) -> None:
    for _ in range(n):
        with throttle.read():
            now[0] += seconds


def test_a_latency_measured_long_ago_is_timed_again_and_a_recent_one_is_kept() -> None:
    """20 calls of 400 ms, then the portal answers in 10 ms: a plan within 5 minutes keeps 400 ms
    (the model is not redone for every plan), one after that times the portal again (it used to
    say "400 ms per call" for the rest of the dashboard's life)."""
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    _calls(throttle, now, 0.4, LATENCY_SAMPLES + 5)
    assert throttle.model().samples == LATENCY_SAMPLES
    throttle.measure_again_if_old()
    _calls(throttle, now, 0.01, 3)
    assert abs(throttle.model().latency - 0.4) < 1e-9
    now[0] += LATENCY_MAX_AGE
    throttle.measure_again_if_old()
    _calls(throttle, now, 0.01, 3)
    model = throttle.model()
    assert model.samples == 3 and abs(model.latency - 0.01) < 1e-9
