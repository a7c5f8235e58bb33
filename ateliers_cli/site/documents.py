"""The stage documents on the website: each HTML document as a page, its office files beside.

The documents come from ``documents/`` when the folder exists (what ``advance`` and
``render`` wrote), else they are built in memory for every stage left, exactly as
``ateliers render`` would. Only public documents: nothing under ``prive/``, no symbolic
link, nothing outside ``documents/<n>-<étape>/``.

A document's HTML is not copied as it is: its body (the ``<main>`` of the page) is taken,
sanitised again (a hand edit of a generated file cannot bring a script onto the site) and
shown inside the site's own layout, so that every page of the site has the same
navigation and passes the same accessibility tests. Its ODT, DOCX and PDF versions are
copied unchanged beside it.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from ateliers_cli.model import Consultation
from ateliers_cli.render.markup import clean_trusted_html
from ateliers_cli.stages import Stage

#: Downloadable formats, in the order they are offered, with their French name.
FORMATS = {"pdf": "PDF", "odt": "ODT (OpenDocument)", "docx": "DOCX (Word)"}

_MAIN_RE = re.compile(r"<main\b[^>]*>(.*)</main>", re.DOTALL | re.IGNORECASE)
_BODY_RE = re.compile(r"<body\b[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1>\s*", re.DOTALL | re.IGNORECASE)
_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACES_RE = re.compile(r"\s+")
_SAFE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# a table or a chart of a document's body: on a small screen it scrolls in its own area
_WIDE_RE = re.compile(r"<table\b.*?</table>|<svg\b.*?</svg>", re.DOTALL | re.IGNORECASE)
_CAPTION_RE = re.compile(r"<caption\b[^>]*>(.*?)</caption>|<title\b[^>]*>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def _scrolling(body: str) -> str:
    """Each table and chart in a region of its own that scrolls sideways (focusable, named), so
    that the page itself never does at 390 px."""

    def wrap(m: re.Match[str]) -> str:
        block = m.group(0)
        kind = "Tableau" if block[1:6].lower() == "table" else "Graphique"
        cap = _CAPTION_RE.search(block)
        name = _text((cap.group(1) or cap.group(2)) if cap else "")
        label = html.escape(f"{kind} : {name}" if name else kind, quote=True)
        return f'<div class="defile" role="region" tabindex="0" aria-label="{label}">{block}</div>'

    return _WIDE_RE.sub(wrap, body)


@dataclass
class Fichier:
    chemin: str  # in the site: "documents/5-rapport/rapport-orientations.pdf"
    format: str  # "pdf"
    taille: int  # bytes

    @property
    def libelle(self) -> str:
        return FORMATS.get(self.format, self.format.upper())


@dataclass
class SiteDocument:
    etape: Stage
    nom: str  # the file stem: "rapport-orientations"
    titre: str
    corps: Markup | None  # the sanitised body; None when there is no HTML version
    fichiers: list[Fichier] = field(default_factory=list)

    @property
    def chemin(self) -> str:
        """The page of the document in the site."""
        return f"documents/{self.etape.folder}/{self.nom}.html"


def _text(fragment: str) -> str:
    return _SPACES_RE.sub(" ", html.unescape(_TAG_RE.sub("", fragment))).strip()


def split_document(page: str, fallback_title: str) -> tuple[str, Markup]:
    """The title and the sanitised body of a document's HTML page."""
    m = _MAIN_RE.search(page) or _BODY_RE.search(page)
    body = m.group(1) if m else page
    titre = ""
    h1 = _H1_RE.search(body)
    if h1:
        titre = _text(h1.group(1))
        body = body[: h1.start()] + body[h1.end() :]
    if not titre:
        t = _TITLE_RE.search(page)
        titre = _text(t.group(1)).split(" — ")[0] if t else ""
    return titre or fallback_title, Markup(_scrolling(str(clean_trusted_html(body))))


def _stage_of_folder(name: str) -> Stage | None:
    for stage in Stage.process():
        if stage.folder == name:
            return stage
    return None


