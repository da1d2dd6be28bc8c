"""A rate-limit wait reads as a wait, not a hang: progress folds the wait, the words say why and how long."""

from __future__ import annotations

from pathlib import Path

from onboarding.journal import SqliteJournal
from onboarding.progress import read_progress
from onboarding.workflow.engine import RATE_WAIT, RATE_WAIT_SET
from ui import timing


def _running(tmp_path: Path) -> tuple[SqliteJournal, str]:
    journal = SqliteJournal(tmp_path / "j.sqlite3")
    run_id = journal.start_run(portal="p", actor="a", owner="o", total=24, blueprint={})
    return journal, run_id


def test_a_wait_event_gives_the_resume_time_and_its_words(tmp_path: Path) -> None:
    """The engine's wait event becomes "waiting …, resuming in 22 s" until its time has passed."""
    journal, run_id = _running(tmp_path)
    journal.add_event(run_id, "p", "*", "throttle", "waiting", RATE_WAIT.format(seconds=22))
    p = read_progress(journal, run_id)
    assert p.wait_until is not None and p.waited_s == 22
    said_at = p.wait_until - 22
    assert timing.wait_message(p, said_at + 0.4) == "Waiting for the portal's rate limit, resuming in 22 s"
    assert timing.wait_message(p, said_at + 12) == "Waiting for the portal's rate limit, resuming in 10 s"
    assert timing.wait_message(p, said_at + 23) == ""


def test_a_wait_for_a_rate_set_by_a_person_does_not_blame_the_portal(tmp_path: Path) -> None:
    """With the rate set in Settings or by --rpm, the engine's wait says so, and the page too."""
    journal, run_id = _running(tmp_path)
    journal.add_event(run_id, "p", "*", "throttle", "waiting", RATE_WAIT_SET.format(seconds=12))
    p = read_progress(journal, run_id)
    assert p.wait_until is not None and p.waited_s == 12
    said = timing.wait_message(p, p.wait_until - 11.5)
    assert said == "Waiting for the request rate set in Settings, resuming in 12 s"


def test_no_wait_message_once_the_run_has_ended(tmp_path: Path) -> None:
    """A finished run is not waiting, whatever its last event said."""
    journal, run_id = _running(tmp_path)
    journal.add_event(run_id, "p", "*", "throttle", "waiting", RATE_WAIT.format(seconds=30))
    journal.finish_run(run_id, "finished", {})
    p = read_progress(journal, run_id)
    assert timing.wait_message(p, p.wait_until - 29 if p.wait_until else 0) == ""


def _steps(journal: SqliteJournal, run_id: str, clients: range, steps: tuple[str, ...]) -> None:
    for i in clients:
        journal.add_event(run_id, "p", f"c{i}", "client", "started", "")
        for step in steps:
            journal.add_event(run_id, "p", f"c{i}", step, "done", "")


def test_live_line_shows_elapsed_and_time_left_from_the_measured_rate(tmp_path: Path) -> None:
    """6 of 24 clients in 30 s and no model: 30 s elapsed, about 90 s (2 min) left; before any
    step has ended the model's guess is said as it is, and with neither nothing is said."""
    journal, run_id = _running(tmp_path)
    _steps(journal, run_id, range(6), ())
    for i in range(6):
        journal.add_event(run_id, "p", f"c{i}", "record", "onboarded", "")
    p = read_progress(journal, run_id)
    assert p.work_done == 6
    assert timing.live_line(p, p.started_at + 30, live_eta=None) == "30 s elapsed · about 2 min left"
    fresh = read_progress(*_running(tmp_path / "fresh"))
    assert timing.live_line(fresh, fresh.started_at + 3, live_eta=40.0) == "3 s elapsed · about 40 s left"
    assert timing.live_line(fresh, fresh.started_at + 3, live_eta=None) == "3 s elapsed"
    assert timing.live_line(fresh, fresh.started_at + 0.2, live_eta=0.4) == (
        "under a second elapsed · under a second left"
    )


def test_clients_under_way_count_by_their_steps_so_the_time_left_counts_down(tmp_path: Path) -> None:
    """24 clients side by side, none finished: each with its room and folders made after 20 s
    (4 of its 9 calls) is 4/9 of the work, so 25 s are left by the rate (a run elsewhere); the
    engine's own ETA, when the run is in this process, is said as it is."""
    journal, run_id = _running(tmp_path)
    _steps(journal, run_id, range(24), ("room", "folders"))
    p = read_progress(journal, run_id)
    assert p.finished == 0 and abs(p.work_done - 24 * 4 / 9) < 1e-9
    measured = timing.time_left(p, p.started_at + 20, live_eta=None)
    assert measured is not None and abs(measured - 20 * 5 / 4) < 1e-9
    assert timing.time_left(p, p.started_at + 20, live_eta=80.0) == 80.0


def test_finished_run_says_how_long_it_waited_from_the_recorded_counts(tmp_path: Path) -> None:
    """The summary's throttle counts (waited_s, rate 429s) become one sentence; no wait, no sentence."""
    journal, run_id = _running(tmp_path)
    p = read_progress(journal, run_id)
    summary = {"throttle": {"waited_s": 22.4, "rate_429s": 1}}
    assert timing.waited_line(summary, p) == "22 s spent waiting for the portal's rate limit (1 × 429)"
    assert timing.waited_line({"throttle": {"waited_s": 0}}, p) == ""
    assumed = {
        "throttle": {"waited_s": 55.8, "rate_429s": 0, "concurrency_429s": 1}
    }  # the 429 that set the pace
    assert timing.waited_line(assumed, p) == "56 s spent waiting for the portal's rate limit (1 × 429)"
