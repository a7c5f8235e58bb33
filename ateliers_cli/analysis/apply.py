"""The analysis help on a consultation: plan the suggestions, then write what the analyst accepts.

The rest of :mod:`ateliers_cli.analysis` works on texts; this module puts it to work
on a loaded consultation, for the three commands of the analyst:

- :func:`plan_suggest` / :func:`write_suggest` — candidate themes and the
  ``themes.yaml`` draft (``ateliers themes suggest``);
- :func:`plan_tag` / :func:`tag_files` — suggested themes for the contributions
  not yet analysed, and the edits that ``--apply`` writes (``ateliers themes tag``);
- :func:`plan_doublons` / :func:`doublon_files` — near-duplicates and campaigns,
  and the ``statut: doublon`` edits (``ateliers contributions doublons``).

Plans are plain data the CLI prints or dumps as JSON; ``*_files`` compute every
new file content first, so that the caller writes them all at once
(:func:`ateliers_cli.fsutil.write_all`). Nothing here prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ateliers_cli.errors import AteliersError, UsageError
from ateliers_cli.model import Consultation, Contribution
from ateliers_cli.store.front_matter import update_front_matter

from .duplicates import DuplicateGroup, author_key, find_duplicates
from .resends import find_resends
from .suggest import CandidateTheme, NumberChoice, draft_themes_yaml, suggest_themes_with_choice
from .tag import Reliability, ThemeScore, tag_with_reliability

__all__ = [
    "DEFAULT_DRAFT",
    "DEFAULT_DUPLICATE_THRESHOLD",
    "DEFAULT_TAG_THRESHOLD",
    "DoublonPlan",
    "GroupRow",
    "SuggestPlan",
    "TagPlan",
    "TagRow",
    "classified_examples",
    "doublon_files",
    "excerpt",
    "parse_threshold",
    "plan_doublons",
    "plan_suggest",
    "plan_tag",
    "tag_files",
    "write_suggest",
]

DEFAULT_DRAFT = "themes-suggeres.yaml"
"""Where ``themes suggest`` writes its draft, in the consultation folder."""
DEFAULT_TAG_THRESHOLD = 0.5
"""Score from which ``themes tag --apply`` writes a theme."""
DEFAULT_DUPLICATE_THRESHOLD = 0.8
"""Chosen with bench/calibrate_doublons.py (real texts and their copies): precision 100 % from 0,5 to
0,9, recall 83 % at 0,8 and 98 % at 0,6; but on 100 000 generated texts, 0,7 costs 68 s and 1,6 Go
against 19 s and 470 Mo at 0,8: 0,8 by default, a lower --seuil for a smaller consultation."""
"""Share of common word triples from which two texts are (near) copies."""
REPORT_FLOOR = 0.05
"""Suggestions below the threshold but above this floor are still shown, as near misses."""

Progress = Callable[[int, int], None]


def parse_threshold(value: str, option: str, *, allow_zero: bool = True) -> float:
    """A threshold written by a French user: « 0,5 » or « 0.5 », between 0 and 1."""
    text = value.strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise UsageError(
            f"{option} « {value} » : ce n'est pas un nombre", hint=f"un nombre entre 0 et 1, par exemple {option} 0,5"
        ) from None
    if not 0.0 <= number <= 1.0 or number != number:  # noqa: PLR0124 - NaN
        raise UsageError(
            f"{option} « {value} » : le seuil doit être compris entre 0 et 1", hint=f"par exemple {option} 0,5"
        )
    if number == 0.0 and not allow_zero:
        raise UsageError(f"{option} « {value} » : le seuil doit être supérieur à 0", hint=f"par exemple {option} 0,8")
    return number


_MARKUP = re.compile(r"[*_#>`|]+")


def excerpt(text: str, width: int = 50) -> str:
    """The start of a text on one line, Markdown marks removed, cut at a word."""
    flat = " ".join(_MARKUP.sub(" ", text).split())
    if len(flat) <= width:
        return flat
    cut = flat[:width].rsplit(" ", 1)[0] if " " in flat[:width] else flat[:width]
    return cut.rstrip(" ,;:.") + "…"


def natural_key(cid: str) -> tuple[Any, ...]:
    """« C-0009 » before « C-0010 » before « C-10000 »."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", cid))


def _with_text(c: Consultation, keep: Callable[[Contribution], bool] | None = None) -> list[Contribution]:
    return [ct for ct in c.contributions.values() if ct.texte.strip() and (keep is None or keep(ct))]


