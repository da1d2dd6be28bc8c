"""Pushing results to the CRM: one signed JSON POST per onboarded client, and a run summary.

Deliveries are driven from the journal, not from memory: after a run (or on demand) every
onboarded client without a successful delivery for its current room is sent, so a crash between
onboarding and delivery loses nothing. Each request is signed with HMAC-SHA256 over
``"<timestamp>.<body>"`` and carries an idempotency key per client and room, so a receiver can
drop a repeat (we repeat only when we could not tell whether it arrived).

Headers::

    X-Onboarding-Timestamp: 1764180000
    X-Onboarding-Signature: sha256=<hex of HMAC-SHA256(secret, "1764180000." + body)>
    Idempotency-Key: <sha256 hex of "client_id:room_id">
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from onboarding.addresses import refuse_internal
from onboarding.docspace import PortalAddress
from onboarding.errors import (
    ConfigError,
    DeliveryRefused,
    WebhookUnavailable,
    WebhookUnreachable,
)
from onboarding.export import record_row
from onboarding.journal import DONE, ClientRecord, Journal
from onboarding.workflow.retry import Retrier, RetryPolicy

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Onboarding-Signature"
TIMESTAMP_HEADER = "X-Onboarding-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` over ``timestamp + "." + body``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: float = 300.0) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def idempotency_key(client_id: str, room_id: int | None) -> str:
    return hashlib.sha256(f"{client_id}:{room_id or ''}".encode()).hexdigest()


def client_payload(rec: ClientRecord, portal: str) -> dict[str, Any]:
    """The JSON body for one onboarded client (the export row, unneutralised, plus context)."""
    return {
        "type": "client.onboarded",
        "portal": portal,
        "run_id": rec.run_id,
        "idempotency_key": idempotency_key(rec.client_id, rec.room_id),
        "client": record_row(rec),
    }


MIN_SECRET_LENGTH = 16
"""Shortest webhook secret accepted (the receiver checks HMAC-SHA256 signatures made with it)."""


CLIENT_EVENTS = (
    "client.onboarded",
    "client.joined",
    "client.link_renewed",
    "client.archived",
    "client.offboarded",
    "client.restored",
    "client.updated",
)
"""Every per-client event type the webhook sends (``type`` in the body)."""


def event_key(client_id: str, event: str, stamp: str = "") -> str:
    """Idempotency key of one event of one client (``stamp`` tells repeats of a kind apart)."""
    return hashlib.sha256(f"{client_id}:{event}:{stamp}".encode()).hexdigest()


def update_stamp(rec: ClientRecord, run_id: str) -> str:
    """Which ``client.updated`` this is: the run that made the change and the record it left, so a
    repeat of one notice carries the same key, and a later change back to an earlier row (a room
    handed to Anna, to Ben, to Anna again) a new one."""
    text = f"{run_id}\n{rec.name}\n{rec.email}\n{rec.manager_email}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def event_payload(rec: ClientRecord, portal: str, event: str, key: str) -> dict[str, Any]:
    """The JSON body of a lifecycle event (the client's current export row, as for onboarding)."""
    if event not in CLIENT_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    return {"type": event, "portal": portal, "idempotency_key": key, "client": record_row(rec)}


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    timeout: tuple[float, float] = (5.0, 15.0)

    def __post_init__(self) -> None:
        if urlsplit(self.url.strip()).scheme not in ("http", "https"):
            raise ConfigError(
                "the webhook URL must start with https:// (or http:// for a receiver on this machine)"
            )
        refuse_internal(urlsplit(self.url.strip()).hostname or "", what="webhook URL", resolve=False)
        PortalAddress.parse(self.url)  # same rule as portals: https unless on this machine
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise ConfigError(f"the webhook secret must be at least {MIN_SECRET_LENGTH} characters")

    def __repr__(self) -> str:
        return f"WebhookConfig(url={self.url!r}, secret=***)"


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    errors: dict[str, str] | None = None
    events_sent: int = 0
    """Lifecycle events (``client.offboarded``…) whose earlier sending failed, sent now."""
    events_failed: int = 0


class WebhookSender:
    """Delivers payloads with retries, recording each client's delivery in the journal."""

    def __init__(
        self,
        config: WebhookConfig,
        journal: Journal,
        *,
        portal: str,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self.journal = journal
        self.portal = portal
        self.retrier = Retrier(
            policy=retry or RetryPolicy(attempts=5, max_elapsed=60.0), sleep=sleep, rng=random.Random()
        )
        self._clock = clock
        if session is None:
            import requests  # loaded with the first sender: every run imports this module

            session = requests.Session()
        self._session = session
        self._session.trust_env = False

    def _post(self, payload: dict[str, Any], key: str) -> int:
        import requests

        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        ts = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: ts,
            SIGNATURE_HEADER: sign(self.config.secret, ts, body),
            IDEMPOTENCY_HEADER: key,
        }
        refuse_internal(urlsplit(self.config.url.strip()).hostname or "", what="webhook URL")
        try:
            resp = self._session.post(
                self.config.url,
                data=body,
                headers=headers,
                timeout=self.config.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise WebhookUnreachable("the webhook receiver did not answer in time") from None
        except requests.RequestException:
            raise WebhookUnreachable("could not reach the webhook receiver") from None
        if resp.status_code >= 500 or resp.status_code in (408, 429):
            raise WebhookUnavailable(
                f"the webhook receiver answered HTTP {resp.status_code}", status=resp.status_code
            )
        if resp.status_code >= 300:
            raise DeliveryRefused(f"the webhook receiver refused the delivery with HTTP {resp.status_code}")
        return resp.status_code

    BREAKER = 3
    """Consecutive failed clients after which the rest are not attempted in this pass."""

    def deliver(self, records: Sequence[ClientRecord], *, force: bool = False) -> DeliveryReport:
        """Send each onboarded client not yet delivered for its room (``force``: send again).

        After :attr:`BREAKER` clients in a row fail (each after its own retries), the receiver is
        taken to be down: the remaining clients are recorded as failed without being tried, so a
        dead CRM costs seconds, not an hour; they go out on the next pass or re-send.
        """
        report = DeliveryReport(errors={})
        failed_in_row = 0
        for rec in records:
            if rec.status != DONE:
                report.skipped += 1
                continue
            key = idempotency_key(rec.client_id, rec.room_id)
            done = self.journal.delivery(self.portal, rec.client_id)
            if done is not None and done["key"] == key and done["status"] == "delivered" and not force:
                report.skipped += 1
                continue
            if failed_in_row >= self.BREAKER:
                note = f"not attempted: the receiver failed {self.BREAKER} times in a row"
                self.journal.record_delivery(self.portal, rec.client_id, key, "failed", 0, note)
                report.failed += 1
                assert report.errors is not None
                report.errors[rec.client_id] = note
                continue
            payload = client_payload(rec, self.portal)
            attempts = [0]

            def attempt(
                payload: dict[str, Any] = payload, key: str = key, attempts: list[int] = attempts
            ) -> int:
                attempts[0] += 1
                return self._post(payload, key)

            try:
                status = self.retrier.call(attempt)
            except ConfigError:
                raise
            except Exception as exc:
                failed_in_row += 1
                self.journal.record_delivery(self.portal, rec.client_id, key, "failed", attempts[0], str(exc))
                report.failed += 1
                assert report.errors is not None
                report.errors[rec.client_id] = str(exc)
                continue
            self.journal.record_delivery(
                self.portal, rec.client_id, key, "delivered", attempts[0], f"HTTP {status}"
            )
            report.sent += 1
        return report

    def notify(self, rec: ClientRecord, event: str, *, stamp: str = "") -> bool:
        """Send one lifecycle event of a client once (per ``stamp``); True when it was sent now.

        Recorded per client and event type in the journal, so ``check-joins`` run twice (or a
        crash after the POST) never tells the CRM twice with different keys: a repeat carries the
        same idempotency key and the receiver drops it.
        """
        key = event_key(rec.client_id, event, stamp)
        done = self.journal.notice(self.portal, rec.client_id, event)
        if done is not None and done["key"] == key and done["status"] == "delivered":
            return False
        self._send_event(rec, event, key)
        return True

    def _send_event(self, rec: ClientRecord, event: str, key: str) -> None:
        """POST one lifecycle event (with retries) and record how it went; raises when it failed."""
        payload = event_payload(rec, self.portal, event, key)
        try:
            status = self.retrier.call(functools.partial(self._post, payload, key))
        except ConfigError:
            raise
        except Exception as exc:
            self.journal.record_notice(self.portal, rec.client_id, event, key, "failed", str(exc))
            raise
        self.journal.record_notice(self.portal, rec.client_id, event, key, "delivered", f"HTTP {status}")

    def resend_failed_events(self, records: Sequence[ClientRecord], report: DeliveryReport) -> None:
        """Send again each lifecycle event of these clients whose last sending failed, with the
        key it had (a receiver that got it after all drops the repeat), and the client's current
        row. Without this a CRM that was down missed an offboarding or a renewed link for good:
        only ``check-joins`` tried its own event again."""
        wanted = {r.client_id: r for r in records}
        for row in self.journal.failed_notices(self.portal):
            rec = wanted.get(row["client_id"])
            if rec is None or row["event"] not in CLIENT_EVENTS:
                continue
            try:
                self._send_event(rec, row["event"], row["key"])
            except ConfigError:
                raise
            except Exception as exc:
                report.events_failed += 1
                if report.errors is not None:
                    report.errors.setdefault(rec.client_id, f"{row['event']}: {exc}")
                continue
            report.events_sent += 1

    def deliver_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        """The end-of-run message (best effort: failures are raised to the caller to report)."""
        payload = {"type": "run.finished", "portal": self.portal, "run_id": run_id, "summary": summary}
        self.retrier.call(lambda: self._post(payload, hashlib.sha256(f"run:{run_id}".encode()).hexdigest()))


class WebhookNotifier:
    """After a run: each onboarded client, then the run's summary, to the CRM webhook.

    A failed delivery never fails the run: it is recorded per client in the journal, shown in the
    results, and can be re-sent later; a failed summary is recorded as a ``webhook`` event.
    """

    name = "webhook"

    def __init__(self, sender: WebhookSender) -> None:
        self.sender = sender

    def after_run(self, run_id: str, summary: dict[str, Any], records: Sequence[ClientRecord]) -> None:
        self.sender.deliver(records)
        updated = set(summary.get("updated") or ())
        for rec in records:  # the CRM's copy of these rows is out of date: tell it once per change
            if rec.client_id in updated and rec.status == DONE:
                try:
                    self.sender.notify(rec, "client.updated", stamp=update_stamp(rec, run_id))
                except Exception as exc:  # recorded in the journal's notices; the run stands
                    log.warning("webhook client.updated for %s failed: %s", rec.client_id, exc)
        try:
            self.sender.deliver_summary(run_id, summary)
        except Exception as exc:
            self.sender.journal.add_event(run_id, self.sender.portal, "*", "webhook", "failed", str(exc))


def sender_from(url: str | None, secret: str | None, journal: Journal, portal: str) -> WebhookSender | None:
    """The CRM webhook sender, when a webhook URL is configured (a URL without a secret is an error)."""
    if not url:
        return None
    if not secret:
        raise ConfigError("a webhook URL is set but no webhook secret (DOCSPACE_WEBHOOK_SECRET)")
    return WebhookSender(WebhookConfig(url, secret), journal, portal=portal)
