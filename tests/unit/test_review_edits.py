"""Fixing rows in place: edits re-validated, bulk fixes, suggestions, the corrected CSV, journal counts."""

from __future__ import annotations

import csv
import io

import pytest

from onboarding.ingest import read_table
from onboarding.ingest.models import ClientBatch, ColumnMapping, IngestSettings, RawTable
from onboarding.journal import ClientRecord
from onboarding.review import (
    MAX_EDITED_CELLS,
    Edits,
    ReviewError,
    apply_edits,
    corrected_csv,
    count_against_journal,
    fill_managers,
    review,
    suggestions,
    tidy_emails,
)

CSV = (
    "Client ID,Company,E-mail,Account manager\n"
    "C-1,Alpha GmbH,alpha@example.com,am@example.com\n"
    "C-2,Beta AG,beta@@example,\n"
    "C-3,Gamma KG, gamma@gmial.com ,\n"
    "C-4,Delta,=cmd|'/c calc'!A1,am@example.com\n"
)


@pytest.fixture
def raw() -> RawTable:
    return read_table(CSV.encode(), "clients.csv")


def _batch(raw: RawTable, edits: Edits | None = None) -> ClientBatch:
    return review(raw, edits or Edits(), None, IngestSettings())


def test_an_edit_is_validated_again_with_the_rows_own_message(raw: RawTable) -> None:
    """A bad e-mail fixed by an edit makes the row valid; a new bad value gets its specific message."""
    before = _batch(raw)
    assert [c.client_id for c in before.clients] == ["C-1", "C-3"]
    fixed = Edits().merged({(3, "E-mail"): "beta@example.com"}, raw)
    after = _batch(raw, fixed)
    assert "C-2" in [c.client_id for c in after.clients]
    broken = fixed.merged({(2, "Company"): "  "}, raw)
    issues = _batch(raw, broken).issues_for_row(2)
    assert [i.message for i in issues] == ["The client name is empty."]


def test_edits_never_change_the_table_they_are_applied_to(raw: RawTable) -> None:
    """The file as read stays as it was; an edit back to the file's text is dropped."""
    edits = Edits().merged({(3, "E-mail"): "beta@example.com"}, raw)
    edited = apply_edits(raw, edits)
    assert edited.rows[1][2] == "beta@example.com" and raw.rows[1][2] == "beta@@example"
    assert len(edits.merged({(3, "E-mail"): "beta@@example"}, raw)) == 0


def test_an_edit_of_a_cell_the_file_lacks_is_refused(raw: RawTable) -> None:
    """Row or column numbers that are not in the file are a clear error, not a silent no-op."""
    with pytest.raises(ReviewError, match="Row 99"):
        Edits().merged({(99, "E-mail"): "x@example.com"}, raw)


def test_edits_round_trip_through_json_and_ignore_bad_entries(raw: RawTable) -> None:
    """What a draft stores reads back to the same edits; malformed entries are dropped."""
    edits = Edits().merged({(3, "E-mail"): "beta@example.com", (2, "Company"): "Alpha SE"}, raw)
    assert Edits.from_json(edits.to_json()) == edits
    assert len(Edits.from_json([[1, "x"], ["2", "a", "b"], 5])) == 0
    assert len(Edits.from_json("nonsense")) == 0


def test_the_number_of_edits_is_bounded(raw: RawTable, monkeypatch: pytest.MonkeyPatch) -> None:
    """More edited cells than the bound is refused with advice (it keeps drafts bounded)."""
    monkeypatch.setattr("onboarding.review.MAX_EDITED_CELLS", 1)
    with pytest.raises(ReviewError, match="upload it again"):
        Edits().merged({(3, "E-mail"): "a@example.com", (4, "E-mail"): "b@example.com"}, raw)
    assert MAX_EDITED_CELLS >= 200_000


def test_tidy_emails_trims_both_email_columns(raw: RawTable) -> None:
    """Only cells that change are edited: the spaced address is trimmed, good ones are left alone."""
    mapping = _batch(raw).mapping
    assert tidy_emails(raw, mapping) == {(4, "E-mail"): "gamma@gmial.com"}


def test_fill_managers_sets_only_empty_cells(raw: RawTable) -> None:
    """Every empty account-manager cell gets the address; filled ones keep theirs."""
    mapping = _batch(raw).mapping
    changes = fill_managers(raw, mapping, " boss@example.com ")
    assert changes == {(3, "Account manager"): "boss@example.com", (4, "Account manager"): "boss@example.com"}
    batch = _batch(raw, Edits().merged(changes, raw))
    assert {c.manager_email for c in batch.clients} == {"boss@example.com", "am@example.com"}


