"""File operations: ``GET files/fileops`` and the ``copy``/``move`` batch operations.

Server source (DocSpace-server 3.7.2): ``OperationController`` (``GetOperationStatuses``,
``CopyBatchItems``, ``MoveBatchItems``), ``BatchModelRequestDto.cs`` (``BatchRequestDto``),
``FileOperationsManager.GetIds`` and ``FileConflictResolveType``.
"""

from __future__ import annotations

from typing import Any

from .. import dtos
from .. import errors as e
from ..backend import Backend
from ..backend.fileops import SKIP
from ..binding import (
    INT32_MAX,
    INT32_MIN,
    Body,
)
from .registry import Reply, Request, route

CONFLICT_TYPES = {"Skip": 0, "Overwrite": 1, "Duplicate": 2}
_NO_ID = -1  # a string id that is not a number names a third-party entry the sandbox never has


@route("GET", "files/fileops", anonymous=True)
def fileops(backend: Backend, req: Request) -> Reply:
    """The caller's operations (``?id=`` narrows to one)."""
    if req.actor is None:
        return Reply([])
    ops = backend.operations(req.actor, req.query.text("id"))
    return Reply([dtos.operation(backend, op) for op in ops])


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


@route("PUT", "files/fileops/terminate", anonymous=True)
def terminate_all(backend: Backend, req: Request) -> Reply:
    """``TerminateTasks`` without an id: cancels all the caller's operations."""
    if req.actor is None:
        return Reply([])
    return Reply([dtos.operation(backend, o) for o in backend.terminate(req.actor, None)])


@route("PUT", "files/fileops/terminate/{id}", anonymous=True)
def terminate_one(backend: Backend, req: Request) -> Reply:
    """``TerminateTasks``: cancels one operation, lists what remains."""
    if req.actor is None:
        return Reply([])
    return Reply([dtos.operation(backend, o) for o in backend.terminate(req.actor, req.params["id"])])
