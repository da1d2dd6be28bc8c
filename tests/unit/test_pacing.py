"""The throttle learns the portal's rate limit instead of assuming one (issue 16, item 1)."""

from __future__ import annotations

import threading

import pytest
from support.waiting import wait_until

from onboarding.errors import RateLimited
from onboarding.settings import load_settings
from onboarding.workflow.pacing import RatePacer
from onboarding.workflow.throttle import Limits, Throttle, is_vendor_cloud


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _send(pacer: RatePacer, n: int) -> None:
    for _ in range(n):
        pacer.release(pacer.acquire(), answered=True, limited=False)


def _limited(
    limit: int | None, *, retry_after: float | None = 30.0, reset: float | None = None
) -> RateLimited:
    return RateLimited(
        "HTTP 429", retry_after=retry_after, limit=limit, reset=reset, method="GET", path="/x", status=429
    )


def test_unknown_portal_goes_unpaced_and_one_probe_proves_no_limiter() -> None:
    """Up to DocSpace's default limit requests go freely; one lone answered probe past it ends learning."""
    clock = FakeClock()
    pacer = RatePacer(window=60, probe_at=5, probe_zone=0, clock=clock)
    _send(pacer, 5)
    assert pacer.counters()["probes"] == 0
    ticket = pacer.acquire()  # the 6th request in the window goes out alone, as the probe
    assert pacer.counters()["probes"] == 1
    pacer.release(ticket, answered=True, limited=False)
    _send(pacer, 50)
    counters = pacer.counters()
    assert counters["pace"] == "open"
    assert counters["waits"] == 0 and counters["probes"] == 1


def test_near_the_default_limit_requests_go_one_at_a_time_until_past_it() -> None:
    """Other clients of the same user may have used part of the window: the last stretch is probed."""
    pacer = RatePacer(window=60, probe_at=30, probe_zone=20, clock=FakeClock())
    _send(pacer, 10)
    assert pacer.counters()["probes"] == 0
    _send(pacer, 20)  # requests 11..30 go out one at a time, each a probe
    assert pacer.counters()["probes"] == 20
    assert pacer.counters()["pace"] == "learning"  # none of them was past the limit yet
    _send(pacer, 1)  # the 31st in the window is past it and answered: no limiter
    assert pacer.counters()["pace"] == "open"
    _send(pacer, 10)
    assert pacer.counters()["probes"] == 21


def test_probe_waits_for_the_calls_in_flight() -> None:
    """The probe is sent only once every earlier call has answered, so at most one 429 can follow."""
    pacer = RatePacer(window=60, probe_at=2, probe_zone=0, clock=FakeClock())
    first = pacer.acquire()
    _send(pacer, 1)
    got: list[int] = []
    waiter = threading.Thread(target=lambda: got.append(pacer.acquire()))
    waiter.start()
    wait_until(lambda: pacer.counters()["waits"] == 1)
    assert not got  # still one call in flight: the probe holds back
    pacer.release(first, answered=True, limited=False)
    waiter.join(10)
    assert got and pacer.counters()["probes"] == 1


def test_429_with_announced_limit_paces_at_that_rate() -> None:
    """A sliding-window 429 (X-RateLimit-Limit, Retry-After) sets the pace to 97 % of the announced limit."""
    throttle = Throttle(Limits(window_seconds=60), clock=FakeClock())
    with pytest.raises(RateLimited), throttle.read():
        raise _limited(1500)
    counters = throttle.counters()
    assert counters["pace"] == "paced"
    assert counters["announced_limit"] == 1500
    assert counters["requests_per_window"] == 1455
    assert counters["rate_429s"] == 1
    assert throttle.writes.size == 14  # not halved (not a concurrency problem): one slot of headroom


def test_a_daily_429_sets_no_pace() -> None:
    """The daily window's 429 (with X-RateLimit-Reset) neither paces nor touches the write gate."""
    throttle = Throttle(Limits(), clock=FakeClock())
    with pytest.raises(RateLimited), throttle.write():
        raise _limited(10_000, retry_after=80_000, reset=80_000)
    counters = throttle.counters()
    assert counters["pace"] == "learning"
    assert counters["concurrency_429s"] == 0 and counters["rate_429s"] == 0
    assert throttle.writes.size == 15


