"""Copy titles as the portal stores them: lower-cased extension, long titles cut in the stem."""

from __future__ import annotations

from support.engine import Harness, make_clients

from onboarding.blueprint import Blueprint
from onboarding.titles import file_title

SOURCE = "@my/Welcome to your client room.pdf"


def _copies(h: Harness, client_id: str) -> list[str]:
    room = next(r for r in h.rooms() if f"client:{client_id}" in r["tags"])
    return [f for folder in room["folders"] for f in folder["files"]]


def test_file_title_keeps_the_extension_and_lowers_its_case() -> None:
    """166-170 characters lose stem characters, never the extension; the extension is lower-cased."""
    for n in range(166, 171):
        title = "S" * (n - 4) + ".PDF"
        out = file_title(title)
        assert out.endswith(".pdf") and len(out) == 165, (n, out)
    assert file_title("Report.DOCX") == "Report.docx"


def test_upper_case_and_long_copy_titles_are_found_again_on_a_rerun(harness: Harness) -> None:
    """Copies titled 'X.PDF' and 168 characters long land once; a second run writes nothing."""
    long_title = "L" * 164 + ".Pdf"
    bp = Blueprint.from_dict(
        {"templates": [{"source": SOURCE, "title": "Welcome.PDF"}, {"source": SOURCE, "title": long_title}]}
    )
    (c,) = make_clients(1)
    assert harness.engine(bp).run([c]).exit_code == 0
    assert sorted(_copies(harness, c.client_id)) == sorted(["Welcome.pdf", "L" * 161 + ".pdf"])
    before = len(harness.writes_logged())
    harness.journal_path.unlink()  # no journal: the copies must be found by their stored titles
    assert harness.engine(bp).run([c]).exit_code == 0
    assert len(harness.writes_logged()) == before
    assert len(_copies(harness, c.client_id)) == 2
