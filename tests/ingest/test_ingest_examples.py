"""The demo files in examples/ load with exactly the problems they are meant to show."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding.ingest import load_clients

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(("name", "offset"), [("clients.csv", 0), ("clients.xlsx", 2)])
def test_example_has_three_deliberate_problems(name: str, offset: int) -> None:
    """Invalid e-mail, duplicate ID and a ':' in a title; the rest are valid."""
    batch = load_clients((EXAMPLES / name).read_bytes(), name)
    found = [(i.row_number, i.code) for i in batch.issues]
    assert found == [
        (8 + offset, "invalid_email"),
        (11 + offset, "duplicate_key"),
        (12 + offset, "title_characters_replaced"),
    ]
    assert (batch.total_rows, len(batch.clients)) == (15, 13)


def test_example_workbook_has_a_second_sheet() -> None:
    """The xlsx offers a second sheet to choose."""
    batch = load_clients((EXAMPLES / "clients.xlsx").read_bytes(), "clients.xlsx")
    assert batch.source.sheets == ["Clients", "Archived clients"]


def test_example_emails_use_reserved_domains() -> None:
    """Every address in the examples is on a reserved example domain."""
    batch = load_clients((EXAMPLES / "clients.csv").read_bytes(), "clients.csv")
    domains = {e.split("@")[1] for c in batch.clients for e in (c.email, c.manager_email) if e}
    assert all(d.endswith((".example", "example.com", "example.net", "example.org")) for d in domains)
