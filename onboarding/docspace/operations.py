"""Archive and delete: the portal's asynchronous file operations, mixed into the client.

Server (DocSpace-server 3.7.2, ``products/ASC.Files/``): each kind of operation has one queue
(``Core/Services/WCFService/FileOperations/FileOperationsManager.cs``,
``FileOperationsManagerHolder<T>``), and ``GetOperationResults`` lists the *user's* operations of
that queue (``t.Owner == userId``) in publication order (``DistributedTaskQueue.PublishTask``
appends to one key list), dequeues every finished one it shows, and reports a held one that once.
Two runs with one API key are one user: they share the queues. So

* an operation may vanish before its starter sees it end (the other run's read took it): gone
  says "finished", not how (:meth:`OperationCalls.wait_operation`);
* ``FoldersController.DeleteFolder`` answers with the whole delete queue, the other run's
  operations first when they are older, and nothing in an operation names what it deletes. The
  caller of a delete therefore waits for *every* operation of the answer
  (:meth:`OperationCalls.settle_operations`) — its own is among them, or already finished — and
  judges the outcome by looking at the portal, never by an error that may be another's.
* Archive and unarchive (``VirtualRoomsController``) answer with their own operation only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from onboarding.docspace._calls import CallsBase
from onboarding.docspace.enums import OperationStatus
from onboarding.docspace.models import FileOperation
from onboarding.errors import DocSpaceError

Read = Callable[[Callable[[], FileOperation | None]], FileOperation | None]
"""Wraps each status read (the engine passes its throttled, retrying reader)."""
DELETE_BODY = {"deleteAfter": False, "immediately": True}


class OperationCalls(CallsBase):
    """Start archive/unarchive/delete operations and wait for them."""

    def archive_room(self, room_id: int) -> FileOperation:
        """Start moving a room to the Archive (asynchronous: wait with :meth:`wait_operation`)."""
        return self._first_operation("PUT", f"files/rooms/{room_id}/archive", {"deleteAfter": False})

    def unarchive_room(self, room_id: int) -> FileOperation:
        """Start moving an archived room back to the Rooms section (wait with :meth:`wait_operation`)."""
        return self._first_operation("PUT", f"files/rooms/{room_id}/unarchive", {"deleteAfter": False})

    def delete_room(self, room_id: int) -> FileOperation:
        """Start deleting an archived room (active rooms cannot be deleted)."""
        return self._first_operation("DELETE", f"files/rooms/{room_id}", {"deleteAfter": False})

    def delete_folder(self, folder_id: int) -> list[FileOperation]:
        """Start deleting a folder for good; the answer is the user's whole delete queue (see the
        module): wait with :meth:`settle_operations`, then look whether the folder is gone."""
        return self._operations("DELETE", f"files/folder/{folder_id}", DELETE_BODY)

    def delete_file(self, file_id: int) -> list[FileOperation]:
        """Start deleting a file for good; the answer is the user's delete queue, as for folders
        (one call shape for both, and the caller confirms on the listing either way)."""
        return self._operations("DELETE", f"files/file/{file_id}", DELETE_BODY)

    def _operations(self, method: str, path: str, body: Any) -> list[FileOperation]:
        env = self.call(method, path, body=body)
        items = env.response if isinstance(env.response, list) else [env.response] if env.response else []
        return [self._parse(FileOperation, item, method, path) for item in items]

    def _first_operation(self, method: str, path: str, body: Any) -> FileOperation:
        env = self.call(method, path, body=body)
        data = env.response[0] if isinstance(env.response, list) and env.response else env.response
        return self._parse(FileOperation, data, method, path)

    def operation(self, operation_id: str) -> FileOperation | None:
        """The operation's current state, or None once the server no longer reports it."""
        env = self.call("GET", "files/fileops", params={"id": operation_id})
        items = env.response if isinstance(env.response, list) else [env.response] if env.response else []
        for item in items:
            op = self._parse(FileOperation, item, "GET", "files/fileops")
            if op.id == operation_id:
                return op
        return None

    def wait_operation(
        self,
        op: FileOperation,
        *,
        timeout: float = 60.0,
        poll: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
        read: Read | None = None,
    ) -> FileOperation:
        """Poll until the operation finishes; raise if it failed, was canceled (3) or ran too long.

        An operation no longer listed is returned as finished without its outcome: the caller
        confirms it on the object (``FileOperationsManagerHolder.GetOperationResults`` dequeues a
        finished result on the read that sees it).
        """
        current = self._until_finished(op, timeout=timeout, poll=poll, sleep=sleep, read=read)
        if current is None:
            # Dequeued after finishing (the server reports a finished result once, to the first
            # read): its outcome is unknown here, so the caller confirms it on the object itself.
            return op.model_copy(update={"finished": True})
        if current.status == OperationStatus.CANCELED:
            raise DocSpaceError("the portal canceled the operation", path="/files/fileops")
        if current.error or current.status == OperationStatus.FAILED:
            raise DocSpaceError(
                f"operation failed: {current.error or 'unknown error'}", path="/files/fileops"
            )
        return current

    def settle_operations(
        self,
        ops: Sequence[FileOperation],
        *,
        timeout: float = 60.0,
        poll: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
        read: Read | None = None,
    ) -> None:
        """Wait until every operation of a delete's answer has finished or is no longer listed.

        Their errors are not raised: whose operation failed is unknown (an operation names
        nothing it works on), and a run's delete of a copy the other run deleted first fails
        harmlessly. The caller looks at the portal instead.
        """
        deadline = time.monotonic() + timeout
        for op in ops:
            self._until_finished(op, timeout=deadline - time.monotonic(), poll=poll, sleep=sleep, read=read)

    def _until_finished(
        self,
        op: FileOperation,
        *,
        timeout: float,
        poll: float,
        sleep: Callable[[float], None],
        read: Read | None,
    ) -> FileOperation | None:
        """The operation once finished, or None once no longer listed (polls back off to 2 s)."""
        deadline = time.monotonic() + timeout
        current: FileOperation | None = op
        delay = poll
        while current is not None and not current.finished:
            if time.monotonic() >= deadline:
                raise DocSpaceError(
                    f"operation {op.id} did not finish within {timeout:g} s", path="/files/fileops"
                )
            sleep(delay)
            delay = min(delay * 1.5, 2.0)
            current = read(lambda: self.operation(op.id)) if read else self.operation(op.id)
        return current
