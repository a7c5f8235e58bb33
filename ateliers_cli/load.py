"""Reading a consultation folder into the model, reporting every problem.

``load(path)`` reads every file once, validates its structure against
:mod:`ateliers_cli.schema`, scans it for personal data, and builds the
:class:`~ateliers_cli.model.Consultation`. It never raises for user data:
problems come back as diagnostics beside the (partial) model.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from ateliers_cli import journal
from ateliers_cli import schema as S
from ateliers_cli.checks import merge_markers, personal_data, placeholders
from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.fsutil import find_root
from ateliers_cli.model import (
    Action,
    Amendement,
    Atelier,
    Avis,
    Besoins,
    Collectivite,
    Commission,
    Consultation,
    Contribution,
    Decision,
    Deliberation,
    Ecart,
    IndicateurSuivi,
    Inscriptions,
    Jalon,
    Lancement,
    Located,
    Mesure,
    ModeleReponse,
    MotifHorsSujet,
    Orientation,
    Passage,
    Periode,
    Production,
    Proposition,
    RapportInfo,
    Regroupement,
    Restitution,
    Retour,
    Seance,
    SitePublic,
    Synthese,
    Territoire,
    Theme,
    Vote,
)
from ateliers_cli.stages import Stage
from ateliers_cli.yamlio import Loaded, load_markdown_file, load_yaml_file, os_reason

T = TypeVar("T", bound=Located)

#: Folders and files of a consultation, besides the per-item folders.
SINGLE_FILES = (
    "consultation.yaml",
    "themes.yaml",
    "forums/lancement.yaml",
    "forums/synthese.yaml",
    "orientations.yaml",
    "deliberation.yaml",
    "reponses.yaml",
    "suivi.yaml",
)


@dataclass
class LoadResult:
    consultation: Consultation
    diagnostics: list[Diagnostic] = field(default_factory=list)


_FIELDS_CACHE: dict[type, frozenset[str]] = {}


def _build(cls: type[T], clean: dict[str, Any], path: str, **extra: Any) -> T:
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        names = _FIELDS_CACHE[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    kwargs = {k: v for k, v in clean.items() if k in names}
    kwargs.update(extra)
    return cls(path=path, line=clean.get("_line", 0), lines=clean.get("_lines", {}), **kwargs)


class _Reader:
    """Reads the files of one consultation, collecting diagnostics."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.diags: list[Diagnostic] = []
        self._outside: set[str] = set()

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def outside(self, folder: str) -> bool:
        """Whether ``folder`` (first level) is a link leading out of the consultation; reported once."""
        path = self.root / folder
        if not path.is_symlink():
            return False
        try:
            inside = path.resolve().is_relative_to(self.root)
        except (OSError, RuntimeError):  # a loop
            inside = False
        if not inside and folder not in self._outside:
            self._outside.add(folder)
            self.diags.append(
                error(
                    folder,
                    0,
                    f"le dossier {folder}/ est un lien symbolique qui sort du dossier de la consultation : il n'est "
                    "pas lu",
                    "remplacez le lien par le dossier lui-même",
                    "lien-externe",
                )
            )
        return not inside

    def yaml(self, rel: str) -> Loaded | None:
        path = self.root / rel
        if "/" in rel and self.outside(rel.split("/", 1)[0]):
            return None
        if not path.exists() and not path.is_symlink():
            return None
        loaded = load_yaml_file(path, rel, self.root)
        self._collect(loaded, rel)
        return loaded

    def item(self, path: Path, rel: str) -> Loaded:
        """One file of a per-item folder (ateliers/, restitutions/)."""
        loaded = load_yaml_file(path, rel, self.root)
        self._collect(loaded, rel)
        if not loaded.ok and not loaded.diagnostics:
            self.diags.append(
                warning(
                    rel,
                    0,
                    "fichier vide (ou seulement des commentaires) : ignoré",
                    "complétez-le ou supprimez-le",
                    "fichier-vide",
                )
            )
        return loaded

    def _collect(self, loaded: Loaded, rel: str, offset: int = 0) -> None:
        self.diags.extend(loaded.diagnostics)
        if loaded.text:
            self.diags.extend(personal_data.scan(loaded.text, rel, offset))
            self.diags.extend(merge_markers.scan(loaded.text, rel, offset))
            self.diags.extend(placeholders.scan(loaded.text, rel, offset))

    def folder(self, name: str, suffix: str) -> Iterator[tuple[Path, str]]:
        for path, rel, _link in self.folder_entries(name, suffix):
            yield path, rel

    def folder_entries(self, name: str, suffix: str) -> Iterator[tuple[Path, str, bool]]:
        """The files of ``name/`` with ``suffix``, sorted; others are reported."""
        for path, rel, link in self.folder_paths(name, suffix):
            yield Path(path), rel, link

    def folder_paths(self, name: str, suffix: str) -> Iterator[tuple[str, str, bool]]:
        """:meth:`folder_entries` with the paths as strings (10 000 ``Path`` objects cost 0.1 s)."""
        folder = self.root / name
        if not folder.is_dir() or self.outside(name):
            return
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            self.diags.append(error(name, 0, f"dossier illisible : {os_reason(exc)}", code="illisible"))
            return
        for entry in entries:
            rel = f"{name}/{entry.name}"
            if entry.name.startswith((".", "_")):  # hidden, or a model kept aside (« _exemple.yaml » of init)
                continue
            try:
                entry.name.encode("utf-8")
            except UnicodeEncodeError:  # not UTF-8 on disk: unprintable, and no valid id
                shown = os.fsencode(entry.name).decode("utf-8", "replace")
                self.diags.append(
                    error(
                        f"{name}/{shown}",
                        0,
                        "nom de fichier illisible (caractères qui ne sont pas en UTF-8) : il n'est pas lu",
                        "renommez le fichier avec son identifiant (ex. C-0001.md)",
                        "nom-illisible",
                    )
                )
                continue
            if entry.name.endswith(suffix) and (entry.is_symlink() or entry.is_file()):
                yield entry.path, rel, entry.is_symlink()
            elif entry.name.endswith(".yml") and suffix == ".yaml":
                self.diags.append(
                    warning(
                        rel,
                        0,
                        "fichier ignoré : l'extension doit être « .yaml »",
                        f"renommez-le en {entry.name[:-4]}.yaml",
                        "extension",
                    )
                )
            elif not entry.name.endswith("~"):
                self.diags.append(
                    warning(
                        rel,
                        0,
                        f"fichier ignoré : seuls les fichiers « *{suffix} » sont lus dans {name}/",
                        "déplacez-le hors de ce dossier",
                        "fichier-ignore",
                    )
                )


