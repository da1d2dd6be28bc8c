"""Checks on every cell of a sheet, done a column at a time so that 100,000 clean rows cost little.

Each check first asks a cheap question of a whole column (the longest cell, one regex search over
the column's text joined together) and looks at single cells only in columns that failed it.

Control characters (C0 other than tab and line breaks, DEL, C1) are refused in every cell, wherever
they are in the file: an ESC or OSC sequence in a cell becomes a room title or tag on the portal,
is printed by the CLI (terminal injection), and breaks XLSX export, which cannot hold them.
Bidirectional embedding, override and isolate characters are refused in the client ID, name and
e-mail columns: they make a title or address display differently from what it is ("Trojan
Source"). Right-to-left text itself, and the LRM/RLM marks, are fine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from onboarding.ingest.rows import FORMULA, FORMULA_PREFIXES

__all__ = ["BIDICONTROLS", "CellProblem", "cell_problems", "control_characters"]

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 except tab, LF and CR; DEL; C1."""
BIDICONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI = re.compile("[" + "".join(sorted(BIDICONTROLS)) + "]")
INVISIBLE = frozenset("\u200b\u2060\ufeff")
"""Zero-width space, word joiner, zero-width no-break space: nothing to see, so "W-3" and
"\u200bW-3" look alike and are two clients. (The zero-width joiners U+200C/U+200D are left alone:
Persian and Indic names and emoji need them.)"""
_INVISIBLE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")
_BIDI_OR_INVISIBLE = re.compile("[" + "".join(sorted(BIDICONTROLS | INVISIBLE)) + "]")
_IDENTITY_REFUSED = (
    (
        _BIDI,
        "bidi_control",
        "text-direction control character(s) {shown}, which make an ID, name, e-mail or room title display "
        "differently from what it is.",
    ),
    (
        _INVISIBLE,
        "invisible_character",
        "invisible character(s) {shown}: the ID, name, e-mail or room title looks like another that differs.",
    ),
)
"""Characters refused in the client ID, name and e-mails: (pattern, issue code, what they are)."""
_FORMULA_START = frozenset((*FORMULA_PREFIXES, " ", "\t", "\r", "\n"))
_SEPARATOR = "\n"  # allowed in cells, so it can never be reported as a finding
_FORMULA_LINE = re.compile(r"(?m)^[ \t\r]*(?:=[^\n]|[+\-@](?=[^\n]*\S)(?![\d \t\r\f\v().\-/]+$))")
""":data:`~onboarding.ingest.rows.FORMULA` for one-line cells joined by line breaks (a superset of it)."""


@dataclass(frozen=True)
class CellProblem:
    """One finding in one cell: ``column`` is the index into the row."""

    column: int
    severity: str
    code: str
    message: str
    value: str


def _name(ch: str) -> str:
    """``U+001B`` plus the character's name where Unicode has one (control characters have none)."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def control_characters(value: str) -> list[str]:
    """The distinct control characters in ``value``, in order of appearance."""
    return list(dict.fromkeys(CONTROL.findall(value)))


def swallowed_rows(value: str, delimiter: str, width: int) -> int:
    """How many lines of a multi-line CSV cell hold a whole row's worth of delimiters.

    Why: Python's ``csv`` reads a quote that is never closed to the end of the file without a
    word, and the row then fails on an empty e-mail; lines shaped like rows inside one cell say
    what really happened.
    """
    return sum(1 for line in value.splitlines()[1:] if line.count(delimiter) >= width - 1)


def _shown(value: str) -> str:
    """The value with control, bidi and invisible characters made visible, for the issue's ``value``."""
    named = _BIDI_OR_INVISIBLE.sub(lambda m: f"<{_name(m.group())}>", value)
    return CONTROL.sub(lambda m: f"<U+{ord(m.group()):04X}>", named)


def _column_hits(column: Sequence[str], joined: str, pattern: re.Pattern[str]) -> list[int]:
    """Indexes of the cells matching ``pattern``; one search over the column when none does."""
    if pattern.search(joined) is None:
        return []
    return [i for i, value in enumerate(column) if pattern.search(value)]


