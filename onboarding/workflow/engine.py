"""The engine: plans and runs a batch of clients on one portal, in parallel, resumably.

A run claims each client in the journal before touching the portal (so two runs — two browser
tabs, or the dashboard and the CLI — never onboard one client twice), works on several clients at
once under the throttle, keeps the claims alive with a heartbeat, and stops cleanly when the
portal's daily write limit is reached: whatever is left is "deferred" and a later run resumes it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from onboarding.blueprint import Blueprint
from onboarding.docspace import DocSpaceClient
from onboarding.errors import ConfigError, DailyLimitReached, RunLocked
from onboarding.journal import Journal, LeaseLost, make_owner_id
from onboarding.workflow import template_room
from onboarding.workflow.calls import Caller, CallStats, RetryHook
from onboarding.workflow.context import ClientLike, RunContext
from onboarding.workflow.estimate import Estimate, estimate, live_costs
from onboarding.workflow.heartbeat import heartbeat
from onboarding.workflow.interrupts import interrupts_deferred
from onboarding.workflow.job import ClientJob
from onboarding.workflow.pacing import FORCED
from onboarding.workflow.plan import BatchPlan, ClientPlan, make_plan
from onboarding.workflow.portal_limits import LimitBoard
from onboarding.workflow.read_ahead import ReadAhead
from onboarding.workflow.retry import Retrier, RetryPolicy, describe_retry
from onboarding.workflow.rollback import archive_room, client_tag, find_client_room, tagged_room
from onboarding.workflow.status import TO_ONBOARD, Action, ClientStatus, Outcome, RunStatus, Step
from onboarding.workflow.steps import REGISTRY, ClientStep, StepEvent, room_web_url
from onboarding.workflow.tag_rooms import BATCH_TAGS, Slots, TagRooms
from onboarding.workflow.throttle import Limits, shared_throttle

ALREADY_KEY = "already_onboarded"
"""Key of a run's summary: how many of its ``onboarded`` clients an earlier run onboarded (a chart
of what runs did counts them apart)."""
PORTAL_RATE = "portal_rate"
"""Key of the learned rate limit in a run's summary: the journal remembers it per portal."""
RATE_WAIT = "waiting for the portal's rate limit, resuming in {seconds:.0f} s"
RATE_WAIT_SET = (
    "waiting for the request rate set for this portal (--rpm or Settings), resuming in {seconds:.0f} s"
)
"""The wait when the pace is one a person set, not one the portal showed (so it is not blamed)."""

log = logging.getLogger(__name__)

_UNSUCCESSFUL = (ClientStatus.FAILED, ClientStatus.BLOCKED, ClientStatus.LOCKED)
"""Client results that make a run's exit code 1."""


@dataclass
class RunResult:
    """What a run did, per client and in total."""

    run_id: str
    statuses: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    stopped_by_daily_limit: bool = False
    throttle: dict[str, Any] = field(default_factory=dict)
    """The portal's pace during the run: how it was learned, 429s, time spent waiting for it."""
    portal_rate: dict[str, Any] | None = None
    """The portal's learned rate limit, remembered for the next run on it (see ``pacing``)."""
    stopped_because: str = ""
    """The portal-wide limit that stopped the run (invitation budget, room quota), in plain words."""
    updated: list[str] = field(default_factory=list)
    """Finished clients whose record this run changed: a new name or e-mail, a room handed over
    (also one an earlier run began: its removals were left in the client's progress)."""
    already: int = 0
    """Clients counted ``onboarded`` that an earlier run had onboarded (this run skipped them)."""

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)

    @property
    def locked(self) -> set[str]:
        """Clients another live run was onboarding, left alone by this one."""
        return {cid for cid, s in self.statuses.items() if s == ClientStatus.LOCKED}

    @classmethod
    def combined(cls, results: Sequence[RunResult]) -> RunResult:
        """A run and the follow-ups that took over its locked clients, as one result: each
        client's status and error as its last round left them."""
        statuses: dict[str, str] = {}
        errors: dict[str, str] = {}
        for r in results:  # a client's last round says where it stands, and why
            for cid, status in r.statuses.items():
                statuses[cid] = status
                errors.pop(cid, None)
                if r.errors.get(cid):
                    errors[cid] = r.errors[cid]
        last = results[-1]
        return cls(
            run_id=last.run_id,
            statuses=statuses,
            errors=errors,
            elapsed=sum(r.elapsed for r in results),
            stopped_by_daily_limit=any(r.stopped_by_daily_limit for r in results),
            stopped_because=last.stopped_because or results[0].stopped_because,
            updated=[cid for r in results for cid in r.updated],
            already=sum(r.already for r in results),
        )

    @property
    def exit_code(self) -> int:
        """0 all onboarded; 1 some failed or blocked; 3 deferred by a portal limit."""
        if self.stopped_by_daily_limit or self.count(ClientStatus.DEFERRED):
            return 3
        if any(s in _UNSUCCESSFUL for s in self.statuses.values()):
            return 1
        return 0

    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for s in self.statuses.values():
            counts[s] = counts.get(s, 0) + 1
        out: dict[str, Any] = {"counts": counts, "stats": self.stats, "elapsed": round(self.elapsed, 3)}
        if self.throttle:
            out["throttle"] = self.throttle
        if self.portal_rate:
            out[PORTAL_RATE] = self.portal_rate
        if self.stopped_because:
            out["stopped_because"] = self.stopped_because
        if self.updated:
            out["updated"] = self.updated
        if self.already:
            out[ALREADY_KEY] = self.already
        return out


