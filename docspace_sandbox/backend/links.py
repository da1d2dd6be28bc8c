"""Room links: invitation, primary and additional external links (``files/rooms/{id}/link(s)``)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from .. import errors as e
from .. import rules as r
from ..model import Folder, Link, User
from .core import PortalCore, format_date

MAX_LINK_LIFETIME_YEARS = 10  # FilesLinkUtility.MaxLinkLifeTimeInYears


@dataclass
class LinkRequest:
    """A parsed ``RoomLinkRequest`` (defaults are what ``{}`` deserialises to)."""

    link_id: str | None = None
    access: int = r.NONE
    expiration: datetime | None = None
    internal: bool = False
    title: str | None = None
    link_type: int = 0
    password: str | None = None
    deny_download: bool = False
    max_use_count: int | None = None


def new_link(subject: int, access: int, title: str) -> Link:
    """A fresh link ACE with a random key (invitation links carry no request token)."""
    return Link(
        id=str(uuid.uuid4()),
        subject=subject,
        access=access,
        title=title,
        key=secrets.token_urlsafe(9),
        request_token=secrets.token_urlsafe(24) if subject != r.SUBJ_INVITATION else None,
    )


class LinksMixin(PortalCore):
    """Link ACEs of a room (``FileSharingAceHelper``)."""

    def links(self, actor: User, room_id: int, link_type: int | None) -> list[Link]:
        """``GET files/rooms/{id}/links`` (at most 100; optional 0/1 filter). Without ReadLinks (the
        room's creator or a Room manager) the list is empty, not an error
        (``FileSharing.GetPureSharesAsync`` → ``CheckAccessAsync``)."""
        room = self._shared_entry(room_id)
        if not (self._can_read(actor, room) and self._can_edit_room(actor, room)):
            return []
        found = room.links
        if link_type == 0:
            found = [x for x in found if x.subject == r.SUBJ_INVITATION]
        elif link_type == 1:
            found = [x for x in found if x.subject in (r.SUBJ_EXTERNAL, r.SUBJ_PRIMARY)]
        return found[:100]

    def primary_link(self, actor: User, room_id: int) -> Link:
        """``GET files/rooms/{id}/link``: the primary external link, created on the fly if absent."""
        room = self.get_room(actor, room_id)
        existing = next((x for x in room.links if x.subject == r.SUBJ_PRIMARY), None)
        if existing is not None:
            return existing
        # ResolveRequiredAuthAsync (no requiredAuth asked: the portal default applies) runs first.
        internal = self.settings.resolve_link_internal(room.room_type, False, new_link=True)
        if not self._can_edit_room(actor, room) or self.section(room) == "archive":
            raise e.AccessDenied()
        fresh = new_link(r.SUBJ_PRIMARY, r.READ, "Shared link")
        fresh.internal = internal
        link = self._set_link(room, fresh, None)
        if link is None:  # pragma: no cover - access Read is never "remove"
            raise e.ServerError("primary link")
        return link

    def set_link(self, actor: User, room_id: int, req: LinkRequest) -> Link | None:
        """``PUT files/rooms/{id}/links``; None means "nothing to show" (200 without ``response``)."""
        room = self._require_folder(room_id)
        if not self._can_edit_room(actor, room) or self.section(room) == "archive":
            raise e.AccessDenied()
        existing = next((x for x in room.links if req.link_id and x.id == req.link_id), None)
        now = datetime.fromtimestamp(self._clock(), UTC)
        expiration: str | None = None
        password = r.dotnet_trim(req.password) if req.password else None  # the controller's Password?.Trim()
        deny_download, internal = req.deny_download, req.internal
        if req.link_type == 0:
            # SetInvitationLinkAsync takes no password, denyDownload or internal: they are dropped.
            password, deny_download, internal = None, False, False
            subject = r.SUBJ_INVITATION
            title = req.title or "Invitation link"
            if req.max_use_count is not None and existing and req.max_use_count < existing.current_use_count:
                raise e.BadArgument(e.MSG_VALUE_RANGE.format("maxUseCount"))
            if req.expiration is not None:
                if req.expiration < now or req.expiration > _latest_expiry(now):
                    raise e.BadArgument(e.MSG_VALUE_RANGE.format("expirationDate"))
                expiration = format_date(req.expiration)
        elif req.link_type == 1:
            subject = r.SUBJ_EXTERNAL
            title = req.title or "Shared link"
            if req.access == r.NONE:
                if existing is not None:
                    self.settings.check_link_revoke(
                        room.room_type, existing.subject == r.SUBJ_PRIMARY, existing.internal
                    )
            else:  # the portal's sharing settings decide; only a new link gets the default
                internal = self.settings.resolve_link_internal(
                    room.room_type, internal, new_link=req.link_id is None
                )
            if req.expiration is not None and req.expiration > now:
                if req.expiration > _latest_expiry(now):
                    raise e.BadArgument(e.MSG_VALUE_RANGE.format("expirationDate"))
                expiration = format_date(req.expiration)
        else:
            raise e.Forbidden("Operation is not valid due to the current state of the object.")
        if existing is not None:
            subject = existing.subject
        wanted = Link(
            id=existing.id if existing else (req.link_id or str(uuid.uuid4())),
            subject=subject,
            access=req.access,
            title=title,
            key=existing.key if existing else secrets.token_urlsafe(9),
            expiration=expiration,
            password=password or None,
            deny_download=deny_download,
            internal=internal,
            max_use_count=req.max_use_count if subject == r.SUBJ_INVITATION else None,
            current_use_count=existing.current_use_count if existing else 0,
            request_token=(existing.request_token if existing else secrets.token_urlsafe(24))
            if subject != r.SUBJ_INVITATION
            else None,
        )
        return self._set_link(room, wanted, existing)

    def _set_link(self, room: Folder, wanted: Link, existing: Link | None) -> Link | None:
        """``FileSharingAceHelper.SetAceObjectAsync`` for one link ACE."""
        accesses = r.ROOM_ACCESSES.get(room.room_type or 0, {})
        if wanted.subject not in accesses or wanted.access not in accesses[wanted.subject]:
            raise e.Forbidden(e.MSG_ROLE_NOT_AVAILABLE)
        if wanted.subject == r.SUBJ_PRIMARY and room.room_type in (r.PUBLIC, r.FILLING):
            wanted.expiration = None  # the server ignores expiration on these primary links
        if wanted.subject in (r.SUBJ_PRIMARY, r.SUBJ_EXTERNAL):
            if room.room_type == r.VDR:
                wanted.internal = True
            elif room.room_type == r.PUBLIC:
                wanted.internal = False
        removing = existing is not None and wanted.access == r.NONE
        if wanted.password and not removing:
            self.settings.check_password(wanted.password)  # the portal's PasswordSettings
        if existing is None:
            if wanted.subject == r.SUBJ_INVITATION:
                limit = r.MAX_INVITATION_LINKS
            else:
                limits = r.LINK_LIMITS.get(room.room_type or 0, {})
                limit = limits.get(wanted.subject, 0)
                if wanted.subject == r.SUBJ_PRIMARY and limit == 0:
                    limit = limits.get(r.SUBJ_EXTERNAL, 0)
            have = sum(1 for x in room.links if x.subject == wanted.subject)
            if have >= limit:
                raise e.Forbidden(e.MSG_MAX_LINKS.format(limit))
            if wanted.access == r.NONE:
                return None
            room.links.append(wanted)
            self._touch()
            return wanted
        index = room.links.index(existing)
        if wanted.access == r.NONE:
            del room.links[index]
            self._touch()
            if existing.subject == r.SUBJ_PRIMARY and room.room_type in (r.PUBLIC, r.FILLING):
                fresh = (
                    new_link(r.SUBJ_PRIMARY, r.READ, "Shared link")
                    if room.room_type == r.PUBLIC
                    else new_link(r.SUBJ_PRIMARY, r.FILL_FORMS, "Link to fill out")
                )
                fresh.internal = room.room_type == r.FILLING and self.settings.default_link_internal
                room.links.insert(index, fresh)
                return fresh
            return None
        room.links[index] = wanted
        self._touch()
        return wanted


def _latest_expiry(now: datetime) -> datetime:
    """``DateTime.UtcNow.AddYears(MaxLinkLifeTimeInYears)``."""
    try:
        return now.replace(year=now.year + MAX_LINK_LIFETIME_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year + MAX_LINK_LIFETIME_YEARS, day=28)
