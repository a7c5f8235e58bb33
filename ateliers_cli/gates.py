"""What each stage requires before ``ateliers advance`` may leave it (docs/etapes.md).

Each gate returns the unmet conditions as diagnostics, in French, pointing at
the file to change. ``status`` shows them; ``advance`` refuses while any remain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ateliers_cli.checks.dates import as_date
from ateliers_cli.checks.rules import vote_problems
from ateliers_cli.errors import Diagnostic, error
from ateliers_cli.model import Consultation, Reunion
from ateliers_cli.stages import Stage

Gate = Callable[[Consultation, dt.date], list[Diagnostic]]


def _held(d: list[Diagnostic], meeting: Reunion, what: str, today: dt.date) -> None:
    """A meeting counts as held when marked « tenu », its date is past, and people were counted."""
    path = meeting.path
    if meeting.statut != "tenu":
        d.append(
            error(
                path,
                meeting.line_of("statut"),
                f"{what} n'est pas marqué comme tenu",
                "une fois la réunion passée, écrivez « statut: tenu » et le nombre de « participants »",
                "non-tenu",
            )
        )
        return
    day = as_date(meeting.date)
    if day is not None and day > today:
        d.append(
            error(
                path,
                meeting.line_of("date"),
                f"{what} est daté du {day.isoformat()}, qui n'est pas encore passé",
                "attendez la réunion, ou corrigez sa date",
                "date-future",
            )
        )
    if not meeting.participants:
        d.append(
            error(
                path,
                meeting.line_of("statut"),
                f"{what} : nombre de participants non renseigné",
                "ajoutez « participants: N »",
                "participants",
            )
        )


def gate_appel(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    if not c.contributions:
        d.append(
            error(
                "contributions",
                0,
                "aucune contribution",
                "importez-en avec « ateliers contributions import » ou ajoutez-en avec « ateliers contributions add »",
                "gate",
            )
        )
    nouvelles = [ct for ct in c.contributions.values() if ct.statut == "nouvelle"]
    for ct in nouvelles[:20]:
        d.append(
            error(
                ct.path,
                ct.line_of("statut"),
                "contribution pas encore analysée (statut « nouvelle »)",
                "affectez-lui des thèmes (statut « analysee »), ou marquez-la « hors_sujet » ou « doublon » ; « "
                "ateliers themes tag » peut aider",
                "gate",
            )
        )
    if len(nouvelles) > 20:
        d.append(
            error(
                "contributions",
                0,
                f"… et {len(nouvelles) - 20} autres contributions à analyser ({len(nouvelles)} en tout)",
                "« ateliers contributions list --statut nouvelle » les liste",
                "gate",
            )
        )
    if not c.themes:
        d.append(
            error(
                c.themes_path or "themes.yaml",
                0,
                "aucun thème défini",
                "définissez les thèmes dans themes.yaml ; « ateliers themes suggest » en propose",
                "gate",
            )
        )
    if c.lancement is None:
        d.append(
            error(
                "forums/lancement.yaml",
                0,
                "le forum de lancement n'est pas planifié",
                "créez forums/lancement.yaml avec sa date et son lieu",
                "gate",
            )
        )
    actifs = [a for a in c.ateliers.values() if a.statut != "annule"]
    if not actifs:
        d.append(
            error(
                "ateliers",
                0,
                "aucun atelier planifié",
                "créez un fichier par atelier dans ateliers/ (« ateliers aide atelier » en décrit les clés ; "
                "ateliers/_exemple.yaml en donne un exemple)",
                "gate",
            )
        )
    covered = {t for a in actifs for t in a.themes}
    for t in c.themes.values():
        if t.id not in covered:
            d.append(
                error(
                    t.path,
                    t.line_of("id"),
                    f"le thème « {t.id} » n'est travaillé dans aucun atelier",
                    "ajoutez-le à la liste « themes » d'au moins un atelier",
                    "gate",
                )
            )
    return d


def gate_lancement(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    if c.lancement is None:
        d.append(
            error(
                "forums/lancement.yaml",
                0,
                "le forum de lancement n'est pas décrit",
                "créez forums/lancement.yaml",
                "gate",
            )
        )
    else:
        _held(d, c.lancement, "le forum de lancement", today)
    for a in c.ateliers.values():
        if a.statut == "annule":
            continue
        if a.inscriptions is None:
            d.append(
                error(
                    a.path,
                    a.line,
                    f"inscriptions de l'atelier « {a.id} » non enregistrées",
                    "importez-les avec « ateliers inscriptions import FICHIER », ou renseignez « inscriptions: "
                    "{inscrits: N} »",
                    "gate",
                )
            )
    return d


def gate_ateliers(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    if not c.ateliers:
        d.append(error("ateliers", 0, "aucun atelier", "créez les ateliers dans ateliers/", "gate"))
    seen: dict[str, str] = {}
    for a in c.ateliers.values():
        if a.statut == "annule":
            if not a.motif_annulation:
                d.append(
                    error(
                        a.path,
                        a.line_of("statut"),
                        f"atelier « {a.id} » annulé sans motif",
                        "ajoutez « motif_annulation: … »",
                        "gate",
                    )
                )
            continue
        what = f"l'atelier « {a.id} »"
        if a.statut != "tenu":
            d.append(
                error(
                    a.path,
                    a.line_of("statut"),
                    f"{what} n'est ni tenu ni annulé",
                    "écrivez « statut: tenu » avec ses productions, ou « statut: annule » avec « motif_annulation »",
                    "gate",
                )
            )
            continue
        day = as_date(a.date)
        if day is not None and day > today:
            d.append(
                error(
                    a.path,
                    a.line_of("date"),
                    f"{what} est daté du {day.isoformat()}, qui n'est pas encore passé",
                    "attendez l'atelier, ou corrigez sa date",
                    "gate",
                )
            )
        if not a.participants:
            d.append(
                error(
                    a.path,
                    a.line_of("statut"),
                    f"{what} : nombre de participants non renseigné",
                    "ajoutez « participants: N »",
                    "gate",
                )
            )
        produced = {p.theme: p for p in a.productions}
        for t in a.themes:
            prod = produced.get(t)
            if prod is None:
                d.append(
                    error(
                        a.path,
                        a.line_of("themes"),
                        f"{what} n'a pas de production pour le thème « {t} »",
                        f"ajoutez sous « productions » un bloc « - theme: {t} » avec ses réflexions et propositions",
                        "gate",
                    )
                )
            elif not prod.propositions and not prod.reflexions.strip():
                d.append(
                    error(
                        prod.path,
                        prod.line,
                        f"{what} : la production sur « {t} » est vide",
                        "ajoutez ses « reflexions » et ses « propositions »",
                        "gate",
                    )
                )
        for prop in a.propositions:
            if prop.id in seen and seen[prop.id] != f"{prop.path}:{prop.line}":
                d.append(
                    error(
                        prop.path,
                        prop.line_of("id"),
                        f"identifiant de proposition « {prop.id} » déjà utilisé ({seen[prop.id]})",
                        "donnez-lui un identifiant unique",
                        "gate",
                    )
                )
            seen.setdefault(prop.id, f"{prop.path}:{prop.line}")
            theme = c.themes.get(prop.theme)
            if theme is not None and theme.operationnel:
                missing = [
                    k for k in ("porteurs", "public", "echeance", "cout_estime") if getattr(prop, k) in (None, "", [])
                ]
                if missing:
                    d.append(
                        error(
                            prop.path,
                            prop.line_of("id"),
                            f"proposition « {prop.id} » (projet opérationnel) : il manque {', '.join(missing)}",
                            "un projet opérationnel dit qui le porte, pour quel public, pour quand et pour quel coût",
                            "gate",
                        )
                    )
    return d


def gate_synthese(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    s = c.synthese
    if s is None:
        return [
            error(
                "forums/synthese.yaml",
                0,
                "le forum de synthèse n'est pas décrit",
                "créez forums/synthese.yaml avec ses regroupements",
                "gate",
            )
        ]
    _held(d, s, "le forum de synthèse", today)
    where: dict[str, list[str]] = {}
    for g in s.regroupements:
        for pid in g.propositions:
            where.setdefault(pid, []).append(g.id)
    ecartees = {e.ref: e for e in s.propositions_ecartees}
    for pid, p in c.propositions.items():
        groups = where.get(pid, [])
        if pid in ecartees:
            if groups:
                e = ecartees[pid]
                d.append(
                    error(
                        e.path,
                        e.line,
                        f"la proposition « {pid} » est à la fois écartée et dans {', '.join(groups)}",
                        "choisissez : regroupée ou écartée",
                        "gate",
                    )
                )
            continue
        if not groups:
            d.append(
                error(
                    s.path,
                    s.line_of("regroupements"),
                    f"la proposition « {pid} » ({p.atelier}) n'est dans aucun regroupement",
                    "ajoutez-la à un regroupement, ou à « propositions_ecartees » avec un motif",
                    "gate",
                )
            )
        elif len(groups) > 1:
            d.append(
                error(
                    s.path,
                    s.line_of("regroupements"),
                    f"la proposition « {pid} » est dans plusieurs regroupements : {', '.join(groups)}",
                    "une proposition appartient à un seul regroupement",
                    "gate",
                )
            )
    return d


def gate_rapport(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    if not c.orientations:
        return [
            error(
                c.orientations_path or "orientations.yaml",
                0,
                "aucune orientation",
                "rédigez les orientations dans orientations.yaml",
                "gate",
            )
        ]
    used: set[str] = set()
    for o in c.orientations.values():
        used.update(o.regroupements)
        if not o.regroupements:
            d.append(
                error(
                    o.path,
                    o.line_of("id"),
                    f"l'orientation « {o.id} » n'a pas de sources",
                    "indiquez les « regroupements » dont elle est tirée",
                    "gate",
                )
            )
        if not o.commissions:
            d.append(
                error(
                    o.path,
                    o.line_of("id"),
                    f"l'orientation « {o.id} » n'est transmise à aucune commission",
                    "indiquez les « commissions » concernées",
                    "gate",
                )
            )
    ecartes = {e.ref for e in c.regroupements_ecartes}
    for g in c.regroupements.values():
        if g.id not in used and g.id not in ecartes:
            d.append(
                error(
                    g.path,
                    g.line_of("id"),
                    f"le regroupement « {g.id} » n'est repris par aucune orientation",
                    "citez-le dans une orientation, ou ajoutez-le à « regroupements_ecartes » d'orientations.yaml "
                    "avec un motif",
                    "gate",
                )
            )
    for e in c.regroupements_ecartes:
        if not e.motif.strip():
            d.append(
                error(e.path, e.line, f"regroupement « {e.ref} » écarté sans motif", "ajoutez « motif: … »", "gate")
            )
    return d


def gate_adoption(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = _promised_answers(c)
    dl = c.deliberation
    if dl is None:
        return [
            error(
                "deliberation.yaml",
                0,
                "la délibération n'est pas enregistrée",
                "créez deliberation.yaml : avis des commissions, séance, vote, décisions",
                "gate",
            )
        ]
    concerned = sorted({m for o in c.orientations.values() for m in o.commissions})
    given = {a.commission for a in dl.avis}
    for m in concerned:
        if m not in given:
            nom = c.commissions[m].nom if m in c.commissions else m
            d.append(
                error(
                    dl.path,
                    dl.line_of("avis"),
                    f"pas d'avis de la commission « {m} » ({nom})",
                    "ajoutez son avis sous « avis » : date, sens de l'avis, amendements",
                    "gate",
                )
            )
    if dl.seance is None:
        d.append(
            error(
                dl.path,
                dl.line,
                "la séance n'est pas décrite",
                "ajoutez « seance: » (numéro, date, président, objet)",
                "gate",
            )
        )
    elif dl.seance.date is not None and dl.seance.date > today:
        d.append(
            error(
                dl.path,
                dl.seance.line_of("date"),
                f"la séance du {dl.seance.date.isoformat()} n'a pas encore eu lieu",
                "attendez la séance, ou corrigez sa date",
                "gate",
            )
        )
    if dl.vote is None:
        d.append(
            error(
                dl.path,
                dl.line,
                "le vote n'est pas enregistré",
                "ajoutez « vote: » (effectif, presents, representes, votants, pour, contre, abstention)",
                "gate",
            )
        )
    else:
        d.extend(vote_problems(c))
    decided = {x.orientation for x in dl.decisions}
    for o in c.orientations.values():
        if o.id not in decided:
            d.append(
                error(
                    dl.path,
                    dl.line_of("decisions"),
                    f"pas de décision pour l'orientation « {o.id} »",
                    "ajoutez-la sous « decisions » : adoptee, amendee ou non_retenue",
                    "gate",
                )
            )
    return d


def _promised_answers(c: Consultation) -> list[Diagnostic]:
    """A consultation that promises each contributor a written answer keeps its word before the restitutions."""
    if not c.reponses_individuelles:
        return []
    from ateliers_cli.answers import sans_reponse

    d: list[Diagnostic] = []
    missing = sans_reponse(c)
    for ct in missing[:20]:
        d.append(
            error(
                ct.path,
                ct.line_of("statut"),
                f"contribution {ct.id} sans réponse écrite, alors que la consultation en promet une à chacune "
                "(reponses_individuelles)",
                "écrivez « reponse: … », ou « reponse_modele: ID » d'un modèle de reponses.yaml, ou un modèle pour "
                "son thème ou son orientation",
                "reponse",
            )
        )
    if len(missing) > 20:
        d.append(
            error(
                "contributions",
                0,
                f"… et {len(missing) - 20} autres contributions sans réponse écrite ({len(missing)} en tout)",
                "un modèle par thème ou par orientation dans reponses.yaml répond à beaucoup d'un coup",
                "reponse",
            )
        )
    return d


def gate_restitution(c: Consultation, today: dt.date) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    by_territory: dict[str, list[Reunion]] = {}
    for reunion in c.restitutions.values():
        by_territory.setdefault(reunion.territoire, []).append(reunion)
    for t in c.territoires.values():
        meetings = by_territory.get(t.id, [])
        if not meetings:
            d.append(
                error(
                    f"restitutions/{t.id}.yaml",
                    0,
                    f"aucune réunion de restitution pour le territoire « {t.nom} »",
                    f"créez restitutions/{t.id}.yaml (date, lieu, participants, retours)",
                    "gate",
                )
            )
            continue
        for r in meetings:
            _held(d, r, f"la restitution de {t.nom}", today)
            if r.statut == "tenu" and not getattr(r, "retours", None):
                d.append(
                    error(
                        r.path,
                        r.line,
                        f"la restitution de {t.nom} n'a pas de retours enregistrés",
                        "ajoutez sous « retours » ce que les participants ont dit",
                        "gate",
                    )
                )
    return d


GATES: dict[Stage, Gate] = {
    Stage.APPEL: gate_appel,
    Stage.LANCEMENT: gate_lancement,
    Stage.ATELIERS: gate_ateliers,
    Stage.SYNTHESE: gate_synthese,
    Stage.RAPPORT: gate_rapport,
    Stage.ADOPTION: gate_adoption,
    Stage.RESTITUTION: gate_restitution,
}


def placeholders_left(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The examples of ``init`` still in place: a warning for ``check``, a refusal at every gate."""
    from ateliers_cli.checks.placeholders import CODE

    return [error(d.path, d.line, d.message, d.hint, CODE) for d in diagnostics if d.code == CODE]


def unmet(c: Consultation, today: dt.date | None = None) -> list[Diagnostic]:
    """What still blocks leaving the current stage (empty once closed... see ``advance``)."""
    from ateliers_cli.clock import today as _today

    gate = GATES.get(c.etape)
    if gate is None:
        return []
    return sorted(set(gate(c, today or _today())))
