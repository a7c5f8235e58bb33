"""French text normalisation: words, stop words, elisions, Snowball stems.

Everything here is deterministic and pure: the same text always gives the same
words and the same stems. Stemming goes through a cache because Snowball in
pure Python costs about 70 µs a word, and a consultation reuses a few tens of
thousands of distinct words over and over.

Three levels of tokens:

- :func:`words` — every word of the text, lower-cased, elisions split
  (« l'isolement » → ``l'``, ``isolement``), stop words kept. This is what
  near-duplicate detection compares.
- :func:`content_words` — the same without stop words, numbers and one-letter
  words.
- :func:`tokens` — the Snowball stems of the content words; what TF-IDF,
  clustering and tagging work on. :class:`SurfaceForms` maps a stem back to the
  word people actually wrote, to show readable key words.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable

import snowballstemmer

__all__ = [
    "ELISIONS",
    "STOP_WORDS",
    "ProperNouns",
    "SurfaceForms",
    "content_words",
    "fold_accents",
    "is_stop_word",
    "normalize",
    "slugify",
    "stem",
    "tokens",
    "tokens_with_surface",
    "words",
]

#: Elided words, as they appear before an apostrophe (« l'école », « jusqu'à »).
ELISIONS: frozenset[str] = frozenset(
    {"l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"}
)

_STOP_WORDS_TEXT = """
le la les l' un une des du de d' au aux ce cet cette ces
mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs
quel quelle quels quelles quelque quelques chaque plusieurs certain certaine certains certaines
tout toute tous toutes aucun aucune autre autres meme memes tel telle tels telles nul nulle
je j' me m' moi tu te t' toi il elle on nous vous ils elles se s' soi lui eux y en
qui que qu' quoi dont où lequel laquelle lesquels lesquelles duquel auquel auxquels auxquelles
celui celle ceux celles ceci cela ça ce c' ci rien chacun chacune quelqu quelqu'un
quelqu'une quiconque
à a de en dans par pour sur sous avec sans chez vers entre contre depuis pendant avant après
selon malgré parmi jusqu' jusque jusqu'à hors près envers dès via auprès afin lors durant
outre grâce
et ou mais donc or ni car si comme quand lorsque lorsqu' puisque puisqu' quoique quoiqu'
tandis alors ainsi cependant pourtant toutefois néanmoins sinon soit
ne n' pas plus moins très trop peu beaucoup assez bien mal aussi encore déjà toujours
jamais souvent parfois ici là voilà voici oui non surtout vraiment tellement tant autant
ensuite enfin puis aujourd'hui aujourd hui maintenant notamment également etc ailleurs plutôt
presque seulement simplement combien comment pourquoi cas fois chose choses exemple
être suis es est sommes êtes sont étais était étions étiez étaient fus fut fûmes furent
sois soit soyons soyez soient serai seras sera serons serez seront serais serait serions
seriez seraient été étant
avoir ai as a avons avez ont avais avait avions aviez avaient eu eus eut eûmes eurent
aie aies ait ayons ayez aient aurai auras aura aurons aurez auront aurais aurait aurions
auriez auraient ayant eue eues
faire fais fait faisons faites font faisais faisait faisions faisiez faisaient fis fit
ferai feras fera ferons ferez feront ferais ferait ferions feriez feraient fasse fasses
fassions fassiez fassent faisant faits faite
aller vais vas va allons allez vont allais allait allions alliez allaient irai iras ira
irons irez iront irais irait irions iriez iraient aille ailles aillent allé allée allés
pouvoir peux peut pouvons pouvez peuvent pouvais pouvait pouvions pouviez pouvaient
pourrai pourras pourra pourrons pourrez pourront pourrais pourrait pourrions pourriez
pourraient puisse puisses puissions puissiez puissent pu
devoir dois doit devons devez doivent devais devait devions deviez devaient devrai devras
devra devrons devrez devront devrais devrait devrions devriez devraient dû
vouloir veux veut voulons voulez veulent voulais voulait voulions vouliez voulaient
voudrai voudra voudrons voudrez voudront voudrais voudrait voudrions voudriez voudraient
voulu veuille veuillez
falloir faut faudrait fallait faudra fallu faille
dire dis dit disons dites disent savoir sais sait savons savez savent
mettre met mets mettent mis mise mises rendre rend rendent prendre prend prennent pris
donner donne donnent permettre permet permettent permettrait permettraient permettant
merci mercis remercie remercions remerciements bonjour bonsoir madame mesdames monsieur
messieurs mademoiselle mme mmes mr mrs cordialement salutations sincères respectueusement
distinguées agréer svp stp ok cher chère chers chères
"""

#: French stop words, accent-folded (compare with ``fold_accents(word)``).
STOP_WORDS: frozenset[str] = frozenset(
    unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode("ascii") for w in _STOP_WORDS_TEXT.split()
)

_APOSTROPHES = ("’", "‘", "ʼ", "`", "´", "′")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_TAG_RE = re.compile(r"</?[a-zA-Z][^>]{0,200}>")
# A word: letters and digits, possibly joined by apostrophes (split afterwards when the
# part before the apostrophe is an elision). Underscores, hyphens, Markdown punctuation
# (* _ # > [ ] ( ) `) and everything else separate words.
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

_STEMMER = snowballstemmer.stemmer("french")
_STEM_LOCK = threading.Lock()
_CACHE_LIMIT = 1_000_000
# surface word -> (stem, accent-folded stem), or None for a stop word / non-content word.
_CONTENT_CACHE: dict[str, tuple[str, str] | None] = {}
# stop word (or other non-content word) -> its stem, for the key words an analyst chose.
_OTHER_STEMS: dict[str, str] = {}
# word -> the same without accents.
_FOLD_CACHE: dict[str, str] = {}
# raw regex match -> its words once elisions are split.
_SPLIT_CACHE: dict[str, tuple[str, ...]] = {}


def fold_accents(text: str) -> str:
    """Remove diacritics: « âgées » → « agees », « œuvre » → « oeuvre »."""
    if text.isascii():
        return text
    text = text.replace("œ", "oe").replace("æ", "ae").replace("Œ", "OE").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str) -> str:
    """A slug ``[a-z0-9]+(-[a-z0-9]+)*`` from any text (empty if nothing is left)."""
    folded = fold_accents(text.lower())
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def normalize(text: str) -> str:
    """Lower-case, NFC, one kind of apostrophe, no URLs, e-mail addresses or HTML tags.

    Markdown punctuation is left in place: :func:`words` does not treat it as part
    of a word.
    """
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    text = text.lower()
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "/" in text or "@" in text or "www." in text:
        text = _URL_RE.sub(" ", text)
    return text


def _split(raw: str) -> tuple[str, ...]:
    """Split the elisions of one regex match: « qu'aujourd'hui » → ``qu'``, ``aujourd'hui``."""
    cached = _SPLIT_CACHE.get(raw)
    if cached is not None:
        return cached
    parts: list[str] = []
    rest = raw
    while "'" in rest:
        head, tail = rest.split("'", 1)
        if head in ELISIONS:
            parts.append(head + "'")
            rest = tail
        else:
            break
    parts.append(rest)
    result = tuple(parts)
    if len(_SPLIT_CACHE) >= _CACHE_LIMIT:
        _SPLIT_CACHE.clear()
    _SPLIT_CACHE[raw] = result
    return result


def words(text: str, *, fold: bool = False) -> list[str]:
    """Every word of ``text``, normalised, elisions split, stop words kept.

    >>> words("L’isolement d'aujourd'hui")
    ["l'", 'isolement', "d'", "aujourd'hui"]
    """
    result: list[str] = []
    for raw in _WORD_RE.findall(normalize(text)):
        if "'" in raw:
            result.extend(_split(raw))
        else:
            result.append(raw)
    if fold:
        return [_fold_word(w) for w in result]
    return result


def _fold_word(word: str) -> str:
    if word.isascii():
        return word
    folded = _FOLD_CACHE.get(word)
    if folded is None:
        folded = fold_accents(word)
        if len(_FOLD_CACHE) >= _CACHE_LIMIT:
            _FOLD_CACHE.clear()
        _FOLD_CACHE[word] = folded
    return folded


def is_stop_word(word: str) -> bool:
    """Whether ``word`` (any case, with or without accents) is a French stop word."""
    return fold_accents(word.lower()) in STOP_WORDS


def stem(word: str) -> str:
    """The Snowball French stem of one lower-case word (cached)."""
    entry = _content(word)
    if entry is not None:
        return entry[0]
    cached = _OTHER_STEMS.get(word)
    if cached is None:
        with _STEM_LOCK:
            cached = str(_STEMMER.stemWord(word))
        if len(_OTHER_STEMS) >= _CACHE_LIMIT:
            _OTHER_STEMS.clear()
        _OTHER_STEMS[word] = cached
    return cached


def _content(word: str) -> tuple[str, str] | None:
    """(stem, folded stem) of a content word, or None for words topic analysis ignores."""
    try:
        return _CONTENT_CACHE[word]
    except KeyError:
        pass
    entry: tuple[str, str] | None
    folded = fold_accents(word)
    if (
        len(word) < 2
        or folded in STOP_WORDS
        or "'" in word
        and folded.split("'", 1)[0] in STOP_WORDS
        or any(ch.isdigit() for ch in word)
    ):
        entry = None
    else:
        with _STEM_LOCK:
            stemmed = str(_STEMMER.stemWord(word))
        entry = (stemmed, fold_accents(stemmed))
    if len(_CONTENT_CACHE) >= _CACHE_LIMIT:
        _CONTENT_CACHE.clear()
    _CONTENT_CACHE[word] = entry
    return entry


def content_words(text: str) -> list[str]:
    """The words of ``text`` that carry meaning: no stop words, numbers or one-letter words."""
    return [w for w in words(text) if _content(w) is not None]


def tokens(text: str, *, fold: bool = False) -> list[str]:
    """The Snowball stems of the content words of ``text``, in order.

    Accents are kept (« âgées » → ``âgé``) unless ``fold`` is true (→ ``age``).

    >>> tokens("L'isolement des personnes âgées")
    ['isol', 'person', 'âgé']
    """
    which = 1 if fold else 0
    result: list[str] = []
    for w in words(text):
        entry = _content(w)
        if entry is not None:
            result.append(entry[which])
    return result


def tokens_with_surface(text: str, *, fold: bool = False, keep: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Like :func:`tokens`, each stem paired with the word it comes from.

    ``keep`` holds stems (folded if ``fold``) that are never dropped, even when their word
    is a stop word: the words an analyst chose as key words (« car » in « des cars »).
    """
    which = 1 if fold else 0
    result: list[tuple[str, str]] = []
    known = _CONTENT_CACHE  # most words were seen before: looked up here, without a call
    for w in words(text):
        entry = known.get(w, _UNSEEN)
        if entry is _UNSEEN:
            entry = _content(w)
        if entry is not None:
            result.append((entry[which], w))  # type: ignore[index]
        elif keep and not w.endswith("'"):
            stemmed = stem(w)
            if fold:
                stemmed = fold_accents(stemmed)
            if stemmed in keep:
                result.append((stemmed, w))
    return result


