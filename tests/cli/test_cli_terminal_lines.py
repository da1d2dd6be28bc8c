"""`Terminal.write_lines` writes exactly what printing each line through the terminal would."""

from __future__ import annotations

import io

import pytest

from onboarding import cli_output, redact


def _printed(lines: list[str]) -> str:
    sink = io.StringIO()
    term = cli_output.Terminal(sink)
    for line in lines:
        print(line, file=term)
    return sink.getvalue()


def _written(lines: list[str]) -> str:
    sink = io.StringIO()
    cli_output.Terminal(sink).write_lines(lines)
    return sink.getvalue()


@pytest.mark.parametrize(
    "lines",
    [
        ["A-1\tcreate\tClient - Plain", "    note: nothing to mask"],
        ["A-1\tcreate\tClient - Token Bearer", "abcdefgh1\tcreate\tnext"],  # a mask must not cross lines
        ["key sk-abcdefghijk in a name", "B-1\tdone\tx"],
        ["escape \x1b[2J and \u202e here", "tab\tstays"],
        ["", "\nsummary after a blank line"],
    ],
)
def test_write_lines_equals_printing_each_line(lines: list[str]) -> None:
    """One write of the joined lines gives the bytes of one print per line (masks, escapes, breaks)."""
    assert _written(lines) == _printed(lines)


def test_a_registered_secret_is_masked_in_one_write() -> None:
    """A registered secret in any line is masked when the lines are written at once."""
    redact.register_secret("s3cr3t-value-for-lines")
    out = _written(["first", "has s3cr3t-value-for-lines inside"])
    assert "s3cr3t" not in out and out == _printed(["first", "has s3cr3t-value-for-lines inside"])
