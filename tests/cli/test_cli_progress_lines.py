"""The run's progress lines, written from every worker thread at once, stay whole and counted; the wait line."""

from __future__ import annotations

import threading
import time

from onboarding import cli_output
from onboarding.workflow.steps.base import StepEvent


class _SlowSink:
    """A stream whose writes yield mid-way, as a pipe's do under load: interleaving shows at once."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        for ch in text:
            current = self.text
            time.sleep(0)  # hand the GIL to another writer between characters
            self.text = current + ch
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_lines_from_many_threads_are_never_run_together() -> None:
    """Eight workers ending clients together: one whole line per client and every finish counted."""
    sink = _SlowSink()
    progress = cli_output.Progress(80, sink)  # type: ignore[arg-type]
    start = threading.Barrier(8)

    def worker(w: int) -> None:
        start.wait()
        for i in range(10):
            progress(StepEvent("run", f"C-{w}-{i}", "record", "onboarded", "room 1"))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = sink.text.splitlines()
    assert sorted(lines) == sorted(
        f"C-{w}-{i}\trecord\tonboarded: room 1" for w in range(8) for i in range(10)
    )
    assert progress.finished == 80


def test_the_wait_line_says_the_pace_and_where_it_came_from() -> None:
    """After a wait the run says how long, at what pace and why (announced or assumed); else nothing."""
    throttle = {
        "waited_s": 55.8,
        "requests_per_window": 1455,
        "window_s": 60.0,
        "pace_source": "DocSpace's default: the portal's concurrency limiter answered (429), so its rate window is on",
    }
    assert cli_output.waited_line(throttle) == (
        "waited 56s for the portal's rate limit (paced at 1,455 requests per 60 s: DocSpace's default:"
        " the portal's concurrency limiter answered (429), so its rate window is on)"
    )
    assert cli_output.waited_line({"waited_s": 0.2, "requests_per_window": 1455, "window_s": 60.0}) == ""
