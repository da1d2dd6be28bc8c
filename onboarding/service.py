"""The product's one door: everything the dashboard and the command line do goes through here.

An :class:`Onboarding` is bound to one portal (its settings name it), so callers never pass a
portal key, never reach the journal, the portal client or an engine, and never sequence a run's
parts themselves. Pages, ``ui/`` and the CLI collect input, call these methods and render the read
models that come back (records, runs, events, plans, progress).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from onboarding import redact
from onboarding.background import RunHandle, RunRegistry, StartOutcome
from onboarding.blueprint import Blueprint
from onboarding.docspace import DEFAULT_TIMEOUT, DocSpaceClient, FileShare, Folder, FolderContent, User
from onboarding.errors import ConfigError
from onboarding.journal import ClientRecord, EventRecord, Journal, RunRecord, open_journal
from onboarding.settings import saved_blueprint
from onboarding.workflow.context import ClientLike, ManagerDecision, decide_manager
from onboarding.workflow.engine import Engine, RunResult
from onboarding.workflow.estimate import Estimate, describe, live_costs
from onboarding.workflow.plan import BatchPlan
from onboarding.workflow.throttle import shared_throttle

if TYPE_CHECKING:
    # What only other commands and pages need is imported where it is used: the directory, the
    # review, the export, the CRM webhook and aftercare are no part of a `plan` or a `run`, and a
    # command-line process pays for every module it loads before its first request.
    from onboarding.directory import ClientEntry
    from onboarding.invitation import Invitation
    from onboarding.journal.queue import QueuedRun
    from onboarding.progress import RunProgress
    from onboarding.review import ReviewCounts
    from onboarding.settings import Settings
    from onboarding.webhook import DeliveryReport, WebhookSender
    from onboarding.workflow.aftercare import Aftercare, JoinReport, RepairReport
    from onboarding.workflow.audit import ClientAudit
    from onboarding.workflow.retry import RetryPolicy
    from onboarding.workflow.steps import StepEvent

log = logging.getLogger(__name__)

HELD_ROUNDS = 20
"""Follow-up runs for clients another run held, before they are reported ``locked``."""
CLOSE_WAIT_SECONDS = 60.0
"""How long ``close`` waits for a stopped run's steps in flight (a call and its retries)."""

Clients = Sequence[ClientLike] | BatchPlan


@dataclass(frozen=True)
class ManagerCheck:
    """Whether an e-mail may be a client room's account manager under a blueprint, and why."""

    email: str
    user: User | None
    decision: ManagerDecision


