"""Reading the consultation's files safely, keeping every value's line.

Every way a file can be broken (encoding, size, binary, symlink, YAML syntax,
duplicate keys, alias bombs, deep nesting) comes back as a :class:`Diagnostic`,
never as an exception.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ateliers_cli.errors import Diagnostic, error, os_reason, warning

try:  # libyaml's C parser when present: several times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the platform
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: A versioned file larger than this is refused without being parsed.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: More aliases than this in one document is treated as a YAML bomb.
MAX_ALIASES = 100
#: Nor may its aliases, once expanded, make more values than this.
MAX_EXPANDED_VALUES = 100_000


class LineDict(dict[Any, Any]):
    """A mapping from YAML that remembers the line of each key (1-based)."""

    __slots__ = ("line", "lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence from YAML that remembers the line of each item (1-based)."""

    __slots__ = ("line", "lines")

    def __init__(self) -> None:
        super().__init__()
        self.line = 0
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


def line_of(container: Any, key: Any, default: int = 0) -> int:
    """The line of ``container[key]`` if the container came from YAML."""
    if isinstance(container, LineDict):
        return container.lines.get(key, container.line)
    if isinstance(container, LineList) and isinstance(key, int):
        return container.line_of(key)
    return default


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """libyaml parser, our constructor: line-aware containers, duplicate keys noted."""

    line_offset = 0

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[Any, int, int]] = []


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1 + loader.line_offset
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=False)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        key_line = key_node.start_mark.line + 1 + loader.line_offset
        if key in data:
            loader.duplicates.append((key, key_line, data.lines[key]))
        data[key] = loader.construct_object(value_node, deep=False)
        data.lines[key] = key_line


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1 + loader.line_offset
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=False))
        data.lines.append(child.start_mark.line + 1 + loader.line_offset)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:  # « 2026-02-30 »: kept as text, the schema says the date does not exist
        return loader.construct_scalar(node)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:omap", _construct_seq)


@dataclass
class Loaded:
    """A parsed file: its data (``None`` when unreadable) and what went wrong."""

    data: Any = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    body: str = ""  # the Markdown text after a front matter
    body_line: int = 1  # the line where the body starts
    text: str = ""  # the decoded text of the whole file

    @property
    def ok(self) -> bool:
        return self.data is not None


_CP1252_HINT = (
    "enregistrez le fichier en UTF-8 (dans LibreOffice : « Enregistrer sous », "
    "jeu de caractères « Unicode (UTF-8) » ; en ligne de commande : "
    "iconv -f WINDOWS-1252 -t UTF-8 fichier > fichier-utf8)"
)