def load(path: Path | str, *, progress: Callable[[int, int], None] | None = None, cache: bool = False) -> LoadResult:
    """Load the consultation at ``path`` (a folder holding consultation.yaml).

    With ``cache``, contributions unchanged since the last run are taken from
    ``.ateliers-cache/`` instead of being parsed again (see :mod:`ateliers_cli.cache`).
    """
    root = Path(path).resolve()
    if not (root / "consultation.yaml").exists():
        find_root(root)  # raises the explanatory error
    r = _Reader(root)
    refused = journal.problem(root) if os.path.lexists(root / journal.JOURNAL) else None
    if refused is not None:  # planted, not left by an interrupted write: never replayed
        r.diags.append(error(journal.JOURNAL, refused.line, refused.message, refused.hint, "journal-refuse"))
    elif (root / journal.JOURNAL).exists():  # see fsutil.write_all: a change decided, not all in place
        r.diags.append(
            warning(
                ".ateliers-journal",
                0,
                "une commande a été interrompue pendant qu'elle écrivait : ses derniers fichiers ne sont pas encore "
                "en place",
                "relancez-la (ou « ateliers render ») : elle termine d'abord l'écriture interrompue",
                "ecriture-interrompue",
            )
        )
    c = Consultation(root=root, path="consultation.yaml")

    loaded = r.yaml("consultation.yaml")
    if loaded is not None and loaded.ok:
        _consultation(c, loaded.data, r.diags)
    elif loaded is not None and not loaded.diagnostics:
        r.diags.append(
            _empty(
                "consultation.yaml",
                "« ateliers aide consultation » le décrit, ou créez une consultation avec « ateliers init »",
            )
        )

    loaded = r.yaml("themes.yaml")
    if loaded is None:
        r.diags.append(
            error(
                "themes.yaml",
                0,
                "fichier « themes.yaml » absent",
                "créez-le : « themes: [] » puis un bloc par thème (« ateliers aide themes »)",
                "fichier-absent",
            )
        )
    elif not loaded.ok and not loaded.diagnostics:
        r.diags.append(_empty("themes.yaml", "écrivez « themes: » puis un bloc par thème (« ateliers aide themes »)"))
    elif loaded.ok:
        clean, d = S.validate(loaded.data, S.THEMES, "themes.yaml")
        r.diags.extend(d)
        c.themes_path = "themes.yaml"
        for t in clean.get("themes", []):
            theme = _build(Theme, t, "themes.yaml")
            _unique(c.themes, theme, "thème", r.diags)

    for contrib, diags in _contributions(root, r, progress, cache):
        r.diags.extend(diags)
        if contrib is not None:
            c.contributions[contrib.id] = contrib

    for fpath, rel in r.folder("ateliers", ".yaml"):
        loaded = r.item(fpath, rel)
        if loaded.ok:
            clean, d = S.validate(loaded.data, S.ATELIER, rel)
            r.diags.extend(d)
            atelier = _atelier(clean, rel)
            _id_is_stem(atelier, "id", fpath, rel, r.diags)
            _unique(c.ateliers, atelier, "atelier", r.diags)

    loaded = r.yaml("forums/lancement.yaml")
    if loaded is not None and loaded.ok:
        clean, d = S.validate(loaded.data, S.LANCEMENT, "forums/lancement.yaml")
        r.diags.extend(d)
        c.lancement = _build(Lancement, clean, "forums/lancement.yaml")

    loaded = r.yaml("forums/synthese.yaml")
    if loaded is not None and loaded.ok:
        rel = "forums/synthese.yaml"
        clean, d = S.validate(loaded.data, S.SYNTHESE, rel)
        r.diags.extend(d)
        c.synthese = _build(
            Synthese,
            clean,
            rel,
            regroupements=[_build(Regroupement, g, rel) for g in clean.get("regroupements", [])],
            propositions_ecartees=[
                _build(Ecart, e, rel, ref=e.get("proposition", "")) for e in clean.get("propositions_ecartees", [])
            ],
        )
        _unique_list(c.synthese.regroupements, "regroupement", r.diags)

    loaded = r.yaml("orientations.yaml")
    if loaded is not None and loaded.ok:
        rel = "orientations.yaml"
        clean, d = S.validate(loaded.data, S.ORIENTATIONS, rel)
        r.diags.extend(d)
        c.orientations_path = rel
        for o in clean.get("orientations", []):
            _unique(c.orientations, _build(Orientation, o, rel), "orientation", r.diags)
        c.regroupements_ecartes = [
            _build(Ecart, e, rel, ref=e.get("regroupement", "")) for e in clean.get("regroupements_ecartes", [])
        ]

    loaded = r.yaml("deliberation.yaml")
    if loaded is not None and loaded.ok:
        c.deliberation = _deliberation(loaded.data, r.diags)

    loaded = r.yaml("reponses.yaml")
    if loaded is not None and loaded.ok:
        rel = "reponses.yaml"
        clean, d = S.validate(loaded.data, S.REPONSES, rel)
        r.diags.extend(d)
        c.reponses_path = rel
        for m in clean.get("modeles", []):
            _unique(c.modeles_reponse, _build(ModeleReponse, m, rel), "modèle de réponse", r.diags)
    loaded = r.yaml("suivi.yaml")
    if loaded is not None and loaded.ok:
        clean, d = S.validate(loaded.data, S.SUIVI, "suivi.yaml")
        r.diags.extend(d)
        for a in clean.get("actions", []):
            indicateurs = [
                _build(
                    IndicateurSuivi,
                    i,
                    "suivi.yaml",
                    valeurs=[_build(Mesure, v, "suivi.yaml") for v in i.get("valeurs", [])],
                )
                for i in a.get("indicateurs", [])
            ]
            jalons = [_build(Jalon, j, "suivi.yaml") for j in a.get("jalons", [])]
            _unique(
                c.actions, _build(Action, a, "suivi.yaml", jalons=jalons, indicateurs=indicateurs), "action", r.diags
            )

    for fpath, rel in r.folder("restitutions", ".yaml"):
        loaded = r.item(fpath, rel)
        if loaded.ok:
            clean, d = S.validate(loaded.data, S.RESTITUTION, rel)
            r.diags.extend(d)
            resto = _build(Restitution, clean, rel, retours=[_build(Retour, x, rel) for x in clean.get("retours", [])])
            _id_is_stem(resto, "id", fpath, rel, r.diags)
            _unique(c.restitutions, resto, "restitution", r.diags)

    return LoadResult(c, r.diags)


