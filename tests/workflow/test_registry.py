"""The step registry is the one list of steps: the plan, the cost model and the engine all follow it."""

from __future__ import annotations

from typing import ClassVar

from support.engine import Harness, make_clients

from onboarding.blueprint import Blueprint
from onboarding.workflow.plan import STEPS, ClientPlan
from onboarding.workflow.status import Outcome, Step
from onboarding.workflow.steps import REGISTRY, StepBase, StepContext


class WelcomeNote(StepBase):
    """A step as another engineer would add one: a class, and one line in a registry."""

    name: ClassVar[Step] = "welcome-note"  # a real step adds a Step member
    remote: ClassVar[bool] = False

    def writes(self, blueprint: Blueprint, plan: ClientPlan, *, resume: bool) -> int:
        return 2

    def reads(self, blueprint: Blueprint, *, resume: bool) -> int:
        return 1

    def run(self, ctx: StepContext) -> str:
        ctx.progress[self.name] = {"room": ctx.room}
        ctx.save(self.name)
        return f"noted for room {ctx.room}"


def _with_note() -> tuple[StepBase, ...]:
    *work, record = REGISTRY
    return (*work, WelcomeNote(), record)


def test_the_plan_names_the_steps_from_the_registry() -> None:
    """plan.STEPS is the registry's names, each a Step, once, in the order a client goes through them."""
    assert tuple(step.name for step in REGISTRY) == STEPS
    assert STEPS == (
        Step.ROOM,
        Step.FOLDERS,
        Step.FILES,
        Step.ACCESS,
        Step.LINK,
        Step.VERIFY,
        Step.RECORD,
    )


def test_the_cost_model_adds_up_the_registry(harness: Harness) -> None:
    """A fresh client's planned writes and reads are the registry's sums; a new step's cost is counted."""
    clients = make_clients(1)
    (plain,) = harness.engine().plan(clients).clients
    bp = Blueprint()
    assert plain.writes == sum(s.writes(bp, plain, resume=False) for s in REGISTRY) == 8
    assert plain.reads == sum(s.reads(bp, resume=False) for s in REGISTRY) == 1
    (noted,) = harness.engine(steps=_with_note()).plan(clients).clients
    assert (noted.writes, noted.reads) == (plain.writes + 2, plain.reads + 1)


def test_the_engine_runs_the_registry_in_order(harness: Harness) -> None:
    """A client's step events come in registry order, each once, and end with the record's 'onboarded'."""
    result = harness.engine().run(make_clients(1))
    assert result.exit_code == 0, result.errors
    ran = [(e.step, e.outcome) for e in harness.events if e.step in STEPS]
    assert ran == [(s.name, s.outcome) for s in REGISTRY]
    assert ran[-1] == (Step.RECORD, Outcome.ONBOARDED)


def test_a_new_step_runs_where_its_registry_line_puts_it(harness: Harness) -> None:
    """One class and one registry line: the engine runs the step before the record and journals its result."""
    engine = harness.engine(steps=_with_note())
    result = engine.run(make_clients(1))
    assert result.exit_code == 0, result.errors
    steps = [e.step for e in harness.events if e.outcome in (Outcome.DONE, Outcome.ONBOARDED)]
    assert steps[-3:] == [Step.VERIFY, "welcome-note", Step.RECORD]
    note = next(e for e in harness.events if e.step == "welcome-note")
    rec = engine.journal.get("sandbox-test", "C-0001")
    assert rec is not None and note.detail == f"noted for room {rec.room_id}"
    assert rec.progress["welcome-note"] == {"room": rec.room_id}