def _may_hold_controls(column: Sequence[str], joined: str) -> bool:
    """False only when no cell holds a control or bidi character: one C-level pass over the column.

    ASCII text (no bidi character is ASCII) is scanned as bytes for the ASCII controls; other
    text is asked :meth:`str.isprintable`, which no control or bidi character is (nor tab or line
    break, so a column holding those is searched with the patterns instead).
    """
    if joined.isascii():
        return bool(joined.encode("ascii").translate(None, _ASCII_ALLOWED))
    return not "".join(column).isprintable()


_ASCII_ALLOWED = bytes([9, 10, 13, *range(32, 127)])
"""Tab, line feed, carriage return and the printable ASCII characters."""


def _may_hold_formulas(column: Sequence[str], joined: str) -> bool:
    """False only when no cell of the column can look like a formula: one search over the column.

    Phone numbers ("+49 30 …") start like formulas, so a per-cell check would run on every row of
    a phone column; the joined search rules them out at once when no cell spans several lines.
    """
    if joined.count(_SEPARATOR) != len(column) - 1:  # a multi-line cell: lines are not cells
        return True
    return _FORMULA_LINE.search(joined) is not None


def cell_problems(
    rows: list[list[str]],
    headers: list[str],
    identity_columns: set[int],
    max_chars: int,
    *,
    columns: Sequence[Sequence[str]] | None = None,
    delimiter: str | None = None,
) -> dict[int, list[CellProblem]]:
    """Every cell-level finding, keyed by row index, in column order within a row.

    ``identity_columns`` are the columns mapped to the client ID, name and e-mails, where bidi
    controls are refused too. ``columns``, when the caller has them, are ``rows`` transposed.
    """
    found: dict[int, list[CellProblem]] = {}
    for col, header in enumerate(headers):
        column = columns[col] if columns is not None else [row[col] for row in rows]
        hits: dict[int, CellProblem] = {}
        if column and max(map(len, column)) > max_chars:
            for i, value in enumerate(column):
                if len(value) > max_chars:
                    hits[i] = CellProblem(
                        col,
                        "error",
                        "cell_too_long",
                        f"The cell has {len(value):,} characters; the limit is {max_chars:,}.",
                        value[:100] + "…",
                    )
        joined = _SEPARATOR.join(column)
        controls = _may_hold_controls(column, joined)
        for i in _column_hits(column, joined, CONTROL) if controls else ():
            if i in hits:
                continue
            shown = ", ".join(_name(ch) for ch in control_characters(column[i]))
            hits[i] = CellProblem(
                col,
                "error",
                "control_characters",
                f"Column '{header}' contains the control character(s) {shown}, which are not "
                "allowed in client data. Remove them in the spreadsheet and upload it again.",
                _shown(column[i]),
            )
        if col in identity_columns and controls:  # refused in the ID, name and e-mails only
            for pattern, code, why in _IDENTITY_REFUSED:
                for i in _column_hits(column, joined, pattern):
                    if i in hits:
                        continue
                    shown = ", ".join(_name(ch) for ch in dict.fromkeys(pattern.findall(column[i])))
                    hits[i] = CellProblem(
                        col,
                        "error",
                        code,
                        f"Column '{header}' contains the {why.format(shown=shown)} Remove them.",
                        _shown(column[i]),
                    )
        if delimiter and len(headers) >= 3 and joined.count(_SEPARATOR) != len(column) - 1:
            for i, value in enumerate(column):
                if i in hits or "\n" not in value:
                    continue
                rows_inside = swallowed_rows(value, delimiter, len(headers))
                if rows_inside >= 2:
                    hits[i] = CellProblem(
                        col,
                        "error",
                        "unclosed_quote",
                        f"Column '{header}' runs over {rows_inside + 1} lines of the file, and "
                        f'{rows_inside} of them look like rows of their own: a quote (") opened in '
                        "this cell is probably never closed, so the rows after it were read into it. "
                        "Close the quote in the file and upload it again.",
                        value[:100] + "…",
                    )
        if _may_hold_formulas(column, joined):
            for i, value in enumerate(column):
                if value[:1] in _FORMULA_START and i not in hits and FORMULA.match(value):
                    hits[i] = CellProblem(
                        col,
                        "warning",
                        "formula_like",
                        "The cell looks like a spreadsheet formula; it is kept as plain text and never evaluated.",
                        value,
                    )
        for i, problem in hits.items():
            found.setdefault(i, []).append(problem)
    return found