def _from_disk(root: Path) -> dict[str, tuple[Stage, bytes, str]]:
    """``{site path: (stage, content, title)}`` of the public files under documents/."""
    found: dict[str, tuple[Stage, bytes, str]] = {}
    base = root / "documents"
    for folder in sorted(base.iterdir(), key=lambda p: p.name):
        stage = _stage_of_folder(folder.name)
        if stage is None or folder.is_symlink() or not folder.is_dir():
            continue
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            kind = path.suffix[1:].lower()
            if (
                path.is_symlink()
                or not path.is_file()
                or not _SAFE_NAME_RE.fullmatch(path.name)
                or (kind != "html" and kind not in FORMATS)
            ):
                continue
            found[f"documents/{folder.name}/{path.name}"] = (stage, path.read_bytes(), "")
    return found


def _in_memory(c: Consultation) -> dict[str, tuple[Stage, bytes, str]]:
    from ateliers_cli.render_all import all_documents, stages_reached

    found: dict[str, tuple[Stage, bytes, str]] = {}
    folders = {f"documents/{stage.folder}/": stage for stage in stages_reached(c)}
    for f in all_documents(c):
        stage = folders.get(f.path.rpartition("/")[0] + "/")
        if stage is not None and f.public and (f.kind == "html" or f.kind in FORMATS):
            found[f.path] = (stage, f.content, f.title)
    return found


class _SplitCache:
    """The documents' titles and sanitised bodies of the previous site, by content: sanitising
    thirty documents costs more than the pages one changed contribution makes again."""

    def __init__(self, root: Path | None) -> None:
        from ateliers_cli.cache import CACHE_DIR, _read

        self.path = root / CACHE_DIR / "documents-du-site.pickle" if root is not None else None
        found = _read(self.path) if self.path is not None else None
        self.old: dict[str, tuple[str, str]] = found["documents"] if found is not None else {}
        self.new: dict[str, tuple[str, str]] = {}

    def split(self, page: bytes, fallback_title: str) -> tuple[str, Markup]:
        key = hashlib.sha256(fallback_title.encode() + b"\0" + page).hexdigest()
        kept = self.old.get(key)
        if kept is not None:
            self.new[key] = kept
            return kept[0], Markup(kept[1])
        titre, corps = split_document(page.decode("utf-8", errors="replace"), fallback_title)
        self.new[key] = (titre, str(corps))
        return titre, corps

    def save(self) -> None:
        from ateliers_cli.cache import _write, tool_fingerprint

        if self.path is not None and self.new != self.old:
            _write(self.path, {"outil": tool_fingerprint(), "documents": self.new})


def collect_documents(c: Consultation, *, cache: bool = False) -> tuple[list[SiteDocument], dict[str, bytes]]:
    """The public documents (in stage then name order) and the office files to copy.

    ``c`` is the whole consultation (not the public view): the documents decide
    themselves what they quote, as when ``advance`` writes them. With ``cache``, a document
    already sanitised for the previous site is not sanitised again.
    """
    source = _from_disk(c.root) if (c.root / "documents").is_dir() else _in_memory(c)
    docs: dict[tuple[int, str], SiteDocument] = {}
    copies: dict[str, bytes] = {}
    split = _SplitCache(c.root if cache else None)
    for path, (stage, content, title) in source.items():
        stem, _, kind = path.rpartition("/")[2].rpartition(".")
        kind = kind.lower()
        doc = docs.setdefault((stage.number, stem), SiteDocument(stage, stem, title or stem, None))
        if kind == "html":
            doc.titre, doc.corps = split.split(content, title or stem)
        else:
            copies[path] = content
            doc.fichiers.append(Fichier(path, kind, len(content)))
    split.save()
    ordered = [docs[k] for k in sorted(docs)]
    order = list(FORMATS)
    for doc in ordered:
        doc.fichiers.sort(key=lambda f: order.index(f.format))
    return ordered, copies
