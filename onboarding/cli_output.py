"""What the command line prints: the plan, live progress, and a terminal-safe output stream.

Kept apart from the sub-commands in ``cli.py`` so that the commands read as what they do, and
so that everything that reaches a terminal goes through one place that masks secrets and escapes
control characters.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from onboarding import redact
from onboarding.workflow.identity import identity_lines
from onboarding.workflow.status import is_final

if TYPE_CHECKING:
    from onboarding.workflow.plan import BatchPlan
    from onboarding.workflow.steps import StepEvent


def print_plan(plan: BatchPlan, out: TextIO) -> None:
    """The plan, a line per client (and its reasons, conflicts and notes), then the summary.

    Why built as a list and written once: 10,000 clients made 20,000 writes through
    :class:`Terminal` (each masking and escaping on its own), 0.1-0.2 s of a 1.5 s ``plan``.
    """
    segmented = bool(plan.context.blueprint.segments)
    lines: list[str] = []
    add = lines.append
    for cp in plan.clients:
        action = cp.action
        extra = f" at {cp.resume_step}" if action == "resume" else ""
        blueprint = f"\t[{cp.blueprint_name or '?'}]" if segmented else ""
        add(f"{cp.client_id}\t{action}{extra}\t{cp.title}{blueprint}")
        if cp.reasons:
            lines.extend(f"    {action}: {r}" for r in cp.reasons)
        if cp.identity:
            lines.extend(f"    {line}" for line in identity_lines(cp))
        if cp.warnings:
            lines.extend(f"    note: {w}" for w in cp.warnings)
    s = plan.summary()
    add(
        f"\n{s['clients']} client{'' if s['clients'] == 1 else 's'}: {s['create']} to create, {s['resume']} to resume, {s['done']} done, "
        + (f"{s['skip']} skipped (offboarded or rolled back), " if s["skip"] else "")
        + f"{s['blocked']} blocked, {s['conflict']} in conflict; about {s['writes']} writes and {s['reads']} reads"
    )
    shared = [group for group in plan.blocked_reasons() if len(group.ids) > 1]
    for group in shared[:5]:  # many clients blocked for one reason: said once, counted
        lines.append(f"{len(group.ids)} blocked: {group.reason} ({group.some})")
    lines.extend(f"warning: {problem}" for problem in plan.problems)
    write_lines(out, lines)


def run_line(run_id: str, summary: Mapping[str, Any]) -> str:
    """A run's one-line outcome in words: ``run ID: 3 onboarded, 1 failed in 0.04 s; 24 writes, …``
    (it printed a JSON object and a Python dict side by side)."""
    counts: Mapping[str, int] = summary.get("counts") or {}
    outcome = ", ".join(f"{n} {status}" for status, n in counts.items()) or "no clients"
    stats: Mapping[str, int] = summary.get("stats") or {}
    calls = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in stats.items())
    elapsed = float(summary.get("elapsed") or 0)
    return f"run {run_id}: {outcome} in {elapsed:.2f} s" + (f"; {calls}" if calls else "")


def waited_line(throttle: Mapping[str, Any]) -> str:
    """How long the run waited for the portal's rate window, and the pace it kept (and why); empty
    when it did not wait: an operator should see whether the limit was announced or assumed."""
    waited = float(throttle.get("waited_s") or 0)
    if waited < 0.5:
        return ""
    line = f"waited {waited:.0f}s for the portal's rate limit"
    per, window = throttle.get("requests_per_window"), throttle.get("window_s")
    if isinstance(per, int) and isinstance(window, int | float):
        line += f" (paced at {per:,} requests per {window:g} s: {throttle.get('pace_source') or 'set'})"
    return line


def write_lines(out: TextIO, lines: list[str]) -> None:
    """``print(line, file=out)`` for each line, in one write (see :meth:`Terminal.write_lines`)."""
    if isinstance(out, Terminal):
        out.write_lines(lines)
    else:
        out.write("".join(f"{line}\n" for line in lines))


class Progress:
    """A one-line progress bar on a terminal; plain event lines otherwise.

    Called from every worker thread at once: one lock keeps each line whole (``print`` writes a
    line and its break separately, so two clients' lines ran together) and the counts exact.
    """

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(1, total)
        self.stream = stream
        self.tty = stream.isatty()
        self.finished = 0
        self.failed = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, e: StepEvent) -> None:
        with self._lock:
            self._show(e)

    def _show(self, e: StepEvent) -> None:
        final = is_final(e.step, e.outcome)
        if final:
            self.finished += 1
            self.failed += e.outcome in ("failed", "blocked", "locked")
        if self.tty and e.outcome == "waiting":  # a rate-limit wait must not look like a hang
            self.stream.write(f"\r{e.detail} ({time.monotonic() - self.started:.0f}s elapsed) ")
            self.stream.flush()
        elif self.tty:
            if final or e.outcome == "failed":
                width = 30
                done = int(width * self.finished / self.total)
                bar = "#" * done + "-" * (width - done)
                self.stream.write(
                    f"\r[{bar}] {self.finished}/{self.total} clients, {self.failed} failed, "
                    f"{time.monotonic() - self.started:.0f}s "
                )
                self.stream.flush()
        elif final or e.outcome in ("failed", "retry", "waiting"):
            detail = f": {e.detail}" if e.detail else ""
            self.stream.write(f"{e.client_id}\t{e.step}\t{e.outcome}{detail}\n")
            self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Terminal:
    """A text stream that masks secrets and escapes control characters in everything it prints.

    Client names, ids and portal messages are data from outside: printed raw, an ESC sequence in
    a name could retitle the terminal, clear it or forge a hyperlink. Only the line breaks, tabs
    and carriage returns of the CLI's own layout pass through.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(redact.printable(redact.redact(text), keep="\n\r\t"))

    def write_lines(self, lines: list[str]) -> None:
        """Exactly what printing each line on its own would write, in one write where that is safe.

        Masking one line at a time and masking the joined text differ only where a mask would
        reach across a line break (``Bearer`` at a line's end, a token on the next). Every match
        within a line is a match in the joined text too, so when the joined text has none, no
        line has one, and the joined text, escaped as a whole (escaping is per character), is
        the same bytes. Otherwise the lines go out one by one, as ``print`` would.
        """
        text = "".join(f"{line}\n" for line in lines)
        if redact.redact(text) == text:
            self._stream.write(redact.printable(text, keep="\n\r\t"))
            return
        for line in lines:
            self.write(line)
            self.write("\n")

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()


def discard_stdout() -> None:
    """Point standard output at /dev/null so that the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
