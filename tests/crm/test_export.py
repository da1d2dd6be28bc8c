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


def test_phone_numbers_pass_unchanged_and_hostile_column_names_are_neutralised() -> None:
    """A phone number or a negative amount reaches the CRM as it is (no apostrophe), in CSV and
    XLSX; a carried-through column headed like a formula is neutralised like a value."""
    rec = ClientRecord(
        portal="p", client_id="P1", name="Phone Co", status="onboarded",
        extra={"Phone": "+1 555 0100", "Balance": "-12.50", '=HYPERLINK("http://evil")': "x", "@cmd": "y"},
    )  # fmt: skip
    csv_frame = pd.read_csv(io.BytesIO(export.to_csv([rec])), dtype=str, keep_default_na=False)
    xlsx_frame = pd.read_excel(
        io.BytesIO(export.to_xlsx([rec])), dtype=str, keep_default_na=False, engine="calamine"
    )
    for frame in (csv_frame, xlsx_frame):
        assert (frame["Phone"][0], frame["Balance"][0]) == ("+1 555 0100", "-12.50")
        assert '\'=HYPERLINK("http://evil")' in frame.columns and "'@cmd" in frame.columns


def test_excel_csv_variant_starts_with_a_bom() -> None:
    """The Excel-friendly CSV starts with a UTF-8 byte-order mark."""
    assert export.to_csv(_records(), excel=True).startswith(b"\xef\xbb\xbf")


def test_jsonl_keeps_values_unchanged() -> None:
    """JSON Lines is for programs: one object per client, values exactly as recorded."""
    lines = export.to_jsonl(_records()).decode().splitlines()
    assert len(lines) == 1 + len(HOSTILE)
    assert json.loads(lines[1])["client_name"] == HOSTILE[0]


ODD = "A\x00B\x01\x08\x0b\x0c\x0e\x1b]0;t\x07\x1f\x7f\x9b\ud800\ufffe Z"


def _odd_records() -> list[ClientRecord]:
    """Records as odd as a journal can hold: control characters, a lone surrogate, a non-character."""
    return [
        ClientRecord(
            portal="p", client_id=f"ODD-{ODD}", name=ODD, email="a@x.example", status="failed", error=ODD,
            room_title=ODD, extra={"Notes": ODD, ODD: "x"},
        )
    ]  # fmt: skip


def test_odd_characters_already_in_a_journal_never_break_an_export() -> None:
    """Every format is written; XLSX replaces what the format cannot hold, and the workbook opens."""
    for render in export.FORMATS.values():
        assert render(_odd_records())
    frame = pd.read_excel(
        io.BytesIO(export.to_xlsx(_odd_records())), dtype=str, keep_default_na=False, engine="openpyxl"
    )
    name = frame.iloc[0]["client_name"]
    assert name.startswith("A") and name.endswith(" Z")
    assert "\x00" not in name and "\x1b" not in name and "\ufffd" in name
    assert frame.iloc[0]["client_id"].startswith("ODD-A")


def test_secrets_in_recorded_errors_are_masked_in_every_format() -> None:
    """An error recorded before redaction existed (key, Bearer token) is masked in every export format."""
    key = "sk-" + "Z9y8X7w6" * 5
    rec = ClientRecord(portal="p", client_id="C1", name="n", status="failed",
                       error=f"proxy said: Authorization: Bearer {key}; key={key}")  # fmt: skip
    for fmt, render in export.FORMATS.items():
        data = render([rec])
        if fmt == "xlsx":
            data = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl").to_csv().encode()
        assert key.encode() not in data and key[3:].encode() not in data
        assert b"proxy said" in data


def test_exports_of_the_whole_journal_come_in_client_id_order_numbers_as_numbers() -> None:
    """C-2 before C-10, letter case ignored, any digits (even ones int() reads differently) safe."""
    ids = ["C-10", "C-2", "c-3", "B-1", "C-2a", "\u0663", "\u00b2", "C-"]
    ordered = [r.client_id for r in export.in_id_order([ClientRecord(portal="p", client_id=i) for i in ids])]
    assert ordered == ["\u0663", "B-1", "C-", "C-2", "C-2a", "c-3", "C-10", "\u00b2"]
    ties = [ClientRecord(portal="p", client_id=i) for i in ("C-2", "C-02", "7", "007")]
    assert [r.client_id for r in export.in_id_order(ties)] == ["007", "7", "C-02", "C-2"]
    assert [r.client_id for r in export.in_id_order(ties[::-1])] == ["007", "7", "C-02", "C-2"]


def _every_format(rec: ClientRecord) -> dict[str, dict[str, str]]:
    """The one row of ``rec`` as each export format and the webhook payload hand it over."""
    from onboarding.webhook import client_payload

    csv = pd.read_csv(io.BytesIO(export.to_csv([rec])), dtype=str, keep_default_na=False)
    xlsx = pd.read_excel(io.BytesIO(export.to_xlsx([rec])), dtype=str, engine="openpyxl").fillna("")
    return {
        "csv": csv.iloc[0].to_dict(),
        "xlsx": xlsx.iloc[0].to_dict(),
        "jsonl": json.loads(export.to_jsonl([rec])),
        "webhook": client_payload(rec, "https://p.example")["client"],
    }


def test_link_expiry_is_iso_8601_utc_like_every_other_time() -> None:
    """A portal's link expiry (seven fraction digits, its own offset) is exported as UTC ``…Z``."""
    rec = ClientRecord(
        portal="p", client_id="C1", status="onboarded", room_id=7, link_url="https://p.example/s/k",
        link_expires="2026-12-30T10:00:00.0000000+03:00", onboarded_at=1764180000.0,
    )  # fmt: skip
    for fmt, row in _every_format(rec).items():
        assert row["link_expires"] == "2026-12-30T07:00:00Z", fmt
        assert row["onboarded_at"] == "2025-11-26T18:00:00Z", fmt


def test_archived_clients_link_is_left_out_as_on_the_dashboard() -> None:
    """A rolled-back (archived) client's dead link is not handed to the CRM; its room still is."""
    rec = ClientRecord(
        portal="p", client_id="C1", status="archived", room_id=7, room_url="https://p.example/rooms/archive/7",
        link_url="https://p.example/s/k", link_expires="2026-12-30T10:00:00Z",
    )  # fmt: skip
    for fmt, row in _every_format(rec).items():
        assert (row["client_link"], row["link_expires"], row["link_sign_in_only"]) == ("", "", ""), fmt
        assert (row["status"], row["room_id"]) == ("archived", "7"), fmt


def test_xlsx_has_a_frozen_filterable_header_text_cells_and_readable_widths() -> None:
    """The XLSX sheet "Clients" freezes and filters its header, keeps ids as text, sizes columns."""
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(_records()))).active
    assert sheet is not None and sheet.title == "Clients"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    header = [c.value for c in sheet[1]]
    assert header[: len(export.COLUMNS)] == export.COLUMNS
    assert sheet.cell(2, 1).value == "00123" and sheet.cell(2, 1).data_type == "s"
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    assert widths["room_url"] >= len("https://p.example/rooms/shared/42/filter?folder=42")
    assert widths["client_joined"] >= len("client_joined") and max(widths.values()) <= export.MAX_WIDTH