def _no_contributions(c: Consultation) -> AteliersError:
    if not c.contributions:
        return AteliersError(
            "aucune contribution dans contributions/ : rien à analyser",
            hint="importez-en avec « ateliers contributions import FICHIER » ou saisissez-en avec « ateliers "
            "contributions add »",
        )
    return AteliersError("aucune contribution n'a de texte : rien à analyser", hint="lancez « ateliers check »")


# --- themes suggest ---------------------------------------------------------------------


@dataclass
class SuggestPlan:
    """Candidate themes and the draft that ``themes suggest`` writes."""

    candidates: list[CandidateTheme]
    excerpts: dict[str, str]
    """A short excerpt of each representative contribution."""
    draft: str
    target: Path
    n_texts: int
    """How many contributions were analysed."""
    n_left_out: int
    """Contributions left out: marked doublon or hors_sujet, or without text."""
    overwrite: bool = False
    """Whether the draft replaces an existing file (``--force``)."""
    choice: NumberChoice | None = None
    """Why that many themes (silhouette of each number tried), when the number was not given."""


def check_draft_target(root: Path, target: Path, force: bool) -> bool:
    """Refuse ``themes.yaml`` itself, and an existing file without ``force``; True when it exists."""
    resolved = target.resolve()
    if resolved == (root / "themes.yaml").resolve():
        raise UsageError(
            "le projet de thèmes n'est jamais écrit dans themes.yaml lui-même",
            hint=f"écrivez-le à côté (--out {DEFAULT_DRAFT}, par défaut), relisez-le, puis reportez dans themes.yaml "
            "ce que vous gardez",
        )
    if resolved.is_dir():
        raise UsageError(
            f"--out « {target} » est un dossier", hint=f"donnez un nom de fichier, par exemple --out {DEFAULT_DRAFT}"
        )
    exists = resolved.exists()
    if exists and not force:
        raise AteliersError(
            f"le fichier « {target} » existe déjà : il n'est pas remplacé",
            hint="ajoutez --force pour le remplacer, ou choisissez un autre nom avec --out",
        )
    return exists


def plan_suggest(
    c: Consultation,
    target: Path,
    *,
    k: int | None = None,
    seed: int = 0,
    force: bool = False,
    progress: Progress | None = None,
) -> SuggestPlan:
    """Group the contributions' texts into candidate themes (nothing written).

    Contributions marked ``doublon`` or ``hors_sujet`` are left out: a copy would
    weigh twice, and an off-topic text is not a theme of the consultation.
    """
    if k is not None and k < 1:
        raise UsageError(
            f"--nombre {k} : il faut au moins un thème",
            hint="par exemple --nombre 8, ou rien pour laisser l'outil choisir",
        )
    overwrite = check_draft_target(c.root, target, force)
    if not c.contributions:
        raise _no_contributions(c)
    docs = [ct for ct in c.contributions.values() if _has_words(ct) and ct.statut not in ("doublon", "hors_sujet")]
    if not docs:
        raise AteliersError(
            "aucune contribution à analyser : toutes sont sans texte, doublons ou hors sujet",
            hint="« ateliers contributions list » montre leur statut",
        )
    candidates, choice = suggest_themes_with_choice(docs, k=k, seed=seed, progress=progress)
    texts = {ct.id: (f"{ct.titre} — {ct.texte}" if ct.titre.strip() else ct.texte) for ct in docs}
    excerpts = {cid: excerpt(texts[cid]) for cand in candidates for cid in cand.representative_ids}
    return SuggestPlan(
        candidates=candidates,
        excerpts=excerpts,
        draft=draft_themes_yaml(candidates),
        target=target,
        n_texts=len(docs),
        n_left_out=len(c.contributions) - len(docs),
        overwrite=overwrite,
        choice=choice if choice.silhouettes else None,
    )


def write_suggest(plan: SuggestPlan) -> None:
    """Write the draft atomically (the caller holds the lock when it is in the consultation)."""
    from ateliers_cli.fsutil import atomic_write

    atomic_write(plan.target, plan.draft)


def suggest_json(plan: SuggestPlan, shown_path: str) -> dict[str, Any]:
    """What ``themes suggest --json`` prints."""
    return {
        "fichier": shown_path,
        "contributions_analysees": plan.n_texts,
        "contributions_ecartees": plan.n_left_out,
        "choix_du_nombre": None
        if plan.choice is None
        else {"retenu": plan.choice.chosen, "silhouettes": {str(k): v for k, v in plan.choice.silhouettes.items()}},
        "themes": [
            {
                "id": cand.id,
                "titre": cand.titre,
                "taille": cand.size,
                "cohesion": cand.cohesion,
                "mots_cles": list(cand.mots_cles),
                "representatives": [
                    {"id": cid, "extrait": plan.excerpts.get(cid, "")} for cid in cand.representative_ids
                ],
                "contributions": list(cand.member_ids),
            }
            for cand in plan.candidates
        ],
    }


