"""A journal address's password never reaches an error, whatever the driver quotes back."""

from __future__ import annotations

import pytest

from onboarding.errors import ConfigError
from onboarding.journal import address, open_journal


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://onboarding:p%zz@127.0.0.1:1/db", "p%zz"),  # libpq quotes the bad token
        ("postgresql://onboarding:pw1@[::1/db", "pw1"),  # libpq quotes the whole address
        ("postgresql://onboarding:Hunter%zz2Long@[::1/db", "Hunter%zz2Long"),
    ],
)
def test_short_or_unparsable_journal_passwords_are_not_echoed(url: str, password: str) -> None:
    """Opening a journal whose address libpq cannot parse names neither the address nor its password."""
    with pytest.raises(ConfigError) as caught:
        open_journal(url)
    assert password not in str(caught.value)
    assert "cannot open the journal" in str(caught.value)


def test_masking_an_unreadable_address_shows_nothing_of_it() -> None:
    """An address urlsplit refuses is shown as a placeholder, and its password found for masking."""
    url = "postgresql://onboarding:pw1@[::1/db"
    assert address.mask(url) == address.UNREADABLE
    assert address.passwords_of(url) == ["pw1"]
    assert address.passwords_of("postgresql://u:p%40ss@h/db") == ["p%40ss", "p@ss"]
    assert "pw1" not in address.scrub(f'in URI: "{url}"', url)
