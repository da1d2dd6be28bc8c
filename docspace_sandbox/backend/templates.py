"""Room templates: a template made from a room, and rooms made from a template, as background jobs.

Server source (ONLYOFFICE/DocSpace-server 3.7.2, ``products/ASC.Files/``):

* ``Core/RoomTemplates/RoomTemplatesWorker.cs`` (``StartCreateRoomAsync``,
  ``StartCreateTemplateAsync``): **one job per tenant and kind**. A start while the tenant's job
  is not completed queues nothing and returns that job's id; the controller then answers with
  the status of *that* job (``VirtualRoomsController.CreateRoomFromTemplate`` →
  ``GetRoomCreatingStatus``), HTTP 200. The second request's title and tags are dropped silently:
  this "refusal" is the only one the server makes, and the sandbox makes it the same way. A
  completed job is dequeued by the next start. (Not modelled: the request only publishes the task
  as Created and an integration event with its id runs it; ``RoomTemplatesIntegrationEventHandler``
  re-inits a still-Created task of that id with the event's own fields, so if a second request's
  event were handled before the first one's, the second's title and tags would win. Ordered event
  handling — the sandbox's case — keeps the first.)
* ``Server/Api/VirtualRoomsController.cs`` ``GetRoomCreatingStatus`` /
  ``Server/Api/RoomTemplatesController.cs`` ``GetRoomTemplateCreatingStatus``: no job id; the
  tenant's one job, or no ``response`` at all when there is none. The queue's cleaner drops a job
  ``TimeUntilUnregisterInSeconds`` (60, ``DefaultDistributedTaskQueueFactoryExtension.RegisterQueue``)
  after its last change.
* ``Core/RoomTemplates/Operations/CreateRoomFromTemplateOperation.cs`` ``DoJob``: ``roomId`` is -1
  until the room is saved; ``FileStorageService.CreateRoomFromTemplateAsync`` checks the template
  (a room under the Templates section the caller may read, else InvalidOperationException
  "You don't have enough permission to view the folder content"), the room quota, then creates
  the room with the **request's** tags (the template's own are not copied) and the template's
  room type; files, then ``DEFAULT`` sub-folders, are copied. Any exception becomes ``error``,
  and the half-made room is deleted (``roomId`` keeps its id). ``isCompleted`` is set either way.
* ``CreateRoomTemplateOperation.cs``: the same for a template made from a room (the room must be
  active and editable by the caller), its id in ``templateId``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import errors as e
from .. import rules as r
from .. import seed
from ..model import File, Folder, User
from .fileops import FileOpsMixin
from .rooms import RoomsMixin

ROOM_JOB, TEMPLATE_JOB = "room", "template"
UNREGISTER_AFTER_S = 60.0
"""``TimeUntilUnregisterInSeconds``: a job unchanged this long leaves the queue (and the status)."""


@dataclass
class TemplateJob:
    """The tenant's one job of a kind (``CreateRoomFromTemplateOperation`` / ``CreateRoomTemplateOperation``)."""

    kind: str
    user_id: str
    source_id: int
    """The template (room job) or the room (template job) it copies from."""
    title: str
    tags: list[str]
    started: float
    changed: float
    polls: int = 0
    result_id: int = -1
    """``roomId`` / ``templateId``: -1 until the new room or template is saved."""
    completed: bool = False
    error: str = ""
    copied: list[int] = field(default_factory=list)


