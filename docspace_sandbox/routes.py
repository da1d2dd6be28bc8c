"""The API routes: bind the request, call the backend, render the DTO. No state lives here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import dtos
from . import errors as e
from . import rules as r
from .backend import Backend, Invitation, LinkRequest
from .backend.listing import FILTER_TYPES, SORT_ORDERS
from .binding import (
    ACTIVATION_STATUSES,
    AREAS,
    EMPLOYEE_STATUSES,
    EMPLOYEE_TYPES,
    INT32_MAX,
    INT32_MIN,
    LINK_TYPES,
    SEARCH_AREAS,
    SHARE_FILTER_TYPES,
    Body,
    Query,
    email_address_errors,
    file_share,
    parse_guid,
    room_type,
)
from .model import Link, User
from .seed import FOLDER_MY

_MISSING = object()


@dataclass
class Request:
    """What a handler sees: route parameters, query, body and the authenticated user (or None)."""

    method: str
    path: str
    params: dict[str, str]
    query: Query
    body: bytes
    content_type: str | None
    actor: User | None

    def json(self, dto: str) -> Body:
        """The ``[FromBody]`` payload (415/400 like ASP.NET when absent or broken)."""
        return Body.parse(self.body, self.content_type, dto)

    def user(self) -> User:
        """The caller; routes without ``anonymous=True`` only run for authenticated callers."""
        assert self.actor is not None
        return self.actor

    def int_param(self, name: str) -> int:
        """A numeric route id; anything else names no entry (-1)."""
        raw = self.params[name]
        return int(raw) if raw.isdigit() else -1


@dataclass
class Reply:
    """A successful result; ``response=None`` drops the key and makes ``count`` 0."""

    response: Any = None
    count: int | None = None
    total: int | None = None


Handler = Callable[[Backend, Request], Reply]


@dataclass(frozen=True)
class Route:
    """One endpoint; ``anonymous`` mirrors ``[AllowAnonymous]`` (no 401 challenge)."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    anonymous: bool = False


ROUTES: list[Route] = []


