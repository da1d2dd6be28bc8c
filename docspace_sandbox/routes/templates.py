"""Room templates: ``POST files/roomtemplate`` (+ ``/status``) and ``POST files/rooms/fromTemplate``
(+ ``/status``), the tenant's single-flight background jobs of :mod:`..backend.templates`.

Bodies: ``Server/ApiModels/RequestDto/RoomTemplateDto.cs`` (``RoomId`` required) and
``CreateRoomFromTemplateDto.cs`` (``TemplateId`` and ``Title`` required; ``Color`` ≤ 6 and
``Cover`` ≤ 50 by ``[StringLength]``; no length limit on ``Title`` here, unlike a plain room).
Answers: ``RoomTemplateStatusDto`` / ``RoomFromTemplateStatusDto``, HTTP 200 even when the start
was ignored because another job runs (the answer is then that job's status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import errors as e
from ..backend import Backend
from ..backend.templates import ROOM_JOB, TEMPLATE_JOB, TemplateJob
from ..binding import Body, parse_guid
from .registry import Reply, Request, route

_DTO = "ASC.Files.ApiModels.RequestDto."


def _required_int(body: Body, name: str) -> int:
    """A C# ``required int``: present (checked by ``require``) and not null."""
    value = body.integer(name)
    if value is None:
        path = f"$.{name}"
        raise e.ValidationFailed(
            {
                path: [
                    f"The JSON value could not be converted to System.Int32. Path: {path} | LineNumber: 0 | BytePositionInLine: 0."
                ]
            }
        )
    return value


def _display_fields(body: Body) -> None:
    """The optional fields both bodies share; bound (so bad JSON kinds fail) but not modelled."""
    body.obj("logo", "ASC.Files.Core.ApiModels.RequestDto.LogoRequest")
    body.boolean("copyLogo")
    body.string("color", max_len=6)
    body.string("cover", max_len=50)
    body.long("quota")


def _status(job: TemplateJob | None, id_key: str) -> Reply:
    """The status DTO: ``progress`` 0 until done, then 100; ``error`` "" when none; no
    ``response`` when the tenant has no job (the controller returns null)."""
    if job is None:
        return Reply(None)
    dto: dict[str, Any] = {
        id_key: job.result_id,
        "progress": 100 if job.completed and not job.error else 0,
        "error": job.error,
        "isCompleted": job.completed,
    }
    return Reply(dto)


# kind -> (request DTO, its required id key, the status DTO's id key)
_JOBS = {
    ROOM_JOB: ("CreateRoomFromTemplateDto", "templateId", "roomId"),
    TEMPLATE_JOB: ("RoomTemplateDto", "roomId", "templateId"),
}


def _start(backend: Backend, req: Request, kind: str, bind_rest: Callable[[Body], None]) -> Reply:
    """Bind the body, start (or meet) the tenant's job of ``kind``, answer its status."""
    dto, source_key, result_key = _JOBS[kind]
    body = req.json(_DTO + dto)
    body.require(source_key, *(["title"] if kind == ROOM_JOB else []))
    source_id = _required_int(body, source_key)
    title = body.string("title")
    tags = body.strings("tags")
    _display_fields(body)
    bind_rest(body)
    body.validate()
    backend.start_template_job(req.user(), kind, source_id, title or "", tags or [])
    return _status(backend.state.template_jobs.get(kind), result_key)


def _room_fields(body: Body) -> None:
    body.nullable_boolean("indexing")
    body.nullable_boolean("denyDownload")
    body.nullable_boolean("private")
    body.obj("lifetime", "ASC.Files.Core.ApiModels.RequestDto.RoomDataLifetimeDto")
    body.obj("watermark", "ASC.Files.Core.ApiModels.RequestDto.WatermarkRequestDto")


def _template_fields(body: Body) -> None:
    body.strings("share")
    body.boolean("public")
    for i, raw in enumerate(body.array("groups", "System.Collections.Generic.List`1[System.Guid]") or []):
        parse_guid(raw, f"$.groups[{i}]")


@route("POST", "files/rooms/fromTemplate")
def room_from_template(backend: Backend, req: Request) -> Reply:
    """``VirtualRoomsController.CreateRoomFromTemplate``: start (or meet) the tenant's job."""
    return _start(backend, req, ROOM_JOB, _room_fields)


@route("GET", "files/rooms/fromTemplate/status")
def room_from_template_status(backend: Backend, req: Request) -> Reply:
    """``GetRoomCreatingStatus``: the tenant's job, whoever started it."""
    return _status(backend.template_job(ROOM_JOB), "roomId")


@route("POST", "files/roomtemplate")
def create_template(backend: Backend, req: Request) -> Reply:
    """``RoomTemplatesController.CreateRoomTemplate``: start (or meet) the tenant's template job."""
    return _start(backend, req, TEMPLATE_JOB, _template_fields)


@route("GET", "files/roomtemplate/status")
def template_status(backend: Backend, req: Request) -> Reply:
    """``GetRoomTemplateCreatingStatus``."""
    return _status(backend.template_job(TEMPLATE_JOB), "templateId")