def _consultation(c: Consultation, data: Any, diags: list[Diagnostic]) -> None:
    rel = "consultation.yaml"
    clean, d = S.validate(data, S.CONSULTATION, rel)
    diags.extend(d)
    c.line, c.lines = clean.get("_line", 1), clean.get("_lines", {})
    c.id = clean.get("id", "")
    c.titre = clean.get("titre", "")
    c.description = clean.get("description", "")
    if "collectivite" in clean:
        c.collectivite = _build(Collectivite, clean["collectivite"], rel)
    if isinstance(clean.get("rapport"), dict):
        c.rapport = _build(RapportInfo, clean["rapport"], rel)
    if isinstance(clean.get("site_public"), dict):
        c.site_public = _build(SitePublic, clean["site_public"], rel)
    for t in clean.get("territoires", []):
        _unique(c.territoires, _build(Territoire, t, rel), "territoire", diags)
    for m in clean.get("commissions", []):
        _unique(c.commissions, _build(Commission, m, rel), "commission", diags)
    for key, periode in clean.get("calendrier", {}).items():
        line = data.get("calendrier", {}).lines.get(key, 0) if hasattr(data.get("calendrier", {}), "lines") else 0
        if key not in Stage.keys() or key == Stage.CLOTUREE.value:  # noqa: SIM118 (Stage.keys(): the stage names)
            from ateliers_cli.hints import did_you_mean

            diags.append(
                error(
                    rel,
                    line,
                    f"étape « {key} » inconnue dans le calendrier",
                    did_you_mean(str(key), [s.value for s in Stage.process()])
                    or "étapes : " + ", ".join(s.value for s in Stage.process()),
                    "etape-inconnue",
                )
            )
            continue
        c.calendrier[key] = _build(Periode, periode, rel)
    if "etape" in clean:
        c.etape = Stage(clean["etape"])
    c.historique = [_build(Passage, p, rel) for p in clean.get("historique", [])]
    c.reponses_individuelles = bool(clean.get("reponses_individuelles", False))
    c.forme_inclusive = clean.get("forme_inclusive") or "doublet"
    for m in clean.get("motifs_hors_sujet", []):
        _unique(c.motifs_hors_sujet, _build(MotifHorsSujet, m, rel), "motif de hors sujet", diags)