def route(method: str, path: str, *, anonymous: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler; ``{name}`` segments become route parameters."""
    regex = "^/api/2\\.0/" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"

    def register(fn: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(regex), fn, anonymous))
        return fn

    return register


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, params, path_known): the first route for this method, and whether any method fits."""
    known = False
    for candidate in ROUTES:
        found = candidate.pattern.match(path)
        if found is None:
            continue
        known = True
        if candidate.method == method:
            return candidate, found.groupdict(), True
    return None, {}, known


def null_argument(name: str) -> e.BadArgument:
    """The server's ``ArgumentNullException`` for a missing value (shared with :mod:`.manage_routes`)."""
    return e.BadArgument(
        f"Value cannot be null. (Parameter '{name}')",
        dotnet_type="System.ArgumentNullException",
        hresult=-2147467261,
    )


def _paging(query: Query) -> tuple[int, int]:
    count = query.integer("count", 100, low=1, high=100)
    start = query.integer("startIndex", 0)
    return start, count


def _check_start(start: int) -> None:
    if start < 0:
        raise e.BadArgument(
            f"from ('{start}') must be greater than or equal to '0'. (Parameter 'from')\nActual value was {start}.",
            dotnet_type="System.ArgumentOutOfRangeException",
            hresult=-2146233086,
        )


# ---------------------------------------------------------------------- people


@route("GET", "people/@self")
def get_self(backend: Backend, req: Request) -> Reply:
    """The API key's user."""
    return Reply(dtos.employee_full(backend, req.user()))


@route("GET", "people/email")
def get_by_email(backend: Backend, req: Request) -> Reply:
    """``[EmailAddress]`` (one '@', not first or last), then lookup."""
    email = req.query.text("email")
    if email is not None:
        at = email.find("@")
        if at <= 0 or at == len(email) - 1 or at != email.rfind("@") or "\r" in email or "\n" in email:
            req.query.errors["email"] = ["The Email field is not a valid e-mail address."]
        elif len(email) > 255:
            req.query.errors["email"] = ["The field Email must be a string with a maximum length of 255."]
    req.query.validate()
    if email is None:
        raise null_argument("email")
    return Reply(dtos.employee_full(backend, backend.find_person(req.user(), email)))


@route("GET", "people/filter")
def people_filter(backend: Backend, req: Request) -> Reply:
    """Paged people search; envelope carries ``count`` and ``total``."""
    start, count = _paging(req.query)
    single = req.query.enum("employeeType", EMPLOYEE_TYPES)
    many = req.query.enums("employeeTypes", EMPLOYEE_TYPES)
    employee_status = req.query.flags("employeeStatus", EMPLOYEE_STATUSES)
    activation_status = req.query.flags("activationStatus", ACTIVATION_STATUSES)
    is_admin = req.query.boolean("isAdministrator")
    area = req.query.enum("area", AREAS)
    req.query.validate()
    types = [single] if single is not None else many
    users, total = backend.people(
        req.user(),
        text=req.query.text("filterValue"),
        types=types or None,
        start=max(start, 0),
        count=count,
        employee_status=employee_status,
        activation_status=activation_status,
        administrators=is_admin is True,
        area=area or 0,
    )
    return Reply([dtos.employee_full(backend, u) for u in users], count=len(users), total=total)


# ---------------------------------------------------------------------- rooms


@route("POST", "files/rooms")
def create_room(backend: Backend, req: Request) -> Reply:
    """``CreateRoomRequestDto``: title ≤ 170 (validation), roomType int or name."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.CreateRoomRequestDto")
    body.require("title", "roomType")
    title = body.string("title", max_len=r.MAX_ROOM_TITLE)
    kind = room_type(body.raw("roomType"))
    tags = body.strings("tags")
    body.string("color", max_len=6)
    body.string("cover", max_len=50)
    body.nullable_boolean("indexing")
    body.nullable_boolean("denyDownload")
    private = body.boolean("private")
    body.long("quota")
    body.obj("lifetime", "ASC.Files.Core.ApiModels.RequestDto.RoomDataLifetimeDto")
    body.obj("logo", "ASC.Files.Core.ApiModels.RequestDto.LogoRequest")
    body.obj("watermark", "ASC.Files.Core.ApiModels.RequestDto.WatermarkRequestDto")
    body.obj("chatSettings", "ASC.Files.Core.ApiModels.RequestDto.ChatSettings")
    body.nullable_boolean("sendFormToExternalDB")
    body.nullable_boolean("saveFormAsXLSX")
    shares = body.array(
        "share",
        "System.Collections.Generic.IEnumerable`1[ASC.Files.Core.ApiModels.RequestDto.FileShareParams]",
    )
    for i, item in enumerate(shares or []):
        if not isinstance(item, dict):
            raise e.ValidationFailed(
                {
                    f"$.share[{i}]": [
                        "The JSON value could not be converted to ASC.Files.Core.ApiModels.RequestDto.FileShareParams. "
                        f"Path: $.share[{i}] | LineNumber: 0 | BytePositionInLine: 0."
                    ]
                }
            )
        entry = Body(item, "FileShareParams")
        if entry.raw("shareTo") is not None:
            parse_guid(entry.raw("shareTo"), f"$.share[{i}].shareTo")
        file_share(entry.raw("access"), f"$.share[{i}].access")
    emails = sum(1 for item in shares or [] if isinstance(item.get("email"), str) and item["email"])
    backend.settings.check_invitation_budget(emails, "Share", body.attribute_errors)
    body.validate()
    if title is None:
        raise null_argument("title")
    if private and not shares:
        raise null_argument("shares")
    room = backend.create_room(req.user(), title, kind, tags, private=private)
    return Reply(dtos.folder(backend, room))


@route("GET", "files/rooms")
def list_rooms(backend: Backend, req: Request) -> Reply:
    """``GET files/rooms``: the ``tags`` filter is a JSON array string (bad JSON → 500)."""
    start, count = _paging(req.query)
    area = req.query.enum("searchArea", SEARCH_AREAS)
    types = req.query.enums("type", r.ROOM_TYPES)
    without_tags = req.query.boolean("withoutTags")
    req.query.validate()
    tags: list[str | None] | None = None
    raw_tags = req.query.text("tags")
    if raw_tags is not None:
        tags = _json_string_list(raw_tags)
    _check_start(start)
    current, rooms, total = backend.list_rooms(
        req.user(),
        search_area=0 if area is None else area,
        tags=tags,
        without_tags=without_tags is True,
        text=req.query.text("filterValue"),
        types=types or None,
        start=start,
        count=count,
    )
    return Reply(dtos.folder_content(backend, current, rooms, [], start, total))


def _json_string_list(text: str) -> list[str | None] | None:
    """``JsonSerializer.Deserialize<IEnumerable<string>>``; failures surface as a 500."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise e.ServerError(
            f"'{text[:1]}' is an invalid start of a value. Path: $ | LineNumber: 0 | "
            f"BytePositionInLine: {exc.pos}.",
            dotnet_type="System.Text.Json.JsonException",
        ) from exc
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(x, str) or x is None for x in value):
        raise e.ServerError(
            "The JSON value could not be converted to System.Collections.Generic.IEnumerable`1[System.String]. "
            "Path: $ | LineNumber: 0 | BytePositionInLine: 1.",
            dotnet_type="System.Text.Json.JsonException",
        )
    return [x if isinstance(x, str) else None for x in value]


