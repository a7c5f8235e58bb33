"""The cost of citizens' Markdown grows with its length, whatever it holds.

A megabyte of « ![ » (an image that never closes, half a million times) took 42 s on the site
against 0.8 s for plain text: markdown-it looks for the end of every label through the rest of
the paragraph. Measured here without a clock: the steps of markdown-it's inline parser
(``skipToken``, the look-ahead of a link or an image) are counted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.token import Token

from ateliers_cli.render.markup import _untrusted_parser, markdown_to_html, plain_excerpt


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    count = [0]
    original = ParserInline.skipToken

    def counted(self: ParserInline, state: object) -> None:
        count[0] += 1
        original(self, state)  # type: ignore[arg-type]

    monkeypatch.setattr(ParserInline, "skipToken", counted)
    yield count


def _cost(steps: list[int], text: str) -> int:
    steps[0] = 0
    markdown_to_html(text)
    return steps[0]


def test_unclosed_images_cost_what_plain_text_costs(steps: list[int]) -> None:
    small, large = _cost(steps, "![" * 10_000), _cost(steps, "![" * 40_000)
    # markdown-it alone: about 40 steps a character, and four times more for four times more
    assert large <= 10 and small <= 10
    assert plain_excerpt("![" * 40_000, 10) == "![![![![!…"


def test_labels_closed_at_the_very_end_grow_linearly(steps: list[int]) -> None:
    small, large = _cost(steps, "![ a " * 5_000 + "]"), _cost(steps, "![ a " * 20_000 + "]")
    assert large <= 4.5 * small  # quadratic would be 16 times


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="![]()a \n*`\\x<>", max_size=60))
def test_same_tokens_as_markdown_it_alone(text: str) -> None:
    """The short cut changes nothing: the same tokens as markdown-it without it."""
    plain = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    assert _tokens(_untrusted_parser().parse(text)) == _tokens(plain.parse(text))


def _tokens(tokens: list[Token] | None) -> list[object]:
    return [(t.type, t.tag, t.content, sorted((t.attrs or {}).items()), _tokens(t.children)) for t in tokens or []]
