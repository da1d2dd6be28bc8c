"""What the command line prints: the plan, live progress, and a terminal-safe output stream.

Kept apart from the sub-commands in ``cli.py`` so that the commands read as what they do, and
so that everything that reaches a terminal goes through one place that masks secrets and escapes
control characters.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import TYPE_CHECKING, TextIO

from onboarding import redact
from onboarding.workflow.identity import identity_lines
from onboarding.workflow.status import is_final

if TYPE_CHECKING:
    from onboarding.workflow.plan import BatchPlan
    from onboarding.workflow.steps import StepEvent


def print_plan(plan: BatchPlan, out: TextIO) -> None:
    for cp in plan.clients:
        extra = f" at {cp.resume_step}" if cp.action == "resume" else ""
        blueprint = f"\t[{cp.blueprint_name or '?'}]" if plan.context.blueprint.segments else ""
        print(f"{cp.client_id}\t{cp.action}{extra}\t{cp.title}{blueprint}", file=out)
        for r in cp.reasons:
            print(f"    {cp.action}: {r}", file=out)
        for line in identity_lines(cp):
            print(f"    {line}", file=out)
        for w in cp.warnings:
            print(f"    note: {w}", file=out)
    s = plan.summary()
    print(
        f"\n{s['clients']} clients: {s['create']} to create, {s['resume']} to resume, {s['done']} done, "
        f"{s['blocked']} blocked, {s['conflict']} in conflict; about {s['writes']} writes and {s['reads']} reads",
        file=out,
    )


class Progress:
    """A one-line progress bar on a terminal; plain event lines otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(1, total)
        self.stream = stream
        self.tty = stream.isatty()
        self.finished = 0
        self.failed = 0
        self.started = time.monotonic()

    def __call__(self, e: StepEvent) -> None:
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
            print(f"{e.client_id}\t{e.step}\t{e.outcome}{detail}", file=self.stream, flush=True)

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

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()


def discard_stdout() -> None:
    """Point standard output at /dev/null so that the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
