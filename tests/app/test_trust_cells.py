"""Cell contents are text, never HTML or Markdown: hostile client data is shown literally.

A CSV whose cells hold HTML, script, Markdown, a ``javascript:`` link, right-to-left text and emoji is
uploaded and onboarded. Every element Streamlit renders as Markdown must carry such data escaped
(so it shows literally), tables carry it unchanged, valid rows are onboarded with the literal
title the portal stores, and the invalid row is refused with a specific message — no traceback.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from streamlit.testing.v1 import AppTest
from support.apptest import live_markup, markdown_sources, markup_bodies, metric, table, texts, unescape
from support.waiting import wait_until

from onboarding.journal import Journal
from onboarding.titles import portal_title
from ui import display, live
from ui.clients_table import TABLE_KEY

RTL = "\u05e9\u05dc\u05d5\u05dd\u200f Evil Corp \U0001f680"  # RTL text and mark (overrides are refused at upload)
NAMES = {
    "CL-2001": "<script>alert(1)</script>",
    "CL-2002": "<img src=x onerror=alert(1)>",
    "CL-2003": "**bold**",
    "CL-2004": "[link](javascript:alert(1))",
    "CL-2005": RTL,
    "<b>CL-2006</b>": "Emoji ☕ :rocket: $x$ Ltd",
}
HOSTILE_CSV = (
    "Client ID,Company,E-mail address,Account manager\n"
    + "".join(
        f'"{cid}","{name}",c{i}@client.example.com,anna.manager@sandbox.example\n'
        for i, (cid, name) in enumerate(NAMES.items())
    )
    + '"CL-2007","Fine Co","<script>@x.com",\n'
).encode("utf-8")
RAW_PATTERNS = ("<script", "<img", "<b>", "**bold**", "](javascript", ":rocket:", "$x$")
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
UNESCAPED_TAG = re.compile(r"(?<!\\)<[A-Za-z/]")


def assert_markdown_is_escaped(at: AppTest, where: str) -> None:
    """No element rendered as Markdown carries the hostile data unescaped (no tag, no link, no bold)."""
    for source in markdown_sources(at):
        active = ESCAPED.sub("\x00", source)  # what Markdown would still interpret
        for raw in RAW_PATTERNS:
            assert raw not in active, f"{raw!r} unescaped on {where}: {source!r}"
        assert not UNESCAPED_TAG.search(source), f"an HTML tag could be formed on {where}: {source!r}"


def upload_hostile(at: AppTest) -> AppTest:
    at.switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("<i>hostile</i> **list**.csv", HOSTILE_CSV, "text/csv").run()
    assert not at.exception
    return at


def test_hostile_cells_are_shown_literally_and_onboarded_with_literal_titles(
    app: AppTest, journal: Callable[[], Journal]
) -> None:
    """HTML, script, Markdown, javascript: links, right-to-left text and emoji show as typed everywhere;
    valid rows get exactly the title the portal stores; the bad e-mail row is refused, with a reason."""
    at = upload_hostile(app.run())
    assert metric(at, "Rows") == "7" and metric(at, "Valid") == "6" and metric(at, "With errors") == "1"
    assert_markdown_is_escaped(at, "Upload")
    assert "<i>hostile</i> **list**.csv" in texts(at)  # the file name, literally
    grid = table(at, "Company")
    assert list(grid["Company"][:6]) == list(NAMES.values())  # cells as typed, RTL and emoji included
    problems = table(at, "Problem")
    bad = problems[problems["Row"] == 8]
    assert "Not a valid e-mail address" in bad["Problem"].iloc[0]

    at.switch_page("pages/home.py").run()
    assert not at.exception
    assert_markdown_is_escaped(at, "Home")

    at.switch_page("pages/onboard.py").run()
    assert not at.exception
    assert_markdown_is_escaped(at, "Onboard")
    shown = texts(at)
    for cid, name in NAMES.items():
        assert name in shown and cid in shown, f"{name!r} is not shown literally"
        assert any(display.md(name) in source for source in markdown_sources(at))
    plan = table(at, "Action")
    expected = {cid: portal_title(f"Client - {name}") for cid, name in NAMES.items()}
    assert dict(zip(plan["Client ID"], plan["Room title (as stored)"], strict=True)) == expected

    at.button(key="onboard_start_batch").click().run()
    assert not at.exception
    j = journal()
    wait_until(lambda: bool(j.runs()) and all(r.status != "running" for r in j.runs()))
    records = {r.client_id: r for r in j.clients()}
    assert {cid: r.status for cid, r in records.items()} == dict.fromkeys(NAMES, "onboarded")
    assert {cid: r.room_title for cid, r in records.items()} == expected
    assert {cid: r.name for cid, r in records.items()} == NAMES

    at.run()
    assert not at.exception
    assert_markdown_is_escaped(at, "Onboard after the run")
    at.switch_page("pages/results.py").run()
    assert not at.exception
    assert set(table(at, "Room title")["Client"]) == set(NAMES.values())
    for row in range(len(NAMES)):
        at.session_state["results_table"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
        at.run()
        assert not at.exception
        assert_markdown_is_escaped(at, f"Results, row {row} selected")
    assert RTL in texts(at) or any(RTL in n for n in table(at, "Room title")["Client"])


def test_markdown_escaping_keeps_text_and_neutralises_syntax() -> None:
    """display.md escapes every Markdown/HTML/directive character and nothing else."""
    for raw in [*NAMES.values(), "a_b*c`d~e|f#g", ":red[x] :material/home:", "line\nbreak", "back\\slash"]:
        escaped = display.md(raw)
        assert unescape(escaped) == raw.replace("\n", " ")
        assert not UNESCAPED_TAG.search(escaped)
    assert display.md("plain words 123") == "plain words 123"
    assert display.md(RTL) == RTL.replace(".", "\\.")


PHISHING = {
    "CL-4001": "[Pay invoice](https://evil.example/pay) :red[URGENT] **bold**",
    "CL-4002": '=HYPERLINK("http://evil.example/x","Click me")',
    "CL-4003": "Visit WWW.evil.example/pay :material/warning: today",
}


def phishing_csv() -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Client ID", "Company", "E-mail address", "Account manager"])
    for i, (cid, name) in enumerate(PHISHING.items()):
        w.writerow([cid, name, f"billing{i}@evil.example", "anna.manager@sandbox.example"])
    return out.getvalue().encode("utf-8")


def assert_no_live_markup(at: AppTest, where: str) -> None:
    """Nothing the page renders as Markdown (texts, labels, tooltips, toasts) makes a link, a format or a
    directive of the file's data (every name and e-mail of which says "evil")."""
    carrying = [source for source in markup_bodies(at) if "evil" in unescape(source)]
    assert carrying, f"no element on {where} shows the file's data"
    for source in carrying:
        assert not live_markup(source), f"{live_markup(source)} live on {where}: {source!r}"