class Engine:
    """Plans, runs and rolls back onboarding on one portal, recording everything in a journal.

    Args:
        client: the portal client (its connection pool should be at least ``limits`` wide).
        journal: where progress is kept.
        blueprint: what onboarding means.
        portal_key: the portal's identity in the journal (its base URL, or ``sandbox``).
        actor: who runs it (recorded with each run and each onboarded client).
        limits: our client-side concurrency and rate limits.
        retry: the retry policy for each call.
        on_event: receives every step event (from worker threads).
        steps: the step registry to plan and run (the product's own unless a test gives one).
        sleep, rng: injectable for tests.
    """

    def __init__(
        self,
        client: DocSpaceClient,
        journal: Journal,
        blueprint: Blueprint,
        *,
        portal_key: str,
        actor: str = "",
        limits: Limits | None = None,
        retry: RetryPolicy | None = None,
        on_event: Callable[[StepEvent], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        steps: Sequence[ClientStep] = REGISTRY,
    ) -> None:
        self.client = client
        self.journal = journal
        self.blueprint = blueprint
        self.portal_key = portal_key
        self.actor = actor
        self.limits = limits or Limits()
        self.retry = retry or RetryPolicy()
        self.on_event = on_event or (lambda e: None)
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.steps = steps
        self.owner = make_owner_id()
        self.stop_event = threading.Event()
        # One throttle per portal and process: two runs at once share the portal's budget.
        self.throttle = shared_throttle(client.base_url, self.limits)
        if self.throttle.shared is None or self.throttle.shared_source is not journal:
            # A shared journal: machines on one key share its limits (those of this journal only).
            self.throttle.shared = journal.shared_limits(portal_key, writes=self.limits.writes_in_flight)
            self.throttle.shared_source = journal
        self._recall_portal_rate()

    def _recall_portal_rate(self) -> None:
        """Start paced when an earlier run on this portal learned its rate limit (no 429 at all)."""
        for run in self.journal.runs(self.portal_key, limit=20):
            memory = run.summary.get(PORTAL_RATE) if isinstance(run.summary, dict) else None
            if isinstance(memory, dict):
                self.throttle.recall(memory)
                return

    def plan(
        self, clients: Sequence[ClientLike], *, update: Collection[str] = (), hand_over: Collection[str] = ()
    ) -> BatchPlan:
        """A dry run: reads only (``update``: identity conflicts resolved by updating the record;
        ``hand_over``: finished clients whose room goes to the manager their row names)."""
        caller = self._caller(CallStats())
        self.throttle.measure_again_if_old()
        return make_plan(
            self.client,
            self.blueprint,
            clients,
            self.journal,
            portal_key=self.portal_key,
            read=lambda fn: caller.read(fn, what="plan look-up"),
            steps=self.steps,
            update=update,
            hand_over=hand_over,
        )

    def estimate(self, plan: BatchPlan) -> Estimate:
        """How long running this plan should take, from what is known of the portal so far."""
        todo = [c for c in plan.clients if c.action in TO_ONBOARD]
        return estimate(
            self.throttle.model(),
            clients=len(todo),
            writes=sum(c.writes for c in todo),
            reads=sum(c.reads for c in todo),
            serial=(serial := template_room.serial_cost(plan.context, todo)).calls,
            serial_pause=serial.pause,
        )

    def eta(self, run_id: str) -> float | None:
        """Seconds until a run of this process ends, from the model of the portal as it stands now
        (latency, limit, the window's fill) and the calls the run has still to send; None when not
        running."""
        return live_costs.eta(self.throttle.model(), run_id)

    def stop(self) -> None:
        """Ask a running batch to stop after the steps in flight (the rest is deferred)."""
        self.stop_event.set()

    def _caller(self, stats: CallStats, on_retry: RetryHook | None = None) -> Caller:
        retrier = Retrier(policy=self.retry, sleep=self.sleep, rng=self.rng)
        return Caller(self.throttle, retrier, stats, on_retry, settle_after_timeout=self.client.timeout[1])

    def run(
        self, clients: Sequence[ClientLike] | BatchPlan, *, run_id: str | None = None, kind: str = "run"
    ) -> RunResult:
        """Onboard the clients (a plan made earlier may be passed to skip re-reading the portal).

        ``kind`` is what the journal calls the run: ``run`` for a batch, ``rerun`` when a repair or
        a restore runs the steps again (so a chart of batch runs does not count those clients again).
        """
        started = time.monotonic()
        self.journal.mark_abandoned_runs()
        plan = clients if isinstance(clients, BatchPlan) else self.plan(clients)
        run_id = self.journal.start_run(
            portal=self.portal_key,
            actor=self.actor,
            owner=self.owner,
            total=len(plan.clients),
            blueprint=self.blueprint.model_dump(mode="json"),
            run_id=run_id,
            kind=kind,
        )
        result = RunResult(run_id=run_id)
        stats = CallStats(reads=plan.lookup_reads)
        final = RunStatus.FAILED
        before = self.throttle.counters()

        def waiting(seconds: float) -> None:
            said = RATE_WAIT_SET if self.throttle.pacer.mode == FORCED else RATE_WAIT
            detail = said.format(seconds=seconds)
            self.journal.add_event(run_id, self.portal_key, "*", Step.THROTTLE, Outcome.WAITING, detail)
            self.on_event(StepEvent(run_id, "*", Step.THROTTLE, Outcome.WAITING, detail, time.time()))

        self.throttle.add_listener(waiting)
        limits = LimitBoard()
        todo = [c for c in plan.clients if c.action in (Action.CREATE, Action.RESUME)]
        serial = template_room.serial_cost(plan.context, todo)
        live_costs.start(run_id, todo, stats, serial=serial.calls, serial_pause=serial.pause)
        try:
            self._run_clients(run_id, plan, stats, result, limits)
            result.updated = [
                cp.client_id
                for cp in plan.clients
                if (cp.update_identity or cp.update_manager or cp.removals)
                and result.statuses.get(cp.client_id) == ClientStatus.DONE
            ]
            result.stopped_because = limits.reason
            stopped = result.stopped_by_daily_limit or self.stop_event.is_set() or bool(limits.reason)
            final = RunStatus.STOPPED if stopped else RunStatus.FINISHED
        except KeyboardInterrupt:
            final = RunStatus.STOPPED  # interrupted is stopped: nothing failed, a later run resumes
            raise
        finally:
            self.throttle.remove_listener(waiting)
            live_costs.end(run_id)
            result.stats = stats.as_dict()
            result.elapsed = time.monotonic() - started
            result.throttle = self.throttle.counters(since=before)
            result.portal_rate = self.throttle.memory()
            self.journal.finish_run(run_id, final, result.summary())
        return result

    def _run_clients(
        self, run_id: str, plan: BatchPlan, stats: CallStats, result: RunResult, limits: LimitBoard
    ) -> None:
        ctx = plan.context
        caller = self._caller(stats)
        # The beat starts before the first journal write: journaling a long list of clients that
        # are done or blocked may outlast a lease, and a sweep must not take the run for dead.
        with heartbeat(self.journal, self.portal_key, self.owner, run_id, self.stop_event):
            todo: list[ClientPlan] = []
            for cp in plan.clients:
                if cp.action in (Action.BLOCKED, Action.CONFLICT):
                    self._record_blocked(run_id, cp)
                    result.statuses[cp.client_id] = ClientStatus.BLOCKED
                    result.errors[cp.client_id] = "; ".join(cp.reasons)
                elif cp.action == Action.DONE:
                    self._event(run_id, cp.client_id, Step.CLIENT, Outcome.SKIPPED, "already onboarded")
                    result.statuses[cp.client_id] = ClientStatus.DONE
                    result.already += 1
                elif cp.action == Action.SKIP:  # offboarded or rolled back: its status stays, no failure
                    rec = self.journal.get(self.portal_key, cp.client_id)
                    self._event(run_id, cp.client_id, Step.CLIENT, Outcome.SKIPPED, "; ".join(cp.reasons))
                    result.statuses[cp.client_id] = rec.status if rec else ClientStatus.ARCHIVED
                else:
                    todo.append(cp)

            workers = max(1, min(len(todo), self.limits.writes_in_flight * 2))
            slots = Slots(workers)
            tag_rooms = TagRooms(
                lambda tags: caller.read(
                    lambda: self.client.find_rooms_by_tags(tags), what="look up rooms by tag"
                ),
                live=len(todo),
                slots=slots,
            )

            read_ahead = ReadAhead(caller, workers)

            def in_slot(cp: ClientPlan) -> str:
                """One client, holding a worker slot (given up while it waits in a tag look-up)."""
                with slots:
                    try:
                        return self._one(run_id, ctx, cp, caller, result, limits, tag_rooms, read_ahead)
                    finally:
                        tag_rooms.leave()

            if todo:
                # ``workers`` clients work at once; up to two look-up batches more wait in them, slot-less.
                threads = min(len(todo), workers + 2 * BATCH_TAGS)
                pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="onboard")
                every_client_ended = False
                futures: dict[str, Future[str]] = {}
                try:
                    with interrupts_deferred():  # every worker started is one the pool can join
                        futures.update((cp.client_id, pool.submit(in_slot, cp)) for cp in todo)
                    for cid, fut in futures.items():
                        status = fut.result()
                        result.statuses[cid] = status
                    every_client_ended = True
                except BaseException:
                    # Ctrl-C reaches this (the waiting) thread: stop as Stop does. The steps in
                    # flight end, their clients are deferred, and the clients not begun never are.
                    self.stop_event.set()
                    raise
                finally:
                    if not every_client_ended:
                        pool.shutdown(wait=False, cancel_futures=True)
                        # Clients never begun (not submitted yet, or cancelled) will not join a tag
                        # look-up: those begun wait for no one else's.
                        begun = sum(1 for fut in futures.values() if not fut.cancelled())
                        for _ in range(len(todo) - begun):
                            tag_rooms.leave()
                    # Once every client has ended, the idle threads exit on their own; joining
                    # them one after another (150 of them) cost 7 ms at the end of every run.
                    pool.shutdown(wait=not every_client_ended)
                    read_ahead.close()  # no read of this run outlives it

    def _event(self, run_id: str, client_id: str, step: Step, outcome: Outcome, detail: str) -> None:
        """Journal an event about a client and hand it to ``on_event``."""
        self.journal.add_event(run_id, self.portal_key, client_id, step, outcome, detail)
        self.on_event(StepEvent(run_id, client_id, step, outcome, detail, time.time()))

    def _record_blocked(self, run_id: str, cp: ClientPlan) -> None:
        reason = "; ".join(cp.reasons)
        rec = self.journal.get(self.portal_key, cp.client_id)
        # An identity conflict leaves the record alone: it describes the client the journal onboarded.
        kept = (ClientStatus.DONE, ClientStatus.ARCHIVED, ClientStatus.OFFBOARDED)
        if not cp.identity and (rec is None or rec.status not in kept):
            self.journal.upsert_client(
                self.portal_key,
                cp.client_id,
                **cp.journal_fields(),
                status=ClientStatus.BLOCKED,
                error=reason,
                run_id=run_id,
            )
        self._event(run_id, cp.client_id, Step.PLAN, Outcome.BLOCKED, reason)

    def _one(
        self,
        run_id: str,
        ctx: RunContext,
        cp: ClientPlan,
        caller: Caller,
        result: RunResult,
        limits: LimitBoard,
        tag_rooms: TagRooms,
        read_ahead: ReadAhead,
    ) -> str:
        cid = cp.client_id
        if not self.journal.claim(self.portal_key, cid, self.owner):
            msg = "another run is onboarding this client right now"
            self._event(run_id, cid, Step.CLIENT, Outcome.LOCKED, msg)
            result.errors[cid] = msg
            return ClientStatus.LOCKED
        try:
            if self.stop_event.is_set() or limits.reason:
                status = self._defer_unstarted(run_id, cp, limits.reason)
                if limits.reason and status == ClientStatus.DEFERRED:
                    result.errors[cid] = limits.reason
                return status
            job = ClientJob(
                api=self.client,
                caller=caller,
                journal=self.journal,
                ctx=ctx.for_segment(cp.segment),  # the client's own blueprint, templates, managers
                plan=cp,
                run_id=run_id,
                actor=self.actor,
                stop=self.stop_event,
                emit=self.on_event,
                owner=self.owner,
                steps=self.steps,
                limits=limits,
                tag_rooms=tag_rooms,
                read_ahead=read_ahead,
            )
            try:
                status = job.run()
            except DailyLimitReached as exc:
                result.stopped_by_daily_limit = True
                result.errors[cid] = str(exc)
                return ClientStatus.DEFERRED
            except LeaseLost as exc:  # lost while recording a failure: the new holder carries on
                result.errors[cid] = str(exc)
                return ClientStatus.DEFERRED
            if status != ClientStatus.DONE:
                rec = self.journal.get(self.portal_key, cid)
                result.errors[cid] = rec.error if rec else ""
            return status
        finally:
            self.journal.release(self.portal_key, cid, self.owner)

    def _defer_unstarted(self, run_id: str, cp: ClientPlan, reason: str = "") -> str:
        """A stopped run's queued client: deferred, unless another run finished it meanwhile.

        ``reason``: the portal-wide limit that stopped the run, kept as the client's error so the
        dashboard, the CLI and the export say why it waits.
        """
        rec = self.journal.get(self.portal_key, cp.client_id)
        if rec is not None and rec.status in (ClientStatus.DONE, ClientStatus.ARCHIVED):
            return rec.status
        self.journal.upsert_client(
            self.portal_key,
            cp.client_id,
            **cp.journal_fields(),
            status=ClientStatus.DEFERRED,
            run_id=run_id,
            error=reason,
        )
        self._event(run_id, cp.client_id, Step.CLIENT, Outcome.DEFERRED, reason or "run stopped")
        return ClientStatus.DEFERRED

    # -- roll back ---------------------------------------------------------------------------------

    def _archive_retried(self, run_id: str, client_id: str) -> RetryHook:
        def note(what: str, exc: BaseException, wait: float) -> None:
            detail = describe_retry(what, exc, wait)
            self.journal.add_event(run_id, self.portal_key, client_id, Step.ARCHIVE, Outcome.RETRY, detail)

        return note

    def archive(self, client_id: str, *, wait_timeout: float = 120.0) -> int:
        """Move a client's room to the Archive (the roll-back); returns the room id.

        The room is found through the journal or, failing that, by the client's tag. A client
        the journal does not know is looked up on the portal before anything is written: an id
        with no room tagged for it is refused (ConfigError) and leaves no record or run behind.
        """
        tagged = None
        if self.journal.get(self.portal_key, client_id) is None:
            tag = client_tag(self.blueprint, client_id, None)
            tagged = tagged_room(self.client, self._caller(CallStats()), tag)
            if tagged is None:
                known = [r.client_id for r in self.journal.clients(self.portal_key)]
                near = [cid for cid in known if cid.casefold() == client_id.casefold()]
                hint = f" (did you mean {near[0]}?)" if near else ""
                raise ConfigError(
                    f"no client {client_id}: not in the journal and no room tagged {tag} on the portal{hint}"
                )
        if not self.journal.claim(self.portal_key, client_id, self.owner):
            raise RunLocked(f"client {client_id!r} is being onboarded by another run right now")
        run_id = self.journal.start_run(
            portal=self.portal_key, actor=self.actor, owner=self.owner, total=1, blueprint={}, kind="archive"
        )
        try:
            with heartbeat(self.journal, self.portal_key, self.owner, run_id, self.stop_event):
                rec = self.journal.get(self.portal_key, client_id)
                caller = self._caller(CallStats(), on_retry=self._archive_retried(run_id, client_id))
                if tagged is not None and (rec is None or rec.room_id is None):
                    rid = tagged  # found by its tag above (and no run has recorded a room since)
                else:
                    rid = find_client_room(self.client, caller, self.blueprint, client_id, rec)
                archive_room(self.client, caller, rid, wait_timeout=wait_timeout, sleep=self.sleep)
                self.journal.upsert_client(
                    self.portal_key,
                    client_id,
                    status=ClientStatus.ARCHIVED,
                    room_id=rid,
                    run_id=run_id,
                    room_url=room_web_url(self.client.base_url, rid, archived=True),
                )
                self.journal.add_event(
                    run_id, self.portal_key, client_id, Step.ARCHIVE, Outcome.DONE, f"room {rid} archived"
                )
                self.journal.finish_run(run_id, RunStatus.FINISHED, {"archived": rid})
                return rid
        except Exception as exc:
            self.journal.add_event(run_id, self.portal_key, client_id, Step.ARCHIVE, Outcome.FAILED, str(exc))
            self.journal.finish_run(run_id, RunStatus.FAILED, {"error": str(exc)})
            raise
        finally:
            self.journal.release(self.portal_key, client_id, self.owner)