@route("GET", "files/rooms/{id}", anonymous=True)
def get_room(backend: Backend, req: Request) -> Reply:
    """``GetRoomInfo`` (any folder id works, as on the server)."""
    return Reply(dtos.folder(backend, backend.get_folder(req.actor, req.int_param("id"))))


@route("PUT", "files/rooms/{id}/tags")
def add_tags(backend: Backend, req: Request) -> Reply:
    """``BatchTagsRequestDto``: ``names`` required."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.BatchTagsRequestDto")
    body.require("names")
    names = body.strings("names") or []
    return Reply(dtos.folder(backend, backend.add_tags(req.user(), req.int_param("id"), names)))


def _operation(backend: Backend, req: Request, action: str) -> Reply:
    body = req.json("ArchiveRoomRequest" if action != "delete" else "DeleteRoomRequest")
    delete_after = body.boolean("deleteAfter")
    op = backend.start_operation(req.user(), req.int_param("id"), action, hold=not delete_after)
    return Reply(dtos.operation(backend, op))


@route("PUT", "files/rooms/{id}/archive")
def archive(backend: Backend, req: Request) -> Reply:
    """Queues a Move to the Archive section."""
    return _operation(backend, req, "archive")


@route("PUT", "files/rooms/{id}/unarchive")
def unarchive(backend: Backend, req: Request) -> Reply:
    """Queues a Move back to Rooms."""
    return _operation(backend, req, "unarchive")


@route("DELETE", "files/rooms/{id}")
def delete_room(backend: Backend, req: Request) -> Reply:
    """Queues a Delete; only archived rooms may be deleted."""
    return _operation(backend, req, "delete")


@route("GET", "files/fileops", anonymous=True)
def fileops(backend: Backend, req: Request) -> Reply:
    """The caller's operations (``?id=`` narrows to one)."""
    if req.actor is None:
        return Reply([])
    ops = backend.operations(req.actor, req.query.text("id"))
    return Reply([dtos.operation(backend, op) for op in ops])


