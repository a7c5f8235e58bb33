"""Text analysis of contributions: candidate themes, theme tagging, near-duplicates.

A pure library: no terminal output, deterministic (same input, same output,
whatever the run), pure Python plus ``snowballstemmer``.

- :func:`suggest_themes` / :func:`draft_themes_yaml` — candidate themes from the texts;
- :func:`tag` — suggested themes for each text from the themes' ``mots_cles``;
- :func:`find_duplicates` — near-duplicates and copy-paste campaigns;
- :mod:`.text` and :mod:`.tfidf` — the French tokeniser and the vector tools underneath.
"""

from .documents import DocInput, Document, as_documents
from .duplicates import DuplicateGroup, find_duplicates
from .suggest import CandidateTheme, draft_themes_yaml, suggest_themes
from .tag import TagSuggestion, ThemeInput, ThemeScore, ThemeSpec, tag
from .text import SurfaceForms, fold_accents, normalize, stem, tokens, words
from .tfidf import SparseVector, TfidfModel, cosine, distinctive_terms

__all__ = [
    "CandidateTheme",
    "DocInput",
    "Document",
    "DuplicateGroup",
    "SparseVector",
    "SurfaceForms",
    "TagSuggestion",
    "TfidfModel",
    "ThemeInput",
    "ThemeScore",
    "ThemeSpec",
    "as_documents",
    "cosine",
    "distinctive_terms",
    "draft_themes_yaml",
    "find_duplicates",
    "fold_accents",
    "normalize",
    "stem",
    "suggest_themes",
    "tag",
    "tokens",
    "words",
]
