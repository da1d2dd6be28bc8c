"""The transport's directly built requests are the ones ``requests.Session`` would prepare."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from onboarding.docspace._transport import _prepare, build_session

BASE = "http://127.0.0.1:8080/api/2.0/"


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "files/rooms/5", None, None),
        (
            "GET",
            "files/rooms",
            {
                "tags": json.dumps(["client:é 1", 'client:"x"&y=z'], ensure_ascii=False),
                "searchArea": 3,
                "startIndex": 0,
                "count": 100,
            },
            None,
        ),
        ("GET", "people/filter", {"filterValue": "a b+c/d?", "skip": None, "ids": ["1", "2"]}, None),
        ("POST", "files/folder/7", None, {"title": "Rechnungen ü"}),
        ("PUT", "files/rooms/5/archive", None, None),
        ("DELETE", "files/file/9", None, {"deleteAfter": False, "immediately": True}),
    ],
)
def test_prepared_like_a_session_would(
    method: str, path: str, params: dict[str, Any] | None, body: Any
) -> None:
    """Method, URL (query encoding included), headers and body match ``Session.prepare_request``."""
    session = build_session("sk-test-key")
    data = None if body is None else json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    ours = _prepare(session, method, BASE + path, params, data)
    headers = {"Content-Type": "application/json"} if data is not None else None
    theirs = session.prepare_request(
        requests.Request(method, BASE + path, params=params, data=data, headers=headers)
    )
    assert (ours.method, ours.url, ours.body) == (theirs.method, theirs.url, theirs.body)
    assert dict(ours.headers) == dict(theirs.headers)


def test_internationalised_host_is_prepared_by_requests() -> None:
    """A non-ASCII host gets requests' own preparation (IDNA), not the fast path."""
    session = build_session("sk-test-key")
    ours = _prepare(session, "GET", "https://пример.example/api/2.0/files/rooms", {"count": 1}, None)
    assert ours.url == "https://xn--e1afmkfd.example/api/2.0/files/rooms?count=1"