# --- themes tag -------------------------------------------------------------------------

TagState = Literal["a_ecrire", "sous_le_seuil", "aucun_theme", "sans_texte", "rapport"]
"""What becomes of one contribution: its themes are written (``a_ecrire``), it is left
to the analyst (``sous_le_seuil``, ``aucun_theme``, ``sans_texte``), or it was
already analysed and is only reported (``rapport``, with ``--toutes``)."""


@dataclass
class TagRow:
    """The suggestions for one contribution, and what ``--apply`` does with them."""

    id: str
    statut: str
    current: tuple[str, ...]
    """The themes it already has."""
    suggestions: tuple[ThemeScore, ...]
    """Best first, down to :data:`REPORT_FLOOR` (near misses included)."""
    chosen: tuple[str, ...]
    """The themes at or above the threshold: what ``--apply`` writes."""
    state: TagState


@dataclass
class TagPlan:
    """``themes tag``: one row per contribution considered, in id order."""

    threshold: float
    rows: list[TagRow]
    n_contributions: int
    """Every contribution of the consultation (the text corpus the scores come from)."""
    include_all: bool = False
    n_examples: int = 0
    """Contributions already classified (statut analysee, with themes): the examples learnt from."""
    reliability: Reliability | None = None
    """Cross-validated on those examples; None under ten examples."""

    def count(self, state: TagState) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def to_write(self) -> list[TagRow]:
        return [r for r in self.rows if r.state == "a_ecrire"]

    @property
    def by_hand(self) -> list[TagRow]:
        """Contributions still ``nouvelle`` after ``--apply``: for the analyst."""
        return [r for r in self.rows if r.state in ("sous_le_seuil", "aucun_theme", "sans_texte")]


def plan_tag(
    c: Consultation,
    *,
    threshold: float = DEFAULT_TAG_THRESHOLD,
    include_all: bool = False,
    max_themes: int = 3,
    progress: Progress | None = None,
) -> TagPlan:
    """Suggest themes for the contributions still ``nouvelle`` (every one with ``include_all``).

    Scores come from the whole set of contributions, whatever their status, so a
    contribution gets the same suggestions whether or not the others are analysed.
    """
    if max_themes < 1:
        raise UsageError(f"--max {max_themes} : au moins un thème par contribution", hint="par exemple --max 3")
    if not c.themes:
        raise AteliersError(
            "aucun thème dans themes.yaml : il n'y a rien à suggérer",
            path="themes.yaml",
            hint="définissez les thèmes et leurs mots_cles ; « ateliers themes suggest » en propose un projet",
        )
    if not c.contributions:
        raise _no_contributions(c)
    corpus = [ct for ct in c.contributions.values() if _has_words(ct)]
    if not corpus:
        raise _no_contributions(c)
    if not include_all and not any(ct.statut == "nouvelle" for ct in c.contributions.values()):
        return TagPlan(threshold, [], len(c.contributions), include_all)
    examples = classified_examples(c)
    themes = list(c.themes.values())
    tagged, reliability = tag_with_reliability(
        corpus,
        themes,
        min_score=min(REPORT_FLOOR, threshold),
        max_themes=max_themes,
        examples=examples,
        progress=progress,
    )
    suggestions = {s.doc_id: s.themes for s in tagged}
    rows: list[TagRow] = []
    for ct in sorted(c.contributions.values(), key=lambda x: natural_key(x.id)):
        new = ct.statut == "nouvelle"
        if not new and not include_all:
            continue
        found = suggestions.get(ct.id, ())
        chosen = tuple(s.theme_id for s in found if s.score >= threshold)
        state: TagState
        if not new:
            state = "rapport"
        elif not _has_words(ct):
            state = "sans_texte"
        elif chosen:
            state = "a_ecrire"
        elif found:
            state = "sous_le_seuil"
        else:
            state = "aucun_theme"
        rows.append(TagRow(ct.id, ct.statut, tuple(ct.themes), found, chosen, state))
    return TagPlan(threshold, rows, len(c.contributions), include_all, len(examples), reliability)


def _has_words(ct: Contribution) -> bool:
    return bool(ct.texte.strip() or ct.titre.strip())


