"""The room-template endpoints, mixed into :class:`~onboarding.docspace.client.DocSpaceClient`.

Server (DocSpace-server 3.7.2, ``products/ASC.Files/``): ``Server/Api/VirtualRoomsController.cs``
(``CreateRoomFromTemplate``, ``GetRoomCreatingStatus``) and ``Server/Api/RoomTemplatesController.cs``
(``CreateRoomTemplate``, ``GetRoomTemplateCreatingStatus``); the jobs run in
``Core/RoomTemplates/RoomTemplatesWorker.cs``. Both kinds are asynchronous and **single-flight per
tenant**: a start while the tenant's job of that kind runs is not queued, and its answer (HTTP 200)
is the running job's status. Nothing in an answer names the job, so callers serialise their starts
and check the finished room by its tag (:mod:`onboarding.workflow.template_room`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from onboarding.docspace._calls import CallsBase
from onboarding.docspace.bodies import RoomFromTemplate
from onboarding.docspace.enums import SearchArea
from onboarding.docspace.models import Folder, FolderContent, TemplateJob

FROM_TEMPLATE = "files/rooms/fromTemplate"
ROOM_TEMPLATE = "files/roomtemplate"


class TemplateCalls(CallsBase):
    """Room templates: list them, make one from a room, make a room from one, read the jobs."""

    # Provided by DocSpaceClient (declared here for the type checker).
    def _iter_content(self, path: str, params: dict[str, Any] | None = None) -> Iterator[FolderContent]:
        raise NotImplementedError

    def _job(self, method: str, path: str, body: Any = None) -> TemplateJob | None:
        env = self.call(method, path, body=body)
        if env.response is None:  # the controller's null: the tenant has no such job
            return None
        return self._parse(TemplateJob, env.response, method, path)

    def list_templates(self, text: str = "") -> list[Folder]:
        """Room templates the key's account may see (``GET files/rooms?searchArea=4``)."""
        params: dict[str, Any] = {"searchArea": int(SearchArea.TEMPLATES)}
        if text:
            params["filterValue"] = text
        return [room for page in self._iter_content("files/rooms", params) for room in page.folders]

    def start_room_from_template(
        self, template_id: int, title: str, *, tags: Sequence[str] = ()
    ) -> TemplateJob | None:
        """Start making a room from a template; the answer is the tenant's job *as it is now*,
        which is another caller's when one was running (ours was then not queued)."""
        body = RoomFromTemplate(template_id, title, tuple(tags)).to_wire()
        return self._job("POST", FROM_TEMPLATE, body)

    def room_from_template_status(self) -> TemplateJob | None:
        """The tenant's room-from-template job, or None when the queue holds none (never started,
        or dropped 60 s after it ended)."""
        return self._job("GET", f"{FROM_TEMPLATE}/status")

    def start_room_template(
        self, room_id: int, title: str, *, tags: Sequence[str] = ()
    ) -> TemplateJob | None:
        """Start making a template from a room (its folders and files are copied)."""
        body: dict[str, Any] = {"roomId": room_id, "title": title}
        if tags:
            body["tags"] = list(tags)
        return self._job("POST", ROOM_TEMPLATE, body)

    def room_template_status(self) -> TemplateJob | None:
        """The tenant's make-a-template job, or None."""
        return self._job("GET", f"{ROOM_TEMPLATE}/status")
