"""The front matter of a Markdown file: split off, written, edited in place.

One splitter (:func:`split`) for every reader of a contribution — the loader, the
erasure, the editors — so that they agree on where the header starts and ends,
whatever the line ends (``\n`` or ``\r\n``), a byte-order mark or blank lines
before the opening ``---``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from ateliers_cli.errors import AteliersError

#: Front matter keys of a contribution, in the order of docs/format.md.
KEY_ORDER = (
    "id", "date", "profil", "canal", "territoire", "auteur", "organisation", "civilite", "publication",
    "themes", "statut", "doublon_de", "motif", "redirection", "titre", "source", "efface",
    "reponse_modele", "reponse",
)
SOURCE_ORDER = ("origine", "colonnes", "fichier", "somme", "ligne", "cle", "empreinte")
#: Optional texts of the team (off-topic reason, written answer): written only when set.
OPTIONAL_TEXTS = ("civilite", "motif", "redirection", "reponse_modele", "reponse")

_FM_OPEN = re.compile(r"\A\ufeff?(?:[ \t]*\r?\n)*-{3,}[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class Split:
    """A file cut at its front matter: ``opening + fm + closing + body == text``."""

    opening: str  # up to and including the line « --- » that opens the header
    fm: str  # the YAML, each line with its line end
    closing: str  # the line « --- » that closes it, with its line end; "" when absent
    body: str  # the Markdown text after it

    @property
    def closed(self) -> bool:
        return bool(self.closing)


def split(text: str) -> Split | None:
    """Where the header of ``text`` is; ``None`` when the file does not open with « --- »."""
    opening = _FM_OPEN.match(text)
    if opening is None:
        return None
    closing = _FM_CLOSE.search(text, opening.end())
    if closing is None:
        return Split(text[: opening.end()], text[opening.end() :], "", "")
    end = closing.end()
    if text.startswith("\n", end):
        end += 1
    return Split(text[: opening.end()], text[opening.end() : closing.start()], text[closing.start() : end], text[end:])


class ContributionHandler(YAMLHandler):
    """python-frontmatter's YAML handler, cut where every reader of a contribution cuts it.

    Its loader is libyaml's when present (as fast as ours, without line numbers): it reads a
    header the tool has just written or edited, to check the edit. The loader of ``check`` and
    of every command keeps :func:`ateliers_cli.yamlio.parse_front_matter`, which gives each
    value its line for the messages, notes duplicate keys and never strips the text (a file
    opening with blank lines or a byte-order mark keeps its line numbers)."""

    def detect(self, text: str) -> bool:
        return split(text) is not None

    def split(self, text: str) -> tuple[str, str]:
        parts = split(text)
        if parts is None or not parts.closed:
            raise ValueError("pas d'en-tête YAML fermé")
        return parts.fm, parts.body


HANDLER = ContributionHandler()


def read_post(text: str) -> frontmatter.Post:
    """A contribution as python-frontmatter's ``Post`` (header values, then the text)."""
    return frontmatter.loads(text, handler=HANDLER)


# --- writing a header ------------------------------------------------------------------


try:  # libyaml's emitter: several times faster, and it escapes every line-breaking character
    _BaseDumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the platform
    _BaseDumper = yaml.SafeDumper


class _Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Lists of scalars inline (« themes: [isolement] »), blocks for mappings."""

    _resolved: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """The resolver's answer for a text, kept: the header's keys and most of its values come
        back on every row of an import (a pure function of its arguments; no path resolvers)."""
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        memo = _Dumper._resolved
        found = memo.get((value, implicit))
        if found is None:
            if len(memo) > 50_000:
                memo.clear()
            found = memo[(value, implicit)] = super().resolve(kind, value, implicit)
        return found


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(list, _represent_list)


def header_values(meta: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`front_matter` writes of ``meta`` (empty optional keys left out), in its order:
    what the loader reads back from the file."""
    ordered: dict[str, Any] = {}
    for key in KEY_ORDER:
        if key not in meta:
            continue
        value = meta[key]
        if value is None or (
            key in ("organisation", "titre", "doublon_de", "territoire", *OPTIONAL_TEXTS) and value == ""
        ):
            continue
        if key == "source" and isinstance(value, Mapping):
            value = {k: value[k] for k in SOURCE_ORDER if k in value and value[k] not in (None, "")}
        ordered[key] = value
    return ordered


