"""What the documents filed with the assembly need from the settings: the report's cover, the
logo, the cost of each orientation, the legal mentions of the deliberation."""

from __future__ import annotations

from pathlib import Path

from ateliers_cli.errors import Diagnostic, error, warning
from ateliers_cli.model import Consultation
from ateliers_cli.stages import Stage

#: the image formats the three office writers and the site can all show
LOGO_FORMATS = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


def logo_path(c: Consultation) -> Path | None:
    """The logo file named in consultation.yaml, if it is one the documents can show."""
    name = c.collectivite.logo.strip()
    if not name:
        return None
    path = (c.root / name).resolve()
    if not path.is_relative_to(c.root.resolve()) or not path.is_file() or path.suffix.lower() not in LOGO_FORMATS:
        return None
    return path


def check_institution(c: Consultation) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    col = c.collectivite
    if col.logo.strip() and logo_path(c) is None:
        d.append(
            error(
                col.path,
                col.line_of("logo"),
                f"logo introuvable ou d'un format non pris en charge : « {col.logo} »",
                "indiquez un fichier PNG, JPEG ou SVG du dossier de la consultation (ex. « identite/logo.svg »)",
                "logo",
            )
        )
    d.extend(_site_public(c))
    reached = list(Stage).index(c.etape)
    if reached >= list(Stage).index(Stage.RAPPORT):
        r = c.rapport
        missing = [label for label, value in (("numero", r.numero), ("rapporteur", r.rapporteur)) if not value.strip()]
        if missing:
            d.append(
                warning(
                    c.path,
                    c.line_of("rapport") or c.line_of("etape"),
                    "la page de garde du rapport n'a pas de "
                    f"{' ni de '.join('numéro' if m == 'numero' else 'rapporteur' for m in missing)}",
                    'ajoutez dans consultation.yaml « rapport: {numero: "…", rapporteur: …} »',
                    "rapport",
                )
            )
        chiffrees = [o for o in c.orientations.values() if o.chiffree]
        for o in c.orientations.values():
            if chiffrees and not o.chiffree:
                d.append(
                    warning(
                        o.path,
                        o.line,
                        f"orientation « {o.id} » sans coût estimé, alors que d'autres en ont un",
                        "ajoutez « cout_fonctionnement » (euros par an) ou « cout_investissement » (euros), ou 0 si "
                        "elle ne coûte rien",
                        "cout",
                    )
                )
            elif o.chiffree and not o.financement.strip():
                d.append(
                    warning(
                        o.path,
                        o.line_of("cout_fonctionnement") or o.line_of("cout_investissement") or o.line,
                        f"orientation « {o.id} » chiffrée sans financement",
                        "ajoutez « financement: … » (budget départemental, partenaires, cofinancements)",
                        "financement",
                    )
                )
    if reached >= list(Stage).index(Stage.ADOPTION) and not col.tribunal_administratif.strip():
        d.append(
            warning(
                col.path,
                col.line or c.line_of("collectivite"),
                "la délibération ne peut pas indiquer les voies et délais de recours : aucun tribunal administratif",
                "ajoutez dans « collectivite » : « tribunal_administratif: Tribunal administratif de … » et « "
                "tribunal_adresse: … »",
                "recours",
            )
        )
    return d


def _fr(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def _site_public(c: Consultation) -> list[Diagnostic]:
    from ateliers_cli.render.lisibilite import FACILE, lisibilite
    from ateliers_cli.site.identite import CONTRASTE_MINIMAL, contraste

    sp = c.site_public
    d: list[Diagnostic] = []
    if sp.couleur.strip():
        try:
            ratio = contraste(sp.couleur.strip())
        except ValueError:
            ratio = None  # the schema already says the colour is malformed
        if ratio is not None and ratio < CONTRASTE_MINIMAL:
            d.append(
                error(
                    sp.path or c.path,
                    sp.line_of("couleur"),
                    f"la couleur du site « {sp.couleur} » n'a qu'un contraste de {_fr(ratio)}:1 sur fond blanc : "
                    f"illisible pour beaucoup (il faut {_fr(CONTRASTE_MINIMAL)}:1, WCAG 2.1 AA)",
                    "choisissez une teinte plus foncée de la même couleur",
                    "contraste",
                )
            )
    # From the forum de lancement on, the site has been published: its legal notices must be whole
    # (loi pour la confiance dans l'économie numérique, article 6 ; RGPD, articles 13 et 37).
    if list(Stage).index(c.etape) >= list(Stage).index(Stage.LANCEMENT):
        missing = [
            label
            for label, value in (
                ("le directeur de la publication (directeur_publication)", sp.directeur_publication),
                ("le nom de l'hébergeur (hebergeur)", sp.hebergeur),
                ("l'adresse de l'hébergeur (hebergeur_adresse)", sp.hebergeur_adresse),
                ("le téléphone de l'hébergeur (hebergeur_telephone)", sp.hebergeur_telephone),
                ("le contact pour les données personnelles (contact_donnees)", sp.contact_donnees),
            )
            if not value.strip()
        ]
        if missing:
            d.append(
                warning(
                    c.path,
                    c.line_of("site_public") or c.line_of("collectivite"),
                    "les mentions légales du site sont incomplètes : il manque " + ", ".join(missing),
                    "complétez le bloc « site_public: » de consultation.yaml (voir docs/format.md)",
                    "mentions-legales",
                )
            )
    if sp.facile_a_lire.strip():
        score = lisibilite(sp.facile_a_lire)
        if score.score < FACILE:
            d.append(
                warning(
                    sp.path or c.path,
                    sp.line_of("facile_a_lire"),
                    f"le résumé « facile à lire » n'est pas facile à lire : score de lisibilité {score.score:.0f} sur "
                    f"100 ({score.appreciation} ; il faut {FACILE:.0f} au moins), "
                    f"{score.mots / max(1, score.phrases):.0f} mots par phrase en moyenne",
                    "faites des phrases courtes, avec des mots simples ; la plus longue : « "
                    f"{score.phrase_la_plus_longue[:120]} »",
                    "lisibilite",
                )
            )
    return d
