"""The plan's time estimate comes from a model of the portal, not from one assumed rate (issue 16)."""

from __future__ import annotations

from dataclasses import dataclass

from onboarding.workflow.estimate import LiveCosts, PortalModel, describe, estimate, send_seconds


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


@dataclass
class _Counters:
    writes: int = 0
    reads: int = 0


@dataclass(frozen=True)
class _Fresh:
    writes: int = 8
    reads: int = 1


def test_the_live_eta_counts_calls_as_they_are_sent_not_steps_as_they_end() -> None:
    """60 fresh clients at 300 ms: before a call the model's 10.2 s; with a quarter of the writes
    sent after 2.5 s, the model and the pace agree on 7.5 s whatever the journal's steps say."""
    live, model = LiveCosts(), _model(pace="open", latency=0.3)
    counters = _Counters(reads=4)  # the plan's look-ups, before the run
    live.start("r1", [_Fresh()] * 60, counters, now=100.0)
    assert abs((live.eta(model, "r1", now=100.0) or 0) - (60 * 8 * 0.3 / 15 + 0.6)) < 1e-9
    counters.writes, counters.reads = 120, 4 + 15
    eta = live.eta(model, "r1", now=102.5)
    model_left = 45 * 8 * 0.3 / 15 + 0.6  # 7.8 s for the 45 clients' worth left
    assert eta is not None and abs(eta - (0.25 * 7.5 + 0.75 * model_left)) < 1e-9


def test_the_live_eta_leans_on_the_runs_own_pace_as_the_run_goes_on() -> None:
    """A run twice as slow as the model (a portal busier than measured): at three quarters of its
    writes the time left is mostly its own pace's (10 s), not the model's (2.6 s)."""
    live, model = LiveCosts(), _model(pace="open", latency=0.3)
    counters = _Counters()
    live.start("r2", [_Fresh()] * 60, counters, now=0.0)
    counters.writes = 360
    eta = live.eta(model, "r2", now=30.0)
    assert eta is not None and abs(eta - (0.75 * 10.0 + 0.25 * (15 * 8 * 0.3 / 15 + 0.6))) < 1e-9


def test_no_live_eta_for_a_run_this_process_is_not_running() -> None:
    """A run never started here, or ended, has no live ETA (the page then measures the journal's steps)."""
    live = LiveCosts()
    assert live.eta(_model(), "elsewhere") is None
    live.start("r3", [_Fresh()], _Counters())
    live.end("r3")
    assert live.eta(_model(), "r3") is None


def test_with_every_write_sent_the_live_eta_still_counts_the_last_answers_and_the_check() -> None:
    """All 480 writes sent (the last ones still unanswered): two calls' time is left, not zero."""
    live, model = LiveCosts(), _model(pace="open", latency=0.3)
    counters = _Counters()
    live.start("r4", [_Fresh()] * 60, counters, now=0.0)
    counters.writes, counters.reads = 480, 30
    assert live.eta(model, "r4", now=9.8) == 2 * 0.3


def test_on_a_portal_not_yet_known_a_batch_past_the_probe_zone_pays_its_one_at_a_time_calls() -> None:
    """200 fresh clients (1,800 calls) at 100 ms on a portal whose limiter is not known: the 20
    calls before DocSpace's default limit go one at a time (22 calls' time more); 150 never get there,
    and a portal known to have no limiter skips the probe."""
    kw = {"writes": 1600, "reads": 200}
    learning = estimate(_model(latency=0.1), clients=200, **kw).seconds
    known_open = estimate(_model(latency=0.1, pace="open"), clients=200, **kw).seconds
    assert abs(learning - known_open - 22 * 0.1) < 1e-9
    small = {"writes": 1200, "reads": 150}
    assert (
        estimate(_model(latency=0.1), clients=150, **small).seconds
        == estimate(_model(latency=0.1, pace="open"), clients=150, **small).seconds
    )


def test_a_sliding_window_lets_each_request_go_as_an_older_one_leaves_it() -> None:
    """10 per window: 5 in it now leave 1…5 s from now; 5 more go at once, the 6th when the first
    leaves, and 25 on an empty window take two whole windows for the last 5."""
    frees = (1.0, 2.0, 3.0, 4.0, 5.0)
    assert send_seconds(5, 10, 60.0, frees) == 0.0
    assert send_seconds(6, 10, 60.0, frees) == 1.0
    assert send_seconds(25, 10, 60.0, ()) == 120.0
    full = tuple(float(s) for s in range(1, 11))
    assert send_seconds(3, 10, 60.0, full) == 3.0
    assert send_seconds(13, 10, 60.0, full) == 63.0


def test_while_a_run_waits_for_the_window_its_eta_counts_down_with_the_window() -> None:
    """Paced at 1,455 per minute, 300 clients at 50 ms: after a burst of 1,455 calls the rest wait
    for the window. 10 s later in that wait the ETA is 10 s less, not more (the measured pace would
    say more: the run has sent nothing meanwhile)."""
    live = LiveCosts()
    counters = _Counters()
    live.start("r5", [_Fresh()] * 300, counters, now=0.0)
    counters.writes, counters.reads = 1294, 161  # 1,455 calls sent in the first burst
    spread = tuple(40.0 + 15.0 * i / 1455 for i in range(1455))  # they leave the window 40–55 s from t=5

    def model_at(t: float) -> PortalModel:
        frees = tuple(f - (t - 5.0) for f in spread)
        return _model(latency=0.05, pace="paced", per_window=1455, window_frees=frees)

    first, later = live.eta(model_at(5.0), "r5", now=5.0), live.eta(model_at(15.0), "r5", now=15.0)
    assert first is not None and later is not None
    assert abs(first - later - 10.0) < 0.05
    calls_left = 300 * 9 - 1455
    assert abs(first - (spread[calls_left - 1] + 2 * 0.05)) < 0.05