# ---------------------------------------------------------------------- sharing


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
    body.boolean("force")
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
    listed, warning = backend.share(req.user(), req.int_param("id"), invitations)
    wanted = set(listed)
    members = [
        dtos.member(backend, user, access, is_owner)
        for user, access, is_owner in backend.members(req.user(), req.int_param("id"))
        if user.id in wanted
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
    start, count = _paging(req.query)
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
    return Reply(
        [dtos.link(backend, x) if isinstance(x, Link) else dtos.member(backend, *x) for x in page],
        count=min(total - start, count),
        total=total,
    )


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


# ---------------------------------------------------------------------- folders and files


def _folder_page(backend: Backend, req: Request, folder_id: int) -> Reply:
    """``GetFolderRequestDto``: ``filterType`` (FilterType), ``sortBy`` (a free string the helper
    parses leniently) and ``sortOrder`` (SortOrder; a bad value is a validation 400)."""
    start, count = _paging(req.query)
    filter_type = req.query.enum("filterType", FILTER_TYPES)
    sort_order = req.query.enum("sortOrder", SORT_ORDERS)
    req.query.validate()
    _check_start(start)
    current, folders, files, total = backend.folder_page(
        req.actor,
        folder_id,
        text=req.query.text("filterValue"),
        start=start,
        count=count,
        filter_type=filter_type,
        sort_by=req.query.text("sortBy"),
        descending=sort_order == 1,
    )
    return Reply(dtos.folder_content(backend, current, folders, files, start, total))


@route("GET", "files/@my")
def my_documents(backend: Backend, req: Request) -> Reply:
    """The caller's "My documents" (the owner's is folder 1)."""
    mine = backend.my_folder(req.user())
    return _folder_page(backend, req, mine.id if mine is not None else FOLDER_MY)


@route("GET", "files/{folderId}", anonymous=True)
def folder_contents(backend: Backend, req: Request) -> Reply:
    """Any folder's contents, including a room's."""
    return _folder_page(backend, req, req.int_param("folderId"))


@route("POST", "files/folder/{folderId}")
def create_folder(backend: Backend, req: Request) -> Reply:
    """``CreateFolder``: title required, ≤ 165."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.CreateFolder")
    body.require("title")
    title = body.string("title", max_len=r.MAX_FOLDER_TITLE)
    body.validate()
    if title is None:
        raise null_argument("title")
    folder = backend.create_folder(req.user(), req.int_param("folderId"), title)
    return Reply(dtos.folder(backend, folder))


@route("GET", "files/file/{fileId}")
def get_file(backend: Backend, req: Request) -> Reply:
    """A file's details (``FileDto``)."""
    return Reply(dtos.file(backend, backend.get_file(req.user(), req.int_param("fileId"))))


@route("POST", "files/file/{fileId}/copyas")
def copy_as(backend: Backend, req: Request) -> Reply:
    """``CopyAsJsonElement``: ``destFolderId`` a number (or numeric string); other JSON kinds → null."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.CopyAsJsonElement")
    body.require("destTitle", "destFolderId")
    title = body.string("destTitle")
    body.boolean("enableExternalExt")
    body.string("password")
    body.boolean("toForm")
    body.validate()
    dest = body.raw("destFolderId")
    if isinstance(dest, float) or (
        isinstance(dest, int) and not isinstance(dest, bool) and not INT32_MIN <= dest <= INT32_MAX
    ):
        # The controller reads the JsonElement with GetInt32(): FormatException, an unhandled 500.
        raise e.ServerError(
            "One of the identified items was in an invalid format.",
            dotnet_type="System.FormatException",
            hresult=-2146233033,
        )
    if isinstance(dest, bool) or not isinstance(dest, int | str):
        return Reply(None)
    dest_id = dest if isinstance(dest, int) else (int(dest) if dest.strip().isdigit() else -1)
    copy = backend.copy_as(req.user(), req.int_param("fileId"), title or "", dest_id)
    return Reply(dtos.file(backend, copy))