def _contributions(
    root: Path, r: _Reader, progress: Callable[[int, int], None] | None, cache: bool
) -> list[ParsedContribution]:
    """Every contribution in file order: from the cache when unchanged, parsed otherwise."""
    from ateliers_cli.cache import ParseCache, meta_of

    entries = list(r.folder_paths("contributions", ".md"))
    pc = ParseCache(root, enabled=cache)
    results: dict[str, ParsedContribution] = {}
    metas: dict[str, tuple[int, int, int]] = {}
    todo: list[tuple[str, str, bool]] = []
    for p, rel, link in entries:
        if cache:
            try:
                st = os.stat(p)
            except OSError:
                todo.append((p, rel, link))
                continue
            if not stat.S_ISREG(st.st_mode):  # a pipe: the cache would read it (and block)
                todo.append((p, rel, link))
                continue
            meta = meta_of(st)
            hit = pc.get(rel, p, meta)
            if hit is not None:
                results[rel] = hit
                continue
            metas[rel] = meta
        todo.append((p, rel, link))
    for (p, rel, _link), parsed in zip(todo, _parse_contributions(str(root), todo, progress)):
        results[rel] = parsed
        if rel in metas:
            pc.put(rel, p, metas[rel], parsed)
    pc.keep_only({rel for _, rel, _ in entries})
    pc.save()
    return [results[rel] for _, rel, _ in entries]


#: Below this many contributions, one process is faster than starting workers.
PARALLEL_THRESHOLD = 2000
_CHUNK = 500

ParsedContribution = tuple[Contribution | None, list[Diagnostic]]


def parse_contribution(path: str, rel: str, root: str, is_symlink: bool = False) -> ParsedContribution:
    """Read, parse and validate one contribution file (pure: usable in a worker process)."""
    diags: list[Diagnostic] = []
    loaded = load_markdown_file(Path(path), rel, Path(root), is_symlink=is_symlink)
    diags.extend(loaded.diagnostics)
    if loaded.text:
        diags.extend(personal_data.scan(loaded.text, rel))
        diags.extend(merge_markers.scan(loaded.text, rel))
    if not loaded.ok:
        return None, diags
    clean, d = S.validate(loaded.data, S.CONTRIBUTION, rel)
    diags.extend(d)
    contrib = _build(Contribution, clean, rel, texte=loaded.body, texte_line=loaded.body_line)
    stem = rel.rsplit("/", 1)[-1][: -len(".md")]
    if contrib.id and contrib.id != stem:
        diags.append(
            error(
                rel,
                contrib.line_of("id"),
                f"l'identifiant « {contrib.id} » diffère du nom du fichier « {stem} »",
                f"écrivez « id: {stem} » ou renommez le fichier en {contrib.id}.md",
                "id-fichier",
            )
        )
    if not contrib.id:
        contrib.id = stem
    if not loaded.body.strip():
        diags.append(
            warning(
                rel,
                loaded.body_line,
                "contribution sans texte",
                "ajoutez le texte après la ligne « --- » qui ferme l'en-tête",
                "texte-vide",
            )
        )
    return contrib, diags