def test_a_concurrency_429_halves_the_gate_and_paces_at_docspaces_default() -> None:
    """A 429 without headers shows the chained limiter is on: pace at 97 % of 1,500 before a rate 429."""
    throttle = Throttle(Limits(), clock=FakeClock())
    with pytest.raises(RateLimited), throttle.write():
        raise _limited(None, retry_after=None)
    assert throttle.writes.size == 7
    counters = throttle.counters()
    assert counters["pace"] == "assumed" and counters["requests_per_window"] == 1455
    assert counters["concurrency_429s"] == 1 and counters["rate_429s"] == 0
    assert throttle.writes.cap == 14  # the headroom of a portal known to run the limiter
    memory = throttle.memory()  # a guess, handed on as one (see the recall test below)
    assert memory is not None and memory["assumed"] is True
    with pytest.raises(RateLimited), throttle.write():  # the announced limit still replaces it
        raise _limited(600)
    assert throttle.counters()["requests_per_window"] == 582
    assert throttle.counters()["pace"] == "paced" and throttle.memory() is not None


def test_a_429_with_only_retry_after_halves_the_gate_but_sets_no_pace() -> None:
    """A 429 with Retry-After and no X-RateLimit-* is not DocSpace's concurrency limiter (a proxy's)."""
    throttle = Throttle(Limits(), clock=FakeClock())
    with pytest.raises(RateLimited), throttle.write():
        raise _limited(None, retry_after=1)
    assert throttle.writes.size == 7
    assert throttle.counters()["pace"] == "learning"


@pytest.mark.parametrize("rpm", [None, 0, 900], ids=["past-the-probe", "rpm-off", "rpm-forced"])
def test_a_concurrency_429_leaves_a_known_pace_alone(rpm: int | None) -> None:
    """No assumed pace over one already learned absent (the probe passed), switched off, or forced."""
    throttle = Throttle(Limits(requests_per_minute=rpm), clock=FakeClock())
    if rpm is None:
        throttle.pacer.mode = "open"  # what a probe answered past 1,500 leaves behind
    before = throttle.counters()
    with pytest.raises(RateLimited), throttle.write():
        raise _limited(None, retry_after=None)
    after = throttle.counters()
    assert (after["pace"], after["requests_per_window"]) == (before["pace"], before["requests_per_window"])


def test_paced_calls_wait_for_the_window_and_say_how_long() -> None:
    """Past the learned limit a call waits for the window to slide, and listeners hear the wait."""
    pacer = RatePacer(window=1.5)
    pacer.learn(2, source="test")  # 97 % of 2 rounds down to 1 request per window
    heard: list[float] = []
    pacer.add_listener(heard.append)
    _send(pacer, 1)
    waiter = threading.Thread(target=lambda: _send(pacer, 1))
    waiter.start()
    wait_until(lambda: pacer.waiting() is not None)
    waiter.join(10)
    assert not waiter.is_alive()
    assert heard and 1.0 <= heard[0] <= 1.5
    assert pacer.counters()["waited_s"] > 0


def test_a_429s_retry_after_holds_every_call_and_is_announced_and_counted_once() -> None:
    """Calls rejected together all sleep out Retry-After: one announced wait, its time counted once."""
    clock = FakeClock()
    throttle = Throttle(Limits(window_seconds=60), clock=clock)
    heard: list[float] = []
    throttle.add_listener(heard.append)
    for _ in range(3):  # three calls in flight refused at the same moment
        throttle.on_rejected(_limited(20, retry_after=22), throttle.writes)
    assert heard == [22.0]
    clock.now += 22
    counters = throttle.counters()
    assert counters["waited_s"] == 22.0
    assert counters["rate_429s"] == 3
    ticket = throttle.pacer.acquire()  # the hold is over: the next call goes at once
    throttle.pacer.release(ticket, answered=True, limited=False)


def test_a_call_made_during_the_hold_waits_for_it() -> None:
    """While the portal's Retry-After runs, a new call waits (and says so) instead of meeting another 429."""
    pacer = RatePacer(window=60)
    pacer.hold(1.5)
    caller = threading.Thread(target=lambda: _send(pacer, 1))
    caller.start()
    wait_until(lambda: pacer.waiting() is not None)
    caller.join(10)
    assert not caller.is_alive()
    assert pacer.counters()["requests"] == 1


def test_learned_limit_and_recent_requests_are_remembered_for_the_next_run() -> None:
    """A new throttle that recalls the memory starts paced, with the earlier requests still in its window."""
    clock, wall = FakeClock(), FakeClock(5_000_000.0)
    first = RatePacer(window=60, clock=clock, wall=wall)
    first.learn(1500, source="test")
    _send(first, 10)
    memory = first.memory()
    assert memory is not None and memory["limit"] == 1500

    clock.now += 20
    wall.now += 20
    second = RatePacer(window=60, clock=FakeClock(50.0), wall=wall)
    assert second.recall(memory)
    counters = second.counters()
    assert counters["pace"] == "paced" and counters["requests_per_window"] == 1455
    again = second.memory()
    assert again is not None and sum(n for _, n in again["recent"]) == 10


