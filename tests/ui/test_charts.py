"""Chart data thinned for the browser: at most the asked number of points, first and last kept."""

from __future__ import annotations

import pandas as pd

from onboarding import RUN_ALREADY_ONBOARDED, RunRecord
from ui.charts import thin
from ui.display import OUTCOME_COLOURS, outcomes_by_run, outcomes_chart


def test_long_curves_are_thinned_keeping_both_ends() -> None:
    """2,000 points become at most 200, in order, starting and ending where the curve does."""
    frame = pd.DataFrame({"Time": range(2000), "Onboarded clients": range(1, 2001)})
    thinned = thin(frame)
    assert 100 < len(thinned) <= 200
    assert thinned["Onboarded clients"].iloc[0] == 1 and thinned["Onboarded clients"].iloc[-1] == 2000
    assert thinned["Time"].is_monotonic_increasing


def test_short_curves_are_left_alone() -> None:
    """A curve within the limit is returned whole."""
    frame = pd.DataFrame({"Time": range(5), "Onboarded clients": range(5)})
    assert thin(frame).equals(frame)


def _run(
    run_id: str, started: float, counts: dict[str, int], kind: str = "run", already: int = 0
) -> RunRecord:
    summary: dict[str, object] = {"counts": counts}
    if already:
        summary[RUN_ALREADY_ONBOARDED] = already
    return RunRecord(
        run_id=run_id, portal="p", actor="", kind=kind, started_at=started, finished_at=started + 5,
        status="finished", owner="", total=sum(counts.values()), summary=summary, blueprint={},
    )  # fmt: skip


def test_outcomes_per_run_count_what_each_batch_run_did() -> None:
    """Repairs and restores (``rerun``), audits and renewals are not charted; clients a run skipped
    as already onboarded are counted apart; runs started in the same minute read apart."""
    t = 1764608400.0  # 01 Dec 17:00 UTC
    runs = [
        _run("run-aaaa0001", t, {"onboarded": 3, "blocked": 1}),
        _run("run-aaaa0002", t + 20, {"onboarded": 2, "deferred": 2}, already=2),
        _run("run-aaaa0003", t + 40, {"onboarded": 1}, kind="rerun"),
        _run("run-aaaa0004", t + 50, {"onboarded": 1}, kind="audit"),
    ]
    frame = outcomes_by_run(runs)
    per_run = {run: dict(zip(g["Outcome"], g["Clients"], strict=True)) for run, g in frame.groupby("Run")}
    assert len(per_run) == 2
    first, second = sorted(per_run)
    assert per_run[first] == {"onboarded": 3, "blocked": 1}
    assert per_run[second] == {"already onboarded": 2, "deferred": 2}
    assert first != second and first.startswith("#1 17:00:00")


def test_outcome_colours_are_fixed_and_meaningful() -> None:
    """Onboarded is green, failed red, blocked orange, deferred grey, whatever outcomes a chart has."""
    frame = outcomes_by_run(
        [_run("run-b1", 1764608400.0, {"blocked": 1, "onboarded": 2, "failed": 1, "deferred": 1})]
    )
    scale = outcomes_chart(frame).to_dict()["encoding"]["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colours == {
        "onboarded": OUTCOME_COLOURS["onboarded"],
        "failed": OUTCOME_COLOURS["failed"],
        "blocked": OUTCOME_COLOURS["blocked"],
        "deferred": OUTCOME_COLOURS["deferred"],
    }
    assert OUTCOME_COLOURS["onboarded"] == "#2e7d32" and OUTCOME_COLOURS["failed"] == "#c62828"
