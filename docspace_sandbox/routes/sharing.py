"""Sharing: room members (``…/share``) and room links (``…/links``, ``…/link``)."""

from __future__ import annotations

from typing import Any

from .. import dtos
from .. import errors as e
from .. import rules as r
from ..backend import Backend, Invitation, LinkRequest
from ..backend.sharing import FormRoleBlocking, GroupAce
from ..binding import (
    LINK_TYPES,
    SHARE_FILTER_TYPES,
    Body,
    email_address_errors,
    file_share,
    parse_guid,
)
from ..model import Link, User
from .registry import Reply, Request, paging, route


@route("PUT", "files/rooms/{id}/share")
def set_share(backend: Backend, req: Request) -> Reply:
    """``RoomInvitationRequest``; no invitations → ``{"error": 0}`` before the room is even looked up."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.RoomInvitationRequest")
    raw = body.raw("invitations")
    if raw is not None and not isinstance(raw, list):
        raise e.ValidationFailed(
            {
                "$.invitations": [
                    "The JSON value could not be converted to System.Collections.Generic.List`1"
                    "[ASC.Files.Core.ApiModels.RequestDto.RoomInvitation]. Path: $.invitations | "
                    "LineNumber: 0 | BytePositionInLine: 0."
                ]
            }
        )
    body.boolean("notify")
    body.string("message")
    body.string("culture")
    force = body.boolean("force")
    invitations: list[Invitation] = []
    for i, item in enumerate(raw or []):
        if not isinstance(item, dict):
            raise e.ValidationFailed({f"$.invitations[{i}]": ["The JSON value could not be converted."]})
        entry = Body(item, "RoomInvitation")
        user_id = (
            parse_guid(entry.raw("id"), f"$.invitations[{i}].id") if entry.raw("id") is not None else None
        )
        email = entry.string("email")
        access = file_share(entry.raw("access"), f"$.invitations[{i}].access")
        for message in email_address_errors(email):
            body.attribute_errors.setdefault(f"Invitations[{i}].Email", []).append(message)
        invitations.append(Invitation(user_id, email or None, access))
    emails = sum(1 for inv in invitations if inv.email)
    backend.settings.check_invitation_budget(emails, "Invitations", body.attribute_errors)
    body.validate()
    if not invitations:
        return Reply({"error": 0})
    backend.settings.check_guest_invites(any(inv.email and inv.access != r.NONE for inv in invitations))
    try:
        listed, warning = backend.share(req.user(), req.int_param("id"), invitations, force=force)
    except FormRoleBlocking:
        return Reply({"error": 1})  # RoomSecurityDto: Members null (omitted), Error FormRoleBlockingDeletion
    wanted = set(listed)
    # GetRoomSharedInfoAsync(id, invitationIds) → FileSharing.GetPureSharesAsync(entry, subjects):
    # the stored ACEs of the request's ids only, without the owner's default row.
    room = backend.get_room(req.user(), req.int_param("id"))
    members = [
        dtos.member(backend, *entry) for entry in backend.stored_members(room) if entry[0].id in wanted
    ]
    members += [
        dtos.group_member(backend, g.id, g.name, g.access)
        for g in backend.stored_groups(room)
        if g.id in wanted
    ]
    result: dict[str, Any] = {"members": members}
    if warning:
        result["warning"] = warning
    result["error"] = 0
    return Reply(result)


@route("GET", "files/rooms/{id}/share")
def get_share(backend: Backend, req: Request) -> Reply:
    """``filterType`` (``ShareFilterType``, default UserOrGroup = the users, owner first with
    ReadWrite); count = min(total - start, count) as on the server."""
    start, count = paging(req.query)
    filter_type = req.query.flags("filterType", SHARE_FILTER_TYPES)
    req.query.validate()
    entries = backend.share_entries(
        req.user(),
        req.int_param("id"),
        0 if filter_type is None else filter_type,
        req.query.text("filterValue"),
    )
    total = len(entries)
    page = entries[max(start, 0) : max(start, 0) + count]
    return Reply([_share_entry(backend, x) for x in page], count=min(total - start, count), total=total)


def _share_entry(backend: Backend, entry: tuple[User, int, bool, bool] | Link | GroupAce) -> dict[str, Any]:
    """One ``FileShareDto`` of ``GET share``: a link's, a group's or a user's."""
    if isinstance(entry, Link):
        return dtos.link(backend, entry)
    if isinstance(entry, GroupAce):
        return dtos.group_member(backend, entry.id, entry.name, entry.access)
    return dtos.member(backend, *entry)


@route("GET", "files/rooms/{id}/links")
def get_links(backend: Backend, req: Request) -> Reply:
    """Up to 100 links, optional ``type`` (0 invitation, 1 external)."""
    link_type = req.query.enum("type", LINK_TYPES)
    req.query.validate()
    links = backend.links(req.user(), req.int_param("id"), link_type)
    return Reply([dtos.link(backend, x) for x in links], count=len(links))


@route("PUT", "files/rooms/{id}/links")
def set_link(backend: Backend, req: Request) -> Reply:
    """``RoomLinkRequest``; ``linkType`` is an int enum without a string converter."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.RoomLinkRequest")
    link_type_raw = body.raw("linkType")
    if link_type_raw is not None and (isinstance(link_type_raw, bool) or not isinstance(link_type_raw, int)):
        raise e.ValidationFailed(
            {
                "$.linkType": [
                    "The JSON value could not be converted to ASC.Files.Core.Security.LinkType. "
                    "Path: $.linkType | LineNumber: 0 | BytePositionInLine: 0."
                ]
            }
        )
    max_use = body.integer("maxUseCount")
    body.check_range("maxUseCount", max_use, 1, 1000)
    link = LinkRequest(
        link_id=body.guid("linkId"),
        access=file_share(body.raw("access")) if body.has("access") else r.NONE,
        expiration=body.date("expirationDate"),
        internal=body.boolean("internal"),
        title=body.string("title", max_len=255),
        link_type=link_type_raw if isinstance(link_type_raw, int) else 0,
        password=body.string("password", max_len=255),
        deny_download=body.boolean("denyDownload"),
        max_use_count=max_use,
    )
    body.integer("currentUseCount")
    body.validate()
    result = backend.set_link(req.user(), req.int_param("id"), link)
    return Reply(dtos.link(backend, result) if result is not None else None)


@route("GET", "files/rooms/{id}/link")
def get_primary_link(backend: Backend, req: Request) -> Reply:
    """The primary external link (created on the fly; 403 where external links are not allowed)."""
    return Reply(dtos.link(backend, backend.primary_link(req.user(), req.int_param("id"))))
