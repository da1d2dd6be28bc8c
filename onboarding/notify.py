"""After-run notifications: one list of notifiers, each told about every finished run.

The CRM webhook is one notifier. Adding another (a chat message, an e-mail) is one new module with
a class that has ``name`` and ``after_run`` plus its settings, and one line in :func:`configured`.
Notifiers run after the run has finished and never change its outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from onboarding.journal import ClientRecord, Journal
    from onboarding.settings import Settings


class Notifier(Protocol):
    """Something told about each finished run."""

    name: str

    def after_run(self, run_id: str, summary: dict[str, Any], records: Sequence[ClientRecord]) -> None:
        """React to a finished run (``records``: the run's clients as the journal has them)."""


def configured(settings: Settings, journal: Journal, portal: str) -> list[Notifier]:
    """The notifiers the settings switch on, in the order they are told."""
    out: list[Notifier] = []
    if not settings.webhook_url:  # the usual case: the webhook module (and its imports) stays unloaded
        return out
    from onboarding import webhook

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    sender = webhook.sender_from(settings.webhook_url, secret, journal, portal)
    if sender is not None:
        out.append(webhook.WebhookNotifier(sender))
    return out
