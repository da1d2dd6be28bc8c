"""The upload review with per-segment blueprints: the segment column mapped, unknown values as row errors,
each row's room title from its own blueprint, and the segment carried under the configured name."""

from __future__ import annotations

from pathlib import Path

from onboarding.blueprint import Blueprint
from onboarding.drafts import Draft, DraftStore
from onboarding.ingest.models import ClientBatch, ColumnMapping, RawTable
from onboarding.ingest.preview import PREVIEW_ISSUES, PREVIEW_STATUS, PREVIEW_TITLE
from onboarding.ingest.validation import validate
from onboarding.segment_rows import UNKNOWN_SEGMENT, route_segments

SEGMENTED = """
title_pattern = "Client - {name}"
folders = ["Invoices"]
templates = []

[segments]
column = "Segment"

[segments.Enterprise]
room_type = "virtual data room"
title_pattern = "Data room - {name}"

[segments.SMB]
"""


def _batch(header: str, cells: list[str], mapping: ColumnMapping | None = None) -> ClientBatch:
    rows = [[f"C-{i}", f"Firm {i}", f"c{i}@firm{i}.example.com", cell] for i, cell in enumerate(cells, 1)]
    raw = RawTable(
        filename="clients.csv",
        format="csv",
        headers=["Client ID", "Company", "E-mail", header],
        rows=rows,
        row_numbers=list(range(2, 2 + len(rows))),
        header_row_number=1,
    )
    bp = Blueprint.from_toml(SEGMENTED)
    return route_segments(validate(raw, mapping, bp.ingest_settings()), bp)


def test_the_configured_column_is_found_ignoring_case_and_spaces() -> None:
    """A header ' SEGMENT ' is the segment column without any mapping; its cells keep their name."""
    batch = _batch(" SEGMENT ", ["Enterprise", ""])
    assert batch.mapping.segment == " SEGMENT "
    assert [c.extra for c in batch.clients] == [{"Segment": "Enterprise"}, {"Segment": ""}]


def test_an_unknown_segment_is_the_rows_error_and_the_others_go_on() -> None:
    """'Gold' is an error quoting the value, the column and the valid names; the other rows stay valid."""
    batch = _batch("Segment", ["Enterprise", "Gold", "smb"])
    assert [c.client_id for c in batch.clients] == ["C-1", "C-3"]
    (error,) = batch.errors
    assert (error.row_number, error.column, error.code, error.value) == (
        3,
        "Segment",
        UNKNOWN_SEGMENT,
        "Gold",
    )
    assert "'Gold'" in error.message and "'Segment'" in error.message
    assert "'Enterprise', 'SMB'" in error.message
    preview = batch.preview.set_index("_row")
    assert preview.loc[3, PREVIEW_STATUS] == "error"
    assert "Segment: segment 'Gold'" in preview.loc[3, PREVIEW_ISSUES]
    assert preview.loc[4, PREVIEW_STATUS] == "valid"


def test_a_renamed_header_is_mapped_and_carried_under_the_configured_name() -> None:
    """Mapping 'Tier' as the segment column routes by it and the row carries it as 'Segment' (what the plan reads)."""
    batch = _batch(
        "Tier",
        ["Enterprise"],
        ColumnMapping(client_id="Client ID", name="Company", email="E-mail", segment="Tier"),
    )
    (row,) = batch.clients
    assert row.extra == {"Segment": "Enterprise"}
    assert Blueprint.from_toml(SEGMENTED).choose(row.extra)[0] == "Enterprise"


def test_unmapped_a_renamed_header_leaves_every_row_on_the_default() -> None:
    """Without a segment mapping a 'Tier' column is an ordinary extra column: default titles, no errors."""
    batch = _batch("Tier", ["Gold"])
    assert batch.mapping.segment is None and not batch.errors
    assert batch.clients[0].extra == {"Tier": "Gold"}


def test_the_room_title_is_the_rows_segment_blueprints() -> None:
    """An Enterprise row is titled by the Enterprise pattern, in the rows and in the preview; SMB keeps the default."""
    batch = _batch("Segment", ["Enterprise", "SMB"])
    assert [c.room_title for c in batch.clients] == ["Data room - Firm 1", "Client - Firm 2"]
    assert list(batch.preview[PREVIEW_TITLE]) == ["Data room - Firm 1", "Client - Firm 2"]


def test_a_column_already_named_like_the_segment_column_is_kept() -> None:
    """When 'Tier' is mapped and the file also has a 'Segment' column, that column's cells are kept under another name."""
    raw = RawTable(
        filename="c.csv",
        format="csv",
        headers=["Client ID", "Company", "E-mail", "Segment", "Tier"],
        rows=[["C-1", "Firm", "c@firm.example.com", "old note", "SMB"]],
        row_numbers=[2],
        header_row_number=1,
    )
    bp = Blueprint.from_toml(SEGMENTED)
    mapping = ColumnMapping(client_id="Client ID", name="Company", email="E-mail", segment="Tier")
    (row,) = route_segments(validate(raw, mapping, bp.ingest_settings()), bp).clients
    assert row.extra == {"Segment (not the segment)": "old note", "Segment": "SMB"}


def test_a_draft_keeps_the_segment_mapping(tmp_path: Path) -> None:
    """The mapped segment column comes back with the upload after a reload (drafts store the mapping whole)."""
    mapping = ColumnMapping(client_id="Client ID", name="Company", email="E-mail", segment="Tier")
    store = DraftStore(tmp_path / "drafts")
    assert store.save("ann@example.com", Draft(name="c.csv", data=b"x", mapping=mapping))
    back = store.load("ann@example.com")
    assert back is not None and back.mapping is not None and back.mapping.segment == "Tier"