_UNSEEN = object()


class SurfaceForms:
    """Counts which written word each stem comes from, to show stems readably.

    >>> forms = SurfaceForms()
    >>> stems = forms.add_text("Les voisins, un voisin, des voisins")
    >>> forms.readable("voisin")
    'voisins'
    """

    def __init__(self) -> None:
        self._pairs: Counter[tuple[str, str]] = Counter()  # (stem, surface) → occurrences
        self._by_stem: dict[str, dict[str, int]] | None = None  # built when first asked

    def add(self, stem: str, surface: str) -> None:
        """Record one occurrence of ``surface`` for ``stem``."""
        self._pairs[(stem, surface)] += 1
        self._by_stem = None

    def add_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Record (stem, surface) pairs as :func:`tokens_with_surface` returns them."""
        self._pairs.update(pairs)  # counted in C
        self._by_stem = None

    def add_text(self, text: str, *, fold: bool = False) -> list[str]:
        """Tokenise ``text``, record its surface forms and return its stems."""
        pairs = tokens_with_surface(text, fold=fold)
        self.add_pairs(pairs)
        return [s for s, _ in pairs]

    def _stems(self) -> dict[str, dict[str, int]]:
        if self._by_stem is None:
            self._by_stem = {}
            for (stem_, surface), n in self._pairs.items():
                self._by_stem.setdefault(stem_, {})[surface] = n
        return self._by_stem

    def surfaces(self, stem: str) -> dict[str, int]:
        """The words written for ``stem`` and how often each was (empty if never seen)."""
        return dict(self._stems().get(stem, {}))

    def readable(self, stem: str) -> str:
        """The most frequent word written for ``stem`` (the stem itself if never seen).

        Ties go to the shortest word, then to alphabetical order, so the answer
        never depends on the order texts were read in.
        """
        counter = self._stems().get(stem)
        if not counter:
            return stem
        return min(counter.items(), key=lambda item: (-item[1], len(item[0]), item[0]))[0]

    def __contains__(self, stem: object) -> bool:
        return stem in self._stems()

    def __len__(self) -> int:
        return len(self._stems())


_CASED_WORD_RE = re.compile(r"[^\W\d_]+")
_SENTENCE_END = frozenset(".!?:;\n«»\"()[]-—–•*#>")


class ProperNouns:
    """Which words people write with a capital in the middle of a sentence (« France »,
    « Lille », « Macron »): place and person names, kept out of theme labels.

    >>> names = ProperNouns()
    >>> names.add_text("Je vis à Lille. La ville de Lille est belle.")
    >>> names.is_proper("lille"), names.is_proper("ville")
    (True, False)
    """

    def __init__(self) -> None:
        self._capital: Counter[str] = Counter()
        self._seen: Counter[str] = Counter()

    def add_text(self, text: str) -> None:
        """Count the words of ``text``, except at a sentence's start and in words all in capitals."""
        if not text:
            return
        for match in _CASED_WORD_RE.finditer(text):
            word = match.group()
            if len(word) < 2 or word.isupper():
                continue
            before = text[: match.start()].rstrip(" \t'’")
            if not before or before[-1] in _SENTENCE_END:
                continue
            key = fold_accents(word.lower())
            self._seen[key] += 1
            if word[0].isupper():
                self._capital[key] += 1

    def is_proper(self, word: str) -> bool:
        """Whether ``word`` is mostly written with a capital inside sentences."""
        key = fold_accents(word.lower())
        seen = self._seen.get(key, 0)
        return seen > 0 and self._capital.get(key, 0) * 2 > seen
