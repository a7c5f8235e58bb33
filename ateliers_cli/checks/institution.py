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
    reached = list(Stage).index(c.etape)
    if reached >= list(Stage).index(Stage.RAPPORT):
        r = c.rapport
        missing = [label for label, value in (("numero", r.numero), ("rapporteur", r.rapporteur)) if not value.strip()]
        if missing:
            d.append(
                warning(
                    c.path,
                    c.line_of("rapport") or c.line_of("etape"),
                    f"la page de garde du rapport n'a pas de {' ni de '.join('numéro' if m == 'numero' else 'rapporteur' for m in missing)}",
                    "ajoutez dans consultation.yaml « rapport: {numero: \"…\", rapporteur: …} »",
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
                        "ajoutez « cout_fonctionnement » (euros par an) ou « cout_investissement » (euros), ou 0 si elle ne coûte rien",
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
                "ajoutez dans « collectivite » : « tribunal_administratif: Tribunal administratif de … » et « tribunal_adresse: … »",
                "recours",
            )
        )
    return d