_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"


def _node(dumper: Any, value: Any) -> yaml.Node:
    """The YAML node of a header value, as PyYAML's representer makes it, without its
    general machinery (type lookups, aliases) for the few types of a header; any other
    type goes through it. What comes out is the same, byte for byte (tests/test_store.py)."""
    kind = type(value)
    if kind is str:
        return yaml.ScalarNode(_TAG + "str", value)
    if kind is bool:
        return yaml.ScalarNode(_TAG + "bool", "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode(_TAG + "int", str(value))
    if kind is dt.date:
        return yaml.ScalarNode(_TAG + "timestamp", value.isoformat())
    if kind is list and all(type(x) is str for x in value):
        return yaml.SequenceNode(_TAG + "seq", [yaml.ScalarNode(_TAG + "str", x) for x in value], flow_style=True)
    if kind is dict and all(type(k) is str for k in value):
        pairs = [(yaml.ScalarNode(_TAG + "str", k), _node(dumper, v)) for k, v in value.items()]
        return yaml.MappingNode(_TAG + "map", pairs, flow_style=False)
    node: yaml.Node = dumper.represent_data(value)
    return node


# Texts that libyaml writes as they are (a « plain » scalar), whatever the context: a letter or
# a digit first, then letters, digits, single spaces and punctuation that is never a YAML
# indicator inside a line (no « : », « # », quotes at the start, brackets or commas…).
# Read back by the same resolver as the dumper's, this text must then be a text.
_PLAIN = re.compile(r"[^\W_](?:[\w.'()/@+-]| (?! |$))*")
_RESOLVER = yaml.resolver.Resolver()
_BEYOND_BMP = re.compile("[\U00010000-\U0010ffff]")  # libyaml escapes them (« 𝐀 » is written "\U0001D400")
_PLAIN_SEEN: dict[str, bool] = {}


def _plain(value: str) -> bool:
    """Whether ``value`` is written plain by libyaml, in a block or in a list: the pattern above,
    and read back as a text (not « true », « 12 », « 2025-01-01 », « null », « 1_000 »: those are
    quoted). Kept: keys and most values come back on every row of an import."""
    known = _PLAIN_SEEN.get(value)
    if known is None:
        if len(_PLAIN_SEEN) > 50_000:
            _PLAIN_SEEN.clear()
        known = _PLAIN_SEEN[value] = (
            _PLAIN.fullmatch(value) is not None
            and _BEYOND_BMP.search(value) is None
            and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR
        )
    return known


def _fast_scalar(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return value if _plain(value) else None
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is dt.date:
        return value.isoformat()
    return None


def _fast_front_matter(values: Mapping[str, Any]) -> str | None:
    """The header as libyaml writes it, for the usual case (texts written plain, dates, numbers,
    booleans, lists of plain words, the source mapping); None as soon as a value needs more (a
    quoted text, another type), and the whole header then goes through PyYAML.
    tests/test_properties.py checks both give the same bytes."""
    lines: list[str] = []
    for key, value in values.items():
        if type(value) is dict:
            lines.append(f"{key}:")
            for sub, inner in value.items():
                if type(sub) is not str or not _plain(sub):
                    return None
                written = _fast_scalar(inner)
                if written is None:
                    return None
                lines.append(f"  {sub}: {written}")
        elif type(value) is list:
            items = []
            for item in value:
                if type(item) is not str or not _plain(item):
                    return None
                items.append(item)
            lines.append(f"{key}: [{', '.join(items)}]")
        else:
            written = _fast_scalar(value)
            if written is None:
                return None
            lines.append(f"{key}: {written}")
    return "\n".join(lines) + "\n" if lines else None


def front_matter(meta: Mapping[str, Any]) -> str:
    """The YAML of a contribution's header, keys in the order of docs/format.md."""
    values = header_values(meta)
    fast = _fast_front_matter(values)
    if fast is not None:
        return fast
    stream = io.StringIO()
    dumper = _Dumper(stream, allow_unicode=True, width=1_000_000, default_flow_style=False, sort_keys=False)
    try:
        dumper.open()
        dumper.serialize(_node(dumper, values))
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


def render(meta: Mapping[str, Any], texte: str) -> str:
    """The whole file: ``---``, the header, ``---``, the text."""
    body = texte.strip("\n")
    return f"---\n{front_matter(meta)}---\n{body}\n"



# --- editing a contribution's front matter in place -------------------------------------

_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|\r?$)")


def _key_spans(lines: list[str]) -> dict[str, tuple[int, int]] | None:
    """Top-level key -> (first line, end line) of its value; ``None`` when a key repeats.

    A value spans its key's line and the lines below it that are indented or start a
    block-sequence item (« - x »); a blank or comment line at column 0 ends it.
    """
    spans: dict[str, tuple[int, int]] = {}
    current: str | None = None
    for i, line in enumerate(lines):
        first = line[:1]
        if current is not None and (first in (" ", "\t") or line.startswith("- ") or line.rstrip("\r\n") == "-"):
            spans[current] = (spans[current][0], i + 1)
            continue
        current = None
        m = _TOP_KEY.match(line)
        if m:
            if m.group(1) in spans:
                return None
            current = m.group(1)
            spans[current] = (i, i + 1)
    return spans


_DUMPED: dict[tuple[str, Any], str] = {}


def _dump_key(key: str, value: Any) -> str:
    """``key: value`` as :func:`front_matter` writes it (memoised: the same few values recur)."""
    memo = (key, tuple(value) if isinstance(value, list) else value)
    try:
        line = _DUMPED.get(memo)
    except TypeError:  # an unhashable value: no memo
        memo, line = None, None  # type: ignore[assignment]
    if line is None:
        line = yaml.dump(
            {key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
        )
        if memo is not None and len(_DUMPED) < 10_000:
            _DUMPED[memo] = line
    return line


def _edit_textually(fm: str, changes: Mapping[str, Any], remove: Iterable[str]) -> tuple[str, list[str]] | None:
    """Replace, insert or delete one-line top-level keys; ``None`` when the front matter
    is not that simple (a multi-line value or a comment on an edited key).

    Returns the new front matter and the top-level keys found in the old one, in order."""
    newline = "\r\n" if "\r\n" in fm else "\n"
    lines = fm.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    spans = _key_spans(lines)
    if spans is None:
        return None
    edits: dict[int, tuple[int, list[str]]] = {}  # first line -> (end line, replacement lines)
    inserts: dict[int, list[str]] = {}  # insert before this line
    for key in remove:
        if key in spans:
            start, end = spans[key]
            if end - start != 1 or "#" in lines[start]:
                return None
            edits[start] = (end, [])
    for key, value in changes.items():
        new = _dump_key(key, value).replace("\n", newline)
        if new.count(newline) != 1:
            return None
        if key in spans:
            start, end = spans[key]
            if end - start != 1 or "#" in lines[start] or "&" in lines[start] or "*" in lines[start]:
                return None
            edits[start] = (end, [new])
            continue
        # A new key goes after the closest key that precedes it in the order of docs/format.md.
        position = 0
        if key in KEY_ORDER:
            for before in reversed(KEY_ORDER[: KEY_ORDER.index(key)]):
                if before in spans and before not in remove:
                    position = spans[before][1]
                    break
            else:
                present = [spans[k][0] for k in KEY_ORDER[KEY_ORDER.index(key) + 1 :] if k in spans]
                position = min(present) if present else len(lines)
        else:
            position = len(lines)
        inserts.setdefault(position, []).append(new)
    result: list[str] = []
    i = 0
    while i <= len(lines):
        result.extend(inserts.get(i, ()))
        if i == len(lines):
            break
        if i in edits:
            end, replacement = edits[i]
            result.extend(replacement)
            i = end
            continue
        result.append(lines[i])
        i += 1
    return "".join(result), list(spans)


def _edit_round_trip(fm: str, changes: Mapping[str, Any], remove: Iterable[str]) -> str:
    """The same edit with ruamel.yaml: comments and key order kept, whatever the layout."""
    from ruamel.yaml.comments import CommentedSeq

    from ateliers_cli.yamledit import edit_text

    newline = "\r\n" if "\r\n" in fm else "\n"

    def change(data: Any) -> None:
        for key in remove:
            if key in data:
                del data[key]
        for key, value in changes.items():
            if isinstance(value, list):
                seq = CommentedSeq(value)
                seq.fa.set_flow_style()
                value = seq
            if key in data:
                data[key] = value
                continue
            keys = list(data.keys())
            position = len(keys)
            if key in KEY_ORDER:
                rank = KEY_ORDER.index(key)
                later = [i for i, k in enumerate(keys) if k in KEY_ORDER and KEY_ORDER.index(k) > rank]
                position = min(later) if later else len(keys)
            data.insert(position, key, value)

    return edit_text(fm.replace("\r\n", "\n"), change).replace("\n", newline)


def _textual_edit_ok(new_fm: str, old_keys: list[str], changes: Mapping[str, Any], remove: Iterable[str]) -> bool:
    """Whether a textual edit did what was asked: only the edited lines changed (by
    construction), so it is enough that the new front matter parses, holds exactly the
    keys found in the old one (less the removed, plus the new), in their order, and the
    new values — a line mistaken for a key would break one of these."""
    try:
        new = HANDLER.load(new_fm)
    except yaml.YAMLError:
        return False
    if not isinstance(new, dict):
        return False
    removed = set(remove)
    kept = [k for k in old_keys if k not in removed]
    if set(new) != set(kept) | set(changes) or [k for k in new if k in old_keys] != kept:
        return False
    return all(new[k] == v for k, v in changes.items())


def _same_edit(old_fm: str, new_fm: str, changes: Mapping[str, Any], remove: Iterable[str]) -> bool:
    """Whether ``new_fm`` holds exactly ``old_fm`` with the edit applied, keys in their order."""
    try:
        old = HANDLER.load(old_fm)
        new = HANDLER.load(new_fm)
    except yaml.YAMLError:
        return False
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    removed = set(remove)
    expected = {k: v for k, v in old.items() if k not in removed}
    expected.update(changes)
    kept = [k for k in old if k not in removed]
    return new == expected and [k for k in new if k in old] == kept


def update_front_matter(text: str, changes: Mapping[str, Any], remove: Iterable[str] = (), *, rel: str = "") -> str:
    """``text`` (a whole contribution file) with some front-matter keys set or removed.

    Only the lines of those keys change: the other keys, their order, comments, line
    ends and the Markdown text are kept byte for byte. A new key is placed where
    docs/format.md puts it. One-line values are edited as text (fast, the common
    case); anything else (a block list, a comment on the line) goes through
    ruamel.yaml's round trip of the front matter alone. The result is parsed again:
    an edit that would change anything else raises :class:`AteliersError`.
    """
    remove = [k for k in remove if k not in changes]
    parts = split(text)
    if parts is None or not parts.closed:
        raise AteliersError(
            "en-tête YAML introuvable : la contribution n'est pas modifiée",
            path=rel or None,
            hint="lancez « ateliers check »",
        )
    fm = parts.fm
    edited = _edit_textually(fm, changes, remove)
    if edited is not None and _textual_edit_ok(edited[0], edited[1], changes, remove):
        new_fm = edited[0]
    else:
        try:
            new_fm = _edit_round_trip(fm, changes, remove)
        except Exception:  # noqa: BLE001 - ruamel's errors (a duplicate key…): the file is left alone
            new_fm = ""
        if not new_fm or not _same_edit(fm, new_fm, changes, remove):
            raise AteliersError(
                "l'en-tête ne peut pas être modifié sans toucher à autre chose : la contribution n'est pas modifiée",
                path=rel or None,
                hint="modifiez-la à la main, ou lancez « ateliers check » pour y trouver un problème",
            )
    return parts.opening + new_fm + parts.closing + parts.body

