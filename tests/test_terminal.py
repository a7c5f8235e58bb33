"""What reaches the terminal: a value or a file name holding control characters (``\\e[2J``
clears the screen, ``\\r`` rewrites a line, U+202E turns text around) is shown escaped, never
obeyed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import GOOD_CONTRIBUTION, run_cli


def test_control_characters_in_values_and_file_names_are_shown_escaped(
    make_tree: Callable[[dict[str, str | bytes]], Path],
) -> None:
    root = make_tree(
        {
            "contributions/C-0001.md": GOOD_CONTRIBUTION.replace(
                "territoire: lille", 'territoire: "lil\\e[2J\\e]0;pirate\\ale"'
            ),
            "contributions/C-\x1b[2J0002.md": "pas d'en-tête\n",
            "contributions/C-\u202e0003.md": "pas d'en-tête\n",
        }
    )
    r = run_cli("-C", root, "check")
    assert r.exit_code == 1
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in r.output
    assert "lil\\x1b[2J\\x1b]0;pirate\\x07le" in r.output
    assert "contributions/C-\\x1b[2J0002.md:1:" in r.output
    assert "contributions/C-\\u202e0003.md:1:" in r.output
    assert "Erreur interne" not in r.output
