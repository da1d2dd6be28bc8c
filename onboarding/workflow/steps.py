"""Onboarding one client: the steps, each of which looks before it creates when it has to.

Progress lives in the journal's ``progress`` document for the client:

* ``room`` / ``folders`` / ``files`` / ``access`` / ``link``: the step's result (remote ids);
* ``<step>_started``: written *before* the step's first write, so that a resumed step knows a
  write may already have happened and looks first. A step never started needs no look-up, which
  is why a fresh client costs no extra reads.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onboarding.docspace import (
    DocSpaceClient,
    File,
    Folder,
    Invitation,
    Link,
    LinkRequest,
    LinkType,
    Member,
)
from onboarding.errors import DailyLimitReached, DocSpaceError, Forbidden, NotFound, WorkflowError
from onboarding.journal import Journal, LeaseLost
from onboarding.titles import portal_title
from onboarding.workflow import links
from onboarding.workflow.calls import Caller
from onboarding.workflow.plan import ClientPlan, RunContext
from onboarding.workflow.status import ClientStatus, Outcome, Step

log = logging.getLogger(__name__)


class Stopped(WorkflowError):
    """The run was asked to stop (daily limit reached elsewhere, or a person pressed Stop)."""


@dataclass(frozen=True)
class StepEvent:
    """Progress of one client, for the UI and the CLI."""

    run_id: str
    client_id: str
    step: str
    outcome: str
    """An :class:`~onboarding.workflow.status.Outcome`."""
    detail: str = ""
    at: float = 0.0


def room_web_url(base_url: str, room_id: int, *, archived: bool = False) -> str:
    """The room's address in the DocSpace web UI.

    The web client routes an active room as ``/rooms/shared/{id}/filter?folder={id}`` and an
    archived one under ``/rooms/archived/{id}/filter`` (DocSpace-client, category URL helpers).
    """
    section = "archived" if archived else "shared"
    return f"{base_url}/rooms/{section}/{room_id}/filter?folder={room_id}"


class ClientJob:
    """Runs the steps for one claimed client and records each outcome in the journal."""

    def __init__(
        self,
        *,
        api: DocSpaceClient,
        caller: Caller,
        journal: Journal,
        ctx: RunContext,
        plan: ClientPlan,
        run_id: str,
        actor: str,
        stop: threading.Event,
        emit: Callable[[StepEvent], None],
        owner: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api = api
        self.caller = caller
        self.journal = journal
        self.ctx = ctx
        self.bp = ctx.blueprint
        self.plan = plan
        self.client = plan.client
        self.cid = plan.client_id
        self.run_id = run_id
        self.actor = actor
        self.stop = stop
        self._emit = emit
        self._clock = clock
        self.owner = owner
        rec = journal.get(ctx.portal_key, self.cid)
        self.progress: dict[str, Any] = dict(rec.progress) if rec else {}
        self.previous_status = rec.status if rec else ""
        self.room_id: int | None = None
        self.room_fresh = False
        self.uncertain_room = False
        self._listings: dict[int, tuple[list[File], list[Folder]]] = {}

    # -- bookkeeping -----------------------------------------------------------------------------

    def emit(self, step: str, outcome: str, detail: str = "") -> None:
        self.journal.add_event(self.run_id, self.ctx.portal_key, self.cid, step, outcome, detail)
        self._emit(StepEvent(self.run_id, self.cid, step, outcome, detail, self._clock()))

    def save(self, step: str, **fields: Any) -> None:
        fence = self.owner or None  # the lease is checked in the same transaction as the write
        self.journal.upsert_client(
            self.ctx.portal_key, self.cid, progress=self.progress, step=step, fence=fence, **fields
        )

    def mark_started(self, step: str) -> None:
        if not self.progress.get(f"{step}_started"):
            self.progress[f"{step}_started"] = True
            self.save(step)

    def maybe_done(self, step: str) -> bool:
        """True when a write of this step may already have happened, so it must look first."""
        return bool(self.progress.get(f"{step}_started")) or (
            not self.room_fresh and self._room_unknown_history
        )

    @property
    def _room_unknown_history(self) -> bool:
        # A room found by its tag that this journal did not create: its content is unknown.
        return (self.progress.get("room") or {}).get("found_by_tag", False)

    def check_stop(self) -> None:
        if self.stop.is_set():
            raise Stopped("the run was stopped before this client finished")
        if self.owner and not self.journal.holds(self.ctx.portal_key, self.cid, self.owner):
            raise Stopped(
                "this run lost its claim on the client (another run took over); run again to resume"
            )

    def reconcile(self) -> bool:
        """Make the journal's progress agree with the portal; True when the client is already done.

        The journal may remember a room the portal no longer has (deleted, archived, retagged),
        or the plan may predate a concurrent run that created the room: one read settles which.
        """
        stored = (self.progress.get("room") or {}).get("id")
        if stored is None:
            return False
        planned = self.plan.room
        if planned is not None:
            if planned.id != stored:
                self.progress = {}  # the tag points at another room: nothing recorded applies to it
            return False
        try:
            room: Folder | None = self.caller.read(lambda: self.api.get_room(int(stored)), what="check room")
        except (NotFound, Forbidden):
            room = None
        alive = (
            room is not None
            and not room.archived
            and self.plan.tag.casefold() in {t.casefold() for t in room.tags}
        )
        if not alive:
            self.progress = {}
            self.emit(Step.ROOM, Outcome.SKIPPED, f"room {stored} is gone from the portal: starting again")
            return False
        self.plan.room = room
        return self.previous_status == ClientStatus.DONE

    # -- the job -----------------------------------------------------------------------------------

    def run(self) -> str:
        """Run every open step; returns the client's final status."""
        self.journal.upsert_client(
            self.ctx.portal_key,
            self.cid,
            **self.plan.journal_fields(),
            status=ClientStatus.RUNNING,
            error="",
            run_id=self.run_id,
        )
        self.emit(Step.CLIENT, Outcome.STARTED)
        step: str = Step.ROOM
        try:
            if self.reconcile():
                self.save(Step.RECORD, status=ClientStatus.DONE)
                self.emit(Step.CLIENT, Outcome.SKIPPED, "already onboarded")
                return ClientStatus.DONE
            for step, fn in (
                (Step.ROOM, self.step_room),
                (Step.FOLDERS, self.step_folders),
                (Step.FILES, self.step_files),
                (Step.ACCESS, self.step_access),
                (Step.LINK, self.step_link),
                (Step.VERIFY, self.step_verify),
            ):
                self.check_stop()
                # A link recorded by an earlier attempt is looked at again: it may have expired.
                recheck = step == Step.LINK and self.bp.link.enabled
                if step != Step.VERIFY and self.progress.get(step) is not None and not recheck:
                    if step == Step.ROOM:
                        self.room_id = int(self.progress["room"]["id"])
                    self.emit(step, Outcome.SKIPPED, "done before")
                    continue
                detail = fn()
                self.emit(step, Outcome.DONE, detail)
            self.step_record()
            return ClientStatus.DONE
        except LeaseLost as exc:  # another run holds the client now: its record is not ours to write
            self.emit(step, Outcome.DEFERRED, str(exc))
            return ClientStatus.DEFERRED
        except (DailyLimitReached, Stopped) as exc:
            self.save(step, status=ClientStatus.DEFERRED, error=str(exc))
            self.emit(step, Outcome.DEFERRED, str(exc))
            if isinstance(exc, DailyLimitReached):
                self.stop.set()
                raise
            return ClientStatus.DEFERRED
        except DocSpaceError as exc:
            message = exc.server_message or str(exc)
            self.save(step, status=ClientStatus.FAILED, error=f"{step}: {exc}")
            self.emit(step, Outcome.FAILED, message)
            return ClientStatus.FAILED
        except _VerifyFailed as exc:
            self.save(Step.VERIFY, status=ClientStatus.FAILED, error=f"verify: {exc}")
            self.emit(Step.VERIFY, Outcome.FAILED, str(exc))
            return ClientStatus.FAILED
        except Exception as exc:  # anything unforeseen fails this client, not the run
            log.exception("client %s failed at step %s", self.cid, step)
            message = f"{step}: unexpected {type(exc).__name__}: {exc}"
            self.save(step, status=ClientStatus.FAILED, error=message)
            self.emit(step, Outcome.FAILED, message)
            return ClientStatus.FAILED

    # -- steps -----------------------------------------------------------------------------------

    def step_room(self) -> str:
        tag = self.plan.tag
        if self.plan.room is not None:
            room: Folder = self.plan.room
            self.progress["room"] = {"id": room.id, "title": room.title, "found_by_tag": True}
            self.room_id = room.id
            self.save("room", room_id=room.id, room_title=room.title)
            return f"found existing room {room.id} by its tag"
        maybe = bool(self.progress.get("room_started"))
        self.mark_started("room")

        def lookup() -> Folder | None:
            rooms = self.caller.read(lambda: self.api.find_rooms_by_tags([tag]), what="look up room")
            found = [r for r in rooms if not r.archived]
            return min(found, key=lambda r: r.id) if found else None

        room, created = self.caller.ensure(
            lambda: self.api.create_room(self.plan.title, self.bp.room_type, tags=[tag]),
            lookup,
            maybe_done=maybe,
            what="room",
            on_uncertain=lambda: setattr(self, "uncertain_room", True),
        )
        self.room_id = room.id
        self.room_fresh = created
        self.progress["room"] = {"id": room.id, "title": room.title, "found_by_tag": not created}
        self.save("room", room_id=room.id, room_title=room.title)
        return f"created room {room.id}" if created else f"found room {room.id} created by an earlier try"

    def _listing(self, folder_id: int, *, refresh: bool = False) -> tuple[list[File], list[Folder]]:
        if refresh or folder_id not in self._listings:
            content = self.caller.read(lambda: self.api.folder_contents(folder_id), what="list folder")
            self._listings[folder_id] = (list(content.files), list(content.folders))
        return self._listings[folder_id]

    def step_folders(self) -> str:
        assert self.room_id is not None
        room_id = self.room_id
        maybe = self.maybe_done("folders")
        self.mark_started("folders")
        done: dict[str, int] = {}
        created = 0
        for name in self.bp.folders:
            if name in done:
                continue
            want = portal_title(name, 165)

            def lookup(want: str = want) -> Folder | None:
                _, folders = self._listing(room_id, refresh=True)
                same = [f for f in folders if f.title == want]
                return min(same, key=lambda f: f.id) if same else None

            if maybe:
                _, folders = self._listing(room_id)
                same = sorted((f for f in folders if f.title == want), key=lambda f: f.id)
                if same:
                    done[name] = same[0].id
                    continue
            folder, new = self.caller.ensure(
                functools.partial(self.api.create_folder, room_id, name),
                lookup,
                maybe_done=False,
                what="folder",
            )
            created += int(new)
            done[name] = folder.id
        self.progress["folders"] = done
        self.save("folders")
        return f"{created} created, {len(done) - created} already there"

    def step_files(self) -> str:
        assert self.room_id is not None
        folders: dict[str, int] = self.progress.get("folders") or {}
        maybe = self.maybe_done("files")
        self.mark_started("files")
        done: dict[str, int] = {}
        created = 0
        for tpl in self.ctx.templates:
            dest = folders.get(tpl.folder, self.room_id) if tpl.folder else self.room_id
            key = f"{tpl.folder}/{tpl.dest_title}"

            def lookup(dest: int = dest, title: str = tpl.dest_title) -> File | None:
                files, _ = self._listing(dest, refresh=True)
                same = [f for f in files if f.title == title]
                return min(same, key=lambda f: f.id) if same else None

            if maybe:
                files, _ = self._listing(dest)
                same = sorted((f for f in files if f.title == tpl.dest_title), key=lambda f: f.id)
                if same:
                    done[key] = same[0].id
                    continue
            file, new = self.caller.ensure(
                functools.partial(self.api.copy_file_as, tpl.file_id, dest, tpl.dest_title),
                lookup,
                maybe_done=False,
                what="file copy",
            )
            created += int(new)
            done[key] = file.id
        self.progress["files"] = done
        self.save("files")
        return f"{created} copied, {len(done) - created} already there"

    def _invitations(self) -> list[Invitation]:
        out: list[Invitation] = []
        m = self.plan.manager
        if m is not None and m.user_id and m.role is not None and m.user_id != self.ctx.me.id:
            out.append(Invitation(access=m.role, user_id=m.user_id))
        if self.plan.invite_client and self.client.email:
            out.append(Invitation(access=self.bp.client_role, email=self.client.email))
        return out

    def _missing(self, members: list[Member], invitations: list[Invitation]) -> list[Invitation]:
        """Invitations not yet reflected in the room's member list."""
        by_id = {m.user.id: m.access for m in members if m.user is not None}
        by_email = {(m.user.email or "").casefold(): m.access for m in members if m.user is not None}
        missing = []
        for inv in invitations:
            have = by_id.get(inv.user_id or "") if inv.user_id else by_email.get((inv.email or "").casefold())
            if have != int(inv.access):
                missing.append(inv)
        return missing

    def step_access(self) -> str:
        assert self.room_id is not None
        room_id = self.room_id
        invitations = self._invitations()
        if not invitations:
            self.progress["access"] = {"invited": 0}
            self.save("access")
            return "nobody to invite"
        if self.maybe_done("access"):
            members = self.caller.read(lambda: self.api.room_members(room_id), what="members")
            invitations = self._missing(members, invitations)
        self.mark_started("access")
        if invitations:
            result = self.caller.write(
                lambda: self.api.share_room(
                    room_id, invitations, notify=self.bp.notify, message=self.bp.message
                ),
                what="access",
            )
            if result.warning:
                raise DocSpaceError(
                    f"the portal accepted the call but reported: {result.warning}",
                    method="PUT",
                    path=f"/api/2.0/files/rooms/{room_id}/share",
                    status=200,
                    server_message=result.warning,
                )
        self.progress["access"] = {"invited": len(invitations)}
        self.save("access")
        return ", ".join(f"{i.email or 'manager'} as {i.access.label}" for i in invitations) or "already set"

    def _link_request(self, link_id: str | None = None) -> LinkRequest:
        return links.link_request(self.bp, self.plan.link_title, link_id)

    def _existing_link(self, room_id: int, title: str | None) -> Link | None:
        found = self.caller.read(lambda: self.api.room_links(room_id), what="links")
        return links.find_link(self.bp, found, title)

    def step_link(self) -> str:
        assert self.room_id is not None
        room_id = self.room_id
        if not self.bp.link.enabled:
            self.progress["link"] = {}
            self.save("link")
            return "no link in the blueprint"
        request = self._link_request()
        existing = self._existing_link(room_id, request.title) if self.maybe_done("link") else None
        self.mark_started("link")
        link: Link | None
        if existing is not None:
            link = self._align_link(room_id, existing)
        elif self.bp.link_type == LinkType.EXTERNAL:
            # A room may hold several external links: a retry after a lost answer must look for
            # the one it may have made (by its title) before making another.
            link, _ = self.caller.ensure(
                lambda: self.api.set_room_link(room_id, request),
                lambda: self._existing_link(room_id, request.title),
                maybe_done=False,
                what="link",
            )
        else:
            try:
                link = self.caller.write(lambda: self.api.set_room_link(room_id, request), what="link")
            except Forbidden as exc:
                # One invitation link per room: someone (or a lost answer) made it already.
                found = self._existing_link(room_id, request.title) if "may not exceed" in str(exc) else None
                if found is None:
                    raise
                link = self._align_link(room_id, found)
            if link is None:
                # Some server versions answer the one-invitation-link limit with a warning and no
                # link instead of a 403: the room's existing invitation link is then ours to use.
                found = self._existing_link(room_id, request.title)
                link = self._align_link(room_id, found) if found is not None else None
        if link is None:
            raise DocSpaceError(
                "the portal stored no link",
                method="PUT",
                path=f"/api/2.0/files/rooms/{room_id}/links",
                status=200,
            )
        self.progress["link"] = {
            "id": link.shared_link.id,
            "url": link.url,
            "expires": link.shared_link.expiration_date or "",
        }
        self.save("link", link_url=link.url, link_expires=link.shared_link.expiration_date or "")
        return f"{'invitation' if link.link_type == 0 else 'external'} link ready"

    def _align_link(self, room_id: int, link: Link) -> Link | None:
        """Reuse an existing link; update it by id when it is expired or differs from the blueprint."""
        if not links.link_outdated(self.bp, link):
            return link
        req = self._link_request(link_id=link.shared_link.id)
        return self.caller.write(lambda: self.api.set_room_link(room_id, req), what="link update")

    def step_verify(self) -> str:
        """Read back members and link: a call the portal silently ignored must not pass as done."""
        assert self.room_id is not None
        room_id = self.room_id
        problems: list[str] = []
        expected = self._invitations()
        if expected:
            members = self.caller.read(lambda: self.api.room_members(room_id), what="verify members")
            for inv in self._missing(members, expected):
                who = inv.email or (self.plan.manager.email if self.plan.manager else "") or "manager"
                problems.append(f"{who} does not have {inv.access.label} access")
                self.progress.pop("access", None)
        link = self.progress.get("link") or {}
        if self.bp.link.enabled:
            on_room = self.caller.read(lambda: self.api.room_links(room_id), what="verify link")
            match = [lk for lk in on_room if lk.shared_link.id == link.get("id")]
            if not match:
                problems.append("the client link is not on the room")
                self.progress.pop("link", None)
            elif why := links.link_outdated(self.bp, match[0]):
                problems.append(f"the client link cannot be used: {why}")
                self.progress.pop("link", None)
        if problems:
            self.save("verify", **({} if self.progress.get("link") else {"link_url": "", "link_expires": ""}))
            raise _VerifyFailed("; ".join(problems))
        strays = self._archive_stray_rooms() if self.uncertain_room else ""
        return "members and link confirmed" + strays

    def _archive_stray_rooms(self) -> str:
        """Archive empty rooms with our tag made by a create that timed out but completed later.

        A create whose answer never came may still be running on the portal when the look-up
        after it finds nothing; the retry then makes a second room. By verification time the
        first has usually appeared: if it is empty (nothing of ours went into it), it is archived.
        """
        tag = self.plan.tag
        rooms = self.caller.read(lambda: self.api.find_rooms_by_tags([tag]), what="look for stray rooms")
        archived = []
        for room in rooms:
            if room.id == self.room_id or room.archived or room.files_count or room.folders_count:
                continue
            rid = room.id
            op = self.caller.write(functools.partial(self.api.archive_room, rid), what="archive stray room")
            self.api.wait_operation(op, read=self.caller.read)
            archived.append(rid)
            self.emit(
                Step.VERIFY,
                Outcome.DONE,
                f"archived room {rid}: an empty duplicate left by a timed-out create",
            )
        return f"; archived duplicate room(s) {', '.join(map(str, archived))}" if archived else ""

    def step_record(self) -> None:
        assert self.room_id is not None
        link = self.progress.get("link") or {}
        self.progress["verify"] = True
        self.save(
            "record",
            status=ClientStatus.DONE,
            error="",
            room_id=self.room_id,
            room_title=(self.progress.get("room") or {}).get("title", self.plan.title),
            room_url=room_web_url(self.api.base_url, self.room_id),
            link_url=link.get("url", ""),
            link_expires=link.get("expires", ""),
            onboarded_at=self._clock(),
            onboarded_by=self.actor,
        )
        self.emit(Step.RECORD, Outcome.ONBOARDED, f"room {self.room_id}")


class _VerifyFailed(Exception):
    pass
