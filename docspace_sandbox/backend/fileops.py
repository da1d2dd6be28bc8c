"""File operations: the asynchronous queue behind archive/unarchive, deletes, copy and move.

Server source (ONLYOFFICE/DocSpace-server 3.7.2): ``FileOperationsManager.cs``
(``FileOperationsManagerHolder.GetOperationResults``: a finished operation is dequeued on the
read that sees it and reported only when held, so a held result is reported once), one queue per
operation class (delete; move/copy — archive and unarchive are Moves), and the synchronous
pre-checks ``DeletePermissionsCheck`` / ``CopyPermissionsCheck`` that answer 403/404 before an
operation is queued. The sandbox has no Trash section: a deleted entry leaves the portal tree
whether or not ``immediately`` is set (what the room shows is the same).
"""

from __future__ import annotations

import uuid

from .. import errors as e
from .. import rules as r
from .. import seed
from ..model import File, Folder, Operation, User
from .core import PortalCore

MOVE, COPY, DELETE = 0, 1, 2  # FileOperationType
SKIP, OVERWRITE, DUPLICATE = 0, 1, 2  # FileConflictResolveType
DELETE_QUEUE = frozenset({DELETE})
MOVE_COPY_QUEUE = frozenset({MOVE, COPY})
MSG_FOLDER_COPY_ERROR = "You cannot copy the folder to its subfolder"


