"""The plan's time estimate comes from a model of the portal, not from one assumed rate (issue 16)."""

from __future__ import annotations

from onboarding.workflow.estimate import PortalModel, describe, estimate


def _model(**kw: object) -> PortalModel:
    base: dict[str, object] = {
        "latency": 0.05,
        "samples": 4,
        "writes_in_flight": 15,
        "per_window": None,
        "window": 60.0,
    }
    return PortalModel(**{**base, **kw})  # type: ignore[arg-type]


def test_without_a_limiter_the_writes_over_the_write_slots_set_the_time() -> None:
    """150 fresh clients at 50 ms: 1,200 writes over 15 slots (4 s), the look-up before and the check after."""
    est = estimate(_model(pace="open"), clients=150, writes=1200, reads=150)
    assert abs(est.seconds - (4.0 + 2 * 0.05)) < 1e-9
    assert est.if_limited is None
    assert "50 ms per call" in est.basis and "no rate limit" in est.basis


def test_a_batch_too_small_to_fill_the_write_slots_takes_one_clients_chain() -> None:
    """10 clients at 50 ms run side by side: one client's 9 calls after the look-up, not 9 more on top.

    Measured on the sandbox (bench_batch-style runs, 2026-12-01): 10 clients at 50 ms ran in 0.55 s
    and 30 in 0.98 s; the model that added a whole chain to the writes said 0.82 s and 1.42 s.
    """
    ten = estimate(_model(pace="open", latency=0.053), clients=10, writes=80, reads=10)
    thirty = estimate(_model(pace="open", latency=0.053), clients=30, writes=240, reads=30)
    assert abs(ten.seconds - 10 * 0.053) < 1e-9  # 9 calls of one client, and the look-up
    assert abs(ten.seconds - 0.55) / 0.55 < 0.1 and abs(thirty.seconds - 0.98) / 0.98 < 0.1


def test_a_known_limit_adds_the_windows_the_batch_waits_for() -> None:
    """2,700 requests under 1,455 per 60 s window: the first burst, one window's wait, the rest."""
    est = estimate(_model(per_window=1455, pace="paced"), clients=300, writes=2400, reads=300)
    assert 60.0 < est.seconds < 70.0
    assert "1,455 requests per 60 s window" in est.basis


def test_requests_still_in_the_window_from_an_earlier_run_count() -> None:
    """A small batch fits the window, unless an earlier run's requests still fill it."""
    free = estimate(_model(per_window=1455, pace="paced"), clients=10, writes=80, reads=10)
    full = estimate(_model(per_window=1455, pace="paced", in_window=1450), clients=10, writes=80, reads=10)
    assert free.seconds < 5.0 < 60.0 <= full.seconds


def test_an_unknown_portal_also_says_what_a_limiter_would_cost() -> None:
    """While no limiter has been seen, the estimate names the time under DocSpace's default one."""
    est = estimate(_model(), clients=300, writes=2400, reads=300)
    assert est.if_limited is not None and est.if_limited > 60.0 > est.seconds
    assert "if the portal runs DocSpace's rate limiter" in describe(est)


def test_an_assumed_pace_says_it_is_docspaces_default_not_an_announced_limit() -> None:
    """After a headerless 429 the estimate names the rate as assumed, not as learned from the portal."""
    est = estimate(_model(per_window=1455, pace="assumed"), clients=300, writes=2400, reads=300)
    assert "DocSpace's default, assumed" in est.basis and 60.0 < est.seconds < 70.0


def test_at_low_latency_our_own_work_on_this_machine_sets_the_time_and_is_named() -> None:
    """At 0 ms the CPU bound rules: a machine twice as slow per call doubles it, and the words say so."""
    fast = estimate(_model(latency=0.0, cpu_per_request=0.0003), clients=150, writes=1200, reads=159)
    slow = estimate(_model(latency=0.0, cpu_per_request=0.0006), clients=150, writes=1200, reads=159)
    assert abs(fast.seconds - 1359 * 0.0003) < 1e-9 and abs(slow.seconds - 2 * fast.seconds) < 1e-9
    assert "our own work, 0.30 ms per call on this machine" in fast.basis
    assert "our own work" not in estimate(_model(), clients=150, writes=1200, reads=150).basis
