"""Long client ids against the portal's 8 KB request-line limit (Kestrel answers 414 past it)."""

from __future__ import annotations

import itertools
import json
import random
from urllib.parse import urlencode

from docspace_sandbox.server import Sandbox
from onboarding.docspace import DocSpaceClient
from onboarding.docspace.bodies import TAG_QUERY_LIMIT, TagQuery, tag_chunks
from onboarding.docspace.enums import RoomType

LONG_ID = "x" * 66


def test_tag_chunks_stay_under_the_limit_and_keep_every_tag() -> None:
    """Each chunk's encoded query fits the limit; together they hold every tag once, in order."""
    tags = [f"client:{LONG_ID}{i:04d}" for i in range(150)] + ["client:é" * 20]
    chunks = tag_chunks(tags)
    assert [t for c in chunks for t in c] == list(dict.fromkeys(tags))
    assert all(len(urlencode({"tags": json.dumps(c, ensure_ascii=False)})) <= TAG_QUERY_LIMIT for c in chunks)
    assert all(len(c) <= 100 for c in chunks)


def test_tag_chunks_are_as_full_as_the_limit_allows() -> None:
    """Sizes summed per tag match the encoded query exactly: each chunk is full (the next tag would not fit)."""
    rng = random.Random(7)
    alphabet = 'ab:_- é"\\/+%&ü🚀'
    tags = [
        "client:" + "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))) for _ in range(900)
    ]
    for limit in range(1400, 1440):  # many limits, so that some chunk ends exactly at one
        chunks = tag_chunks(tags, limit=limit)
        assert [t for c in chunks for t in c] == list(dict.fromkeys(tags))
        for chunk, following in itertools.pairwise(chunks):
            assert len(urlencode({"tags": json.dumps(chunk, ensure_ascii=False)})) <= limit
            grown = [*chunk, following[0]]
            assert len(grown) > 100 or len(urlencode({"tags": json.dumps(grown, ensure_ascii=False)})) > limit


def test_tag_query_size_is_the_encoded_query_length() -> None:
    """The running size of a TagQuery equals the length of the query as it is encoded and sent."""
    query = TagQuery()
    assert query.size == len(urlencode({"tags": json.dumps([], ensure_ascii=False)}))
    for tag in ["client:a b", "client:é/ü?&=", 'client:"quoted"\\', "client:日本", "client:a b", "x" * 300]:
        query.add(tag)
        sent = list(dict.fromkeys(query.tags))
        assert query.size == len(urlencode({"tags": json.dumps(sent, ensure_ascii=False)}))


def test_150_rooms_with_70_char_ids_are_found_in_one_lookup(sandbox: Sandbox) -> None:
    """find_rooms_by_tags with 150 long tags answers every room instead of a 414."""
    api = DocSpaceClient(sandbox.url, sandbox.api_key)
    tags = [f"client:{LONG_ID}{i:04d}" for i in range(150)]
    made = {api.create_room(f"Room {i}", RoomType.CUSTOM, tags=[t]).id for i, t in enumerate(tags)}
    found = api.find_rooms_by_tags(tags)
    assert {r.id for r in found} == made
