"""After onboarding: joins, link renewal, drift audit and repair, offboarding and restore.

One :class:`Aftercare` per door call, over the engine's portal client, throttle, retry policy and
journal, so these reads and writes share the run's rate budget and show in the same history.
Each lifecycle event goes to the CRM webhook (when one is configured) once per client and event.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from onboarding.blueprint import Blueprint
from onboarding.docspace import Folder, SearchArea
from onboarding.errors import ConfigError, Forbidden
from onboarding.export import record_row
from onboarding.journal import ClientRecord
from onboarding.titles import MAX_LINK_TITLE_LENGTH, portal_title
from onboarding.workflow import audit as drift
from onboarding.workflow import lifecycle, links
from onboarding.workflow.calls import Caller, CallStats
from onboarding.workflow.context import client_fields, resolve_room_template
from onboarding.workflow.engine import Engine, RunResult
from onboarding.workflow.identity import join_stamp
from onboarding.workflow.retry import Retrier
from onboarding.workflow.segment_change import recorded_blueprint
from onboarding.workflow.status import ClientStatus, Outcome, RunStatus, Step

if TYPE_CHECKING:  # the sender comes from the door, which loads the webhook only when one is set
    from onboarding.webhook import WebhookSender

log = logging.getLogger(__name__)

AUDIT_KIND = "audit"
READS_PER_ROOM = 3
"""An audit reads each active room's listing, members and links (plus one listing per folder
holding template copies); the rooms themselves are looked up 100 tags to a request."""


LINK_COLUMNS = frozenset({"client_link", "link_expires", "link_sign_in_only"})
"""Export columns of the client's link: a rerun that changes only these sends ``client.link_renewed``."""
UNTOLD = frozenset({"status", "error"})
"""Export columns a rerun passes through on its way back to onboarded: no news for the CRM."""


@dataclass
class JoinReport:
    checked: int = 0
    joined: list[str] = field(default_factory=list)
    notified: int = 0
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class RepairReport:
    run_id: str | None = None
    repaired: dict[str, list[str]] = field(default_factory=dict)
    not_repaired: dict[str, list[str]] = field(default_factory=dict)
    result: RunResult | None = None


def is_joined(rec: ClientRecord, members: Sequence[object]) -> bool:
    """True when the client's account in the room is active (not a pending invitation)."""
    email = (rec.email or "").casefold()
    for m in members:
        user = getattr(m, "user", None)
        if user is not None and (user.email or "").casefold() == email:
            # EmployeeStatus Pending (4) / EmployeeActivationStatus Pending (2) until the invitee
            # registers (UserManagerWrapper sets Active 1 / Activated 1 then).
            return user.status not in (4,) and user.activation_status not in (0, 2)
    return False


