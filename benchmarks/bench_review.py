"""Benchmark: the review step's own work on a 100,000-row list, next to validating it.

Run: ``.venv/bin/python benchmarks/bench_review.py``. Not a test: timings depend on the machine,
so each figure is also given as a ratio to validating the same table in the same run (what any
edit costs anyway, since an edit validates the whole table again).

Measured on one 100,000-row CSV whose e-mails use 500 company domains, two providers and one
provider typo (``gmial.com``), so about a fifth of the rows get a suggestion:
* ``validate`` (the reference), one cell edit merged and applied, ``tidy_emails``,
  ``suggestions`` (cold: domain caches cleared), the corrected CSV, and a draft saved and loaded.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from onboarding import suggest
from onboarding.drafts import Draft, DraftStore
from onboarding.ingest import read_table
from onboarding.ingest.models import IngestSettings
from onboarding.ingest.rows import clear_email_cache
from onboarding.ingest.validation import validate
from onboarding.review import Edits, apply_edits, corrected_csv, suggestions, tidy_emails

ROWS = 100_000


def make_csv(rows: int) -> bytes:
    rng = random.Random(1)
    lines = ["Client ID,Company,E-mail,Account manager"]
    for i in range(rows):
        domain = rng.choice(
            ["gmail.com", f"acme-{i % 500}.de", "gmial.com", "web.de", f"co{i % 500}.example"]
        )
        lines.append(f"C-{i},Company {i},user{i}@{domain},am{i % 20}@example.com")
    return "\n".join(lines).encode()


def timed(label: str, fn: Callable[[], object], reference: float | None) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    ratio = f"  ({seconds / reference:.2f}x validate)" if reference else ""
    print(f"{label:<34} {seconds:7.3f} s{ratio}")
    return seconds


def main() -> None:
    data = make_csv(ROWS)
    raw = read_table(data, "big.csv")
    settings = IngestSettings()
    clear_email_cache()
    reference = timed("validate (reference)", lambda: validate(raw, None, settings), None)
    mapping = validate(raw, None, settings).mapping
    edit = {(50_000, "E-mail"): "fixed@example.com"}
    timed("merge + apply one edit", lambda: apply_edits(raw, Edits().merged(edit, raw)), reference)
    timed("tidy_emails", lambda: tidy_emails(raw, mapping), reference)
    suggest._fix_domain.cache_clear()
    suggest._plain.cache_clear()
    found: list[object] = []
    timed("suggestions (cold)", lambda: found.extend(suggestions(raw, mapping)), reference)
    print(f"{'':<34} {len(found):,} suggestions")
    timed("corrected CSV", lambda: corrected_csv(raw), reference)
    with tempfile.TemporaryDirectory() as folder:
        store = DraftStore(Path(folder))
        draft = Draft(name="big.csv", data=data, edits={"": Edits().merged(edit, raw)}, selected=None)
        timed("draft save (first)", lambda: store.save("bench", draft), reference)
        timed("draft save (same file)", lambda: store.save("bench", draft), reference)
        timed("draft load", lambda: store.load("bench"), reference)


if __name__ == "__main__":
    main()
