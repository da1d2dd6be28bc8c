"""``DocSpaceClient``: typed methods for the DocSpace endpoints the product uses.

One instance holds one channel to the portal (its kept-alive connections are shared by the engine's
worker threads; it keeps no cookies, so it holds no per-answer state). Every method is one
HTTP call or one paged listing (the room-template calls are in ``templates.py``); nothing here retries — retries belong to the engine, which knows
whether a write may be repeated safely.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from onboarding.docspace import _envelope, _transport
from onboarding.docspace.bodies import PAGE_SIZE, Invitation, LinkRequest, tag_chunks
from onboarding.docspace.enums import LinkType, RoomType, SearchArea
from onboarding.docspace.models import (
    File,
    Folder,
    FolderContent,
    InvitationSettings,
    Link,
    Member,
    PasswordPolicy,
    ShareResult,
    User,
)
from onboarding.docspace.operations import OperationCalls
from onboarding.docspace.templates import TemplateCalls
from onboarding.errors import NotFound, UnexpectedResponse
from onboarding.redact import for_display

M = TypeVar("M", bound=BaseModel)


class DocSpaceClient(TemplateCalls, OperationCalls):
    """A client for one portal and one API key.

    Args:
        base_url: the portal address, e.g. ``https://acme.onlyoffice.com``; https is required
            except for loopback hosts.
        api_key: a DocSpace API key (``sk-...``); it is only ever put in the Authorization header.
        timeout: (connect, read) seconds for every call.
        pool_size: connections kept per host; at least the number of concurrent workers.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: tuple[float, float] = _transport.DEFAULT_TIMEOUT,
        pool_size: int = 32,
        on_request: Callable[[str, str, int | None, float], None] | None = None,
    ) -> None:
        key = _transport.check_api_key(api_key or "")
        self.address = _transport.PortalAddress.parse(base_url)
        self.timeout = timeout
        self._channel = _transport.build_channel(self.address, key, pool_size=pool_size)
        self._on_request = on_request

    def __repr__(self) -> str:  # never show the key
        return f"DocSpaceClient({self.address.base!r})"

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> DocSpaceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        return self.address.base

    # -- plumbing -------------------------------------------------------------------------------

    def call(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, body: Any = None
    ) -> _envelope.Envelope:
        """One API call: ``path`` is relative to ``/api/2.0/``. Raises the mapped error."""
        shown = f"/api/2.0/{path.lstrip('/')}"
        started = time.monotonic()
        status: int | None = None
        try:
            resp = _transport.send(
                self._channel,
                method,
                shown,
                path=shown,
                params=params,
                body=body,
                timeout=self.timeout,
            )
            status = resp.status_code
            return _envelope.unwrap(method, shown, resp)
        finally:
            if self._on_request is not None:
                self._on_request(method, shown, status, time.monotonic() - started)

    def _parse(self, model: type[M], data: Any, method: str, path: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = for_display(".".join(str(p) for p in first.get("loc", ())))  # keys come from the network
            raise UnexpectedResponse(
                f"the answer does not fit {model.__name__} ({where}: {first.get('msg')})",
                method=method,
                path=f"/api/2.0/{path}",
                status=200,
            ) from None

    def _get_one(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> M:
        env = self.call("GET", path, params=params)
        return self._parse(model, env.response, "GET", path)

    def _write_one(self, model: type[M], method: str, path: str, body: Any) -> M:
        env = self.call(method, path, body=body)
        if env.response is None:
            raise UnexpectedResponse(
                "the portal answered without a result (nothing was created)",
                method=method,
                path=f"/api/2.0/{path}",
                status=200,
            )
        return self._parse(model, env.response, method, path)

    def _iter_list(self, model: type[M], path: str, params: dict[str, Any] | None = None) -> Iterator[M]:
        """Walk a paged list endpoint whose ``response`` is an array and whose envelope has ``total``."""
        start = 0
        while True:
            env = self.call("GET", path, params={**(params or {}), "startIndex": start, "count": PAGE_SIZE})
            items = env.response or []
            if not isinstance(items, list):
                raise UnexpectedResponse("expected a list", method="GET", path=f"/api/2.0/{path}", status=200)
            for item in items:
                yield self._parse(model, item, "GET", path)
            start += len(items)
            total = env.total if env.total is not None else start
            if not items or start >= total:
                return

    def _iter_content(self, path: str, params: dict[str, Any] | None = None) -> Iterator[FolderContent]:
        """Walk a FolderContentDto listing page by page (rooms list, folder contents)."""
        start = 0
        while True:
            env = self.call("GET", path, params={**(params or {}), "startIndex": start, "count": PAGE_SIZE})
            page = self._parse(FolderContent, env.response, "GET", path)
            yield page
            got = len(page.files) + len(page.folders)
            start += got
            if got == 0 or start >= page.total:
                return

    # -- people ---------------------------------------------------------------------------------

    def me(self) -> User:
        """The account the API key acts as (rooms created with the key are owned by it)."""
        return self._get_one(User, "people/@self")

    def user_by_email(self, email: str) -> User:
        """The portal account with this e-mail; raises NotFound ("The user could not be found")."""
        return self._get_one(User, "people/email", {"email": email})

    def find_user_by_email(self, email: str) -> User | None:
        """Like :meth:`user_by_email` but None when there is no such (visible) account."""
        try:
            return self.user_by_email(email)
        except NotFound:
            return None

    def search_people(self, text: str = "", *, employee_type: int | None = None) -> list[User]:
        """People whose name or e-mail contains ``text`` (all pages)."""
        params: dict[str, Any] = {}
        if text:
            params["filterValue"] = text
        if employee_type is not None:
            params["employeeType"] = employee_type
        return list(self._iter_list(User, "people/filter", params))

    def invitation_settings(self) -> InvitationSettings:
        """``GET settings/invitationsettings``: may guests be invited (by e-mail) on this portal?"""
        return self._get_one(InvitationSettings, "settings/invitationsettings")

    def password_policy(self) -> PasswordPolicy:
        """``GET settings/security/password``: the portal's password policy, which external-link
        passwords must meet too."""
        return self._get_one(PasswordPolicy, "settings/security/password")

    # -- rooms ----------------------------------------------------------------------------------

    def create_room(self, title: str, room_type: RoomType, *, tags: Sequence[str] = ()) -> Folder:
        """Create a room. Titles are not unique on the server: look first when retrying."""
        body: dict[str, Any] = {"title": title, "roomType": int(room_type)}
        if tags:
            body["tags"] = list(tags)
        return self._write_one(Folder, "POST", "files/rooms", body)

    def get_room(self, room_id: int) -> Folder:
        return self._get_one(Folder, f"files/rooms/{room_id}")

    def find_rooms_by_tags(
        self, tags: Sequence[str], *, search_area: SearchArea = SearchArea.ANY
    ) -> list[Folder]:
        """Rooms carrying any of ``tags``, active or archived.

        Tags go as many to a request as fit (as a JSON-array string, the form the server parses):
        at most 100, and the encoded query at most ``TAG_QUERY_LIMIT`` characters, because the
        server refuses request lines over 8 KB with 414 (Kestrel's ``MaxRequestLineSize``).
        Looking up N short tags costs ceil(N/100) requests when each matches at most one room.
        """
        rooms: dict[int, Folder] = {}
        for chunk in tag_chunks(tags):
            params = {"tags": json.dumps(chunk, ensure_ascii=False), "searchArea": int(search_area)}
            for page in self._iter_content("files/rooms", params):
                for room in page.folders:
                    rooms[room.id] = room
        return list(rooms.values())

    def list_rooms(self, *, search_area: SearchArea = SearchArea.ACTIVE, text: str = "") -> list[Folder]:
        params: dict[str, Any] = {"searchArea": int(search_area)}
        if text:
            params["filterValue"] = text
        return [room for page in self._iter_content("files/rooms", params) for room in page.folders]

    def add_room_tags(self, room_id: int, names: Sequence[str]) -> Folder:
        return self._write_one(Folder, "PUT", f"files/rooms/{room_id}/tags", {"names": list(names)})

    # -- folders and files ----------------------------------------------------------------------

    def folder_contents(self, folder_id: int | str) -> FolderContent:
        """All files and sub-folders of a folder or room (every page merged)."""
        files: list[File] = []
        folders: list[Folder] = []
        current: Folder | None = None
        for page in self._iter_content(f"files/{folder_id}"):
            files.extend(page.files)
            folders.extend(page.folders)
            current = current or page.current
        return FolderContent(
            files=files, folders=folders, current=current, count=len(files) + len(folders),
            total=len(files) + len(folders),
        )  # fmt: skip

    def get_file(self, file_id: int) -> File:
        """A file's details (to check a template by id)."""
        return self._get_one(File, f"files/file/{file_id}")

    def my_documents(self) -> FolderContent:
        """The key owner's "My documents" (where template files usually live)."""
        return self.folder_contents("@my")

    def create_folder(self, parent_id: int, title: str) -> Folder:
        """Create a folder; the server does not rename or refuse duplicates: look first."""
        return self._write_one(Folder, "POST", f"files/folder/{parent_id}", {"title": title})

    def copy_file_as(self, file_id: int, dest_folder_id: int, dest_title: str) -> File:
        """Copy a file under a new title (same extension: a plain copy, duplicates coexist)."""
        body = {"destFolderId": dest_folder_id, "destTitle": dest_title}
        return self._write_one(File, "POST", f"files/file/{file_id}/copyas", body)

    # -- access and links -----------------------------------------------------------------------

    def share_room(
        self,
        room_id: int,
        invitations: Sequence[Invitation],
        *,
        notify: bool = False,
        message: str | None = None,
        culture: str | None = None,
    ) -> ShareResult:
        """Set members' access. ``warning``/``error`` of a 200 answer are returned, not dropped."""
        if not invitations:
            raise ValueError("share_room needs at least one invitation (an empty list is a silent no-op)")
        body: dict[str, Any] = {"invitations": [i.to_wire() for i in invitations], "notify": notify}
        if message:
            body["message"] = message
        if culture:
            body["culture"] = culture
        env = self.call("PUT", f"files/rooms/{room_id}/share", body=body)
        return self._parse(ShareResult, env.response or {}, "PUT", f"files/rooms/{room_id}/share")

    def room_members(self, room_id: int) -> list[Member]:
        """Everyone the room is shared with (the owner appears with access 1 and ``isOwner``)."""
        return list(self._iter_list(Member, f"files/rooms/{room_id}/share"))

    def room_links(self, room_id: int, link_type: LinkType | None = None) -> list[Link]:
        params = {"type": int(link_type)} if link_type is not None else None
        env = self.call("GET", f"files/rooms/{room_id}/links", params=params)
        items = env.response or []
        return [self._parse(Link, item, "GET", f"files/rooms/{room_id}/links") for item in items]

    def primary_link(self, room_id: int) -> Link:
        """The room's primary external link (``GET files/rooms/{id}/link``; the server makes it if absent)."""
        return self._get_one(Link, f"files/rooms/{room_id}/link")

    def set_room_link(self, room_id: int, request: LinkRequest) -> Link | None:
        """Create or update a link; None when the server stored nothing (e.g. access 0 = delete)."""
        env = self.call("PUT", f"files/rooms/{room_id}/links", body=request.to_wire())
        if env.response is None:
            return None
        return self._parse(Link, env.response, "PUT", f"files/rooms/{room_id}/links")