def read_text(
    path: Path, rel: str, root: Path | None = None, *, is_symlink: bool | None = None
) -> tuple[str | None, list[Diagnostic]]:
    """Read a versioned text file, refusing what is unsafe or not UTF-8.

    Accepts UTF-8 with or without BOM and CRLF line ends (returned as ``\\n``).
    ``is_symlink`` may be given when already known (from ``os.scandir``).
    """
    diags: list[Diagnostic] = []
    try:
        if path.is_symlink() if is_symlink is None else is_symlink:
            try:
                target = path.resolve()
            except RuntimeError:  # Python 3.11: « Symlink loop »
                return None, [
                    error(
                        rel,
                        0,
                        "ce fichier est un lien symbolique qui tourne en rond : il n'est pas lu",
                        "remplacez le lien par le fichier lui-même",
                        "lien-boucle",
                    )
                ]
            base = (root or path.parent).resolve()
            if not target.is_relative_to(base):
                return None, [
                    error(
                        rel,
                        0,
                        f"ce fichier est un lien symbolique vers « {target} », hors du dossier "
                        "de la consultation : il n'est pas lu",
                        "copiez le fichier dans le dossier au lieu d'y faire un lien",
                        "lien-externe",
                    )
                ]
        # O_NONBLOCK: a named pipe (FIFO) or a device must not block the read forever;
        # fstat on the open file then refuses anything but a regular file, for one syscall.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as f:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None, [
                    error(
                        rel,
                        0,
                        "ce n'est pas un fichier ordinaire (tube nommé, périphérique…) : il n'est pas lu",
                        "remplacez-le par un fichier texte, ou retirez-le du dossier",
                        "fichier-special",
                    )
                ]
            size = st.st_size
            # read(n) allocates n bytes up front: ask for the size fstat gave (plus one, to
            # notice a file still growing), never for the 5 Mo limit itself.
            raw = f.read(size + 1) if size <= MAX_FILE_BYTES else b""
            if len(raw) > size:
                raw += f.read(MAX_FILE_BYTES + 1 - len(raw))
            size = max(size, len(raw))
        if size > MAX_FILE_BYTES:
            return None, [
                error(
                    rel,
                    0,
                    f"fichier trop volumineux ({size / 1024 / 1024:.1f} Mo ; au plus "
                    f"{MAX_FILE_BYTES // 1024 // 1024} Mo) : il n'est pas lu",
                    "un texte collé par erreur ? raccourcissez-le ou placez la pièce jointe "
                    "hors du dossier",
                    "fichier-volumineux",
                )
            ]
    except OSError as exc:
        return None, [error(rel, 0, f"fichier illisible : {os_reason(exc)}", code="illisible")]
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, [
            error(
                rel,
                0,
                "ce fichier est encodé en UTF-16 : il doit être en UTF-8",
                "enregistrez-le en UTF-8 (dans le Bloc-notes : « Enregistrer sous », encodage « UTF-8 »)",
                "encodage",
            )
        ]
    if b"\x00" in raw:
        return None, [
            error(
                rel,
                0,
                "ce fichier est binaire (il contient des octets nuls), pas un texte",
                "un fichier de traitement de texte ou une image ? enregistrez-le en texte brut "
                "ou retirez-le du dossier",
                "binaire",
            )
        ]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("cp1252")
            what = "il semble encodé en Windows-1252 (ou Latin-1)"
        except UnicodeDecodeError:
            what = "son encodage n'est pas reconnu"
        return None, [
            error(rel, line, f"ce fichier n'est pas en UTF-8 : {what}", _CP1252_HINT, "encodage")
        ]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, diags


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> Loaded:
    """Parse one YAML document keeping lines; every failure is a diagnostic."""
    result = Loaded(text=text)
    if "&" in text and "*" in text:
        bomb = _alias_bomb(text, rel, line_offset)
        if bomb:
            result.diagnostics.append(bomb)
            return result
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        result.data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else 0
        col = (mark.column + 1) if mark else 0
        problem = _translate_yaml_problem(str(exc.problem or exc.context or "syntaxe invalide"))
        if mark and "\t" in _line_at(text, mark.line)[: max(mark.column, 0) + 1]:
            problem = "tabulation interdite : indentez avec des espaces"
        result.diagnostics.append(
            error(
                rel,
                line,
                f"YAML invalide (colonne {col}) : {problem}",
                "vérifiez l'indentation (des espaces, pas de tabulations), les deux-points "
                "après chaque clé, et mettez entre guillemets un texte qui contient « : » ou "
                "commence par un caractère spécial",
                "yaml-syntaxe",
            )
        )
        return result
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(0, min(exc.position, len(text)))) + 1 + line_offset
        char = exc.character if isinstance(exc.character, int) else 0
        result.diagnostics.append(
            error(
                rel,
                line,
                f"caractère invisible interdit (U+{char:04X}) : il vient souvent d'un copier-coller",
                "supprimez-le (un éditeur de texte peut afficher les caractères invisibles)",
                "caractere-controle",
            )
        )
        return result
    except yaml.YAMLError:
        result.diagnostics.append(error(rel, line_offset + 1, "YAML invalide", code="yaml-syntaxe"))
        return result
    except RecursionError:
        result.diagnostics.append(
            error(
                rel,
                line_offset + 1,
                "structure YAML imbriquée trop profondément : le fichier n'est pas lu",
                "un fichier de consultation n'a jamais plus de quelques niveaux d'indentation",
                "yaml-profondeur",
            )
        )
        return result
    finally:
        loader.dispose()
    for key, line, first in loader.duplicates:
        result.diagnostics.append(
            error(
                rel,
                line,
                f"la clé « {key} » apparaît deux fois dans le même bloc (déjà ligne {first}) ; "
                "seule la dernière valeur serait gardée",
                "fusionnez les deux valeurs ou supprimez la clé en double",
                "cle-dupliquee",
            )
        )
    return result


