"""Secrets never reach a log line, whatever a library writes."""

from __future__ import annotations

import logging

import pytest

from onboarding.redact import RedactingFilter, redact, register_secret


def test_api_key_shapes_and_bearer_tokens_are_masked() -> None:
    """Anything shaped like a DocSpace key or a Bearer token is masked."""
    assert redact("auth=sk-abc123DEF456 ok") == "auth=sk-*** ok"
    assert redact("Authorization: Bearer eyJhbGciOi.x.y") == "Authorization: Bearer ***"


def test_registered_secret_is_masked_in_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A registered secret is masked in the formatted message and in exception text."""
    register_secret("whsec-verysecretvalue")
    log = logging.getLogger("test.redact")
    log.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.redact"):
        log.info("posting with %s", "whsec-verysecretvalue")
        try:
            raise ValueError("boom whsec-verysecretvalue")
        except ValueError:
            log.exception("failed")
    text = caplog.text
    assert "whsec-verysecretvalue" not in text
    assert "posting with ***" in text
