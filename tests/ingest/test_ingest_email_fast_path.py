"""The e-mail fast paths (plain host names, column verdicts) give exactly email-validator's answers."""

from __future__ import annotations

import random

import pytest
from email_validator import EmailNotValidError, validate_email

from onboarding.ingest.rows import (
    MAILBOX_NAMES,
    SPECIAL_USE_DOMAIN_NAMES,
    check_email,
    clear_email_cache,
    email_verdicts,
)

Verdict = tuple[str | None, str | None]

LOCALS = [
    "a",
    "Anna.Manager",
    "Info",
    "SALES",
    "postMaster",
    "o'brien",
    "x+y",
    "a" * 64,
    "a" * 65,
    "a..b",
    "ü",
]
SPECIAL = ["local", "test", "arpa", "onion", "invalid", "localhost", "example", "com", "de", "co"]


def _label(rng: random.Random) -> str:
    shape = rng.randrange(8)
    if shape == 0:
        return rng.choice(SPECIAL)
    if shape == 1:
        return rng.choice(["xn--bcher-kva", "xn--zz", "ab--cd", "a--b", "-ab", "ab-", "12", "1a", "a1"])
    length = rng.choice([0, 1, 2, 5, 12, 62, 63, 64])
    return "".join(rng.choice("abcxyzABZ019-") for _ in range(length))


def _domain(rng: random.Random) -> str:
    domain = ".".join(_label(rng) for _ in range(rng.randrange(1, 5)))
    if rng.random() < 0.05:
        domain = domain + "."
    if rng.random() < 0.05:
        domain = ".".join(["a" * 63] * 4)[: rng.choice([240, 250, 253, 254])]
    return domain


def _expected(address: str) -> Verdict:
    try:
        return validate_email(address, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, str(exc)


def test_random_domains_and_local_parts_agree_with_the_validator() -> None:
    """3,000 generated addresses (reserved names, punycode, -- in labels, 63/64-char labels, 253/254-char domains, RFC 2142 names)."""
    rng = random.Random(16)
    addresses = [f"{rng.choice(LOCALS)}@{_domain(rng)}" for _ in range(3_000)]
    expected = {a: _expected(a) for a in addresses}
    assert sum(v[0] is not None for v in expected.values()) > 300  # both outcomes are well represented
    clear_email_cache()
    assert email_verdicts(addresses) == expected
    clear_email_cache()
    assert {a: check_email(a) for a in addresses} == expected


@pytest.mark.parametrize(
    "address",
    [
        "Info@Example.COM",
        "SALES@acme.de",
        "Support@bücher.de",
        "noc@xn--bcher-kva.de",
        "www@a.b.local",
        "ab@a-b.c0m",
    ],
)
def test_reserved_mailbox_names_are_lower_cased_like_the_validator(address: str) -> None:
    """RFC 2142 names (info, sales, support...) come back lower-cased, as email-validator returns them."""
    clear_email_cache()
    assert check_email(address) == _expected(address)
    assert email_verdicts(["", address, address]) == {address: _expected(address)}


def test_the_fast_paths_facts_are_the_validators_own() -> None:
    """The special-use domains and RFC 2142 mailbox names kept beside the fast path equal email-validator's."""
    import email_validator
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    assert sorted(SPECIAL_USE_DOMAIN_NAMES) == sorted(email_validator.SPECIAL_USE_DOMAIN_NAMES)
    assert frozenset(CASE_INSENSITIVE_MAILBOX_NAMES) == MAILBOX_NAMES
