"""Folders and files: listings, ``POST files/folder/{id}``, ``GET files/file/{id}`` and copy-as."""

from __future__ import annotations

from .. import errors as e
from .. import rules as r
from ..model import File, Folder, User
from . import listing
from .core import PortalCore

MSG_RENAME_DENIED = "You don't have enough permission to rename the folder"


class FoldersMixin(PortalCore):
    """Folder and file rules below the section folders."""

    def folder_page(
        self,
        actor: User | None,
        folder_id: int,
        *,
        text: str | None,
        start: int,
        count: int,
        filter_type: int | None = None,
        sort_by: str | None = None,
        descending: bool = False,
    ) -> tuple[Folder, list[Folder], list[File], int]:
        """``GET files/{folderId}`` and ``@my``: folders first, then files, paged together.

        ``filterType`` and ``sortBy``/``sortOrder`` as ``FolderContentDtoHelper.GetAsync`` reads
        them: an unknown ``sortBy`` name means no ordering given (newest first); a known one sorts
        folders and files each (ascending unless ``sortOrder`` says Descending).
        Anonymous callers (the route is ``[AllowAnonymous]``): a missing folder is a security
        error ("Access denied"), an existing one "You don't have enough permission to view…"."""
        if actor is None:
            if self.folder(folder_id) is None:
                raise e.AccessDenied()
            raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
        folder = self.get_folder(actor, folder_id)
        folders, files = self.children(folder.id)
        if folder.system in ("rooms", "archive"):  # a section lists the rooms the caller may see
            folders = [f for f in folders if self._can_read(actor, f)]
        if text:
            needle = text.casefold()
            folders = [f for f in folders if needle in f.title.casefold()]
            files = [f for f in files if needle in f.title.casefold()]
        if filter_type:
            folders, files = listing.apply_filter(filter_type, folders, files)
        order = listing.sort_key(sort_by)
        if order is not None:
            folders = sorted(folders, key=lambda f: order(f, self.user(f.created_by)), reverse=descending)
            files = sorted(files, key=lambda f: order(f, self.user(f.created_by)), reverse=descending)
        entries: list[Folder | File] = [*folders, *files]
        page = entries[start : start + count]
        return (
            folder,
            [x for x in page if isinstance(x, Folder)],
            [x for x in page if isinstance(x, File)],
            len(entries),
        )

    def folder_info(self, actor: User | None, folder_id: int) -> Folder:
        """``GET files/folder/{id}`` (``FoldersController.GetFolderInfo`` → ``GetFolderAsync``):
        404 missing, 401 anonymous, 403 "You don't have enough permission to view the folder content"."""
        folder = self._require_folder(folder_id)
        if actor is None:
            raise e.NotAuthenticated()
        if not self._can_read(actor, folder):
            raise e.Forbidden(e.MSG_NO_VIEW_CONTENT)
        return folder

    def rename_folder(self, actor: User, folder_id: int, title: str) -> Folder:
        """``PUT files/folder/{id}`` (``FileStorageService.FolderRenameAsync``, checks in its order;
        rooms need EditRoom, folders Rename; guests never rename; archived entries refuse)."""
        folder = self._require_folder(folder_id)
        if folder.room_type is not None:
            allowed = self.section(folder) != "archive" and self._can_edit_room(actor, folder)
        else:
            allowed = folder.system is None and self._can_rename(actor, folder)
        if not allowed:
            raise e.Forbidden(MSG_RENAME_DENIED)
        if actor.kind == "guest":
            raise e.AccessDenied()
        if self.section(folder) == "archive":
            raise e.Forbidden(e.MSG_ARCHIVED)
        clean = r.sanitize_title(title)  # FolderDao.RenameFolderAsync: ReplaceInvalidCharsAndTruncate
        if clean != folder.title:
            folder.title = clean
            folder.updated = self._now()
            self._touch()
        return folder

    def _can_rename(self, actor: User, folder: Folder) -> bool:
        """Rename right on a plain folder: its creator, or whoever may edit its room (or My documents')."""
        if folder.created_by == actor.id or self.is_docspace_admin(actor):
            return True
        room = self.parent_room(folder)
        return room is not None and self._can_edit_room(actor, room)

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
        """``GET files/file/{id}``: 404 when missing, 403 when the caller may not read it.

        ``FileStorageService.GetFileAsync``: ``ItemNotFoundException(ErrorMessage_FileNotFound)``
        for a missing file, ``InvalidOperationException(ErrorMessage_SecurityException_ReadFile)``
        for one the caller cannot read (``CopyFileAsAsync`` starts with the same call).
        """
        found = self.state.files.get(file_id)
        if found is None:
            raise e.NotFound(e.MSG_FILE_NOT_FOUND)
        if not self._can_read(actor, self.state.folders[found.folder_id]):
            raise e.Forbidden(e.MSG_NO_READ_FILE)
        return found

    def copy_as(self, actor: User, file_id: int, dest_title: str, dest_folder_id: int) -> File:
        """``POST files/file/{id}/copyas``: same extension → plain copy (duplicates coexist);
        another extension → "conversion" with `` (1)`` renaming on a clash."""
        source = self.get_file(actor, file_id)  # FilesControllerHelper.CopyFileAsAsync: GetFileAsync first
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
        # FileDao.SaveFileAsync "make lowerCase": ReplaceFileExtension(title, GetFileExtension(title)).
        dot = title.rfind(".")
        if dot > 0:
            title = title[:dot] + title[dot:].lower()
        # CreateNewFileAsync copies the template's stream, so the copy is a form when the source
        # is one (a conversion makes no form); FileDao.SaveFileAsync then refuses a non-form in a
        # Form filling room with a plain Exception, which GenerateException passes on: HTTP 500.
        is_form = source.is_form and same_extension
        if self.refuses_file(dest, is_form):
            raise e.ServerError(e.MSG_UPLOAD_TO_FORM_ROOM)
        copy = File(self.state.new_id(), title, dest.id, source.size, self._now(), actor.id, is_form=is_form)
        self.state.add_file(copy)
        self._touch()
        return copy


def _extension(title: str) -> str:
    dot = title.rfind(".")
    return title[dot:].casefold() if dot > 0 else ""