class Onboarding:
    """The door onto one portal: settings + portal client + journal + blueprint + notifiers.

    Args:
        settings: resolved settings; ``portal_url`` and ``api_key`` must be set.
        blueprint: overrides the blueprint file named in the settings.
        actor: who is acting (recorded with each run).
        registry: where background runs live (the dashboard passes its process-wide one).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        blueprint: Blueprint | None = None,
        actor: str = "",
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        registry: RunRegistry | None = None,
    ) -> None:
        if not settings.portal_url or not settings.api_key:
            raise ConfigError("No portal configured: set DOCSPACE_URL and DOCSPACE_API_KEY (or a key file).")
        self.settings = settings
        redact.register_secret(settings.api_key.get_secret_value())
        if settings.webhook_secret:
            redact.register_secret(settings.webhook_secret.get_secret_value())
        redact.install()
        limits = settings.limits()
        self._client = DocSpaceClient(
            settings.portal_url,
            settings.api_key.get_secret_value(),
            pool_size=limits.writes_in_flight + limits.reads_in_flight + 4,
            timeout=timeout,
        )
        # One journal connection per engine thread (two per write in flight), plus the heartbeat.
        self._journal: Journal = open_journal(
            settings.journal,
            pool_size=2 * limits.writes_in_flight + 2,
            lease_seconds=settings.journal_lease_seconds,
        )
        if blueprint is None:  # the named one, else the dashboard's saved one, else the built-in
            path = settings.blueprint_path or saved_blueprint()
            blueprint = Blueprint.load(path) if settings.blueprint_path or path.exists() else Blueprint()
        self.blueprint = blueprint
        self.actor = actor
        self.retry = retry or settings.retry_policy()
        self._registry = registry or RunRegistry()
        self._launched: list[str] = []
        """Runs this door started (``close`` stops those still going)."""

    def close(self) -> None:
        """Close the door. Runs it started and that still go on are stopped first (the steps in
        flight end, the rest is deferred for a later run) and waited for: a journal closed under a
        live run failed it half-way, its heartbeat writing to a closed database."""
        for run_id in self._live_launched():
            handle = self._registry.get(run_id)
            if handle is not None:
                handle.stop()
                handle.join(CLOSE_WAIT_SECONDS)
        self._client.close()
        self._journal.close()

    def _live_launched(self) -> list[str]:
        """The runs this door started that still go on (a dashboard's door starts many over days)."""
        return [r for r in self._launched if (h := self._registry.get(r)) is not None and h.alive]

    def __enter__(self) -> Onboarding:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def portal_key(self) -> str:
        """Which portal this door is bound to (as the journal names it)."""
        return self.settings.portal_key

    # -- the portal ------------------------------------------------------------------------------

    def whoami(self) -> User:
        """The API key's own account."""
        return self._client.me()

    def browse(self, folder_id: int | None = None) -> FolderContent:
        """A folder of the key's "My documents" (``None``: its root), to pick template files from."""
        return self._client.my_documents() if folder_id is None else self._client.folder_contents(folder_id)

    def room_templates(self) -> list[Folder]:
        """The portal's room templates the key may use (a blueprint's ``room_template`` names one)."""
        return self._client.list_templates()

    def check_manager(self, email: str, blueprint: Blueprint | None = None) -> ManagerCheck:
        """Would ``email`` become the account manager of a room (and with which role)?

        The same rule the plan applies to every row: Room manager needs the owner, a DocSpace
        admin or a room admin; anyone else gets the blueprint's fallback.
        """
        email = email.strip()
        me = self.whoami()
        user = self._client.find_user_by_email(email)
        return ManagerCheck(email, user, decide_manager(blueprint or self.blueprint, me, email, user))

    # -- planning and running --------------------------------------------------------------------

    def _engine(self, on_event: Callable[[StepEvent], None] | None = None) -> Engine:
        return Engine(
            self._client,
            self._journal,
            self.blueprint,
            portal_key=self.portal_key,
            actor=self.actor,
            limits=self.settings.limits(),
            retry=self.retry,
            on_event=on_event,
        )

    def plan(
        self, clients: Sequence[ClientLike], *, update: Collection[str] = (), hand_over: Collection[str] = ()
    ) -> BatchPlan:
        """What a run would do for these clients (reads the portal, writes nothing).

        A row whose name or e-mail differs from what the journal onboarded under its id is a
        ``conflict``; ``update`` names the clients whose record a person chose to update instead.
        ``hand_over`` names finished clients whose room goes to the account manager their row
        names (the previous manager's access is removed).
        """
        return self._engine().plan(clients, update=update, hand_over=hand_over)

    def estimate(self, plan: BatchPlan) -> Estimate:
        """The plan's expected duration, from the portal as measured and learned so far."""
        return self._engine().estimate(plan)

    def estimate_text(self, plan: BatchPlan) -> str:
        """The plan's expected duration in words, with what it rests on (for the pages and the CLI)."""
        return describe(self.estimate(plan))

    def run(
        self,
        clients: Clients,
        on_event: Callable[[StepEvent], None] | None = None,
        *,
        run_id: str | None = None,
    ) -> RunResult:
        """Onboard the clients in this thread, then tell the notifiers."""
        result = self._engine(on_event).run(clients, run_id=run_id)
        self._notify(result)
        return result

    def wait_released(self, client_ids: Collection[str], stop: threading.Event | None = None) -> bool:
        """Wait until no live process holds these clients: the run that has them lets them go, or
        its lease runs out (a dead holder's lasts at most ``lease_seconds``). False when the wait
        gave up first (``stop`` set, or two leases went by) and someone still holds one.

        A run that finds clients another run is onboarding (``locked``) waits here, then plans
        them again: by then the other run has onboarded them (nothing to do) or left them to resume.
        """
        stop = stop or threading.Event()
        lease = self._journal.lease_seconds
        deadline = time.monotonic() + 2 * lease + 10
        while True:
            if all(self._journal.holder(self.portal_key, cid) is None for cid in client_ids):
                return True
            if time.monotonic() >= deadline or stop.wait(min(1.0, lease / 4)):
                return False

    def take_over_held(
        self,
        first: RunResult,
        again: Callable[[set[str]], RunResult],
        say: Callable[[str], None],
        stop: threading.Event | None = None,
    ) -> RunResult:
        """After ``first``, the clients it found held by another live run: wait until that run
        lets them go, then ``again`` (plan and run just those), as often as they are taken again.
        Returns the rounds as one result; clients still held when a wait gives up stay ``locked``.

        Two operators whose batches overlap both end with every client onboarded, each room made
        once: the clients the other run finished are found done and counted as already onboarded.
        """
        results = [first]
        for _ in range(HELD_ROUNDS):
            held = results[-1].locked
            if not held or (stop is not None and stop.is_set()):
                break
            n = len(held)
            say(
                f"{n} client{'s' if n != 1 else ''} held by another run: waiting for it to let {'them' if n != 1 else 'it'} go"
            )
            if not self.wait_released(held, stop):
                break
            results.append(again(held))
        return RunResult.combined(results)

    def start(self, clients: Clients) -> StartOutcome:
        """Onboard the clients in the background, or join the live run that already covers them.

        Clients that a live run of this process covers are left to it; the others get a new run.
        """
        items = clients.clients if isinstance(clients, BatchPlan) else clients
        ids = frozenset(c.client_id for c in items)
        with self._registry.lock:
            live = self._registry.live(self.portal_key)
            covered: frozenset[str] = frozenset().union(*(h.client_ids for h in live))
            if ids and ids <= covered:
                joined = next(h for h in live if ids & h.client_ids)
                return StartOutcome(joined.run_id, joined=True)
            if ids & covered:
                clients = _without(clients, covered)
                ids = ids - covered
            engine = self._engine()
            handle = RunHandle(self._journal.new_run_id(), self.portal_key, ids, engine.stop)
            handle.plan = clients if isinstance(clients, BatchPlan) else None
            self._registry.launch(handle, lambda h: self._background(h, engine, clients))
            self._launched = [*self._live_launched(), handle.run_id]
        return StartOutcome(handle.run_id, joined=False)

    def _background(self, handle: RunHandle, engine: Engine, clients: Clients) -> None:
        try:
            handle.result = engine.run(clients, run_id=handle.run_id)
        except Exception as exc:  # reported on the page; the journal keeps the details
            handle.error = f"{type(exc).__name__}: {exc}"
            return
        # Notifications must not keep the run "alive" on the page: they go in their own thread.
        threading.Thread(
            target=self._notify_quietly, args=(handle.result,), name=f"notify-{handle.run_id}", daemon=True
        ).start()

    def _notify(self, result: RunResult) -> None:
        from onboarding import notify

        notifiers = notify.configured(self.settings, self._journal, self.portal_key)
        if not notifiers:  # nobody to tell: the run's records (2,000 clients: 0.2 s) are not read
            return
        records = self.records(result.run_id)
        for notifier in notifiers:
            notifier.after_run(result.run_id, result.summary(), records)

    def _notify_quietly(self, result: RunResult) -> None:
        """Notifications after a background run; failures are recorded by each notifier."""
        try:
            self._notify(result)
        except Exception:
            log.exception("notifications after run %s failed", result.run_id)

    def stop(self, run_id: str) -> bool:
        """Ask a live run to finish its steps in flight and stop, wherever it runs.

        A run of this process is told at once; the Stop is also stored in the journal, where the
        run's engine (in this process, another replica or a worker) polls for it.
        """
        stored = self._journal.request_stop(run_id)
        handle = self._registry.get(run_id)
        if handle is None or not handle.alive:
            return stored
        handle.stop()
        return True

    @property
    def shared_journal(self) -> bool:
        """True when the journal is a shared database, so runs can be queued for a worker."""
        return self.settings.journal_url is not None

    def queue(self, clients: Clients) -> str:
        """Queue a run for a headless worker (``docspace-onboard worker``); returns its run id.

        A plan's update choices (records updated to their rows, rooms handed to a new manager)
        travel with the rows: the worker plans again, and without them it would report those
        clients as conflicts or leave their rooms as they were.
        """
        items = [cp.client for cp in clients.clients] if isinstance(clients, BatchPlan) else clients
        plans = clients.clients if isinstance(clients, BatchPlan) else []
        update = [cp.client_id for cp in plans if cp.update_identity]
        hand_over = [cp.client_id for cp in plans if cp.update_manager]
        rows = [
            {"client_id": c.client_id, "name": c.name, "email": c.email,
             "manager_email": c.manager_email, "extra": dict(c.extra)}
            for c in items
        ]  # fmt: skip
        request = {
            "clients": rows,
            "blueprint": self.blueprint.model_dump(mode="json"),
            "update": update,
            "hand_over": hand_over,
        }
        return self._journal.enqueue(self.portal_key, self.actor, request)

    def queued(self, limit: int = 50) -> list[QueuedRun]:
        """Runs queued for workers on this portal, newest first."""
        return self._journal.queued(self.portal_key, limit=limit)

    def wait(self, run_id: str, timeout: float | None = None) -> bool:
        """Wait for a background run of this process to end; True when it has (or is unknown)."""
        handle = self._registry.get(run_id)
        return True if handle is None else handle.join(timeout)

    def live_runs(self) -> list[RunHandle]:
        """Runs of this process still going on this portal."""
        return self._registry.live(self.portal_key)

    def run_handle(self, run_id: str) -> RunHandle | None:
        """The run as this process knows it (``None``: it runs, or ran, elsewhere)."""
        return self._registry.get(run_id)

    def archive(self, client_id: str) -> int:
        """Roll back: move a client's room to the Archive (``client.archived`` to the CRM); returns
        the room id."""
        return self._aftercare().archive(client_id)

    # -- after onboarding: joins, drift, offboarding ---------------------------------------------

    def _aftercare(self) -> Aftercare:
        from onboarding.workflow.aftercare import Aftercare

        return Aftercare(self._engine(), self._webhook())

    def check_joins(self, client_ids: Sequence[str] | None = None) -> JoinReport:
        """Which invited clients joined (one members read per pending client); ``client.joined`` once each."""
        return self._aftercare().check_joins(client_ids)

    def expiring_links(self, days: float) -> list[ClientRecord]:
        """Clients not joined whose invitation link expires within ``days`` (from the journal)."""
        return self._aftercare().expiring(days)

    def renew(self, client_id: str) -> ClientRecord:
        """Extend (or make again) the client's link; the export and the webhook get the new one."""
        return self._aftercare().renew(client_id)

    def audit_cost(self, client_ids: Sequence[str] | None = None) -> int:
        """How many reads an audit of these clients costs."""
        return self._aftercare().audit_cost(client_ids)

    def audit(self, client_ids: Sequence[str] | None = None) -> list[ClientAudit]:
        """Each onboarded client's room against the journal and the blueprint (reads only)."""
        return self._aftercare().audit(client_ids)

    def repair(self, client_ids: Sequence[str] | None = None) -> RepairReport:
        """Restore what an audit finds missing (an archived room waits for :meth:`restore`)."""
        return self._aftercare().repair(client_ids)

    def accept(self, client_id: str, item: str) -> None:
        """Accept one audit difference of a client (no longer reported)."""
        self._aftercare().accept([(client_id, item)])

    def accept_all(self, items: Sequence[tuple[str, str]]) -> None:
        """Accept several ``(client id, item)`` differences: all are checked before any is stored."""
        self._aftercare().accept(items)

    def last_audit(self) -> float | None:
        """When this portal was last audited (``None``: never)."""
        return self._aftercare().last_audit()

    def offboard(self, client_id: str) -> str:
        """Remove the client's access (members, links), then archive its room; returns the run id."""
        return self._aftercare().offboard(client_id)

    def restore(self, client_id: str) -> RunResult:
        """Unarchive the client's room and make its access and link again per the blueprint."""
        return self._aftercare().restore(client_id)

    def mark_abandoned_runs(self) -> int:
        """Runs whose process died show as interrupted, not running."""
        return self._journal.mark_abandoned_runs()

    # -- reading the journal ---------------------------------------------------------------------

    def progress(self, run_id: str, *, live: bool | None = None) -> RunProgress:
        """The run's progress from the journal; ``live`` overrides whether it is still going on.

        A run started here is going on while its thread is, even before its first journal write:
        ``start`` returns its id at once and the run plans before it is journalled, so a caller
        polling ``running`` right after ``start`` would otherwise see "not running" and stop.
        """
        from onboarding.progress import read_progress

        if live is None:
            handle = self._registry.get(run_id)
            live = True if handle is not None and handle.alive else None
        return read_progress(self._journal, run_id, live=live)

    def eta(self, progress: RunProgress) -> float | None:
        """Seconds until a run going on in this process ends, from the model of the portal (the
        plan's estimate, brought up to date with what the run has learned); None otherwise.

        The live progress asks for this every second: it reads the process's throttle for this
        portal (the one the running engine uses) instead of building an engine, which would read
        the journal's recent runs each time.
        """
        throttle = shared_throttle(self._client.base_url, self.settings.limits())
        return live_costs.eta(throttle.model(), progress.run_id)

    def runs(self, limit: int = 50) -> list[RunRecord]:
        return self._journal.runs(self.portal_key, limit=limit)

    def run_record(self, run_id: str) -> RunRecord | None:
        return self._journal.run(run_id)

    def records(self, run_id: str | None = None) -> list[ClientRecord]:
        """Every client of this portal in the journal (or one run's)."""
        return self._journal.clients(self.portal_key, run_id=run_id)

    def records_of(self, client_ids: Sequence[str] | set[str]) -> dict[str, ClientRecord]:
        """The journal's records of these clients (those it has)."""
        return self._journal.get_many(self.portal_key, client_ids)

    def clients(
        self, rows: Sequence[ClientLike] = (), *, choices: Mapping[str, str] | None = None
    ) -> list[ClientEntry]:
        """One entry per client: the upload's ``rows`` merged with everything the journal knows.

        The Clients table's read model (:mod:`onboarding.directory`): one journal read for the
        whole portal, whatever the number of clients; clients a live run of this process holds
        are ``running``. ``choices`` are the person's answers to identity conflicts.
        """
        from onboarding import directory

        busy = {cid: h.run_id for h in self._registry.live(self.portal_key) for cid in h.client_ids}
        return directory.build(rows, self.records(), busy=busy, choices=choices)

    def invitation(self, entry: ClientEntry) -> Invitation | None:
        """A ready-to-send invitation e-mail for the client, with its link (None: no link to send)."""
        from onboarding.invitation import invitation

        return invitation(
            name=entry.name,
            email=entry.email,
            room_title=entry.room_title,
            link_url=entry.link_url,
            link_expires=entry.link_expires,
            sign_in_only=entry.link_sign_in_only,
            sender=entry.manager_email,
            can_upload=self._client_can_upload(),
        )

    def _client_can_upload(self) -> bool:
        """Whether the blueprint's client role (the link's, else the invitation's) may add files.
        False under segments: which segment's blueprint a journal client had is not recorded."""
        bp = self.blueprint
        if bp.segments is not None:
            return False
        role = bp.link.access if bp.link.enabled else bp.client_role
        return role in (FileShare.ROOM_MANAGER, FileShare.CONTENT_CREATOR, FileShare.READ_WRITE)

    def review_counts(
        self, clients: Sequence[ClientLike], *, choices: Mapping[str, str] | None = None
    ) -> ReviewCounts:
        """How many of these rows are new, already onboarded or in conflict with the journal, from one
        batch read of the journal (the review step shows it before any plan is made). ``choices``
        are the person's answers to conflicts: a conflict answered is counted as answered."""
        from onboarding.review import count_against_journal

        choices = choices or {}
        ids = [c.client_id for c in clients]
        ids += [
            v.removeprefix("new:") for c in clients if (v := choices.get(c.client_id, "")).startswith("new:")
        ]
        records = self.records_of(ids) if clients else {}
        return count_against_journal(clients, records, choices)

    def events(self, run_id: str, *, client_id: str | None = None) -> list[EventRecord]:
        return self._journal.events(run_id, client_id=client_id)

    def deliveries(self) -> dict[str, dict[str, object]]:
        """The CRM webhook's last delivery per client (empty when no webhook is configured)."""
        return self._journal.deliveries(self.portal_key) if self.settings.webhook_url else {}

    def crm_events(self) -> dict[str, list[dict[str, object]]]:
        """The CRM webhook's lifecycle events per client (``client.joined``, ``client.link_renewed``…),
        the last sending of each type, oldest first (empty when no webhook is configured)."""
        out: dict[str, list[dict[str, object]]] = {}
        if self.settings.webhook_url:
            for row in self._journal.notices(self.portal_key):
                out.setdefault(str(row["client_id"]), []).append(row)
        return out

    def export(
        self,
        fmt: str = "csv",
        *,
        run_id: str | None = None,
        excel: bool = False,
        records: Sequence[ClientRecord] | None = None,
    ) -> bytes:
        """The results as a file for the CRM (``csv``, ``xlsx`` or ``jsonl``): every client, one
        run's (in client id order), or the ``records`` a page has filtered (in the page's order)."""
        from onboarding import export as exports

        records = exports.in_id_order(self.records(run_id)) if records is None else records
        return exports.to_csv(records, excel=excel) if fmt == "csv" else exports.FORMATS[fmt](records)

    # -- the CRM webhook -------------------------------------------------------------------------

    def _webhook(self) -> WebhookSender | None:
        """The CRM webhook sender, when a webhook URL and secret are configured."""
        from onboarding import notify

        return notify.webhook_sender(self.settings, self._journal, self.portal_key)

    def deliver(
        self, client_ids: Sequence[str] | None = None, *, force: bool = False
    ) -> DeliveryReport | None:
        """Send onboarded clients to the CRM webhook (all not yet delivered, or the named ones),
        and every event of theirs whose earlier sending failed (an offboarding, a renewed link…)."""
        sender = self._webhook()
        if sender is None:
            return None
        records = self.records()
        if client_ids is not None:
            wanted = set(client_ids)
            records = [r for r in records if r.client_id in wanted]
        report = sender.deliver(records, force=force)
        sender.resend_failed_events(records, report)
        return report


def _without(clients: Clients, drop: frozenset[str]) -> Clients:
    if isinstance(clients, BatchPlan):
        kept = [cp for cp in clients.clients if cp.client_id not in drop]
        return BatchPlan(clients.context, kept, clients.lookup_reads, clients.problems)
    return [c for c in clients if c.client_id not in drop]
