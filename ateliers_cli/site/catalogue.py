"""The open data described for machines: a DCAT catalogue for data portals, schema.org for search engines.

    catalogue_dcat(c, jeux, ...)   # donnees/catalogue.jsonld: dcat:Catalog, its dcat:Dataset, their dcat:Distribution
    dates(c, modified)             # issued, modified, period covered: for both

The schema.org ``DataCatalog``, ``Dataset`` and ``DataDownload`` are written as microdata in the
open-data page itself (``templates/site/donnees.html.j2``): no script in any page.

``jeux`` are the data sets as the open-data page lists them: name, title, description and
files (path in the site, format, size). DCAT is what data.gouv.fr and the European portals
harvest (DCAT-AP: ``dct:license``, ``dct:issued``/``dct:modified``, ``dcat:distribution`` with
``dcat:downloadURL`` and ``dcat:mediaType``); schema.org ``Dataset`` is what search engines read
in the page itself. Both say the same thing, from the same settings and these dates.

The dates: ``modified`` is the date of the site (its data are those of that day); ``issued``
is the opening of the call for contributions (``calendrier.appel.debut``), since when the
consultation's data exist and are published — never after ``modified``. The period covered
is the consultation's calendar, from its first to its last planned date, when it has one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ateliers_cli.model import Consultation

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: The media type of each format the open data is given in (IANA).
MEDIA_TYPES = {"CSV": "text/csv", "JSON": "application/json", "Markdown": "text/markdown"}
_IANA = "https://www.iana.org/assignments/media-types/"
_FRENCH = "http://publications.europa.eu/resource/authority/language/FRA"


def dates(c: Consultation, modified: dt.date) -> tuple[dt.date, dt.date, tuple[dt.date, dt.date] | None]:
    """(issued, modified, the period the data cover or None): see the module's docstring."""
    appel = c.calendrier.get("appel")
    issued = min(appel.debut, modified) if appel is not None and appel.debut is not None else modified
    bounds = [d for p in c.calendrier.values() for d in (p.debut, p.fin) if d is not None]
    return issued, modified, ((min(bounds), max(bounds)) if bounds else None)


def _date(d: dt.date) -> dict[str, str]:
    return {"@value": d.isoformat(), "@type": "xsd:date"}


def _fr(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "fr"}


def catalogue_dcat(
    c: Consultation, jeux: list[dict[str, Any]], licence_url: str, licence_nom: str, modified: dt.date
) -> dict[str, Any]:
    """``donnees/catalogue.jsonld``: the catalogue in DCAT (JSON-LD). Its addresses are relative
    to the file itself, which sits beside the data in ``donnees/``."""
    issued, modified, periode = dates(c, modified)
    publisher = {"@type": "foaf:Organization", "foaf:name": c.collectivite.nom}
    licence: dict[str, Any] = (
        {"@id": licence_url} if licence_url else {"@type": "dct:LicenseDocument", "dct:title": licence_nom}
    )
    common: dict[str, Any] = {
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:issued": _date(issued),
        "dct:modified": _date(modified),
        "dct:language": {"@id": _FRENCH},
    }
    if periode is not None:
        common["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _date(periode[0]),
            "dcat:endDate": _date(periode[1]),
        }
    datasets = []
    for jeu in jeux:
        distributions = []
        for chemin, fmt, octets in jeu["fichiers"]:
            name = chemin.rsplit("/", 1)[-1]
            distributions.append(
                {
                    "@type": "dcat:Distribution",
                    "dct:title": name,
                    "dcat:accessURL": {"@id": name},
                    "dcat:downloadURL": {"@id": name},
                    "dcat:mediaType": {"@id": _IANA + MEDIA_TYPES.get(fmt, "application/octet-stream")},
                    "dct:format": fmt,
                    "dcat:byteSize": {"@value": str(octets), "@type": "xsd:nonNegativeInteger"},
                    "dct:license": licence,
                }
            )
        datasets.append(
            {
                "@id": f"#{jeu['nom']}",
                "@type": "dcat:Dataset",
                "dct:identifier": jeu["nom"],
                "dct:title": _fr(jeu["titre"]),
                "dct:description": _fr(jeu["description"]),
                **common,
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": DCAT_CONTEXT,
        "@id": "catalogue.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _fr(f"Données ouvertes — {c.titre}"),
        "dct:description": _fr(
            f"Les données publiques de la consultation «\u00a0{c.titre}\u00a0» ({c.collectivite.nom})\u00a0: "
            "contributions, thèmes, ateliers, propositions, orientations et décisions de l’assemblée."
        ),
        **common,
        "dcat:dataset": datasets,
    }


def as_json(data: dict[str, Any]) -> str:
    """JSON-LD text, stable (sorted keys)."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
