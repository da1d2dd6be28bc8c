"""Small actions and look-ups shared by the AppTest modules."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def upload_sample(at: AppTest, name: str = "clients.xlsx") -> AppTest:
    """Upload one of the example spreadsheets on the Upload page."""
    at.switch_page("pages/upload.py").run()
    data = (EXAMPLES / name).read_bytes()
    at.file_uploader(key="upload_file").upload(name, data, "application/octet-stream").run()
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(at: AppTest) -> str:
    """Every text-bearing element of the page, joined (for "is it said somewhere" checks)."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "success", "warning", "error", "title", "subheader", "text"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def wait_until(check: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``check`` (a background run finishing) instead of sleeping a fixed time."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def table(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first st.dataframe whose columns include ``column`` (plain dataframes carry no key)."""
    for frame in at.dataframe:
        if column in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with a column {column!r}")