def classified_examples(c: Consultation) -> dict[str, list[str]]:
    """The contributions already classified (statut analysee, with known themes): what
    ``themes tag`` learns from, whoever classified them (by hand, ``contributions classer``,
    a spreadsheet read back, or an earlier ``tag --apply`` the analyst kept)."""
    return {
        ct.id: [t for t in ct.themes if t in c.themes]
        for ct in c.contributions.values()
        if ct.statut == "analysee" and any(t in c.themes for t in ct.themes) and _has_words(ct)
    }


def _read(c: Consultation, ct: Contribution) -> str:
    path = c.root / ct.path
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AteliersError(
            f"contribution illisible : {exc}", path=ct.path, hint="lancez « ateliers check » : rien n'a été écrit"
        ) from None


def tag_files(c: Consultation, plan: TagPlan, progress: Progress | None = None) -> dict[str, bytes | str | None]:
    """The new content of each contribution to classify: ``themes`` and ``statut: analysee``.

    Only those two lines of the front matter change; everything else stays byte
    for byte. Themes an analyst already gave a « nouvelle » contribution are kept,
    first. Raises before anything is written if one file cannot be edited.
    """
    files: dict[str, bytes | str | None] = {}
    rows = plan.to_write
    for n, row in enumerate(rows):
        if progress is not None and n % 500 == 0:
            progress(n, len(rows))
        ct = c.contributions[row.id]
        themes = list(row.current) + [t for t in row.chosen if t not in row.current]
        files[ct.path] = update_front_matter(
            _read(c, ct), {"themes": themes, "statut": "analysee"}, rel=ct.path
        ).encode("utf-8")
    if progress is not None:
        progress(len(rows), len(rows))
    return files


def _score_json(s: ThemeScore) -> dict[str, Any]:
    return {
        "theme": s.theme_id,
        "score": s.score,
        "mots_cles_trouves": list(s.matched),
        "mots_qui_ont_pese": list(s.shared_words),
        "proches_classees_a_la_main": list(s.close_examples),
    }


def tag_json(plan: TagPlan, applied: bool) -> dict[str, Any]:
    """What ``themes tag --json`` prints."""
    return {
        "seuil": plan.threshold,
        "applique": applied,
        "resume": {
            state: plan.count(state) for state in ("a_ecrire", "sous_le_seuil", "aucun_theme", "sans_texte", "rapport")
        },
        "a_classer_a_la_main": [r.id for r in plan.by_hand],
        "exemples": plan.n_examples,
        "fiabilite": None
        if plan.reliability is None
        else {
            "verifiees": plan.reliability.n_examples,
            "justes": plan.reliability.n_right,
            "taux": round(plan.reliability.rate, 4),
            "puissance_des_scores": round(plan.reliability.sharpness, 4),
            "score_moyen": round(plan.reliability.mean_score, 4),
        },
        "contributions": [
            {
                "id": r.id,
                "statut": r.statut,
                "themes_actuels": list(r.current),
                "suggestions": [_score_json(s) for s in r.suggestions],
                "retenus": list(r.chosen),
                "suite": r.state,
            }
            for r in plan.rows
        ],
    }


# --- contributions doublons -------------------------------------------------------------


@dataclass
class GroupRow:
    """One group of (near) copies and what ``--apply`` does with it."""

    group: DuplicateGroup
    statuts: dict[str, str]
    marks: dict[str, str] = field(default_factory=dict)
    """Member -> the contribution it is marked a doublon of."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Member -> why it is left as it is (in French)."""

    @property
    def campaign_reported(self) -> bool:
        """A campaign only reported (not marked): legitimate participation."""
        return self.group.kind == "campagne" and not self.marks and not self.skipped


@dataclass
class DoublonPlan:
    """``contributions doublons``: the groups found and the marks ``--apply`` writes."""

    threshold: float
    groups: list[GroupRow]
    n_texts: int
    campaigns: bool = False
    resends: bool = False

    @property
    def marks(self) -> dict[str, str]:
        return {m: o for g in self.groups for m, o in g.marks.items()}

    def count(self, kind: str) -> int:
        return sum(1 for g in self.groups if g.group.kind == kind)


def _chain_root(c: Consultation, cid: str) -> str | None:
    """The contribution a doublon finally points to (``None`` on a loop or a dangling link)."""
    seen = {cid}
    current = c.contributions.get(cid)
    while current is not None and current.statut == "doublon":
        nxt = current.doublon_de
        if not nxt or nxt in seen:
            return None
        seen.add(nxt)
        cid = nxt
        current = c.contributions.get(nxt)
    return cid if current is not None else None


