"""The steps of onboarding one client, in order: one module each, one registry.

:data:`REGISTRY` is the only list of steps. The dry run names them from it (``plan.STEPS``) and
adds up their cost from it, the engine's :class:`~onboarding.workflow.job.ClientJob` runs them
from it, and the CLI and the dashboard draw their columns from it. Adding a step is one module
with a class like those below (see :class:`~onboarding.workflow.steps.base.ClientStep`), one
member in :class:`~onboarding.workflow.status.Step`, and one line here.
"""

from __future__ import annotations

from onboarding.workflow.steps.access import AccessStep
from onboarding.workflow.steps.base import ClientStep, Refill, StepBase, StepContext, StepEvent, StepFailed
from onboarding.workflow.steps.contents import FilesStep, FoldersStep
from onboarding.workflow.steps.link import LinkStep
from onboarding.workflow.steps.record import RecordStep, room_web_url
from onboarding.workflow.steps.room import RoomStep
from onboarding.workflow.steps.verify import VerifyStep

__all__ = [
    "REGISTRY",
    "ClientStep",
    "Refill",
    "StepBase",
    "StepContext",
    "StepEvent",
    "StepFailed",
    "room_web_url",
]

REGISTRY: tuple[ClientStep, ...] = (
    RoomStep(),
    FoldersStep(),
    FilesStep(),
    AccessStep(),
    LinkStep(),
    VerifyStep(),
    RecordStep(),
)
"""Every step, in the order a client goes through them."""
