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
    from onboarding.webhook import WebhookSender


class Notifier(Protocol):
    """Something told about each finished run."""

    name: str

    def after_run(self, run_id: str, summary: dict[str, Any], records: Sequence[ClientRecord]) -> None:
        """React to a finished run (``records``: the run's clients as the journal has them)."""


def configured(settings: Settings, journal: Journal, portal: str) -> list[Notifier]:
    """The notifiers the settings switch on, in the order they are told."""
    out: list[Notifier] = []
    sender = webhook_sender(settings, journal, portal)
    if sender is not None:
        from onboarding.webhook import WebhookNotifier

        out.append(WebhookNotifier(sender))
    return out


def webhook_sender(settings: Settings, journal: Journal, portal: str) -> WebhookSender | None:
    """The CRM webhook sender the settings configure, or None; without a webhook URL (the usual
    case) the webhook module and its imports stay unloaded."""
    if not settings.webhook_url:
        return None
    from onboarding.webhook import sender_from

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return sender_from(settings.webhook_url, secret, journal, portal)
