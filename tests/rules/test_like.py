from __future__ import annotations

import pytest

from servesell.rules.like import parse_like


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("a%", "a", True),
        ("%c", "abc", True),
        ("%b%", "abc", True),
        ("%", "", True),
        ("a_c", "a\nc", True),
        ("a%c%e", "abcde", True),
        ("a%c%e", "abcdef", False),
        (r"a\_c", "a_c", True),
        (r"a\_c", "abc", False),
        (r"a\\c", "a\\c", True),
        ("%%", "x", True),
        ("", "", True),
        ("", "x", False),
        ("日_", "日本", True),
    ],
)
def test_python_matcher_matches_whole_strings(pattern: str, text: str, expected: bool) -> None:
    assert parse_like(pattern).matcher()(text) is expected


def test_sql_pattern_escapes_literal_wildcards_with_an_unused_character() -> None:
    assert parse_like(r"5\%!_%").sql() == ("5#%!_%", "#")
    assert parse_like("plain%").sql() == ("plain%", "!")


def test_a_custom_escape_character_is_honoured() -> None:
    pattern = parse_like("100!%", "!")
    assert pattern.matcher()("100%") is True
    assert pattern.matcher()("1000") is False


def test_dangling_escape_is_refused() -> None:
    with pytest.raises(ValueError, match="ends with the escape"):
        parse_like("abc\\")