def test_fill_managers_refuses_a_bad_address_or_a_missing_column(raw: RawTable) -> None:
    """An invalid address, or no manager column in the mapping, is explained instead of applied."""
    mapping = _batch(raw).mapping
    with pytest.raises(ReviewError, match="not a valid e-mail address"):
        fill_managers(raw, mapping, "boss@")
    with pytest.raises(ReviewError, match="No column is mapped to the account manager"):
        fill_managers(raw, mapping.model_copy(update={"manager_email": None}), "boss@example.com")


def test_suggestions_name_the_cell_and_apply_as_edits(raw: RawTable) -> None:
    """The gmial.com typo is suggested as gmail.com for its cell, and applying it validates."""
    mapping = _batch(raw).mapping
    found = suggestions(raw, mapping)
    assert [(s.row_number, s.header, s.suggestion) for s in found] == [(4, "E-mail", "gamma@gmail.com")]
    batch = _batch(raw, Edits().merged({s.key: s.suggestion for s in found}, raw))
    assert next(c for c in batch.clients if c.client_id == "C-3").email == "gamma@gmail.com"


def test_corrected_csv_has_every_row_the_edits_and_defused_formulas(raw: RawTable) -> None:
    """The download keeps all rows (bad ones too) with edits in, formulas neutralised, BOM on request."""
    edited = apply_edits(raw, Edits().merged({(3, "E-mail"): "beta@example.com"}, raw))
    data = corrected_csv(edited)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["Client ID", "Company", "E-mail", "Account manager"]
    assert len(rows) == 5
    assert rows[2][2] == "beta@example.com"
    assert rows[4][2].startswith("'=")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert corrected_csv(edited, excel=True).startswith(b"\xef\xbb\xbf")


def _record(client_id: str, name: str, email: str, status: str) -> ClientRecord:
    return ClientRecord(portal="p", client_id=client_id, name=name, email=email, status=status)


def test_counts_against_the_journal(raw: RawTable) -> None:
    """Rows are new, already onboarded, in conflict (another name under the id) or unfinished."""
    batch = _batch(raw, Edits().merged({(3, "E-mail"): "beta@example.com"}, raw))
    records = {
        "C-1": _record("C-1", "Alpha GmbH", "alpha@example.com", "onboarded"),
        "C-2": _record("C-2", "Somebody else", "beta@example.com", "onboarded"),
        "C-3": _record("C-3", "Gamma KG", "gamma@gmial.com", "failed"),
    }
    counts = count_against_journal(batch.clients, records)
    assert (counts.new, counts.onboarded, counts.conflicts, counts.unfinished) == (0, 1, 1, 1)
    assert count_against_journal(batch.clients, {}).new == 3


def test_counts_take_the_conflict_choices(raw: RawTable) -> None:
    """A conflict answered is no longer a conflict: updated (to update), skipped, or counted under
    its new id as that id's record says (new, or already onboarded once the run made it)."""
    batch = _batch(raw, Edits().merged({(3, "E-mail"): "beta@example.com"}, raw))
    records = {
        "C-1": _record("C-1", "Alpha GmbH", "alpha@example.com", "onboarded"),
        "C-2": _record("C-2", "Somebody else", "beta@example.com", "onboarded"),
    }
    row_2 = next(c for c in batch.clients if c.client_id == "C-2")
    assert count_against_journal(batch.clients, records, {"C-2": "update"}).updates == 1
    skipped = count_against_journal(batch.clients, records, {"C-2": "skip"})
    assert (skipped.conflicts, skipped.skipped, skipped.new + skipped.onboarded) == (0, 1, 2)
    renamed = count_against_journal(batch.clients, records, {"C-2": "new:C-2B"})
    assert (renamed.conflicts, renamed.new, renamed.onboarded) == (0, 2, 1)
    done = {**records, "C-2B": _record("C-2B", row_2.name, row_2.email or "", "onboarded")}
    after = count_against_journal(batch.clients, done, {"C-2": "new:C-2B"})
    assert (after.conflicts, after.new, after.onboarded) == (0, 1, 2)


def test_mapping_is_kept_by_review(raw: RawTable) -> None:
    """A chosen mapping is used for the re-validation (edits do not reset it)."""
    mapping = ColumnMapping(client_id="Client ID", name="Company", email="E-mail")
    batch = review(raw, Edits(), mapping, IngestSettings())
    assert batch.mapping == mapping