def test_an_assumed_limit_is_recalled_only_while_its_requests_fill_the_window() -> None:
    """Right after a run that assumed the default, the next starts assumed (no 429 from the window
    the first run filled); a window later it learns afresh, so a guess never becomes a known limit."""
    clock, wall = FakeClock(), FakeClock(5_000_000.0)
    first = RatePacer(window=60, clock=clock, wall=wall)
    assert first.assume(1500, source="test")
    _send(first, 10)
    memory = first.memory()
    assert memory is not None and memory["assumed"] is True and memory["limit"] == 1500

    wall.now += 20
    soon = RatePacer(window=60, clock=FakeClock(50.0), wall=wall)
    assert soon.recall(memory)
    counters = soon.counters()
    assert counters["pace"] == "assumed" and counters["requests_per_window"] == 1455
    assert soon.in_window() == 10

    wall.now += 60
    later = RatePacer(window=60, clock=FakeClock(50.0), wall=wall)
    assert not later.recall(memory)
    assert later.counters()["pace"] == "learning"


def test_forced_settings_win_over_what_the_portal_says() -> None:
    """``--rpm off`` never paces and ``--rpm N`` keeps N, whatever a 429 announces or a run remembers."""
    off = Throttle(Limits(requests_per_minute=0), clock=FakeClock())
    with pytest.raises(RateLimited), off.read():
        raise _limited(1500)
    assert off.counters()["pace"] == "off"
    forced = Throttle(Limits(requests_per_minute=600), clock=FakeClock())
    assert not forced.recall({"limit": 1500, "window": 60, "recent": []})
    assert forced.counters()["requests_per_window"] == 600


def test_vendor_cloud_starts_paced() -> None:
    """A portal on the vendor's cloud starts at DocSpace's default limit; a self-hosted one learns."""
    assert is_vendor_cloud("https://acme.onlyoffice.com")
    assert is_vendor_cloud("https://acme.onlyoffice.eu/")
    assert not is_vendor_cloud("https://docs.example.com")
    assert not is_vendor_cloud("https://onlyoffice.com.evil.example")
    cloud = Throttle(Limits(), portal_url="https://acme.onlyoffice.eu", clock=FakeClock())
    assert cloud.counters()["pace"] == "paced"
    assert Throttle(Limits(), portal_url="https://docs.example.com").counters()["pace"] == "learning"


def test_a_portal_with_the_limiter_gets_one_write_and_one_read_below_its_caps() -> None:
    """Learned, recalled, forced or on the vendor's cloud: 14 writes and 49 reads at most (the server
    frees a concurrency lease only after the answer is sent); unknown or off: 15 and 50; a lower
    setting of the person's stays."""
    unknown = Throttle(Limits(), clock=FakeClock())
    assert (unknown.writes.cap, unknown.reads.cap) == (15, 50)
    with pytest.raises(RateLimited), unknown.read():
        raise _limited(1500)
    assert (unknown.writes.cap, unknown.reads.cap, unknown.writes.size) == (14, 49, 14)
    assert unknown.model().writes_in_flight == 14
    recalled = Throttle(Limits(), clock=FakeClock())
    assert recalled.pacer.recall({"limit": 1500, "window": 60, "recent": []})
    assert recalled.writes.cap == 14
    assert Throttle(Limits(requests_per_minute=600), clock=FakeClock()).writes.cap == 14
    assert Throttle(Limits(), portal_url="https://acme.onlyoffice.com", clock=FakeClock()).writes.cap == 14
    assert Throttle(Limits(requests_per_minute=0), clock=FakeClock()).writes.cap == 15
    assert Throttle(Limits(writes_in_flight=6, requests_per_minute=600), clock=FakeClock()).writes.cap == 6


def test_rpm_setting_words() -> None:
    """``off`` forces no pacing, nothing means learn, a number forces that rate."""
    assert load_settings(environ={}).limits().requests_per_minute is None
    assert load_settings(environ={"DOCSPACE_REQUESTS_PER_MINUTE": "off"}).limits().requests_per_minute == 0
    assert load_settings(explicit={"requests_per_minute": 900}, environ={}).rate_text == "900 per minute"
