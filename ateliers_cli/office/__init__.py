"""Documents bureautiques : ODT, DOCX et PDF à partir du Markdown des gabarits.

    from ateliers_cli.office import DocumentMeta, write_odt, write_docx, write_pdf

    meta = DocumentMeta(titre="Délibération", collectivite="Conseil départemental du Nord",
                        date=datetime(2026, 6, 22, 18, 30))
    data = write_odt(markdown, meta)   # des octets : l'appelant les écrit (atomiquement) et les hache

Le Markdown est lu une fois (markdown-it-py) en quelques blocs neutres (voir `model`) ; chaque
format a son écrivain. Les sorties sont déterministes : même Markdown et même `DocumentMeta`,
mêmes octets (dates tirées de `meta.date`, sinon de SOURCE_DATE_EPOCH, jamais de l'heure courante).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "OFFICE_FORMATS",
    "Couverture",
    "DocumentMeta",
    "render_typst",
    "write_docx",
    "write_odt",
    "write_pdf",
]

#: les extensions des formats bureautiques, dans l'ordre où les écrire
OFFICE_FORMATS = ("odt", "docx", "pdf")


@dataclass(frozen=True)
class Couverture:
    """La page de garde d'un document déposé devant l'assemblée (rapport, note à une commission).

    collectivite   « Département du Nord », en tête de page, sous le logo
    assemblee      « Conseil départemental du Nord »
    intitule       la nature du document (« Rapport à l'assemblée »)
    titre          le titre, en grand
    sous_titre     sous le titre (« Ateliers citoyens « Bien vieillir dans le Nord » »)
    mentions       des paires (libellé, valeur) : (« Séance du », « lundi 29 juin 2026 »), …
    logo           le fichier du logo (PNG, JPEG ou SVG), ses octets ; vide : pas de logo
    logo_format    « png », « jpeg » ou « svg »
    """

    collectivite: str
    assemblee: str
    intitule: str
    titre: str
    sous_titre: str = ""
    mentions: tuple[tuple[str, str], ...] = ()
    logo: bytes = b""
    logo_format: str = ""


@dataclass(frozen=True)
class DocumentMeta:
    """Ce que le document dit de lui-même, hors de son texte.

    titre                le titre (métadonnées ; aussi titre affiché si le Markdown ne commence pas
                         par un « # Titre »)
    collectivite         le nom de l'assemblée, tel que `consultation.yaml` le donne
                         (« Conseil départemental du Nord ») : auteur et pied de page
    sous_titre           affiché sous le titre généré, et sujet dans les métadonnées
    auteur               l'auteur des métadonnées, si autre que la collectivité
    date                 date des métadonnées et des entrées zip ; None → SOURCE_DATE_EPOCH,
                         sinon aucune date
    langue               étiquette BCP 47 (« fr-FR »)
    table_des_matieres   insère une table des matières (titres de niveaux 1 à 3) après le titre
    pied_de_page         texte ajouté au nom de la collectivité dans le pied de page
    signature            lignes du bloc de signature, placé en fin de document, à droite, d'un
                         seul tenant (« Fait à Lille, le 22 juin 2026 », « Le Président », « … »)
    mots_cles            mots-clés des métadonnées
    couverture           une page de garde (voir `Couverture`) ; le titre y figure, pas en tête du texte
    """

    titre: str
    collectivite: str
    sous_titre: str | None = None
    auteur: str | None = None
    date: datetime | None = None
    langue: str = "fr-FR"
    table_des_matieres: bool = False
    pied_de_page: str | None = None
    signature: tuple[str, ...] = ()
    mots_cles: tuple[str, ...] = ()
    couverture: Couverture | None = None

    @property
    def auteur_effectif(self) -> str:
        return self.auteur or self.collectivite

    @property
    def texte_pied_de_page(self) -> str:
        if self.pied_de_page:
            return f"{self.collectivite} — {self.pied_de_page}"
        return self.collectivite


def write_odt(markdown: str, meta: DocumentMeta) -> bytes:
    """Le document en OpenDocument Texte (.odt)."""
    from .odt import write_odt as _write

    return _write(markdown, meta)


def write_docx(markdown: str, meta: DocumentMeta) -> bytes:
    """Le document en Office Open XML (.docx)."""
    from .docx import write_docx as _write

    return _write(markdown, meta)


def write_pdf(markdown: str, meta: DocumentMeta) -> bytes:
    """Le document en PDF balisé (PDF/UA-1), mis en page par Typst."""
    from .pdf import write_pdf as _write

    return _write(markdown, meta)


def render_typst(markdown: str, meta: DocumentMeta) -> str:
    """La source Typst dont le PDF est tiré (autonome : mise en page comprise)."""
    from .pdf import render_typst as _render

    return _render(markdown, meta)
