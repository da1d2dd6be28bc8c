"""CRM exports round-trip through pandas with the right columns, safe values and non-ASCII text."""

from __future__ import annotations

import io
import json

import pandas as pd

from onboarding import export
from onboarding.journal import ClientRecord

HOSTILE = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _records() -> list[ClientRecord]:
    recs = [
        ClientRecord(
            portal="p", client_id="00123", name="Ärzte & Söhne — 東京", email="a@x.example", manager_email="m@x.example",
            extra={"Industry": "Health", "Notes": "=1+1"}, status="onboarded", room_id=42, room_title="Client - Ärzte",
            room_url="https://p.example/rooms/shared/42/filter?folder=42", link_url="https://p.example/s/abc",
            onboarded_at=1764180000.0, onboarded_by="cli:ops",
        )
    ]  # fmt: skip
    for i, bad in enumerate(HOSTILE):
        recs.append(ClientRecord(portal="p", client_id=f"H{i}", name=bad, status="failed", error=bad))
    return recs


def test_csv_round_trip_has_crm_columns_first_and_extras_after() -> None:
    """CSV columns: the fixed CRM columns in order, then the carried-through input columns."""
    frame = pd.read_csv(io.BytesIO(export.to_csv(_records())), dtype=str, keep_default_na=False)
    assert list(frame.columns) == [*export.COLUMNS, "Industry", "Notes"]
    first = frame.iloc[0]
    assert first["client_id"] == "00123"  # leading zeros kept
    assert first["client_name"] == "Ärzte & Söhne — 東京"
    assert first["onboarded_at"] == "2025-11-26T18:00:00Z"
    assert first["Notes"] == "'=1+1"


def test_formula_like_values_are_neutralised_in_csv_and_xlsx() -> None:
    """Values starting with = + - @ tab or CR get a leading apostrophe in spreadsheet formats."""
    csv_frame = pd.read_csv(io.BytesIO(export.to_csv(_records())), dtype=str, keep_default_na=False)
    xlsx_frame = pd.read_excel(
        io.BytesIO(export.to_xlsx(_records())), dtype=str, keep_default_na=False, engine="calamine"
    )
    for frame in (csv_frame, xlsx_frame):
        names = list(frame["client_name"])[1:]
        assert all(n.startswith("'") for n in names), names


def test_excel_csv_variant_starts_with_a_bom() -> None:
    """The Excel-friendly CSV starts with a UTF-8 byte-order mark."""
    assert export.to_csv(_records(), excel=True).startswith(b"\xef\xbb\xbf")


def test_jsonl_keeps_values_unchanged() -> None:
    """JSON Lines is for programs: one object per client, values exactly as recorded."""
    lines = export.to_jsonl(_records()).decode().splitlines()
    assert len(lines) == 1 + len(HOSTILE)
    assert json.loads(lines[1])["client_name"] == HOSTILE[0]
