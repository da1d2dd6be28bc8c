"""Chart data thinned for the browser: at most the asked number of points, first and last kept."""

from __future__ import annotations

import pandas as pd

from ui.charts import thin


def test_long_curves_are_thinned_keeping_both_ends() -> None:
    """2,000 points become at most 200, in order, starting and ending where the curve does."""
    frame = pd.DataFrame({"Time": range(2000), "Onboarded clients": range(1, 2001)})
    thinned = thin(frame)
    assert 100 < len(thinned) <= 200
    assert thinned["Onboarded clients"].iloc[0] == 1 and thinned["Onboarded clients"].iloc[-1] == 2000
    assert thinned["Time"].is_monotonic_increasing


def test_short_curves_are_left_alone() -> None:
    """A curve within the limit is returned whole."""
    frame = pd.DataFrame({"Time": range(5), "Onboarded clients": range(5)})
    assert thin(frame).equals(frame)
