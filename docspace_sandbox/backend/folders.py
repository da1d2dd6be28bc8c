"""Folders and files: listings, ``POST files/folder/{id}``, ``GET files/file/{id}`` and copy-as."""

from __future__ import annotations

from .. import errors as e
from .. import rules as r
from ..model import File, Folder, User
from .core import PortalCore


class FoldersMixin(PortalCore):
    """Folder and file rules below the section folders."""

    def folder_page(
        self, actor: User | None, folder_id: int, *, text: str | None, start: int, count: int
    ) -> tuple[Folder, list[Folder], list[File], int]:
        """``GET files/{folderId}`` and ``@my``: folders first, then files, paged together.

        Anonymous callers (the route is ``[AllowAnonymous]``): a missing folder is a security
        error ("Access denied"), an existing one "You don't have enough permission to view…"."""
        if actor is None:
            if self.folder(folder_id) is None:
                raise e.AccessDenied()
            raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
        folder = self.get_folder(actor, folder_id)
        folders, files = self.children(folder.id)
        if text:
            needle = text.casefold()
            folders = [f for f in folders if needle in f.title.casefold()]
            files = [f for f in files if needle in f.title.casefold()]
        entries: list[Folder | File] = [*folders, *files]
        page = entries[start : start + count]
        return (
            folder,
            [x for x in page if isinstance(x, Folder)],
            [x for x in page if isinstance(x, File)],
            len(entries),
        )

    def _check_create_in(self, actor: User, parent: Folder | None) -> Folder:
        """``InternalCreateFolderAsync`` checks, in the server's order."""
        if parent is None:
            raise e.Forbidden(e.MSG_FOLDER_NOT_FOUND)
        if not self._can_create_in(actor, parent):
            raise e.Forbidden(e.MSG_CREATE_DENIED)
        if self.section(parent) == "archive" and parent.system != "archive":
            raise e.Forbidden(e.MSG_ARCHIVED)
        if parent.system == "archive":
            raise e.Forbidden("You don't have enough permission to perform the operation")
        if parent.system == "rooms":
            raise e.Forbidden(e.MSG_CREATE_DENIED)
        return parent

    def create_folder(self, actor: User, parent_id: int, title: str) -> Folder:
        """``POST files/folder/{id}``: same sanitising as rooms, duplicates allowed."""
        title = r.dotnet_trim(title)
        if not title:
            raise e.BadArgument(e.MSG_EMPTY_STRING.format("title"))
        parent = self._check_create_in(actor, self.folder(parent_id))
        now = self._now()
        folder = Folder(self.state.new_id(), r.sanitize_title(title), parent.id, now, actor.id, now)
        self.state.add_folder(folder)
        parent.updated = now
        self._touch()
        return folder

    def get_file(self, actor: User, file_id: int) -> File:
        """``GET files/file/{id}``: 404 when missing or not readable by the caller."""
        found = self.state.files.get(file_id)
        if found is None or not self._can_read(actor, self.state.folders[found.folder_id]):
            raise e.NotFound(e.MSG_FILE_NOT_FOUND)
        return found

    def copy_as(self, actor: User, file_id: int, dest_title: str, dest_folder_id: int) -> File:
        """``POST files/file/{id}/copyas``: same extension → plain copy (duplicates coexist);
        another extension → "conversion" with `` (1)`` renaming on a clash."""
        source = self.state.files.get(file_id)
        if source is None or not self._can_read(actor, self.state.folders[source.folder_id]):
            raise e.NotFound(e.MSG_FILE_NOT_FOUND)
        same_extension = _extension(r.dotnet_trim(dest_title or "")) == _extension(source.title)
        if same_extension:
            # CreateNewFileAsync: destination 0 = My documents; no Create right (missing folder,
            # section folders, archived rooms …) is a SecurityException → "Access denied".
            dest = self.my_folder(actor) if dest_folder_id == 0 else self.folder(dest_folder_id)
            try:
                dest = self._check_create_in(actor, dest)
            except e.Forbidden:
                raise e.AccessDenied() from None
        else:
            dest = self.folder(dest_folder_id)
            if dest is None:
                raise e.NotFound(e.MSG_FOLDER_NOT_FOUND)
            self._check_create_in(actor, dest)
        title = r.dotnet_trim(dest_title or "")
        if not title:
            raise e.BadArgument(e.MSG_EMPTY_STRING.format("title"))
        title = r.sanitize_title(title)
        if _extension(title) != _extension(source.title):
            existing = {f.title for f in self.children(dest.id)[1]}
            title = r.available_title(title, existing, is_file=True)
        copy = File(self.state.new_id(), title, dest.id, source.size, self._now(), actor.id)
        self.state.add_file(copy)
        self._touch()
        return copy


def _extension(title: str) -> str:
    dot = title.rfind(".")
    return title[dot:].casefold() if dot > 0 else ""
