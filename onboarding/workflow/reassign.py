"""A finished client's account manager changed in the file: said by the plan, done only on request.

Teams reassign clients when an account manager leaves or a portfolio moves, and then upload the
sheet with the new names. Taking a person's access to a client's room away because a cell changed
would surprise, so by default the room keeps its manager and the plan says so. When the person
chooses to hand the room over (the CLI's ``--hand-over``, the Onboard page's "Hand over"), the
client resumes at the access step: the new manager is invited with the blueprint's manager role,
and the previous manager's access is removed (never the key's own account, the room's owner, or
the client's own address).

Who is to be removed is decided here, at plan time, and kept in the client's progress document
before the first write (``REMOVALS``): a run that fails or is killed half way leaves it there, and
the next run, whatever its options, finishes the removal instead of calling the client done.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from onboarding.workflow.status import Action, Step

if TYPE_CHECKING:
    from onboarding.workflow.plan import BatchPlan, ClientPlan

__all__ = [
    "CLIENT_IS_MANAGER",
    "REMOVALS",
    "REMOVED",
    "apply_manager_change",
    "change_lines",
    "hand_over_lines",
    "manager_json",
    "note_manager_change",
    "note_unfinished_hand_over",
    "plan_removals",
    "replaced_email",
]

REMOVALS = "access_remove"
"""Progress key: ``[[email, why], …]`` the access step still has to take out of the room (a
previous manager's entry also names the manager the hand-over invited: see :func:`plan_removals`)."""
PREVIOUS_MANAGER = "the previous account manager"
ABANDONED = "the manager of a hand-over that did not finish"
REPLACED_ADDRESS = "the replaced address"

CLIENT_IS_MANAGER = "the client's e-mail is the account manager's: invited once, as manager"
REMOVED = "; {email} ({why}) removed"
"""How the access step's journal event names each person it took out of the room (the journal
keeps events as text; :func:`change_lines` reads them back)."""
_REMOVED = re.compile(r"; ([^;()]+?) \(([^()]*)\) removed")

_KEPT = "unless the room is handed over (then {new} gets it{removed})"


def _removed(was: str, me: str) -> str:
    if not was:
        return ""
    if was.casefold() == me.casefold():
        return f"; {was}, the API key's own account, keeps its access"
    return f" and {was}'s access is removed"


def note_manager_change(plan: ClientPlan, was: str, new: str, *, me: str, whose: str = "the journal") -> None:
    """Remember that the row names ``new`` where the journal's finished client has ``was``
    (either may be empty: no manager); the plan says what a hand-over would do. ``whose`` names
    where ``was`` comes from (an unfinished hand-over: see :func:`note_unfinished_hand_over`)."""
    plan.manager_named = new  # kept apart: the plan's manager may become the kept one
    if not new:
        plan.warnings.append(f"the file names no account manager, {whose} {was}: the room keeps {was}")
        if plan.action == Action.RESUME:  # this run invites: keep the manager it was going to have
            keep_manager(plan, was, "kept: the file names none")
        return
    client = (plan.client.email or "").strip().casefold()
    if new.casefold() == client:  # the row's manager notes do not apply: nobody is invited
        stale = {plan.manager.note if plan.manager else "", CLIENT_IS_MANAGER}
        plan.warnings = [w for w in plan.warnings if w not in stale]
        keep_manager(plan, was, "kept: the file names the client's own address")
        plan.warnings.append(
            f"the file names the client's own address {new} as account manager, {whose} "
            f"{was or 'has none'}: the room is not handed over to the client"
        )
        return
    plan.manager_before = was
    kept = _KEPT.format(new=new, removed=_removed(was, me))
    plan.warnings.append(
        f"the file names {new} as account manager, {whose} {was or 'has none'}: the room keeps "
        f"{was or 'no account manager'} {kept}"
    )


def note_unfinished_hand_over(plan: ClientPlan, progress: Mapping[str, Any], *, me: str) -> None:
    """An earlier run began handing the room from P to T and did not finish, and this row names
    a third manager, M. The hand-over asked for is still what happens (the next run finishes it,
    whatever its options): the room keeps T and loses P, and the plan says M can have it by a
    hand-over, which then takes T out with P. (A row naming T finishes it; naming P goes back:
    :func:`plan_removals`.)"""
    if plan.action != Action.RESUME or plan.manager_before is not None:
        return
    pending = [e for e in progress.get(REMOVALS) or [] if len(e) > 2 and e[1] == PREVIOUS_MANAGER and e[2]]
    if not pending:
        return
    was, target = str(pending[-1][0]), str(pending[-1][2])
    new = plan.manager.email if plan.manager else ""
    if new.casefold() not in {target.casefold(), was.casefold()}:
        note_manager_change(plan, target, new, me=me, whose="an unfinished hand-over names")


def apply_manager_change(plan: ClientPlan, *, hand_over: bool, me: str) -> None:
    """With ``hand_over`` the manager change is carried out; without it only the plan's note stays.

    The client resumes at the access step, which invites the new manager and removes the previous
    one; verification then reads the room again. A row that is a conflict (another client under
    this id) is never handed over: its note goes, the conflict says what matters.
    """
    if plan.manager_before is None:
        return
    if plan.action == Action.CONFLICT:
        plan.manager_before = None
        plan.warnings = [w for w in plan.warnings if "unless the room is handed over" not in w]
        return
    if not hand_over or plan.action not in (Action.DONE, Action.RESUME):
        if plan.action == Action.RESUME:  # reopened for another reason (a new e-mail): keep the manager
            keep_manager(plan, plan.manager_before, "kept: no hand-over")
        return
    was = plan.manager_before
    new = plan.manager.email if plan.manager else ""
    plan.update_manager = True
    plan.warnings = [w for w in plan.warnings if "unless the room is handed over" not in w]
    if plan.manager is not None and plan.manager.role is not None:
        said = f"the room is handed over to {new}, invited as {plan.manager.role.label}"
    else:  # the key's own account: it owns the room already, nobody is invited
        said = f"the room is handed over to {new}, the API key's own account (it owns the room)"
    plan.warnings.append(said + _removed(was, me))
    plan.action = Action.RESUME
    if plan.resume_step not in (Step.ROOM, Step.FOLDERS, Step.FILES, Step.ACCESS):
        plan.resume_step = Step.ACCESS


def keep_manager(plan: ClientPlan, email: str, why: str) -> None:
    """The plan keeps the room's manager ``email`` (nobody invited; the journal keeps the address)
    instead of the one the row names."""
    from onboarding.workflow.context import ManagerDecision  # pydantic: not for the CLI's --help

    plan.manager = ManagerDecision(email, None, None, note=why, kept=True)


def needed_in_room(plan: ClientPlan, me: str) -> set[str]:
    """Addresses (casefolded) nobody may take out of the client's room: its manager, the client's
    current address, and ``me``, the API key's own account (the owner is skipped by the step)."""
    manager = plan.manager.email if plan.manager else ""
    return {(manager or "").casefold(), (plan.client.email or "").strip().casefold(), me.casefold()} - {""}


def replaced_email(plan: ClientPlan) -> str:
    """The client's previous e-mail when this run updates the record to a new one; else empty."""
    if not plan.update_identity or "email" not in plan.identity:
        return ""
    old = plan.identity["email"][0].strip()
    new = (plan.client.email or "").strip()
    return old if old.casefold() != new.casefold() else ""


def plan_removals(plan: ClientPlan, progress: Mapping[str, Any], *, me: str) -> list[list[str]]:
    """``[email, why]`` (``[email, why, new manager]`` for a hand-over) of each person the client's
    run takes out of the room.

    A replaced client address and a replaced manager (when this run updates or hands over), and
    any removal an earlier run decided and did not finish. Never anyone the room still needs:
    its manager, the client's current address, or the key's own account. When a file names the
    previous manager again after a hand-over that did not finish, the manager that hand-over
    invited is the one taken out: the room goes back to how it was.
    """
    if plan.action not in (Action.RESUME, Action.REPAIR):
        return []
    left = [[str(part) for part in entry] for entry in progress.get(REMOVALS) or []]
    was = (plan.manager_before or "") if plan.update_manager else ""
    new = plan.manager.email if plan.manager and was else ""
    found = [*left, [replaced_email(plan), REPLACED_ADDRESS], [was, PREVIOUS_MANAGER, new or ""]]
    keep = needed_in_room(plan, me)
    needed = [entry for entry in left if entry[0] and entry[0].casefold() in keep]
    undone = [entry[2] for entry in needed if entry[1] == PREVIOUS_MANAGER and len(entry) > 2 and entry[2]]
    found += [[e, ABANDONED] for e in undone]
    out: dict[str, list[str]] = {}
    for entry in found:
        if entry[0] and entry[0].casefold() not in keep:
            out.setdefault(entry[0].casefold(), [part for part in entry if part])
    earlier = [entry[0] for entry in left if entry[0].casefold() in out]
    if earlier:
        plan.warnings.append(
            f"{', '.join(earlier)} {'is' if len(earlier) == 1 else 'are'} taken out of the room: an "
            "earlier run began this and did not finish"
        )
    if needed:
        stays = ", ".join(entry[0] for entry in needed)
        plan.warnings.append(
            f"{stays} stay{'s' if len(needed) == 1 else ''} in the room, as this file names them again "
            "(an earlier run meant to take them out)"
            + (f"; {', '.join(undone)}, invited by that unfinished hand-over, is taken out" if undone else "")
        )
    return list(out.values())


def manager_json(plan: ClientPlan) -> dict[str, dict[str, object]]:
    """``manager_change`` of a finished client whose row names another manager (else nothing)."""
    if plan.manager_before is None:
        return {}
    new = plan.manager_named if plan.manager_named is not None else plan.manager.email if plan.manager else ""
    return {
        "manager_change": {"journal": plan.manager_before, "row": new, "handed_over": plan.update_manager}
    }


def hand_over_lines(plan: BatchPlan, statuses: Mapping[str, str]) -> list[str]:
    """After a run: each room handed over, and how many manager changes were left as they are."""
    lines = []
    for cp in plan.clients:
        handed = cp.update_manager or any(r[1] == PREVIOUS_MANAGER for r in cp.removals)
        if handed and statuses.get(cp.client_id) == "onboarded":
            new = cp.manager.email if cp.manager else ""
            gone = [r[0] for r in cp.removals if r[1] in (PREVIOUS_MANAGER, ABANDONED)]
            lines.append(
                f"{cp.client_id}: room handed over to {new}"
                + (f" ({', '.join(gone)} removed)" if gone else "")
            )
    kept = sum(1 for cp in plan.clients if cp.manager_before is not None and not cp.update_manager)
    if kept:
        lines.append(
            f"{kept} onboarded client{'s' if kept != 1 else ''} name{'' if kept != 1 else 's'} another "
            "account manager: the rooms keep theirs (`plan` lists them; `--hand-over` hands them over)"
        )
    return lines


def change_lines(
    updated: Sequence[str],
    access: Mapping[str, str],
    managers: Mapping[str, str],
    handed_over: Collection[str] = (),
) -> list[str]:
    """What a finished run changed on clients that were already onboarded, one line per client:
    ``C-1: handed over to ben@…, anna@… removed``.

    ``updated``: the finished clients whose record the run changed (its summary's ``updated``);
    ``access``: each one's access-step event (who was invited, who was taken out: :data:`REMOVED`);
    ``managers``: each client's account manager as the journal has it now; ``handed_over``: the
    clients the run's plan handed over, when that plan is at hand (a hand-over from the key's own
    account removes nobody, so the event alone cannot tell).
    """
    lines = []
    for cid in updated:
        detail = access.get(cid, "")
        removed = _REMOVED.findall(detail)
        invited = detail.split(";", 1)[0]
        manager = managers.get(cid, "")
        handed = (
            cid in handed_over
            or any(why == PREVIOUS_MANAGER for _, why in removed)
            or (bool(manager) and f"{manager} as " in invited)
        )
        line = f"{cid}: handed over to {manager}" if handed and manager else f"{cid}: record updated"
        gone = [email if why == PREVIOUS_MANAGER else f"{email} ({why})" for email, why in removed]
        if gone:
            line += f", {', '.join(gone)} removed"
        lines.append(line)
    return lines
