"""Ctrl-C held back over a block and delivered right after it (``onboarding.workflow.interrupts``)."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from onboarding.workflow.interrupts import interrupts_deferred


def test_a_ctrl_c_inside_the_block_is_raised_once_the_block_has_run_whole() -> None:
    """SIGINT sent inside the block does not cut it short; KeyboardInterrupt comes as it ends."""
    ran = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        ran.append("after the signal")
    assert ran == ["after the signal"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_without_a_ctrl_c_the_block_runs_and_the_handler_is_put_back() -> None:
    """No signal: nothing is raised and Python's own SIGINT handler is in place again."""
    with interrupts_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_the_block_simply_runs() -> None:
    """A dashboard's worker thread may not install handlers: the block runs, nothing is raised."""
    errors: list[BaseException] = []

    def body() -> None:
        try:
            with interrupts_deferred():
                pass
        except BaseException as exc:  # the test reports any, KeyboardInterrupt too
            errors.append(exc)

    t = threading.Thread(target=body)
    t.start()
    t.join()
    assert errors == []