def _parse_chunk(args: tuple[str, list[tuple[str, str, bool]]]) -> list[ParsedContribution]:
    root, chunk = args
    return [parse_contribution(p, rel, root, link) for p, rel, link in chunk]


def _parse_contributions(
    root: str, files: list[tuple[str, str, bool]], progress: Callable[[int, int], None] | None
) -> Iterator[ParsedContribution]:
    """Every contribution, in file order; on both cores when there are many."""
    total = len(files)
    from ateliers_cli import parallel

    workers = parallel.workers()
    if total < PARALLEL_THRESHOLD or workers < 2:
        for i, (p, rel, link) in enumerate(files):
            yield parse_contribution(p, rel, root, link)
            if progress is not None and (i % 200 == 0 or i + 1 == total):
                progress(i + 1, total)
        return
    chunks = [(root, files[i : i + _CHUNK]) for i in range(0, total, _CHUNK)]
    done = 0
    with parallel.fork_pool(workers) as pool:
        for parsed in pool.imap(_parse_chunk, chunks):
            yield from parsed
            done += len(parsed)
            if progress is not None:
                progress(done, total)


def _atelier(clean: dict[str, Any], rel: str) -> Atelier:
    productions = []
    for prod in clean.get("productions", []):
        theme = prod.get("theme", "")
        props = [
            _build(Proposition, p, rel, theme=theme, atelier=clean.get("id", "")) for p in prod.get("propositions", [])
        ]
        productions.append(_build(Production, prod, rel, propositions=props))
    inscriptions = None
    if "inscriptions" in clean:
        ins = clean["inscriptions"]
        besoins = _build(Besoins, ins["besoins"], rel) if "besoins" in ins else Besoins()
        inscriptions = _build(Inscriptions, ins, rel, besoins=besoins)
    return _build(Atelier, clean, rel, productions=productions, inscriptions=inscriptions)


def _deliberation(data: Any, diags: list[Diagnostic]) -> Deliberation:
    rel = "deliberation.yaml"
    clean, d = S.validate(data, S.DELIBERATION, rel)
    diags.extend(d)
    avis = [
        _build(Avis, a, rel, amendements=[_build(Amendement, x, rel) for x in a.get("amendements", [])])
        for a in clean.get("avis", [])
    ]
    return _build(
        Deliberation,
        clean,
        rel,
        avis=avis,
        seance=_build(Seance, clean["seance"], rel) if "seance" in clean else None,
        vote=_build(Vote, clean["vote"], rel) if "vote" in clean else None,
        decisions=[_build(Decision, x, rel) for x in clean.get("decisions", [])],
    )


def _id_is_stem(item: Any, key: str, fpath: Path, rel: str, diags: list[Diagnostic]) -> None:
    stem = fpath.stem
    if item.id and item.id != stem:
        diags.append(
            error(
                rel,
                item.line_of(key),
                f"l'identifiant « {item.id} » diffère du nom du fichier « {stem} »",
                f"écrivez « id: {stem} » ou renommez le fichier en {item.id}.yaml",
                "id-fichier",
            )
        )
    if not item.id:
        item.id = stem


def _unique(into: dict[str, Any], item: Any, what: str, diags: list[Diagnostic]) -> None:
    if not item.id:
        return
    if item.id in into:
        first = into[item.id]
        diags.append(
            error(
                item.path,
                item.line_of("id"),
                f"{what} « {item.id} » défini deux fois (déjà dans {first.path}:{first.line_of('id')})",
                "donnez-lui un identifiant unique",
                "id-double",
            )
        )
        return
    into[item.id] = item


def _unique_list(items: list[Any], what: str, diags: list[Diagnostic]) -> None:
    seen: dict[str, Any] = {}
    for it in items:
        _unique(seen, it, what, diags)


def _empty(rel: str, hint: str) -> Diagnostic:
    return error(rel, 0, "fichier vide (ou seulement des commentaires)", hint, "fichier-vide")
