"""No « (s) » in what the tool writes: every count agrees with its noun (0 and 1 singular, then plural).

The site and the documents were cleaned first; this keeps the terminal messages, help texts and
templates clean too, by reading every string literal of the package and every template.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from ateliers_cli.importers.util import plural

ROOT = Path(__file__).resolve().parent.parent
# « ligne(s) », « supprimée(s) », « habitant(e)s »: a letter then a parenthesised ending.
PARENTHESISED = re.compile(r"[a-zéèêàç]\((?:s|e|es)\)")
STRING_TOKENS = {tokenize.STRING} | {getattr(tokenize, n) for n in ("FSTRING_MIDDLE",) if hasattr(tokenize, n)}


# What is computed rather than written: Jinja expressions and statements, f-string replacement fields.
CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|(?<!\{)\{[^{}]*\}(?!\})")


def _written(text: str) -> str:
    return CODE.sub(" ", text)


def _string_literals(path: Path) -> list[tuple[int, str]]:
    source = path.read_text(encoding="utf-8")
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in STRING_TOKENS:
            found.append((tok.start[0], tok.string))
    return found


def _is_docstring_or_url(text: str) -> bool:
    # « http(s) » in a docstring describing the URLs kept: not a count.
    return "http(s)" in text


def test_no_parenthesised_plural_in_the_package_strings() -> None:
    offenders = []
    for path in sorted((ROOT / "ateliers_cli").rglob("*.py")):
        for line, text in _string_literals(path):
            if (
                PARENTHESISED.search(_written(text))
                and not _is_docstring_or_url(text)
                and not text.lstrip("rbuf").startswith('"""')
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {text[:80]}")
    assert offenders == []


def test_no_parenthesised_plural_in_the_templates() -> None:
    offenders = []
    for base in (ROOT / "templates", ROOT / "ateliers_cli" / "skeleton"):
        for path in sorted(
            p
            for p in base.rglob("*")
            if p.is_file() and p.suffix in {".j2", ".html", ".md", ".txt", ".yaml", ".eml", ".csv"}
        ):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PARENTHESISED.search(_written(line)) and "http(s)" not in line:
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}")
    assert offenders == []


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    sample = tmp_path / "m.py"
    sample.write_text('x = f"{n} ligne(s) supprimée(s)"\ny = "ok"\n', encoding="utf-8")
    assert [text for _, text in _string_literals(sample) if PARENTHESISED.search(text)]


def test_counts_agree_on_zero_one_and_many() -> None:
    assert plural(0, "ligne supprimée", "lignes supprimées") == "0 ligne supprimée"
    assert plural(1, "ligne supprimée", "lignes supprimées") == "1 ligne supprimée"
    assert plural(3, "ligne supprimée", "lignes supprimées") == "3 lignes supprimées"
    assert plural(2, "problème") == "2 problèmes"