class FileOpsMixin(PortalCore):
    """Operations finish on a later request (no worker thread), as the server's queue does."""

    # ------------------------------------------------------------------ starting

    def start_operation(self, actor: User, room_id: int, action: str, *, hold: bool) -> Operation:
        """Room archive / unarchive / delete (``VirtualRoomsController``): checks now, the work later."""
        if action == "delete":
            room = self.folder(room_id)
            if room is None:
                raise _file_not_found(e.MSG_FOLDER_NOT_FOUND)
            if room.room_type is not None and self.section(room) != "archive":
                raise e.AccessDenied()
            allowed = self._can_archive if room.room_type is not None else self._can_edit_room
            if not allowed(actor, room):
                raise e.AccessDenied()
        else:
            # ArchiveRoom / UnarchiveRoom start with FileStorageService.GetFolderAsync: 404 when
            # missing, 403 InvalidOperationException "… view the folder content" when unreadable.
            room = self.get_folder(actor, room_id)
            if self.section(room) == "templates":
                # VirtualRoomsController.ArchiveRoom / UnarchiveRoom: a folder whose RootId is the
                # Templates section → ``throw new ItemNotFoundException()`` before any Move is queued.
                raise e.NotFound(e.MSG_RECORD_NOT_FOUND)
            if not self._can_archive(actor, room):
                raise e.AccessDenied()
        kind = DELETE if action == "delete" else MOVE
        op = self._queue(actor, kind, action, hold=hold, room_id=room_id, folder_ids=[room_id])
        if action == "delete":
            # Quirk kept from the server: DELETE answers with the user's *first* delete operation.
            return next(o for o in self.state.ops if o.user_id == actor.id and o.kind == DELETE)
        return op

    def start_delete(
        self, actor: User, folder_ids: list[int], file_ids: list[int], *, hold: bool, immediately: bool
    ) -> Operation:
        """``DELETE files/folder/{id}`` / ``files/file/{id}``: ``DeletePermissionsCheck`` first."""
        for folder_id in folder_ids:
            folder = self.folder(folder_id)
            if folder is None:
                raise _file_not_found(e.MSG_FOLDER_NOT_FOUND)
            if (not immediately and folder.room_type is not None) or not self._can_delete(actor, folder):
                raise e.AccessDenied()
        for file_id in file_ids:
            entry = self.state.files.get(file_id)
            if entry is None:
                raise _file_not_found(e.MSG_FILE_NOT_FOUND)
            if not self._can_delete(actor, entry):
                raise e.AccessDenied()
        return self._queue(actor, DELETE, "delete", hold=hold, folder_ids=folder_ids, file_ids=file_ids)

    def start_transfer(
        self,
        actor: User,
        folder_ids: list[int],
        file_ids: list[int],
        dest_id: int,
        *,
        copy: bool,
        conflict: int,
        hold: bool,
    ) -> Operation:
        """``PUT files/fileops/copy|move``: ``CopyPermissionsCheck.CheckCopyDataAsync`` first."""
        dest = self.folder(dest_id)
        if dest is None:
            raise e.NotFound(e.MSG_FOLDER_NOT_FOUND)
        if dest.system not in ("rooms", "archive") and not self._can_create_in(actor, dest):
            raise e.AccessDenied()
        ancestors = {f.id for f in self.path(dest)}
        if any(fid in ancestors for fid in folder_ids):
            raise e.Forbidden(MSG_FOLDER_COPY_ERROR)
        if dest.system in ("rooms", "archive") or self.section(dest) == "archive":
            raise e.AccessDenied()
        for folder_id in folder_ids:
            folder = self.folder(folder_id)
            if folder is None:
                raise e.NotFound(e.MSG_FOLDER_NOT_FOUND)
            if folder.room_type is not None or folder.system is not None or not self._can_read(actor, folder):
                raise e.AccessDenied()
            if not copy and not self._can_delete(actor, folder):
                raise e.AccessDenied()
        for file_id in file_ids:
            entry = self.state.files.get(file_id)
            if entry is None:
                raise _file_not_found(e.MSG_FILE_NOT_FOUND)
            if not self._can_read(actor, self.state.folders[entry.folder_id]):
                raise e.AccessDenied()
            if not copy and not self._can_delete(actor, entry):
                raise e.AccessDenied()
        return self._queue(
            actor,
            COPY if copy else MOVE,
            "copy" if copy else "move",
            hold=hold,
            folder_ids=folder_ids,
            file_ids=file_ids,
            dest_id=dest.id,
            conflict=conflict,
        )

    def _queue(
        self,
        actor: User,
        kind: int,
        action: str,
        *,
        hold: bool,
        room_id: int = 0,
        folder_ids: list[int] | None = None,
        file_ids: list[int] | None = None,
        dest_id: int | None = None,
        conflict: int = SKIP,
    ) -> Operation:
        op = Operation(
            id=str(uuid.uuid4()),
            kind=kind,
            user_id=actor.id,
            room_id=room_id,
            action=action,
            started=self._clock(),
            hold=hold,
            folder_ids=list(folder_ids or []),
            file_ids=list(file_ids or []),
            dest_id=dest_id,
            conflict=conflict,
        )
        self.state.ops.append(op)
        self._touch()
        return op

    def _can_delete(self, actor: User, entry: Folder | File) -> bool:
        """``FileSecurity.CanDeleteAsync`` as far as the sandbox needs it: the room's creator, Room
        managers and DocSpace admins (``FilterEntryAsync`` grants them Delete) delete anything in a
        room, content creators their own entries; nothing in the Archive; rooms only there, by
        whoever may archive them."""
        if isinstance(entry, Folder):
            if entry.system is not None:
                return False
            if entry.room_type is not None:
                return self.section(entry) == "archive" and self._can_archive(actor, entry)
            parent = self.folder(entry.parent_id) if entry.parent_id is not None else None
        else:
            parent = self.folder(entry.folder_id)
        if parent is None or self.section(parent) == "archive":
            return False
        if self.section(parent) == "my":
            return parent.created_by == actor.id
        room = self.parent_room(parent)
        if room is None:
            return False
        if self.is_docspace_admin(actor) or self._can_edit_room(actor, room):
            return True
        return room.members.get(actor.id) == r.CONTENT_CREATOR and entry.created_by == actor.id

    # ------------------------------------------------------------------ running

    def tick(self) -> None:
        """Finish operations whose time has come (called on every request; no worker thread)."""
        now = self._clock()
        for op in self.state.ops:
            if not op.finished and (now - op.started >= self.op_delay_s or op.polls >= 2):
                op.finished = True
                self._touch()
                if op.kind == DELETE:
                    self._finish_delete(op)
                elif op.action in ("archive", "unarchive"):
                    self._finish_room_move(op)
                else:
                    self._finish_transfer(op)

    def _finish_room_move(self, op: Operation) -> None:
        room = self.folder(op.room_id)
        if room is None:
            op.error = e.MSG_FOLDER_NOT_FOUND
            return
        if room.room_type is None:
            op.error = "You don't have enough permission to perform the operation"
            return
        if op.action == "unarchive" and self.section(room) == "archive":
            try:  # FileMoveCopyOperation: a room moved into Rooms passes CountRoomChecker.CheckAppend
                self.settings.check_room_quota(len(self.state.child_ids(seed.FOLDER_ROOMS)[0]))
            except e.PaymentRequired as exc:
                op.error = exc.message
                return
        self.state.move_folder(room, seed.FOLDER_ARCHIVE if op.action == "archive" else seed.FOLDER_ROOMS)
        room.updated = self._now()
        op.result_folders = [room.id]

    def _finish_delete(self, op: Operation) -> None:
        for folder_id in op.folder_ids:
            if self.folder(folder_id) is None:
                op.error = op.error or e.MSG_FOLDER_NOT_FOUND
                continue
            self.state.remove_folder(folder_id)
        for file_id in op.file_ids:
            if file_id not in self.state.files:
                op.error = op.error or e.MSG_FILE_NOT_FOUND
                continue
            self.state.remove_file(file_id)

    def _finish_transfer(self, op: Operation) -> None:
        dest = self.folder(op.dest_id or 0)
        if dest is None:
            op.error = e.MSG_FOLDER_NOT_FOUND
            return
        copy = op.kind == COPY
        for folder_id in op.folder_ids:
            source = self.folder(folder_id)
            if source is None:
                op.error = op.error or e.MSG_FOLDER_NOT_FOUND
                continue
            op.result_folders.append(self._transfer_folder(op, source, dest, copy).id)
        for file_id in op.file_ids:
            entry = self.state.files.get(file_id)
            if entry is None:
                op.error = op.error or e.MSG_FILE_NOT_FOUND
                continue
            placed = self._transfer_file(op, entry, dest, copy)
            if placed is not None:
                op.result_files.append(placed.id)

    def _transfer_folder(self, op: Operation, source: Folder, dest: Folder, copy: bool) -> Folder:
        """``FileMoveCopyOperation.MoveOrCopyFoldersAsync``: a same-titled folder in the
        destination receives the contents (merge); otherwise the folder is moved or re-created."""
        folders, _ = self.children(dest.id)
        target = next((f for f in folders if f.title == source.title and f.id != source.id), None)
        if target is None and not copy:
            self.state.move_folder(source, dest.id)
            source.updated = dest.updated = self._now()
            return source
        if target is None:
            now = self._now()
            target = Folder(self.state.new_id(), source.title, dest.id, now, op.user_id, now)
            self.state.add_folder(target)
        sub_folders, sub_files = self.children(source.id)
        for child in reversed(sub_folders):  # oldest first, as created
            self._transfer_folder(op, child, target, copy)
        for entry in reversed(sub_files):
            self._transfer_file(op, entry, target, copy)
        if not copy:
            self.state.remove_folder(source.id)
        return target

    def _transfer_file(self, op: Operation, entry: File, dest: Folder, copy: bool) -> File | None:
        """One file with the conflict rule: Skip keeps the existing file, Overwrite replaces its
        content (a new version, same id), Duplicate renames with `` (1)``."""
        _, files = self.children(dest.id)
        clash = next((f for f in files if f.title == entry.title and f.id != entry.id), None)
        title = entry.title
        if clash is not None:
            if op.conflict == SKIP:
                return None
            if op.conflict == OVERWRITE:
                clash.size = entry.size
                if not copy:
                    self.state.remove_file(entry.id)
                return clash
            title = r.available_title(title, {f.title for f in files}, is_file=True)
        if not copy:
            entry.title = title
            self.state.move_file(entry, dest.id)
            return entry
        dot = title.rfind(".")  # FileDao.SaveFileAsync "make lowerCase"
        title = title[:dot] + title[dot:].lower() if dot > 0 else title
        if self.refuses_file(dest, entry.is_form):
            # FileDao.CopyFileAsync → SaveFileAsync throws; FileMoveCopyOperation's per-file catch
            # records the message in Err and goes on with the next file.
            op.error = e.MSG_UPLOAD_TO_FORM_ROOM
            return None
        placed = File(
            self.state.new_id(), title, dest.id, entry.size, self._now(), op.user_id, is_form=entry.is_form
        )
        self.state.add_file(placed)
        return placed

    # ------------------------------------------------------------------ reading

    def operation_results(
        self, actor: User, op_id: str | None = None, kinds: frozenset[int] | None = None
    ) -> list[Operation]:
        """``FileOperationsManagerHolder.GetOperationResults``: every read of the caller's
        operations (of one queue when ``kinds`` is given) dequeues the finished ones and reports
        only the held ones among them — so a held result is seen exactly once."""
        mine = [
            o
            for o in self.state.ops
            if o.user_id == actor.id
            and (op_id is None or o.id == op_id)
            and (kinds is None or o.kind in kinds)
        ]
        for op in mine:
            op.polls += 1
        self.tick()
        done = {o.id for o in mine if o.finished}
        if done:
            self.state.ops = [o for o in self.state.ops if o.id not in done]
            self._touch()
        return [o for o in mine if o.hold or not o.finished]

    def terminate(self, actor: User, op_id: str | None) -> list[Operation]:
        """``PUT files/fileops/terminate/{id?}`` (``CancelOperations`` in every manager): the caller's
        matching operations (all of them without an id) are dequeued undone, then each queue's
        remaining results are read (delete after move/copy, the controller's manager order)."""
        doomed = {o.id for o in self.state.ops if o.user_id == actor.id and (op_id is None or o.id == op_id)}
        if doomed:
            self.state.ops = [o for o in self.state.ops if o.id not in doomed]
            self._touch()
        return self.operation_results(actor, None, MOVE_COPY_QUEUE) + self.operation_results(
            actor, None, DELETE_QUEUE
        )

    def cancel_running(self, op_id: str | None = None) -> int:
        """Control plane: end running operations as Canceled (3) without doing their work, as when
        the server's task is cancelled under it; a held one is then reported once with status 3."""
        count = 0
        for op in self.state.ops:
            if not op.finished and (op_id is None or op.id == op_id):
                op.finished = op.canceled = True
                count += 1
        if count:
            self._touch()
        return count

    def operations(self, actor: User, op_id: str | None) -> list[Operation]:
        """``GET files/fileops`` (``OperationController.GetOperationStatuses``): each manager's
        results in the controller's order — duplicate, move/copy, delete, … — so a move or copy
        is listed before any delete, whatever was started first."""
        return self.operation_results(actor, op_id, MOVE_COPY_QUEUE) + self.operation_results(
            actor, op_id, DELETE_QUEUE
        )


def _file_not_found(message: str) -> e.NotFound:
    """``System.IO.FileNotFoundException`` (the permission checks throw it, not ItemNotFound)."""
    return e.NotFound(message, dotnet_type="System.IO.FileNotFoundException", hresult=-2147024894)