def test_links_and_directives_in_names_stay_text_on_onboard_and_clients(
    app: AppTest, journal: Callable[[], Journal]
) -> None:
    """A name with a Markdown link, a directive, bold, a formula's bare URL or a www. address, and
    e-mail addresses, show literally — on the Onboard rows, in the toast and the info box after the
    row's Onboard button, and in the Clients page's detail drawer — and never become links."""
    at = app.run().switch_page("pages/upload.py").run()
    at.file_uploader(key="upload_file_0").upload("phishing.csv", phishing_csv(), "text/csv").run()
    assert not at.exception and metric(at, "Valid") == "3"
    at.switch_page("pages/onboard.py").run()
    assert_no_live_markup(at, "Onboard")
    at.button(key=f"onboard_one_{live.widget_id('CL-4001')}").click().run()
    assert not at.exception
    toast = [unescape(t.proto.body) for t in at.toast]
    assert toast and toast[0].startswith(PHISHING["CL-4001"] + ": run "), toast
    assert_no_live_markup(at, "Onboard, after the row's Onboard button")
    j = journal()
    wait_until(lambda: bool(j.runs()) and all(r.status != "running" for r in j.runs()))
    at.run()
    assert_no_live_markup(at, "Onboard after the run")

    at.switch_page("pages/clients.py").run()
    ids = list(table(at, "State")["Client ID"])
    for cid, name in PHISHING.items():
        at.session_state[at.session_state[TABLE_KEY]] = {
            "selection": {"rows": [ids.index(cid)], "columns": [], "cells": []}
        }
        at.run()
        assert not at.exception
        assert name in texts(at), f"{name!r} is not shown literally in the drawer"
        assert_no_live_markup(at, f"Clients, {cid} selected")


def test_markdown_escaping_stops_links_directives_and_autolinks() -> None:
    """display.md leaves no link of any kind: Markdown links, Streamlit directives, and the bare
    addresses GitHub-flavoured Markdown links even with their punctuation escaped (``http://``,
    ``https://``, ``www.``, ``mailto:``, e-mail addresses, any letter case)."""
    for raw in [
        *PHISHING.values(),
        "see www.evil.example/y now",
        "HTTPS://EVIL.EXAMPLE/z",
        "mailto:bob@evil.example and xmpp:bob@evil.example",
        "write to bob+x@evil.example",
        "<https://evil.example/a>",
        ":red[URGENT] :material/home: :rocket:",
    ]:
        escaped = display.md(raw)
        assert unescape(escaped) == raw
        assert not live_markup(escaped), (raw, escaped)
    assert display.md("https://a.example") == "https\u2060\\://a\\.example"
    assert display.md("www.a.example") == "www\u2060\\.a\\.example"
    assert display.md("a@b.example") == "a\\@\u2060b\\.example"
