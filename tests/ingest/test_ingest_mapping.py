"""Automatic column mapping by header synonyms."""

from __future__ import annotations

import pytest

from onboarding.ingest.mapping import auto_map, field_for_header, normalize_header
from onboarding.ingest.models import ColumnMapping


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Client ID", "client_id"),
        ("CRM ID", "client_id"),
        ("Account #", "client_id"),
        ("customer_number", "client_id"),
        ("Company", "name"),
        ("Client name", "name"),
        ("Société", "name"),
        ("E-mail address", "email"),
        ("EMAIL", "email"),
        ("Account manager", "manager_email"),
        ("Manager email", "manager_email"),
    ],
)
def test_synonym_maps_to_field(header: str, field: str) -> None:
    """Known synonyms map to their canonical field."""
    assert field_for_header(header) == field


def test_normalization_ignores_case_accents_spaces_and_punctuation() -> None:
    """'E-Mail  Address' and 'email_address' normalise to the same key."""
    assert normalize_header(" E-Mail  Address ") == normalize_header("email_address") == "emailaddress"


def test_auto_map_prefers_exact_synonyms_over_keywords() -> None:
    """'Client ID' and 'Client name' go to client_id and name, not both to one field."""
    mapping = auto_map(["Client name", "Client ID", "E-mail address", "Account manager"])
    assert mapping == ColumnMapping(
        client_id="Client ID", name="Client name", email="E-mail address", manager_email="Account manager"
    )


def test_auto_map_uses_keywords_for_unknown_headers() -> None:
    """A descriptive header such as 'Primary contact e-mail (work)' is still found."""
    assert auto_map(["Primary contact e-mail (work)"]).email == "Primary contact e-mail (work)"


def test_first_matching_header_wins() -> None:
    """With two e-mail columns, the first one is mapped."""
    assert auto_map(["Email", "Mail"]).email == "Email"


def test_unmapped_headers_are_extras_in_order() -> None:
    """Every header not used by a field is carried through, in file order."""
    headers = ["Industry", "Client ID", "Company", "Country"]
    assert auto_map(headers).extra_headers(headers) == ["Industry", "Country"]


def test_mapping_can_be_overridden() -> None:
    """The mapping is a plain model the UI can copy with changes."""
    mapping = auto_map(["Client ID", "Company", "Email", "Backup email"])
    edited = mapping.model_copy(update={"email": "Backup email"})
    assert edited.email == "Backup email"
    assert edited.extra_headers(["Client ID", "Company", "Email", "Backup email"]) == ["Email"]
