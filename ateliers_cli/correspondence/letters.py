"""Letters on paper: one PDF per letter, and one file of them all for printing.

A4, the address block where a French window envelope (DL, window on the right) shows it —
about 110 mm from the left edge and 50 mm from the top — written as La Poste asks (norme
NF Z 10-011): six lines at most, 38 characters at most, the last one « CODE POSTAL
LOCALITÉ » in capitals without accents. The text enters Typst as literal strings only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ateliers_cli.errors import AteliersError
from ateliers_cli.office.pdf import FONTS, typst_string

MAX_LINE = 38


@dataclass
class Letter:
    sender: list[str]  # the collectivité, its address
    address: list[str]  # the recipient's postal block
    place_date: str  # « Le 4 décembre 2026 »
    subject: str
    body: str
    signature: list[str]


def _plain_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def postal_block(prenom: str, nom: str, adresse: str, code_postal: str, commune: str) -> list[str]:
    """The recipient's address, as La Poste reads it through the window."""
    lines = [" ".join(x for x in (prenom, nom.upper()) if x).strip()]
    for part in adresse.replace("\r", "").split("\n"):
        part = " ".join(part.replace(",", " ").split())
        if part:
            lines.append(part)
    lines.append(f"{code_postal.strip()} {_plain_upper(commune.strip())}".strip())
    lines = [line[:MAX_LINE] for line in lines if line]
    if len(lines) > 6:  # keep the name and the last line: La Poste reads those first
        lines = [lines[0], *lines[1:-1][-4:], lines[-1]]
    return lines


def _lines(lines: list[str]) -> str:
    return " #linebreak() ".join(f"#{typst_string(x)}" for x in lines if x)


def _letter_source(letter: Letter) -> str:
    paragraphs = [p.strip() for p in letter.body.strip().split("\n\n") if p.strip()]
    body = "\n\n".join(_lines(p.split("\n")) for p in paragraphs)
    return (
        f"#place(top + left)[#block(width: 80mm)[{_lines(letter.sender)}]]\n"
        # the content area starts 20 mm from the edges: 90 + 20 = 110 mm, 30 + 20 = 50 mm
        "#place(top + left, dx: 90mm, dy: 30mm)[#block(width: 90mm, height: 40mm)[#set text(size: 11pt); "
        f"{_lines(letter.address)}]]\n"
        "#v(85mm)\n"
        f"#align(right)[#{typst_string(letter.place_date)}]\n"
        "#v(6mm)\n"
        f"#strong[#{typst_string(letter.subject)}]\n\n"
        "#v(3mm)\n"
        f"{body}\n\n"
        "#v(10mm)\n"
        f"#pad(left: 50%)[{_lines(letter.signature)}]\n"
    )


_PREAMBLE = (
    "#set document(title: {title}, author: {author})\n"
    "#set page(paper: \"a4\", margin: 20mm)\n"
    "#set text(font: {fonts}, size: 11pt, lang: \"fr\", region: \"FR\")\n"
    "#set par(justify: false, leading: 0.65em, spacing: 1em)\n"
)


def _compile(source: str) -> bytes:
    import typst

    try:
        return bytes(typst.compile(source.encode("utf-8"), root=str(Path(__file__).parent)))  # type: ignore[type-var]
    except typst.TypstError as exc:  # every source made here is valid: a defect if it happens
        raise AteliersError(
            f"une lettre n'a pas pu être mise en page : {exc}", hint="signalez-le avec le gabarit en cause"
        ) from None


def _preamble(title: str, author: str) -> str:
    fonts = "(" + ", ".join(typst_string(f) for f in FONTS) + ",)"
    return _PREAMBLE.format(title=typst_string(title), author=typst_string(author), fonts=fonts)


def letter_pdf(letter: Letter, title: str) -> bytes:
    return _compile(_preamble(title, letter.sender[0] if letter.sender else "") + _letter_source(letter))


def letters_pdf(letters: list[Letter], title: str) -> bytes:
    """Every letter in one file, each starting on a new page: one print job."""
    author = letters[0].sender[0] if letters and letters[0].sender else ""
    parts = [_letter_source(x) for x in letters]
    return _compile(_preamble(title, author) + "#pagebreak()\n".join(parts))