class TemplatesMixin(RoomsMixin, FileOpsMixin):
    """Template jobs run on a later request (no worker thread), like the file operations."""

    # ------------------------------------------------------------------ starting

    def start_template_job(
        self, actor: User, kind: str, source_id: int, title: str, tags: list[str]
    ) -> TemplateJob:
        """``RoomTemplatesWorker.StartCreate*Async``: a running job of the tenant wins, silently."""
        jobs = self.state.template_jobs
        current = jobs.get(kind)
        if current is not None and not current.completed:
            return current  # single flight: nothing queued, the caller sees the running job
        now = self._clock()
        job = TemplateJob(kind, actor.id, source_id, title, list(tags), now, now)
        jobs[kind] = job
        self._touch()
        return job

    def template_job(self, kind: str) -> TemplateJob | None:
        """The status endpoints: the tenant's job of this kind (each read counts as a poll)."""
        self.tick()
        job = self.state.template_jobs.get(kind)
        if job is not None:
            job.polls += 1
            self.tick()
        return self.state.template_jobs.get(kind)

    # ------------------------------------------------------------------ running

    def tick(self) -> None:
        super().tick()
        now = self._clock()
        for kind, job in list(self.state.template_jobs.items()):
            if job.completed:
                if now - job.changed >= UNREGISTER_AFTER_S:
                    del self.state.template_jobs[kind]
            elif now - job.started >= self.op_delay_s or job.polls >= 2:
                self._run_job(job)

    def _run_job(self, job: TemplateJob) -> None:
        actor = self.user(job.user_id)
        try:
            if actor is None:
                raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
            if job.kind == ROOM_JOB:
                made = self._room_from_template(actor, job)
            else:
                made = self._template_from_room(actor, job)
            self._copy_contents(job, job.source_id, made.id)
        except e.ApiError as exc:
            job.error = exc.message
            if job.result_id != -1:
                self.state.remove_folder(job.result_id)  # DoJob's catch: the half-made room goes
        job.completed = True
        job.changed = self._clock()
        self._touch()

    def _room_from_template(self, actor: User, job: TemplateJob) -> Folder:
        template = self.folder(job.source_id)
        if (
            template is None
            or template.room_type is None
            or template.parent_id != seed.FOLDER_TEMPLATES
            or not self._can_read(actor, template)
        ):
            raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
        room = self.create_room(actor, job.title, template.room_type, job.tags)
        job.result_id = room.id
        return room

    def _template_from_room(self, actor: User, job: TemplateJob) -> Folder:
        room = self.folder(job.source_id)
        if (
            room is None
            or room.room_type is None
            or self.section(room) != "rooms"
            or not self._can_edit_room(actor, room)
        ):
            raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
        title = r.dotnet_trim(job.title or "")
        if not title:
            raise e.BadArgument(e.MSG_EMPTY_STRING.format("title"))
        now = self.now_text()
        template = Folder(
            self.state.new_id(), r.sanitize_title(title), seed.FOLDER_TEMPLATES, now, actor.id, now,
            room_type=room.room_type,
        )  # fmt: skip
        self.state.add_folder(template)
        self.state.set_tags(template, self._resolve_tags(actor, job.tags))
        job.result_id = template.id
        return template

    def _copy_contents(self, job: TemplateJob, source_id: int, target_id: int) -> None:
        """``CopyFolderContentAsync``: the files, then the sub-folders, depth first."""
        folders, files = self.children(source_id)
        target = self.state.folders[target_id]
        for entry in reversed(files):  # oldest first, as the DAO lists them
            if self.refuses_file(target, entry.is_form):
                continue  # FileDao.SaveFileAsync's refusal, caught and only logged per file by DoJob
            copy = File(
                self.state.new_id(), entry.title, target_id, entry.size, self.now_text(), job.user_id,
                is_form=entry.is_form,
            )  # fmt: skip
            self.state.add_file(copy)
            job.copied.append(copy.id)
        for sub in reversed(folders):
            now = self.now_text()
            made = Folder(self.state.new_id(), sub.title, target_id, now, job.user_id, now)
            self.state.add_folder(made)
            self._copy_contents(job, sub.id, made.id)

    # ------------------------------------------------------------------ control plane

    def crash_template_job(self) -> dict[str, int]:
        """The worker dies half way through the tenant's room job: the room is saved, tagged, and
        holds its template's files but no sub-folder; the job leaves the queue unfinished (as the
        cleaner drops a task whose worker is gone). What a client must find and finish."""
        job = self.state.template_jobs.get(ROOM_JOB)
        if job is None or job.completed:
            raise ValueError("no room-from-template job is running")
        actor = self.user(job.user_id)
        assert actor is not None
        room = self._room_from_template(actor, job)
        _, files = self.children(job.source_id)
        for entry in reversed(files):
            if self.refuses_file(room, entry.is_form):
                continue
            made = File(self.state.new_id(), entry.title, room.id, entry.size, self.now_text(), actor.id)
            made.is_form = entry.is_form
            self.state.add_file(made)
        del self.state.template_jobs[ROOM_JOB]
        self._touch()
        return {"roomId": room.id}