def plan_doublons(
    c: Consultation,
    *,
    threshold: float = DEFAULT_DUPLICATE_THRESHOLD,
    campaigns: bool = False,
    resends: bool = False,
    progress: Progress | None = None,
) -> DoublonPlan:
    """Find the groups of (near) copies and plan their marks.

    In a ``doublon`` group (two texts, or one author sending again) every member
    but the original is to be marked ``statut: doublon`` with ``doublon_de`` the
    original; a ``campagne`` (the same text from three people or more) only with
    ``campaigns``. The original is never marked; neither is a contribution already
    marked doublon. When the original is itself a doublon, the others point to
    the contribution it is a doublon of, so that no chain is made. A ``renvoi``
    (the same author, from the same territory, writing again in other words:
    resends.py) is marked only with ``resends``.
    """
    if not 0.0 < threshold <= 1.0:
        raise UsageError(
            f"--seuil {threshold} : le seuil doit être compris entre 0 (exclu) et 1", hint="par exemple --seuil 0,8"
        )
    if not c.contributions:
        raise _no_contributions(c)
    docs = _with_text(c)
    if not docs:
        raise _no_contributions(c)
    rows: list[GroupRow] = []
    copies = find_duplicates(docs, threshold, progress=progress)
    # who sent it: the person's key (prive/: the same e-mail, phone, or name and commune),
    # else the author's public name within a territory (no name, no sender)
    from ateliers_cli.store.persons import person_keys

    keys = person_keys(c.root)
    senders: dict[str, str] = {}
    for ct in docs:
        name = author_key(ct.auteur)
        if ct.id in keys or name:
            senders[ct.id] = keys.get(ct.id) or f"{name}|{ct.territoire}"
    rewritten = find_resends(docs, senders, already=[g.member_ids for g in copies])
    for group in [*copies, *rewritten]:
        statuts = {m: c.contributions[m].statut for m in group.member_ids}
        row = GroupRow(group, statuts)
        rows.append(row)
        if (group.kind == "campagne" and not campaigns) or (group.kind == "renvoi" and not resends):
            continue
        target = _chain_root(c, group.original)
        for member in group.duplicate_ids:
            ct = c.contributions[member]
            if ct.statut == "doublon":
                row.skipped[member] = f"déjà doublon de {ct.doublon_de}" if ct.doublon_de else "déjà doublon"
            elif target is None:
                row.skipped[member] = f"l'original {group.original} est un doublon dont la chaîne est rompue"
            elif target == member:
                row.skipped[member] = f"c'est la contribution dont {group.original} est le doublon"
            else:
                row.marks[member] = target
    return DoublonPlan(threshold, rows, len(docs), campaigns, resends)


def doublon_files(c: Consultation, plan: DoublonPlan) -> dict[str, bytes | str | None]:
    """The new content of each contribution to mark: ``statut: doublon``, ``doublon_de``."""
    files: dict[str, bytes | str | None] = {}
    for member, original in sorted(plan.marks.items(), key=lambda item: natural_key(item[0])):
        ct = c.contributions[member]
        files[ct.path] = update_front_matter(
            _read(c, ct), {"statut": "doublon", "doublon_de": original}, rel=ct.path
        ).encode("utf-8")
    return files


def doublons_json(plan: DoublonPlan, applied: bool) -> dict[str, Any]:
    """What ``contributions doublons --json`` prints."""
    return {
        "seuil": plan.threshold,
        "applique": applied,
        "campagnes_marquees": plan.campaigns,
        "renvois_marques": plan.resends,
        "resume": {
            "groupes": len(plan.groups),
            "doublons": plan.count("doublon"),
            "campagnes": plan.count("campagne"),
            "renvois": plan.count("renvoi"),
            "a_marquer": len(plan.marks),
        },
        "groupes": [
            {
                "nature": g.group.kind,
                "original": g.group.original,
                "membres": list(g.group.member_ids),
                "similarite": g.group.similarity,
                "similarites": dict(g.group.similarities),
                "statuts": dict(g.statuts),
                "marques": dict(g.marks),
                "laisses": dict(g.skipped),
            }
            for g in plan.groups
        ],
    }


def ids_preview(ids: Iterable[str], limit: int = 12) -> str:
    """« C-0001, C-0002, … (+40) »."""
    ids = list(ids)
    shown = ", ".join(ids[:limit])
    return shown if len(ids) <= limit else f"{shown}, … (+{len(ids) - limit})"