def _alias_bomb(text: str, rel: str, line_offset: int) -> Diagnostic | None:
    """A document whose aliases would multiply it (« billion laughs »), before it is built.

    Counting aliases is not enough: 90 aliases, each doubling the one before, make
    2^45 values for whatever walks the data. So the size of every anchored value is
    computed from the events, and the document's size once every alias is expanded.
    """
    count = 0
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, size so far] of each open collection
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                stack[-1][1] += sizes.get(event.anchor or "", 1)
            elif isinstance(event, yaml.ScalarEvent):
                stack[-1][1] += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
                continue
            elif isinstance(event, yaml.CollectionEndEvent) and len(stack) > 1:
                anchor, size = stack.pop()
                if anchor:
                    sizes[anchor] = size
                stack[-1][1] += size
            else:
                continue
            if count > MAX_ALIASES or stack[-1][1] > MAX_EXPANDED_VALUES:
                return error(
                    rel,
                    (event.start_mark.line if event.start_mark else 0) + 1 + line_offset,
                    "trop d'alias YAML (*nom) : le fichier n'est pas lu, il pourrait se démultiplier "
                    "sans fin (« bombe YAML »)",
                    "écrivez les valeurs en toutes lettres, sans ancres (&) ni alias (*)",
                    "yaml-bombe",
                )
    except yaml.YAMLError:
        return None  # the real parse reports the syntax error with its position
    return None


_PROBLEMS = [
    ("mapping values are not allowed", "deux-points inattendu (un texte contenant « : » doit être entre guillemets ?)"),
    ("could not find expected ':'", "deux-points manquant après une clé"),
    ("found character '\\t' that cannot start any token", "tabulation interdite : indentez avec des espaces"),
    ("found a tab character", "tabulation interdite : indentez avec des espaces"),
    ("did not find expected key", "clé attendue : l'indentation est probablement décalée"),
    ("did not find expected '-' indicator", "élément de liste attendu (« - ») : indentation décalée ?"),
    ("found unexpected end of stream", "fin de fichier inattendue (guillemet ou crochet non fermé ?)"),
    ("found undefined alias", "alias (*nom) vers une ancre (&nom) qui n'existe pas"),
    ("found unknown escape character", "caractère d'échappement inconnu dans un texte entre guillemets doubles"),
    ("did not find expected node content", "valeur attendue"),
    ("found unexpected ':'", "deux-points inattendu"),
    ("expected <document start>", "contenu inattendu : un seul document YAML par fichier"),
    ("but found another document", "un seul document YAML par fichier (« --- » en trop ?)"),
    ("could not find expected ']'", "crochet fermant « ] » manquant"),
    ("could not find expected '}'", "accolade fermante « } » manquante"),
    (
        "found character that cannot start any token",
        "caractère qui ne peut pas commencer une valeur (mettez-la entre guillemets)",
    ),
    (
        "could not determine a constructor for the tag",
        "balise YAML (« !… ») non acceptée : écrivez la valeur sans balise",
    ),
    ("for merging", "une fusion « <<: » n'accepte qu'un bloc de clés (ou une liste de blocs)"),
    (
        "invalid Unicode character escape code",
        "code de caractère invalide (« \\u… ») dans un texte entre guillemets doubles",
    ),
    ("expected escape sequence", "code de caractère invalide (« \\x… ») dans un texte entre guillemets doubles"),
    ("expected alphabetic or numeric character", "nom d'ancre (&nom) ou d'alias (*nom) invalide"),
    ("found duplicate anchor", "ancre (&nom) définie deux fois"),
    ("expected a comment or a line break", "texte inattendu après la valeur (un commentaire « # » suit une espace)"),
    ("block sequence entries are not allowed", "tiret « - » inattendu : indentation décalée ?"),
    ("mapping keys are not allowed", "clé inattendue : indentation décalée ?"),
    ("expected ',' or ']'", "virgule ou crochet fermant « ] » attendu"),
    ("expected ',' or '}'", "virgule ou accolade fermante « } » attendue"),
    ("found incompatible YAML document", "version de YAML non prise en charge (retirez la ligne « %YAML »)"),
    ("directive", "directive YAML (« %… ») non prise en charge : retirez-la"),
    ("did not find URI escaped octet", "balise YAML invalide"),
    (
        "maximum nesting depth",
        "structure imbriquée trop profondément (un fichier de consultation n'a que quelques niveaux)",
    ),
]


