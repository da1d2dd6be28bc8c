"""The room's contents: the blueprint's folders, then copies of its template files.

Both are the same loop — for each item, look in its parent when an earlier attempt may have made
it, else create it through :meth:`~onboarding.workflow.calls.Caller.ensure` — so one routine,
:meth:`ContentsStep.run`, serves both; the two steps differ only in what their items are.
DocSpace neither refuses duplicate titles nor renames on create-folder or same-extension copy
(see ``docs`` and the sandbox), which is why the look-up is by exact title and the oldest wins.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from onboarding.titles import MAX_ITEM_TITLE_LENGTH, portal_title
from onboarding.workflow import converge
from onboarding.workflow.status import Step
from onboarding.workflow.steps.base import StepBase, StepContext
from onboarding.workflow.steps.room import TEMPLATE_COMPLETE

if TYPE_CHECKING:
    from onboarding.blueprint import Blueprint
    from onboarding.docspace import File, Folder
    from onboarding.workflow.plan import ClientPlan


@dataclass(frozen=True)
class Item:
    """One thing to put in the room: where, under which title, and the write that makes it."""

    key: str
    """Its key in the step's progress entry."""
    parent: int
    title: str
    """The title as the portal stores it (what a look-up compares)."""
    create: Callable[[], File | Folder]


class ContentsStep(StepBase):
    """Creates each item once; the progress entry maps item keys to the remote ids."""

    what: ClassVar[str]
    """How a retry event names the write."""
    verb: ClassVar[str]
    files: ClassVar[bool]
    """True: the items are files (looked up among a folder's files); False: folders."""

    def items(self, ctx: StepContext) -> list[Item]:
        raise NotImplementedError

    def finished_before(self, ctx: StepContext) -> bool:
        """Done before in this attempt, or copied by a room-template job seen to end well.

        A room from a template that was *found* (a lost or half-finished job) runs the step: it
        looks for each of the template's items and copies what is missing from the template.
        A result an earlier attempt recorded is looked at again (one listing per parent): a person
        may have deleted a folder since, and a resumed client must neither copy into a folder
        that is gone (failing on every resume) nor be marked onboarded without it.
        """
        if self.name in ctx.earlier:
            return False
        made = (ctx.progress.get(Step.ROOM) or {}).get(TEMPLATE_COMPLETE, False)
        return super().finished_before(ctx) or bool(made)

    def run(self, ctx: StepContext) -> str:
        maybe = ctx.maybe_done(self.name) or self.name in ctx.earlier
        ctx.mark_started(self.name)
        done: dict[str, int] = {}
        created = 0
        for item in self.items(ctx):
            if item.key in done:
                continue
            if maybe and (earlier := self._find(ctx, item, refresh=False)) is not None:
                done[item.key] = earlier.id
                continue
            converge.mark_shared(ctx, self.name)  # before our first new item in a found room
            thing, new = ctx.caller.ensure(
                item.create,
                functools.partial(self._find, ctx, item, refresh=True),
                maybe_done=False,
                what=self.what,
            )
            created += int(new)
            done[item.key] = thing.id
        ctx.progress[self.name] = done
        ctx.save(self.name)
        return f"{created} {self.verb}, {len(done) - created} already there"

    def _find(self, ctx: StepContext, item: Item, *, refresh: bool) -> File | Folder | None:
        """The oldest item with this title in its parent (a listing read once unless ``refresh``)."""
        files, folders = ctx.listing(item.parent, refresh=refresh)
        same: list[File | Folder] = [f for f in (files if self.files else folders) if f.title == item.title]
        return min(same, key=lambda f: f.id) if same else None


class FoldersStep(ContentsStep):
    """The blueprint's folders, at the room's root."""

    name: ClassVar[Step] = Step.FOLDERS
    what, verb, files = "folder", "created", False

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        return len(blueprint.folders)  # none with a room template: its job copies them

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        return 1 if resume else 0  # the room's listing

    def items(self, ctx: StepContext) -> list[Item]:
        room = ctx.room
        return [
            Item(
                name,
                room,
                portal_title(name, MAX_ITEM_TITLE_LENGTH),
                functools.partial(ctx.api.create_folder, room, name),
            )
            for name in ctx.batch.room_folders
        ]


class FilesStep(ContentsStep):
    """Copies of the template files, each into its folder (or the room's root)."""

    name: ClassVar[Step] = Step.FILES
    what, verb, files = "file copy", "copied", True

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        return len(blueprint.templates)  # none with a room template: its job copies them

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        if not resume:
            return 0
        return 1 if blueprint.room_template else len(blueprint.folders)  # the folders' listings

    def items(self, ctx: StepContext) -> list[Item]:
        room = ctx.room
        folders: dict[str, int] = ctx.progress.get(Step.FOLDERS) or {}
        out = []
        for tpl in ctx.batch.templates:
            dest = folders.get(tpl.folder, room) if tpl.folder else room
            copy = functools.partial(ctx.api.copy_file_as, tpl.file_id, dest, tpl.dest_title)
            out.append(Item(f"{tpl.folder}/{tpl.dest_title}", dest, tpl.dest_title, copy))
        return out
