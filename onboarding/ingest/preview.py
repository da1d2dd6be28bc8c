"""The preview table of a batch (one line per data row), built when something first shows it.

The dashboard shows it; the CLI never does, and pandas alone takes about half a second to import,
so :class:`~onboarding.ingest.models.ClientBatch` keeps the parts and calls :func:`preview_frame`
on first use of ``batch.preview``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from onboarding.ingest.models import RawTable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PREVIEW_ISSUES", "PREVIEW_ROW", "PREVIEW_STATUS", "PREVIEW_TITLE", "PreviewParts"]

PREVIEW_ROW = "_row"
PREVIEW_STATUS = "_status"
PREVIEW_ISSUES = "_issues"
PREVIEW_TITLE = "_room_title"


@dataclass(frozen=True)
class PreviewParts:
    """What the preview is made of: the sheet, and per data row its status, issue text and room title."""

    raw: RawTable
    status: list[str]
    messages: list[str]
    titles: list[str]

    def __call__(self) -> pd.DataFrame:
        """Row number, status, issues, room title, then the file's columns as text."""
        import pandas as pd

        raw = self.raw
        data: dict[str, object] = {
            PREVIEW_ROW: raw.row_numbers,
            PREVIEW_STATUS: self.status,
            PREVIEW_ISSUES: self.messages,
            PREVIEW_TITLE: self.titles,
        }
        text = pd.DataFrame(raw.rows, columns=raw.headers, dtype="str")
        frame = pd.DataFrame(data)
        return pd.concat([frame, text], axis=1) if len(text.columns) else frame
