"""The product's front door: one object that the dashboard and the command line both use.

It ties settings, the portal client, the journal and the blueprint together, so the UI and the
CLI stay thin: they collect input, call these methods, and render what comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from onboarding import redact
from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient, User
from onboarding.docspace._transport import DEFAULT_TIMEOUT
from onboarding.errors import ConfigError
from onboarding.journal import ClientRecord, Journal, open_journal
from onboarding.settings import Settings
from onboarding.webhook import DeliveryReport, WebhookConfig, WebhookSender
from onboarding.workflow.engine import Engine, RunResult
from onboarding.workflow.plan import BatchPlan, ClientLike
from onboarding.workflow.retry import RetryPolicy
from onboarding.workflow.steps import StepEvent


class Onboarding:
    """Settings + portal client + journal + blueprint.

    Args:
        settings: resolved settings; ``portal_url`` and ``api_key`` must be set.
        blueprint: overrides the blueprint file named in the settings.
        actor: who is acting (recorded with each run).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        blueprint: Blueprint | None = None,
        actor: str = "",
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> None:
        if not settings.portal_url or not settings.api_key:
            raise ConfigError("No portal configured: set DOCSPACE_URL and DOCSPACE_API_KEY (or a key file).")
        self.settings = settings
        redact.register_secret(settings.api_key.get_secret_value())
        if settings.webhook_secret:
            redact.register_secret(settings.webhook_secret.get_secret_value())
        redact.install()
        limits = settings.limits()
        self.client = DocSpaceClient(
            settings.portal_url,
            settings.api_key.get_secret_value(),
            pool_size=limits.writes_in_flight + limits.reads_in_flight + 4,
            timeout=timeout or DEFAULT_TIMEOUT,
        )
        self.journal: Journal = open_journal(settings.journal_path)
        if blueprint is None:
            blueprint = Blueprint.load(settings.blueprint_path) if settings.blueprint_path else Blueprint()
        self.blueprint = blueprint
        self.actor = actor
        self.retry = retry or settings.retry_policy()

    def close(self) -> None:
        self.client.close()
        self.journal.close()

    def __enter__(self) -> Onboarding:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def portal_key(self) -> str:
        return self.settings.portal_key

    def whoami(self) -> User:
        return self.client.me()

    def engine(self, on_event: Callable[[StepEvent], None] | None = None) -> Engine:
        return Engine(
            self.client,
            self.journal,
            self.blueprint,
            portal_key=self.portal_key,
            actor=self.actor,
            limits=self.settings.limits(),
            retry=self.retry,
            on_event=on_event,
        )

    def plan(self, clients: Sequence[ClientLike]) -> BatchPlan:
        return self.engine().plan(clients)

    def run(
        self,
        clients: Sequence[ClientLike] | BatchPlan,
        on_event: Callable[[StepEvent], None] | None = None,
        *,
        run_id: str | None = None,
    ) -> RunResult:
        result = self.engine(on_event).run(clients, run_id=run_id)
        self.after_run(result)
        return result

    def after_run(self, result: RunResult) -> DeliveryReport | None:
        """Deliver the run's onboarded clients and its summary to the CRM webhook, if configured.

        A failed delivery never fails the run: it is recorded per client in the journal, shown
        in the results, and can be re-sent later.
        """
        sender = self.webhook()
        if sender is None:
            return None
        report = sender.deliver(self.results(result.run_id))
        try:
            sender.deliver_summary(result.run_id, result.summary())
        except Exception as exc:
            self.journal.add_event(result.run_id, self.portal_key, "*", "webhook", "failed", str(exc))
        return report

    def webhook(self) -> WebhookSender | None:
        """The CRM webhook sender, when a webhook URL and secret are configured."""
        s = self.settings
        if not s.webhook_url:
            return None
        if not s.webhook_secret:
            raise ConfigError("a webhook URL is set but no webhook secret (DOCSPACE_WEBHOOK_SECRET)")
        config = WebhookConfig(s.webhook_url, s.webhook_secret.get_secret_value())
        return WebhookSender(config, self.journal, portal=self.portal_key)

    def deliver(
        self, client_ids: Sequence[str] | None = None, *, force: bool = False
    ) -> DeliveryReport | None:
        """Send onboarded clients to the CRM webhook (all not yet delivered, or the named ones)."""
        sender = self.webhook()
        if sender is None:
            return None
        records = self.results()
        if client_ids is not None:
            wanted = set(client_ids)
            records = [r for r in records if r.client_id in wanted]
        return sender.deliver(records, force=force)

    def archive(self, client_id: str) -> int:
        return self.engine().archive(client_id)

    def results(self, run_id: str | None = None) -> list[ClientRecord]:
        return self.journal.clients(self.portal_key, run_id=run_id)
