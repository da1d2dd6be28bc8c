"""Suggested e-mail corrections: tidying, common domain typos, and restraint with company domains."""

from __future__ import annotations

import pytest

from onboarding.suggest import normalise_email, suggest_email


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  anna@example.com ", "anna@example.com"),
        ("Anna@Example.COM", "Anna@example.com"),
        ("mailto:anna@example.com", "anna@example.com"),
        ("MAILTO:anna@example.com", "anna@example.com"),
        ("anna@ÜBER.example", "anna@über.example"),
        ("anna@example.com.", "anna@example.com"),
        ("anna@example.com", "anna@example.com"),
        ("<anna@example.com>;", "anna@example.com"),
        ("anna\u00a0@example.com\u200b", "anna@example.com"),
        ("an na@example.com", "anna@example.com"),
        ("", ""),
        (" not an address ", "not an address"),
    ],
)
def test_normalise_email_trims_and_lowercases_the_domain(value: str, expected: str) -> None:
    """Spaces (also invisible ones), mailto:, brackets and trailing punctuation go; the domain is lower case."""
    assert normalise_email(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("anna@gmial.com", "anna@gmail.com"),
        ("anna@gmai.com", "anna@gmail.com"),
        ("anna@hotmial.com", "anna@hotmail.com"),
        ("anna@yahoo.con", "anna@yahoo.com"),
        ("anna@outlook.cmo", "anna@outlook.com"),
        ("anna@gmail,com", "anna@gmail.com"),
        ("anna@@web.de", "anna@web.de"),
        (" Anna@GMIAL.com ", "Anna@gmail.com"),
        ("anna@t-onlien.de", "anna@t-online.de"),
        ("anna@company.con", "anna@company.com"),
        ("anna@Gmial.com", "anna@gmail.com"),
    ],
)
def test_common_typos_get_a_suggestion(value: str, expected: str) -> None:
    """A near miss of a well-known provider, or a non-existent TLD one slip away, is corrected."""
    assert suggest_email(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "anna@gmail.com",
        "anna@mueller-soehne.de",
        "anna@gmx.at",
        "anna@live.de",
        "  anna@gmail.com  ",  # tidying alone is the trim fix, not a suggestion
        "no-at-sign",
        "@gmial.com",
        "",
    ],
)
def test_no_suggestion_for_good_or_unknown_domains(value: str) -> None:
    """Correct addresses, company domains and things that are not addresses get no guess."""
    assert suggest_email(value) is None