def _line_at(text: str, index: int) -> str:
    lines = text.split("\n", index + 1)
    return lines[index] if 0 <= index < len(lines) else ""


def _translate_yaml_problem(problem: str) -> str:
    for english, french in _PROBLEMS:
        if english in problem:
            return french
    return "syntaxe incorrecte à cet endroit"


_BLANK_LINES = re.compile(r"\A(?:[ \t\r]*\n)+")


def parse_front_matter(text: str, rel: str) -> Loaded:
    """Split a Markdown file into its YAML front matter (with lines) and its body."""
    if not text.strip():
        return Loaded(
            text=text,
            diagnostics=[
                error(
                    rel,
                    0,
                    "fichier vide",
                    "une contribution commence par un en-tête entre deux lignes « --- » "
                    "(« ateliers aide contribution »), suivi de son texte",
                    "fichier-vide",
                )
            ],
        )
    from ateliers_cli.store.front_matter import split

    parts = split(text)
    if parts is None:
        return Loaded(
            text=text,
            diagnostics=[
                error(
                    rel,
                    1,
                    "en-tête YAML absent : le fichier doit commencer par une ligne « --- »",
                    "ajoutez en tête l'en-tête de la contribution (id, date, profil, canal, "
                    "territoire, auteur, publication, themes, statut) entre deux lignes « --- »",
                    "entete-absent",
                )
            ],
        )
    if not parts.closed:
        return Loaded(
            text=text,
            diagnostics=[
                error(
                    rel,
                    1,
                    "en-tête YAML non fermé : la ligne « --- » qui le termine manque",
                    "ajoutez une ligne « --- » après la dernière clé de l'en-tête",
                    "entete-non-ferme",
                )
            ],
        )
    # The YAML is given from the line end of the opening « --- » on, so that its line 1
    # is the opening line itself; the body from the closing line's end, blank lines aside.
    fm = "\n" + parts.fm
    body = "\n" + _BLANK_LINES.sub("", parts.body) if parts.body.strip() else ""
    fm_line = parts.opening.count("\n") - 1
    loaded = parse_yaml(fm, rel, line_offset=fm_line)
    loaded.text = text
    loaded.body = body
    loaded.body_line = fm_line + fm.count("\n") + 2 if fm.startswith("\n") else fm_line + fm.count("\n") + 3
    if loaded.ok and not isinstance(loaded.data, dict):
        loaded.diagnostics.append(
            error(
                rel,
                fm_line + 1,
                "l'en-tête doit être une suite de clés « clé: valeur »",
                "voir « ateliers aide contribution »",
                "entete-type",
            )
        )
        loaded.data = None
    return loaded


def load_yaml_file(path: Path, rel: str, root: Path | None = None) -> Loaded:
    """Read and parse a YAML file of the consultation."""
    text, diags = read_text(path, rel, root)
    if text is None:
        return Loaded(diagnostics=diags)
    if not text.strip():
        return Loaded(text=text)  # like a file of comments only: the caller decides
    loaded = parse_yaml(text, rel)
    loaded.diagnostics[:0] = diags
    return loaded


def load_markdown_file(path: Path, rel: str, root: Path | None = None, *, is_symlink: bool | None = None) -> Loaded:
    """Read and parse a Markdown file with a YAML front matter."""
    text, diags = read_text(path, rel, root, is_symlink=is_symlink)
    if text is None:
        return Loaded(diagnostics=diags)
    loaded = parse_front_matter(text, rel)
    loaded.diagnostics[:0] = diags
    return loaded


def unknown_key_warning(rel: str, line: int, key: Any, known: list[str], where: str) -> Diagnostic:
    """A warning for an unknown key, suggesting the closest known one."""
    from ateliers_cli.hints import did_you_mean

    return warning(
        rel,
        line,
        f"clé inconnue « {key} » {where}",
        did_you_mean(str(key), known) or f"clés possibles : {', '.join(known)}",
        "cle-inconnue",
    )
