"""A finished client's account manager changed in the file: said by the plan, done only on request.

Teams reassign clients when an account manager leaves or a portfolio moves, and then upload the
sheet with the new names. Taking a person's access to a client's room away because a cell changed
would surprise, so by default the room keeps its manager and the plan says so. When the person
chooses to update the record (the CLI's ``--on-conflict update``, the Onboard page's hand-over
choice), the client resumes at the access step: the new manager is invited with the blueprint's
manager role, and the previous manager's access is removed (never the key's own account's, the
room owner's, or the client's own address; see ``steps/access.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onboarding.workflow.status import Action, Step

if TYPE_CHECKING:
    from onboarding.workflow.plan import ClientPlan

__all__ = ["apply_manager_change", "note_manager_change", "replaced_manager"]

_KEPT = "the room keeps {was} unless the record is updated (then {new} gets it and {was}'s access is removed)"
_HANDED = (
    "the room is handed from {was} to {new}: {new} is invited as its manager and {was}'s access is removed"
)


def note_manager_change(plan: ClientPlan, was: str, new: str) -> None:
    """Remember that the row names ``new`` where the journal's finished client has ``was``."""
    plan.manager_before = was
    plan.warnings.append(
        f"the file names {new} as account manager, the journal {was}: " + _KEPT.format(was=was, new=new)
    )


def apply_manager_change(plan: ClientPlan, *, update: bool) -> None:
    """With ``update`` (the person updates the record to the row) the manager change is carried out.

    The client resumes at the access step, which invites the new manager and removes the previous
    one; verification then reads the room again. Without it nothing changes but the plan's note.
    """
    if not update or not plan.manager_before or plan.action not in (Action.DONE, Action.RESUME):
        return
    was, new = plan.manager_before, plan.manager.email if plan.manager else ""
    plan.update_manager = True
    kept = _KEPT.format(was=was, new=new)
    plan.warnings = [w for w in plan.warnings if not w.endswith(kept)]
    plan.warnings.append(_HANDED.format(was=was, new=new))
    plan.action = Action.RESUME
    plan.resume_step = Step.ACCESS


def replaced_manager(plan: ClientPlan) -> str:
    """The previous account manager when this run hands the client's room to a new one; else empty."""
    return plan.manager_before if plan.update_manager else ""
