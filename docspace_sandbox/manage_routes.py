"""Routes a general DocSpace client uses on existing objects: room update, folder info/rename/delete,
file delete and the copy/move file operations. Registered into :data:`routes.ROUTES` on import.

Server source (DocSpace-server 3.7.2): ``VirtualRoomsController.UpdateRoom``,
``FoldersController.GetFolderInfo`` / ``RenameFolder`` / ``DeleteFolder``,
``FilesController.DeleteFile``, ``OperationController.CopyBatchItems`` / ``MoveBatchItems``;
request models ``UpdateRoomRequestDto``, ``DeleteFolderDto``, ``BatchModelRequestDto``.
The delete and copy/move answers are ``GetOperationResults`` of that operation queue (all the
caller's operations, finished held ones reported for the last time), as on the server.
"""

from __future__ import annotations

from typing import Any

from . import dtos
from . import errors as e
from . import rules as r
from .backend import Backend
from .backend.fileops import DELETE_QUEUE, SKIP
from .binding import INT32_MAX, INT32_MIN, Body
from .routes import Reply, Request, null_argument, route

CONFLICT_TYPES = {"Skip": 0, "Overwrite": 1, "Duplicate": 2}
_NO_ID = -1  # a string id that is not a number names a third-party entry the sandbox never has


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


@route("GET", "files/folder/{folderId}", anonymous=True)
def folder_info(backend: Backend, req: Request) -> Reply:
    """``GetFolderInfo``: the folder's ``FolderDto``."""
    return Reply(dtos.folder(backend, backend.folder_info(req.actor, req.int_param("folderId"))))


@route("PUT", "files/folder/{folderId}")
def rename_folder(backend: Backend, req: Request) -> Reply:
    """``RenameFolder`` takes the ``CreateFolder`` body: title required, ≤ 165."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.CreateFolder")
    body.require("title")
    title = body.string("title", max_len=r.MAX_FOLDER_TITLE)
    body.validate()
    if title is None:
        raise null_argument("title")
    return Reply(dtos.folder(backend, backend.rename_folder(req.user(), req.int_param("folderId"), title)))


def _delete(backend: Backend, req: Request, *, folders: list[int], files: list[int], dto: str) -> Reply:
    body = req.json(dto)
    delete_after = body.boolean("deleteAfter")
    immediately = body.boolean("immediately")
    body.validate()
    op = backend.start_delete(req.user(), folders, files, hold=not delete_after, immediately=immediately)
    single = req.query.boolean("returnSingleOperation") is True
    results = backend.operation_results(req.user(), op.id if single else None, DELETE_QUEUE)
    return Reply([dtos.operation(backend, o) for o in results])


@route("DELETE", "files/folder/{folderId}")
def delete_folder(backend: Backend, req: Request) -> Reply:
    """``DeleteFolder``: queues a Delete (``DeleteFolder`` body required) and lists the queue."""
    return _delete(
        backend,
        req,
        folders=[req.int_param("folderId")],
        files=[],
        dto="ASC.Files.Server.ApiModels.RequestDto.DeleteFolder",
    )


@route("DELETE", "files/file/{fileId}")
def delete_file(backend: Backend, req: Request) -> Reply:
    """``DeleteFile``: queues a Delete (``Delete`` body required); ``?returnSingleOperation``."""
    return _delete(
        backend,
        req,
        folders=[],
        files=[req.int_param("fileId")],
        dto="ASC.Files.Core.ApiModels.RequestDto.Delete",
    )


def _ids(body: Body, name: str) -> list[int]:
    """``FileOperationsManager.GetIds``: numbers (Int32) and numeric strings; other strings are
    third-party ids (none exist here); other JSON kinds are skipped."""
    raw = body.raw(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise e.ValidationFailed(
            {
                f"$.{name}": [
                    "The JSON value could not be converted to System.Collections.Generic.List`1"
                    f"[System.Text.Json.JsonElement]. Path: $.{name} | LineNumber: 0 | BytePositionInLine: 0."
                ]
            }
        )
    out: list[int] = []
    for item in raw:
        if isinstance(item, bool):
            continue
        if isinstance(item, float) or (isinstance(item, int) and not INT32_MIN <= item <= INT32_MAX):
            raise e.ServerError(
                "One of the identified items was in an invalid format.",
                dotnet_type="System.FormatException",
                hresult=-2146233033,
            )
        if isinstance(item, int):
            out.append(item)
        elif isinstance(item, str):
            text = item.strip()
            out.append(int(text) if text.lstrip("-").isdigit() else _NO_ID)
    return out


def _conflict(body: Body) -> int:
    """``FileConflictResolveType`` via ``JsonStringEnumConverter``: a name or a defined number."""
    raw = body.raw("conflictResolveType")
    if raw is None:
        return SKIP
    if isinstance(raw, int) and not isinstance(raw, bool) and raw in CONFLICT_TYPES.values():
        return raw
    if isinstance(raw, str):
        found = next((v for k, v in CONFLICT_TYPES.items() if k.casefold() == raw.strip().casefold()), None)
        if found is not None:
            return found
    raise e.ValidationFailed(
        {
            "$.conflictResolveType": [
                "The JSON value could not be converted to "
                "ASC.Web.Files.Services.WCFService.FileOperations.FileConflictResolveType. "
                "Path: $.conflictResolveType | LineNumber: 0 | BytePositionInLine: 0."
            ]
        }
    )


def _transfer(backend: Backend, req: Request, *, copy: bool) -> Reply:
    """``FileMoveCopyOperationsManager.Publish`` then the move/copy queue's results of that kind."""
    body = req.json("ASC.Files.Core.ApiModels.RequestDto.BatchRequestDto")
    folders, files = _ids(body, "folderIds"), _ids(body, "fileIds")
    conflict = _conflict(body)
    delete_after = body.boolean("deleteAfter")
    content = body.boolean("content")
    body.boolean("toFillOut")
    single = body.boolean("returnSingleOperation")
    body.validate()
    dest = _dest_id(body.raw("destFolderId"))
    actor = req.user()
    op_id: str | None = None
    if content:
        expanded: list[Any] = [backend.children(fid) for fid in folders if backend.folder(fid) is not None]
        folders = [f.id for sub, _ in expanded for f in sub]
        files = files + [f.id for _, sub in expanded for f in sub]
    if folders or files:  # Publish returns no task for an empty request
        op = backend.start_transfer(
            actor, folders, files, dest, copy=copy, conflict=conflict, hold=not delete_after
        )
        op_id = op.id
    kind = 1 if copy else 0
    results = backend.operation_results(actor, op_id if single else None, frozenset({0, 1}))
    return Reply([dtos.operation(backend, o) for o in results if o.kind == kind])


def _dest_id(raw: Any) -> int:
    """``DestFolderIdRouteHelper.TryGetIntId``: a number or numeric string; anything else names
    no folder the sandbox has."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return _NO_ID


@route("PUT", "files/fileops/copy")
def copy_items(backend: Backend, req: Request) -> Reply:
    """``CopyBatchItems``: an asynchronous Copy (``Operation`` 1)."""
    return _transfer(backend, req, copy=True)


@route("PUT", "files/fileops/move")
def move_items(backend: Backend, req: Request) -> Reply:
    """``MoveBatchItems``: an asynchronous Move (``Operation`` 0)."""
    return _transfer(backend, req, copy=False)
