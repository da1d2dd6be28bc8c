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
from typing import Literal

from onboarding.ingest.sheet_child import cell_text

__all__ = ["NumberFormat", "custom_format_kind", "serial_text"]

NumberFormat = Literal["number", "date", "duration"]
"""How calamine turns a number with a given style: as it is, as a date, or as an elapsed time."""

_EPOCH = dt.datetime(1899, 12, 30)
_DAY_MS = 24.0 * 60.0 * 60.0 * 1e3
_DAY_MS_INT = 86_400_000
_1904_SHIFT = 1462.0


def _round_half_away(x: float) -> int:
    """Rust's ``f64::round``: halves go away from zero (Python's ``round`` goes to even)."""
    whole = math.trunc(x)
    if abs(x - whole) >= 0.5:
        whole += 1 if x > 0 else -1
    return int(whole)


def _milliseconds(value: float, is_1904: bool) -> int:
    f = value + _1904_SHIFT if is_1904 else value
    f = f if f >= 60.0 else f + 1.0
    return _round_half_away(f * _DAY_MS)


def serial_text(value: float, duration: bool, is_1904: bool) -> str:
    """The text of a finite serial number in a date (or, ``duration``, an elapsed-time) format.

    Below 1 the time of day is given whatever the date (python-calamine checks no year for a
    ``time``, and chrono reaches years Python's ``datetime`` does not).
    """
    if duration:
        return cell_text(dt.timedelta(milliseconds=_round_half_away(value * _DAY_MS)))
    ms = _milliseconds(value, is_1904)
    if value < 1.0:
        return cell_text((_EPOCH + dt.timedelta(milliseconds=ms % _DAY_MS_INT)).time())
    try:
        moment = _EPOCH + dt.timedelta(milliseconds=ms)
    except OverflowError:  # beyond the year 9999: python-calamine gives the number
        return cell_text(value)
    if value == math.trunc(value):
        return cell_text(moment.date())
    return cell_text(moment)


def custom_format_kind(code: str) -> NumberFormat:
    """``"date"``, ``"duration"`` or ``"number"``: calamine's reading of a custom number format.

    A port of calamine 0.37's ``formats::detect_custom_number_format``: only the first section
    counts; escaped, quoted and bracketed text is skipped; a date or time letter outside them makes
    a date, and ``[h]``, ``[mm]`` or ``[ss]`` an elapsed time.
    """
    escaped = is_quote = hms = ap = False
    brackets, prev = 0, " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\*":
            escaped = True
        elif is_quote:
            is_quote = ch != '"'
        elif ch == '"':
            is_quote = True
        elif ch == ";":
            return "number"
        elif ch == "[":
            brackets = (brackets + 1) & 0xFF  # a u8 there
        elif ch == "]" and brackets == 1 and hms:
            return "duration"
        elif ch == "]":
            brackets = max(brackets - 1, 0)
        elif ch in "aA" and not ap and brackets == 0:
            ap = True
        elif (ch in "pm/PM" and ap and brackets == 0) or (ch in "dmhysDMHYS" and not ap and brackets == 0):
            return "date"
        elif not (hms and (ch == prev or ((ch + prev).isascii() and ch.lower() == prev.lower()))):
            hms = prev == "[" and ch in "mhsMHS"
        prev = ch
    return "number"
