"""Rooms: create, list, read, update, tag; archive, unarchive and delete queue file operations."""

from __future__ import annotations

import json

from .. import dtos
from .. import errors as e
from .. import rules as r
from ..backend import Backend
from ..binding import (
    SEARCH_AREAS,
    Body,
    file_share,
    parse_guid,
    room_type,
)
from .registry import Reply, Request, check_start, null_argument, paging, route


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
    start, count = paging(req.query)
    area = req.query.enum("searchArea", SEARCH_AREAS)
    types = req.query.enums("type", r.ROOM_TYPES)
    without_tags = req.query.boolean("withoutTags")
    req.query.validate()
    tags: list[str | None] | None = None
    raw_tags = req.query.text("tags")
    if raw_tags is not None:
        tags = _json_string_list(raw_tags)
    check_start(start)
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


@route("PUT", "files/rooms/{id}")
def update_room(backend: Backend, req: Request) -> Reply:
    """``UpdateRoomRequest``: title ≤ 170, color ≤ 6, cover ≤ 50; ``tags`` replaces the set."""
    body = req.json("ASC.Files.Core.ApiModels.RequestDto.UpdateRoomRequest")
    title = body.string("title", max_len=r.MAX_ROOM_TITLE)
    body.long("quota")
    body.nullable_boolean("indexing")
    body.nullable_boolean("denyDownload")
    body.obj("lifetime", "ASC.Files.Core.ApiModels.RequestDto.RoomDataLifetimeDto")
    body.obj("watermark", "ASC.Files.Core.ApiModels.RequestDto.WatermarkRequestDto")
    body.obj("logo", "ASC.Files.Core.ApiModels.RequestDto.LogoRequest")
    tags = body.strings("tags")
    body.string("color", max_len=6)
    body.string("cover", max_len=50)
    body.obj("chatSettings", "ASC.Files.Core.ApiModels.RequestDto.ChatSettings")
    body.nullable_boolean("sendFormToExternalDB")
    body.nullable_boolean("saveFormAsXLSX")
    body.validate()
    room = backend.update_room(req.user(), req.int_param("id"), title, tags)
    return Reply(dtos.folder(backend, room))


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
