"""Excel serial numbers in date-formatted cells, rendered as the parsing child renders them.

calamine 0.37 (``datatype.rs``, ``ExcelDateTime::as_datetime``/``as_duration``) adds the serial
to 1899-12-30 in whole milliseconds, rounded half away from zero, after shifting serials below
60 by a day (Excel counts a 29 February 1900 that never was) and 1904-based workbooks by 1,462
days. python-calamine (``types/cell.rs``) then gives a ``time`` below 1, a ``date`` for a whole
number, a ``datetime`` otherwise, and a ``timedelta`` for duration formats; out of the years
1-9999 the plain number. :func:`~onboarding.ingest.sheet_child.cell_text` turns each into text.
"""

from __future__ import annotations

import datetime as dt
import math

from onboarding.ingest.sheet_child import cell_text

__all__ = ["serial_text"]

_EPOCH = dt.datetime(1899, 12, 30)
_DAY_MS = 24.0 * 60.0 * 60.0 * 1e3
_1904_SHIFT = 1462.0


def _round_half_away(x: float) -> int:
    """Rust's ``f64::round``: halves go away from zero (Python's ``round`` goes to even)."""
    whole = math.trunc(x)
    if abs(x - whole) >= 0.5:
        whole += 1 if x > 0 else -1
    return int(whole)


def _as_datetime(value: float, is_1904: bool) -> dt.datetime | None:
    f = value + _1904_SHIFT if is_1904 else value
    f = f if f >= 60.0 else f + 1.0
    try:
        return _EPOCH + dt.timedelta(milliseconds=_round_half_away(f * _DAY_MS))
    except OverflowError:
        return None


def serial_text(value: float, duration: bool, is_1904: bool) -> str:
    """The text of a finite serial number in a date (or, ``duration``, an elapsed-time) format."""
    if duration:
        try:
            return cell_text(dt.timedelta(milliseconds=_round_half_away(value * _DAY_MS)))
        except OverflowError:
            return cell_text(value)
    moment = _as_datetime(value, is_1904)
    if moment is None:
        return cell_text(value)
    if value < 1.0:
        return cell_text(moment.time())
    if value == math.trunc(value):
        return cell_text(moment.date())
    return cell_text(moment)
