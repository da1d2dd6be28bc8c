"""Folders and files: listings, create, info, rename, delete; file details, copy-as and delete.

Server source (DocSpace-server 3.7.2): ``FoldersController`` (``GetFolderByFolderId``,
``CreateFolder``, ``GetFolderInfo``, ``RenameFolder``, ``DeleteFolder``), ``FilesController``
(``GetFileInfo``, ``CopyFileAs``, ``DeleteFile``). The delete answers are the delete queue's
``GetOperationResults`` (all the caller's delete operations; finished held ones for the last time).
"""

from __future__ import annotations

from .. import dtos
from .. import errors as e
from .. import rules as r
from ..backend import Backend
from ..backend.fileops import DELETE_QUEUE
from ..backend.listing import FILTER_TYPES, SORT_ORDERS
from ..binding import (
    INT32_MAX,
    INT32_MIN,
)
from ..seed import FOLDER_MY
from .registry import Reply, Request, check_start, null_argument, paging, route


def _folder_page(backend: Backend, req: Request, folder_id: int) -> Reply:
    """``GetFolderRequestDto``: ``filterType`` (FilterType), ``sortBy`` (a free string the helper
    parses leniently) and ``sortOrder`` (SortOrder; a bad value is a validation 400)."""
    start, count = paging(req.query)
    filter_type = req.query.enum("filterType", FILTER_TYPES)
    sort_order = req.query.enum("sortOrder", SORT_ORDERS)
    req.query.validate()
    check_start(start)
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


def _folder_title(req: Request) -> str:
    """The ``CreateFolder`` body both create and rename take: title required, ≤ 165."""
    body = req.json("ASC.Files.Server.ApiModels.RequestDto.CreateFolder")
    body.require("title")
    title = body.string("title", max_len=r.MAX_FOLDER_TITLE)
    body.validate()
    if title is None:
        raise null_argument("title")
    return title


@route("POST", "files/folder/{folderId}")
def create_folder(backend: Backend, req: Request) -> Reply:
    """``CreateFolder``: a new folder under ``folderId``."""
    folder = backend.create_folder(req.user(), req.int_param("folderId"), _folder_title(req))
    return Reply(dtos.folder(backend, folder))


@route("GET", "files/folder/{folderId}", anonymous=True)
def folder_info(backend: Backend, req: Request) -> Reply:
    """``GetFolderInfo``: the folder's ``FolderDto``."""
    return Reply(dtos.folder(backend, backend.folder_info(req.actor, req.int_param("folderId"))))


@route("PUT", "files/folder/{folderId}")
def rename_folder(backend: Backend, req: Request) -> Reply:
    """``RenameFolder``: same body as create."""
    folder = backend.rename_folder(req.user(), req.int_param("folderId"), _folder_title(req))
    return Reply(dtos.folder(backend, folder))


def _delete(
    backend: Backend, req: Request, *, folders: list[int], files: list[int], dto: str, single_ok: bool
) -> Reply:
    """Queue the Delete, then list the caller's delete queue (``GetOperationResults``), oldest first.

    Only ``DeleteFile`` takes ``?returnSingleOperation`` (``DeleteRequestDto`` inherits it);
    ``FoldersController.DeleteFolder`` (3.7.2) always lists every delete of the user, another
    run's with the same key included, and dequeues the finished ones it shows.
    """
    body = req.json(dto)
    delete_after = body.boolean("deleteAfter")
    immediately = body.boolean("immediately")
    body.validate()
    op = backend.start_delete(req.user(), folders, files, hold=not delete_after, immediately=immediately)
    single = single_ok and req.query.boolean("returnSingleOperation") is True
    results = backend.operation_results(req.user(), op.id if single else None, DELETE_QUEUE)
    return Reply([dtos.operation(backend, o) for o in results])


@route("DELETE", "files/folder/{folderId}")
def delete_folder(backend: Backend, req: Request) -> Reply:
    """``DeleteFolder``: queues a Delete (``DeleteFolder`` body required) and lists the whole queue."""
    return _delete(
        backend,
        req,
        folders=[req.int_param("folderId")],
        files=[],
        dto="ASC.Files.Server.ApiModels.RequestDto.DeleteFolder",
        single_ok=False,
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
        single_ok=True,
    )


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
