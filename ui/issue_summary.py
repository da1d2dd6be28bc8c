"""The Upload page's "Problems by kind": the rows' problems grouped, so forty of them read as a few.

The grid gives each row its problems in one cell, cut to the column's width, and "All problems"
lists every message in a table that cuts them too; neither says that 3 rows are hidden, 4 merged
and 2 IDs rounded. Here each kind (its code and column) is one line — errors first, in red, then
warnings, in orange — with how many rows and which, and one of its messages whole (they say what
to do). A long list scrolls in a box of its own, so the grid and its buttons stay near.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from onboarding import ClientBatch, Issue
from ui import display

KINDS = {
    "required": "empty",
    "invalid_email": "not a valid e-mail address",
    "invalid_manager_email": "not a valid e-mail address",
    "mixed_script_email": "mixes alphabets (a look-alike address)",
    "mixed_script_parts": "mixes alphabets",
    "duplicate_key": "same client ID as an earlier row",
    "lookalike_key": "looks like another row's client ID",
    "duplicate_email": "same e-mail as an earlier row",
    "id_scientific": "rounded by a spreadsheet (scientific notation)",
    "id_decimal": "ends in '.0'",
    "id_date": "turned into a date",
    "same_room_title": "same room title as an earlier row",
    "title_characters_replaced": "characters the portal replaces in the room title",
    "title_too_long": "room title too long",
    "title_line_breaks": "line breaks in the room title",
    "title_empty": "empty room title",
    "tag_too_long": "room tag too long",
    "formula_like": "looks like a formula (kept as text)",
    "formula_without_value": "formula without a saved result (read as empty)",
    "merged_cell": "merged cells (read as empty)",
    "hidden_row": "row hidden in the spreadsheet",
    "control_characters": "control characters",
    "invisible_character": "invisible characters",
    "bidi_control": "text-direction characters",
    "cell_too_long": "cell too long",
    "unclosed_quote": "unclosed quote",
}
"""Short names of the row checks' codes; another code is named by its words."""
MAX_ROWS_NAMED = 12
"""Row numbers listed per kind; the rest are counted."""
SCROLL_FROM = 5
"""With more kinds than this the list scrolls in a box of its own."""
BOX_HEIGHT = 340


@dataclass
class Kind:
    severity: str
    code: str
    column: str
    issues: list[Issue] = field(default_factory=list)

    @property
    def rows(self) -> list[int]:
        return sorted({i.row_number for i in self.issues if i.row_number is not None})

    @property
    def name(self) -> str:
        what = KINDS.get(self.code, self.code.replace("_", " "))
        return f"{self.column}: {what}" if self.column else what[:1].upper() + what[1:]


def kinds(batch: ClientBatch) -> list[Kind]:
    """The rows' issues by (severity, code, column): errors first, then the kinds with most rows."""
    found: dict[tuple[str, str, str], Kind] = {}
    for issue in batch.issues:
        if issue.row_number is None:
            continue  # the file's own problems are shown one by one above
        key = (issue.severity, issue.code, issue.column or "")
        found.setdefault(key, Kind(*key)).issues.append(issue)
    return sorted(found.values(), key=lambda k: (k.severity != "error", -len(k.rows), k.rows[0]))


def _rows_said(rows: list[int]) -> str:
    named = ", ".join(str(n) for n in rows[:MAX_ROWS_NAMED])
    more = f" and {len(rows) - MAX_ROWS_NAMED} more" if len(rows) > MAX_ROWS_NAMED else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {named}{more}"


def render(batch: ClientBatch) -> None:
    """The expander with one line per kind of problem (nothing when no row has a problem)."""
    found = kinds(batch)
    if not found:
        return
    errors = sum(1 for k in found if k.severity == "error")
    warnings = len(found) - errors
    parts = [display.plural(errors, "kind") + " of error"] if errors else []
    if warnings:
        parts.append(f"{warnings} of warning" if errors else display.plural(warnings, "kind") + " of warning")
    with st.expander(
        f"Problems by kind — {' and '.join(parts)}",
        expanded=True,
        icon=":material/checklist:",
        key="upload_kinds",
    ):
        box = st.container(height=BOX_HEIGHT if len(found) > SCROLL_FROM else "content", border=False)
        for kind in found:
            error = kind.severity == "error"
            colour, mark = ("red", "✖ error") if error else ("orange", "⚠ warning")
            first = kind.issues[0]
            box.markdown(
                f":{colour}[**{mark}**] **{display.md(kind.name)}** — {_rows_said(kind.rows)}  \n"
                f":gray[Row {first.row_number}: {display.md(first.message)}]"
            )
        st.caption(
            "Errors keep a row out until it is fixed; warnings do not. Fix a cell in the grid below "
            "(show “Rows with problems”), or correct the file and upload it again."
        )
