"""Chart data the browser can draw quickly, whatever the number of clients behind it."""

from __future__ import annotations

import pandas as pd

CHART_POINTS = 200
"""A line chart gets at most this many points: Vega takes seconds to draw a 2,000-point line."""


def thin(frame: pd.DataFrame, points: int = CHART_POINTS) -> pd.DataFrame:
    """Every n-th point of a curve, always with its first and last, so its shape stays and it
    draws fast (a cumulative count loses nothing a person can see)."""
    if len(frame) <= points:
        return frame
    step = -(-len(frame) // (points - 1))
    keep = [*range(0, len(frame) - 1, step), len(frame) - 1]
    return frame.iloc[keep].reset_index(drop=True)
