"""onboarding.titles: the title the portal stores, computed before anything is sent."""

from __future__ import annotations

import pytest

from onboarding.titles import (
    PatternError,
    pattern_fields,
    portal_title,
    render_pattern,
    replaced_characters,
    utf16_length,
)


def test_invalid_characters_become_underscores() -> None:
    """Each of tab * + : " < > ? | \\ / is replaced by an underscore."""
    assert portal_title('a\tb*c+d:e"f<g>h?i|j\\k/l') == "a_b_c_d_e_f_g_h_i_j_k_l"


def test_title_is_trimmed_before_replacing() -> None:
    """Leading and trailing whitespace (tabs included) is trimmed, not replaced."""
    assert portal_title("\t  Client - Acme \t") == "Client - Acme"


def test_line_breaks_become_one_space() -> None:
    """A title is one line: CR/LF, LF, U+2028 and the blanks around them become one space (the
    portal would store the break), and the result is stable when sent again."""
    title = portal_title("Acme GmbH \r\n  Berlin\u2028Mitte\nNord")
    assert title == "Acme GmbH Berlin Mitte Nord" and portal_title(title) == title


def test_emoji_becomes_two_underscores() -> None:
    """The portal replaces each UTF-16 surrogate, so one emoji becomes two underscores."""
    assert portal_title("Rocket 🚀") == "Rocket __"


def test_long_title_is_cut_to_170() -> None:
    """Titles over 170 code units are truncated to what the portal accepts."""
    assert len(portal_title("x" * 300)) == 170


def test_truncation_counts_emoji_as_two_units() -> None:
    """An emoji near the limit counts as two UTF-16 code units."""
    title = portal_title("a" * 169 + "🚀")
    assert title == "a" * 169 + "_"


def test_truncated_title_has_no_trailing_space() -> None:
    """A cut that ends on a space is trimmed, as the portal would trim it."""
    assert portal_title("a" * 169 + " b") == "a" * 169


def test_portal_title_is_idempotent() -> None:
    """Sending the computed title stores exactly that title."""
    once = portal_title("  Weird: name *with* 🚀 " + "y" * 200)
    assert portal_title(once) == once


def test_replaced_characters_lists_each_once_in_order() -> None:
    """The warning names each replaced character once, in order of appearance."""
    assert replaced_characters("a:b:c/🚀") == [":", "/", "🚀"]


def test_utf16_length_counts_astral_characters_twice() -> None:
    """.NET string length counts surrogate pairs as two."""
    assert utf16_length("ab🚀") == 4


def test_render_pattern_accepts_header_names_with_punctuation() -> None:
    """Placeholders may be any header text, such as {Account #}."""
    assert render_pattern("{name} ({Account #})", {"name": "Acme", "Account #": "7"}) == "Acme (7)"


def test_render_pattern_keeps_escaped_braces() -> None:
    """{{ and }} render as literal braces."""
    assert render_pattern("{{{name}}}", {"name": "A"}) == "{A}"


def test_unknown_placeholder_raises() -> None:
    """A placeholder with no value is a PatternError, not a KeyError."""
    with pytest.raises(PatternError):
        render_pattern("{nope}", {})


def test_unbalanced_brace_raises() -> None:
    """A lone brace is reported as a malformed pattern."""
    with pytest.raises(PatternError):
        pattern_fields("Client {name")


def _fit_reference(raw: str, max_len: int) -> str:
    kept, used = [], 0
    for ch in raw.strip():
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > max_len:
            break
        kept.append(ch)
    return "".join(kept).rstrip()


def test_fit_length_cuts_like_counting_every_code_unit() -> None:
    """fit_length's shortcut for short or ASCII text gives what counting UTF-16 units one by one gives."""
    import random

    from onboarding.titles import fit_length

    rng = random.Random(3)
    alphabet = "ab é🚀 \t"
    for _ in range(3_000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        max_len = rng.randrange(1, 40)
        assert fit_length(raw, max_len) == _fit_reference(raw, max_len), (raw, max_len)


def test_patterns_parsed_once_still_refuse_bad_braces_every_time() -> None:
    """The cached parse raises PatternError on each call, and callers get their own list."""
    with pytest.raises(PatternError):
        render_pattern("{name", {"name": "x"})
    with pytest.raises(PatternError):
        render_pattern("{name", {"name": "x"})
    names = pattern_fields("{a} {b}")
    names.append("c")
    assert pattern_fields("{a} {b}") == ["a", "b"]
