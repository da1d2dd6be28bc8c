"""Portal-wide limits that no retry and no other client can get past: the invitation budget and
the room quota.

When one client's call meets either, every later client would meet it too, so the run stops
starting clients (they are *deferred*, with the portal's reason in plain words) and a client
already in flight stops before the step that needs what ran out; a client past that step
finishes. Nothing further is written for a client that cannot finish, and the half-done client
keeps its progress, so the next run (after the limit is raised) resumes it.

Server facts (ONLYOFFICE/DocSpace-server v3.7.2):

* invitation budget: ``MaxEmailInvitationsAttribute`` (common/ASC.Api.Core/Model/EmailInvitationDto.cs)
  fails model validation of ``PUT files/rooms/{id}/share`` with 400 and the message
  "Invitation limit is exceeded" (``UserInvitationLimitHelper`` keeps the budget);
* room quota: ``FileStorageService.CreateRoomAsync`` → ``CountRoomChecker.CheckAppend`` throws
  ``TenantQuotaException`` ("The number of rooms should not exceed N"), which
  ``CustomExceptionHandler`` answers with 402.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from onboarding.errors import BadRequest, DocSpaceError, PaymentRequired, WorkflowError
from onboarding.workflow.status import Step

INVITATION_LIMIT_MESSAGE = "Invitation limit is exceeded"
"""The server's validation message when a share request holds more e-mails than the budget left."""


@dataclass(frozen=True)
class PortalLimit:
    """A limit the portal reached: the first step that needs what ran out, and why, for people."""

    step: Step
    reason: str
    every_step: bool = False
    """No step gets past it (the daily write budget: every write is refused), not only ``step``."""


class PortalLimitReached(WorkflowError):
    """A portal-wide limit stops this client (and the run's further clients): deferred, not failed."""

    def __init__(self, limit: PortalLimit) -> None:
        super().__init__(limit.reason)
        self.limit = limit


def portal_limit(exc: DocSpaceError) -> PortalLimit | None:
    """The portal-wide limit a failed call ran into, or None when it is this client's own failure."""
    said = exc.server_message or str(exc)
    if isinstance(exc, BadRequest) and INVITATION_LIMIT_MESSAGE.casefold() in said.casefold():
        return PortalLimit(
            Step.ACCESS,
            "the portal's e-mail invitation limit is used up (DocSpace: "
            f'"{INVITATION_LIMIT_MESSAGE}"); no more clients can be invited by e-mail until an '
            "administrator raises the limit or it refills (after 24 hours by default) — run again then",
        )
    if isinstance(exc, PaymentRequired):
        return PortalLimit(
            Step.ROOM,
            f'the portal\'s tariff allows no more rooms (DocSpace: "{said}"); archive or delete rooms, '
            "or upgrade the tariff, then run again",
        )
    return None


class LimitBoard:
    """The run's record of the first portal-wide limit reached (shared by its worker threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._limit: PortalLimit | None = None

    def hit(self, limit: PortalLimit) -> None:
        with self._lock:
            if self._limit is None:
                self._limit = limit

    @property
    def limit(self) -> PortalLimit | None:
        with self._lock:
            return self._limit

    @property
    def reason(self) -> str:
        limit = self.limit
        return limit.reason if limit else ""

    def blocks(self, step: str, progress: dict[str, Any]) -> PortalLimit | None:
        """The limit, when a client about to run ``step`` has yet to pass the limited step."""
        limit = self.limit
        if limit is None:
            return None
        if limit.every_step:
            return limit
        if progress.get(limit.step) is not None and step != limit.step:
            return None  # past what ran out: the client can finish
        return limit
