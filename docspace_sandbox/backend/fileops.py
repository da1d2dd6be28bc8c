"""File operations: the asynchronous archive/unarchive/delete queue behind ``GET files/fileops``."""

from __future__ import annotations

import uuid

from .. import errors as e
from .. import seed
from ..model import Operation, User
from .core import PortalCore


class FileOpsMixin(PortalCore):
    """Operations finish on a later request (no worker thread), as the server's queue does."""

    def start_operation(self, actor: User, room_id: int, action: str, *, hold: bool) -> Operation:
        """Archive / unarchive / delete: permission checks now, the move after a short delay."""
        if action == "delete":
            room = self.folder(room_id)
            if room is None:
                raise e.NotFound(
                    e.MSG_FOLDER_NOT_FOUND, dotnet_type="System.IO.FileNotFoundException", hresult=-2147024894
                )
            if room.room_type is not None and self.section(room) != "archive":
                raise e.AccessDenied()
            allowed = self._can_archive if room.room_type is not None else self._can_edit_room
            if not allowed(actor, room):
                raise e.AccessDenied()
        else:
            room = self.get_room(actor, room_id)
            if not self._can_archive(actor, room):
                raise e.AccessDenied()
        op = Operation(
            id=str(uuid.uuid4()),
            kind=2 if action == "delete" else 0,
            user_id=actor.id,
            room_id=room_id,
            action=action,
            started=self._clock(),
            hold=hold,
        )
        self.state.ops.append(op)
        self._touch()
        if action == "delete":
            # Quirk kept from the server: DELETE answers with the user's *first* delete operation.
            return next(o for o in self.state.ops if o.user_id == actor.id and o.kind == 2)
        return op

    def tick(self) -> None:
        """Finish operations whose time has come (called on every request; no worker thread)."""
        now = self._clock()
        for op in self.state.ops:
            if not op.finished and (now - op.started >= self.op_delay_s or op.polls >= 2):
                self._finish(op)

    def _finish(self, op: Operation) -> None:
        room = self.folder(op.room_id)
        op.finished = True
        self._touch()
        if room is None:
            op.error = e.MSG_FOLDER_NOT_FOUND
            return
        if op.action == "delete":
            self.state.remove_folder(room.id)  # plain folders can be deleted through this route too
            return
        if room.room_type is None:
            op.error = "You don't have enough permission to perform the operation"
            return
        if op.action == "archive":
            self.state.move_folder(room, seed.FOLDER_ARCHIVE)
        elif op.action == "unarchive":
            self.state.move_folder(room, seed.FOLDER_ROOMS)
        room.updated = self._now()

    def operations(self, actor: User, op_id: str | None) -> list[Operation]:
        """``GET files/fileops``: each read counts as a poll; finished, unheld results are dequeued."""
        mine = [o for o in self.state.ops if o.user_id == actor.id and (op_id is None or o.id == op_id)]
        for op in mine:
            op.polls += 1
        self.tick()
        done = {o.id for o in mine if o.finished and not o.hold}
        if done:
            self.state.ops = [o for o in self.state.ops if o.id not in done]
            self._touch()
        return mine
