"""Times on the pages' charts read in 24-hour UTC, like every other time the pages show."""

from __future__ import annotations

from onboarding.journal import ClientRecord
from ui import display


def _record(at: float) -> ClientRecord:
    return ClientRecord(portal="p", client_id=f"C-{at}", name="n", status="onboarded", onboarded_at=at)


def test_onboarded_over_time_axis_is_24_hour_utc() -> None:
    """The time axis is a UTC scale with %H labels (not Vega's default 12-hour "%I %p"), and the
    tooltip reads the time through a UTC time unit (tests/e2e/test_chart_times_browser.py checks
    what a browser in New York draws)."""
    frame = display.onboarded_over_time([_record(1_764_530_000.0), _record(1_764_540_000.0)])
    spec = display.over_time_chart(frame).to_dict()
    x = spec["encoding"]["x"]
    assert x["scale"]["type"] == "utc"
    assert "%H" in x["axis"]["format"] and "%I" not in x["axis"]["format"]
    tooltip = next(t for t in spec["encoding"]["tooltip"] if t["field"] == "Time")
    assert tooltip["timeUnit"].startswith("utc") and tooltip["format"] == "%Y-%m-%d %H:%M UTC"


def test_timestamps_in_text_are_24_hour() -> None:
    """An evening time is written 18:15, not 6:15 PM."""
    assert display.when(1_764_526_500.0) == "2025-11-30 18:15 UTC"