def expires_within(value: str, days: float, now: float) -> bool:
    """True when an API date lies within ``days`` from ``now`` (or has passed)."""
    text = value.strip().replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text[:19] + (text[19:].lstrip("0123456789.") or "+00:00"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp() <= now + days * 86400


class Aftercare:
    """The after-onboarding operations over one engine (and optionally the CRM webhook)."""

    def __init__(
        self, engine: Engine, sender: WebhookSender | None, clock: Callable[[], float] = time.time
    ) -> None:
        self.engine = engine
        self.sender = sender
        self.clock = clock
        self.stats = CallStats()

    @property
    def caller(self) -> Caller:
        e = self.engine
        return Caller(e.throttle, Retrier(policy=e.retry, sleep=e.sleep, rng=e.rng), self.stats)

    def _records(self, ids: Sequence[str] | None, *statuses: str) -> list[ClientRecord]:
        """The named clients (one read of those; an unknown id is refused), or every client of the
        portal: none at all is a setup mistake to say, not a clean result (:meth:`_none_here`)."""
        journal, portal = self.engine.journal, self.engine.portal_key
        if ids is None:
            recs = journal.clients(portal)
            if not recs:
                self._none_here()
        else:
            found = journal.get_many(portal, ids)
            unknown = set(ids) - set(found)
            if unknown:
                raise ConfigError(f"not in the journal: {', '.join(sorted(unknown))}")
            recs = [found[cid] for cid in dict.fromkeys(ids)]
        return [r for r in recs if r.status in statuses] if statuses else recs

    def _none_here(self) -> None:
        """The journal holds no client of this portal: a mistyped ``--journal`` (an empty file is
        made for it) or another address of the same portal (``localhost`` for ``127.0.0.1``)."""
        counts: dict[str, int] = {}
        for rec in self.engine.journal.clients():
            counts[rec.portal] = counts.get(rec.portal, 0) + 1
        if counts:
            listed = ", ".join(f"{p} ({n})" for p, n in sorted(counts.items(), key=lambda kv: -kv[1])[:3])
            raise ConfigError(
                f"the journal has no clients of {self.engine.portal_key}, only of {listed}: nothing to do "
                "(is --portal the address your runs used?)"
            )
        raise ConfigError("the journal has no clients: nothing to do (is --journal the one your runs used?)")

    def _tell(self, rec: ClientRecord, event: str, stamp: str = "", *, quiet: bool = False) -> bool:
        """Send a lifecycle event; ``quiet``: a CRM failure does not undo or fail the portal work
        (the journal's notice row records it as failed)."""
        if self.sender is None:
            return False
        fresh = self.engine.journal.get(self.engine.portal_key, rec.client_id) or rec
        try:
            return self.sender.notify(fresh, event, stamp=stamp)
        except Exception:
            if not quiet:
                raise
            log.warning("webhook event %s for %s failed (recorded in the journal)", event, rec.client_id)
            return False

    # -- joins and links ---------------------------------------------------------------------------

    def check_joins(self, ids: Sequence[str] | None = None) -> JoinReport:
        """Read the members of each pending client's room (one read each); record who joined."""
        report, journal, portal = JoinReport(), self.engine.journal, self.engine.portal_key
        api, caller = self.engine.client, self.caller
        for rec in self._records(ids, ClientStatus.DONE):
            if rec.joined_at is None and rec.room_id is not None and rec.email:
                report.checked += 1
                rid = rec.room_id
                try:
                    members = caller.read(functools.partial(api.room_members, rid), what="members")
                except Exception as exc:
                    report.errors[rec.client_id] = str(exc)
                    continue
                if not is_joined(rec, members):
                    continue
                journal.upsert_client(portal, rec.client_id, joined_at=self.clock())
                report.joined.append(rec.client_id)
            if rec.client_id in report.joined or rec.joined_at is not None:
                try:
                    report.notified += self._tell(rec, "client.joined", stamp=join_stamp(rec))
                except Exception as exc:
                    report.errors[rec.client_id] = f"webhook: {exc}"
        return report

    def expiring(self, days: float) -> list[ClientRecord]:
        """Onboarded clients not joined whose invitation link expires within ``days`` (journal only)."""
        now = self.clock()
        return [
            r
            for r in self._records(None, ClientStatus.DONE)
            if r.joined_at is None and r.link_expires and expires_within(r.link_expires, days, now)
        ]

    def renew(self, client_id: str) -> ClientRecord:
        """Extend the client's link by its id (the room's one invitation link), or make it again."""
        bp, api, caller = self.engine.blueprint, self.engine.client, self.caller
        recs = self._records([client_id], ClientStatus.DONE)
        rec = recs[0] if recs else None
        bp = recorded_blueprint(bp, rec) if rec else bp
        if rec is None or rec.room_id is None or not bp.link.enabled:
            raise ConfigError(f"client {client_id!r} has no onboarded room with a link to renew")
        rid = rec.room_id
        title = portal_title(bp.render(bp.link.title, client_fields(rec)), MAX_LINK_TITLE_LENGTH)
        found = caller.read(lambda: api.room_links(rid), what="links")
        ours = links.find_link(bp, found, title)
        req = links.link_request(bp, title, ours.shared_link.id if ours else None)
        link = caller.write(lambda: api.set_room_link(rid, req), what="renew link")
        if link is None:
            raise ConfigError(f"the portal stored no link for client {client_id!r}")
        expires = link.shared_link.expiration_date or ""
        progress = {
            **rec.progress,
            Step.LINK: {"id": link.shared_link.id, "url": link.url, "expires": expires},
        }
        journal, portal = self.engine.journal, self.engine.portal_key
        journal.upsert_client(portal, client_id, link_url=link.url, link_expires=expires, progress=progress)
        run_id = journal.start_run(
            portal=portal,
            actor=self.engine.actor,
            owner=self.engine.owner,
            total=1,
            blueprint={},
            kind="renew",
        )
        journal.add_event(
            run_id, portal, client_id, Step.RENEW, Outcome.DONE, f"link valid until {expires or 'never'}"
        )
        journal.finish_run(run_id, RunStatus.FINISHED, {"renewed": client_id})
        self._tell(rec, "client.link_renewed", stamp=f"{link.shared_link.id}:{expires}", quiet=True)
        fresh = journal.get(portal, client_id)
        assert fresh is not None
        return fresh

    # -- drift -------------------------------------------------------------------------------------

    def audit_cost(self, ids: Sequence[str] | None = None) -> int:
        """Reads an audit of these clients costs (stated before it starts)."""
        recs = self._records(ids, ClientStatus.DONE)
        with_files = {k.partition("/")[0] for r in recs for k in (r.progress.get(Step.FILES) or {})} - {""}
        per_room = READS_PER_ROOM + len(with_files)
        return 1 + -(-len(recs) // 100) + per_room * len(recs)

    def audit(self, ids: Sequence[str] | None = None) -> list[drift.ClientAudit]:
        """Compare each onboarded client's room with the journal and the blueprint (reads only)."""
        api, caller, bp = self.engine.client, self.caller, self.engine.blueprint
        journal, portal = self.engine.journal, self.engine.portal_key
        recs = [r for r in self._records(ids, ClientStatus.DONE) if r.room_id is not None]
        run_id = journal.start_run(
            portal=portal, actor=self.engine.actor, owner=self.engine.owner, total=len(recs),
            blueprint=bp.model_dump(mode="json"), kind=AUDIT_KIND,
        )  # fmt: skip
        me = caller.read(api.me, what="me")
        templates: dict[str, drift.TemplateContents] = {}  # per template named (segments may differ)
        tags = [r.tag for r in recs if r.tag]
        found = caller.read(lambda: api.find_rooms_by_tags(tags, search_area=SearchArea.ANY), what="rooms")
        rooms: dict[int, Folder] = {r.id: r for r in found}
        out = []
        for rec in recs:
            assert rec.room_id is not None
            view = drift.RoomView(rooms.get(rec.room_id))
            rbp = recorded_blueprint(bp, rec)
            mine = None
            if rbp.room_template:
                if rbp.room_template not in templates:
                    templates[rbp.room_template] = self._template_contents(rbp)
                mine = templates[rbp.room_template]
            try:
                if view.room is None:  # tag removed? look by id before calling the room missing
                    view.room = self._room_by_id(rec.room_id)
                if view.room is not None and not view.room.archived:
                    self._read_room(rec, view, mine[1] if mine else None)
                result = drift.compare(rec, rbp, view, me.email or "", mine)
                if (keys := drift.upgraded(rec.accepted, result)) != rec.accepted:
                    journal.upsert_client(portal, rec.client_id, accepted=keys)  # legacy keys, once
            except Forbidden:  # another account's room a room admin's key may not read: say so, go on
                result = drift.ClientAudit(rec.client_id, [drift.hidden_room(me.user_type)])
            detail = "; ".join(f"{d.item}: {d.found}" for d in result.differences) or "matches"
            outcome = Outcome.FAILED if result.differences else Outcome.DONE
            journal.add_event(run_id, portal, rec.client_id, Step.AUDIT, outcome, detail)
            out.append(result)
        differ = [a.client_id for a in out if a.differences]
        journal.finish_run(run_id, RunStatus.FINISHED, {"audited": len(out), "differ": differ})
        return out

    def _room_by_id(self, room_id: int) -> Folder | None:
        from onboarding.errors import NotFound

        try:
            return self.caller.read(lambda: self.engine.client.get_room(room_id), what="room")
        except NotFound:
            return None

    def _template_contents(self, blueprint: Blueprint) -> drift.TemplateContents:
        """The folders and files of the blueprint's room template (read once per audit)."""
        _, folders, files = resolve_room_template(
            self.engine.client, blueprint, [0], lambda fn: self.caller.read(fn, what="template")
        )
        return folders, [f"{t.folder}/{t.dest_title}" for t in files]

    def _read_room(self, rec: ClientRecord, view: drift.RoomView, files: list[str] | None = None) -> None:
        api, caller, rid = self.engine.client, self.caller, view.room.id if view.room else 0
        content = caller.read(lambda: api.folder_contents(rid), what="room listing")
        view.root = (content.files, content.folders)
        by_title = {f.title: f.id for f in content.folders}
        keys = files if files is not None else rec.progress.get(Step.FILES) or {}
        for folder in {k.partition("/")[0] for k in keys} - {""}:
            if (fid := by_title.get(folder)) is not None:
                listing = caller.read(functools.partial(api.folder_contents, fid), what="folder listing")
                view.folders[fid] = listing.files
        view.members = caller.read(lambda: api.room_members(rid), what="members")
        view.links = caller.read(lambda: api.room_links(rid), what="links")

    def accept(self, items: Sequence[tuple[str, str]]) -> None:
        """Accept differences, ``(client id, item)`` each: audits no longer report them.

        Only differences the rooms show now (one audit of these clients, ~3 reads a room):
        accepting ``member eve@…`` before Eve is in the room would hide her when she is added.
        All are checked before any is stored, so a list with one wrong item changes nothing.
        ValueError for an item that is no audit item or no current difference.

        A renamed room (``title``) is not silenced but adopted: the journal takes the room's title
        as it is now, so the client's details, its invitation e-mail and the CRM (told with a
        ``client.updated``) name the room the client will find.
        """
        wanted = [(cid, drift.normalise_item(item)) for cid, item in items]
        ids = list(dict.fromkeys(cid for cid, _ in wanted))
        records = {r.client_id: r for r in self._records(ids)}
        audits = {a.client_id: a for a in self.audit(ids)}
        keys = {cid: list(records[cid].accepted) for cid in ids}
        titles: dict[str, str] = {}
        for cid, item in wanted:
            now = audits.get(cid, drift.ClientAudit(cid))
            match = [d for d in [*now.differences, *now.accepted] if d.item == item]
            if not match:
                found = ", ".join(d.item for d in now.differences) or "none"
                raise ValueError(f"{item!r} is not a difference of {cid} now (its differences: {found})")
            if item == "title":
                titles[cid] = match[0].found
            elif match[0].accept_key not in keys[cid]:
                keys[cid].append(match[0].accept_key)
        journal, portal = self.engine.journal, self.engine.portal_key
        for cid, accepted in keys.items():
            if accepted != records[cid].accepted:
                journal.upsert_client(portal, cid, accepted=accepted)
        from onboarding.webhook import update_stamp

        for cid, title in titles.items():
            # the progress too: a later run that finishes the client again (an update, a
            # hand-over, a repair) records the room's title from it
            progress = dict(records[cid].progress)
            if isinstance(progress.get(Step.ROOM), dict):
                progress[Step.ROOM] = {**progress[Step.ROOM], "title": title}
            journal.upsert_client(portal, cid, room_title=title, progress=progress)
            self._tell(
                records[cid], "client.updated", update_stamp(records[cid], f"title:{title}"), quiet=True
            )

    def last_audit(self) -> float | None:
        """When the last audit of this portal ran (``None``: never)."""
        for run in self.engine.journal.runs(self.engine.portal_key, limit=200):
            if run.kind == AUDIT_KIND:
                return run.started_at
        return None

    def repair(self, ids: Sequence[str] | None = None) -> RepairReport:
        """Audit, then run the onboarding steps that restore what is missing (the room itself excluded)."""
        report, journal, portal = RepairReport(), self.engine.journal, self.engine.portal_key
        redo: list[ClientRecord] = []
        for result in self.audit(ids):
            people = [  # reported, never removed here: the person decides (DocSpace, or accept)
                f"{d.item} (not removed by repair: remove it in DocSpace, or accept it: `audit --accept "
                f"{result.client_id}:'{d.item}'`, or Accept on the Results page)"
                for d in result.differences
                if d.is_extra
            ]
            fixable = [d for d in result.differences if not d.is_extra and d.item not in drift.ROOM_ITEMS]
            kept = [d.item for d in result.differences if not d.is_extra and d not in fixable]
            why = "archived: run restore" if "room archived" in kept else "the room itself"
            if kept or people:
                report.not_repaired[result.client_id] = [f"{i} ({why})" for i in kept] + people
            if kept:
                continue
            steps = drift.steps_to_redo(fixable)
            if not steps:
                continue
            rec = journal.get(portal, result.client_id)
            assert rec is not None
            progress = drift.reopen(rec.progress, steps)
            journal.upsert_client(portal, rec.client_id, status=ClientStatus.PENDING, progress=progress)
            report.repaired[rec.client_id] = [d.item for d in fixable]
            redo.append(rec)
        if redo:
            report.result = self._rerun(redo)
            report.run_id = report.result.run_id
            for cid, items in report.repaired.items():
                detail = "restored: " + ", ".join(items)
                journal.add_event(report.run_id, portal, cid, Step.REPAIR, Outcome.DONE, detail)
        return report

    def _rerun(self, records: list[ClientRecord]) -> RunResult:
        """Run the steps again for journalled clients, then tell the CRM what changed in its copy of
        each finished one: the run bypasses the door's notifiers, and ``client.onboarded`` is keyed
        by the room, so a link made again would otherwise never reach the CRM."""
        before = {r.client_id: record_row(r) for r in records}
        result = lifecycle.rerun(self.engine, records)
        if self.sender is None:
            return result
        from onboarding.webhook import update_stamp

        after = self.engine.journal.get_many(self.engine.portal_key, list(before))
        for cid, was in before.items():
            rec = after.get(cid)
            if rec is None or result.statuses.get(cid) != ClientStatus.DONE:
                continue
            now = record_row(rec)
            changed = {k for k in was.keys() | now.keys() if was.get(k) != now.get(k)} - UNTOLD
            if changed and changed <= LINK_COLUMNS:  # keyed by the run and the link it left
                link = rec.progress.get(Step.LINK) or {}
                stamp = f"{result.run_id}:{link.get('id', '')}:{rec.link_expires}"
                self._tell(rec, "client.link_renewed", stamp, quiet=True)
            elif changed:
                self._tell(rec, "client.updated", update_stamp(rec, result.run_id), quiet=True)
        return result

    # -- offboarding -------------------------------------------------------------------------------

    def archive(self, client_id: str) -> int:
        """Roll back (the room to the Archive), then tell the CRM once per time out; returns the room
        id. Without the event the CRM kept the client as onboarded, with a link that no longer
        opens, until a ``client.restored`` it could not place."""
        rid = self.engine.archive(client_id)
        rec = self.engine.journal.get(self.engine.portal_key, client_id)
        if rec is not None:
            self._tell(rec, "client.archived", stamp=lifecycle.cycle(rec), quiet=True)
        return rid

    def offboard(self, client_id: str) -> str:
        """Remove the client's members and links, archive the room, tell the CRM; returns the run id."""
        (rec,) = self._records([client_id])
        run_id = lifecycle.offboard(self.engine, self.caller, client_id)
        self._tell(rec, "client.offboarded", stamp=lifecycle.cycle(rec), quiet=True)
        return run_id

    def restore(self, client_id: str) -> RunResult:
        """Unarchive the room and make its access and link again per the blueprint, tell the CRM.

        Undoing an offboard that never finished tells the CRM nothing: it was never told the
        client left (``client.offboarded`` is sent when an offboard ends)."""
        (before,) = self._records([client_id])
        lifecycle.unarchive(self.engine, self.caller, client_id)
        fresh = self.engine.journal.get(self.engine.portal_key, client_id)
        assert fresh is not None
        result = lifecycle.rerun(self.engine, [fresh])
        left = lifecycle.cycle(fresh) != "0" and not lifecycle.offboard_unfinished(before)  # "0": never out
        if result.count(ClientStatus.DONE) == 1 and left:
            self._tell(fresh, "client.restored", stamp=lifecycle.cycle(fresh), quiet=True)
        return result
