"""Every link of the traceability chain resolves.

contribution → theme → proposition → regroupement → orientation → decision →
restitution: a theme, territory, commission, contribution, proposition,
regroupement or orientation named anywhere must exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ateliers_cli.errors import Diagnostic, error
from ateliers_cli.hints import did_you_mean
from ateliers_cli.model import Consultation


def _ref(
    diags: list[Diagnostic],
    item: Any,
    key: str,
    value: str,
    known: Mapping[str, Any],
    what: str,
    where_defined: str,
) -> None:
    if not value or value in known:
        return
    hint = did_you_mean(value, known) or (
        f"{what}s connus : " + ", ".join(list(known)[:12]) + (" …" if len(known) > 12 else "")
        if known
        else f"aucun {what} n'est encore défini dans {where_defined}"
    )
    shown = value if len(value) <= 60 else value[:59] + "…"  # a pasted page must not fill the terminal
    diags.append(error(item.path, item.line_of(key), f"{what} « {shown} » inconnu", hint, "lien"))


_MAX_UNKNOWN_IN_LIST = 20


def _refs(
    diags: list[Diagnostic], item: Any, key: str, values: Iterable[str], known: Mapping[str, Any], what: str, where: str
) -> None:
    unknown = [v for v in values if v and v not in known]
    for v in unknown[:_MAX_UNKNOWN_IN_LIST]:  # each comes with a suggestion, which costs
        _ref(diags, item, key, v, known, what, where)
    if len(unknown) > _MAX_UNKNOWN_IN_LIST:
        rest = len(unknown) - _MAX_UNKNOWN_IN_LIST
        diags.append(
            error(
                item.path,
                item.line_of(key),
                f"… et {rest} autres {what}s inconnus dans « {key} »",
                "une liste collée par erreur ?",
                "lien",
            )
        )


def check_links(c: Consultation) -> list[Diagnostic]:
    d: list[Diagnostic] = []
    terr, comm, themes = c.territoires, c.commissions, c.themes
    contribs = c.contributions

    for t in themes.values():
        _refs(d, t, "commissions", t.commissions, comm, "commission", "consultation.yaml")

    for ct in contribs.values():
        _ref(d, ct, "territoire", ct.territoire, terr, "territoire", "consultation.yaml")
        _refs(d, ct, "themes", ct.themes, themes, "thème", "themes.yaml")
        if ct.doublon_de:
            if ct.doublon_de == ct.id:
                d.append(
                    error(
                        ct.path,
                        ct.line_of("doublon_de"),
                        "une contribution ne peut pas être le doublon d'elle-même",
                        "indiquez la contribution d'origine",
                        "lien",
                    )
                )
            else:
                _ref(d, ct, "doublon_de", ct.doublon_de, contribs, "contribution", "contributions/")
                orig = contribs.get(ct.doublon_de)
                if orig is not None and orig.statut == "doublon":
                    d.append(
                        error(
                            ct.path,
                            ct.line_of("doublon_de"),
                            f"« {ct.doublon_de} » est elle-même un doublon (de « {orig.doublon_de} »)",
                            f"indiquez la contribution d'origine : doublon_de: {orig.doublon_de}",
                            "doublon-chaine",
                        )
                    )

    seen_props: dict[str, Any] = {}
    for a in c.ateliers.values():
        _ref(d, a, "territoire", a.territoire, terr, "territoire", "consultation.yaml")
        _refs(d, a, "themes", a.themes, themes, "thème", "themes.yaml")
        for prod in a.productions:
            _ref(d, prod, "theme", prod.theme, themes, "thème", "themes.yaml")
            if prod.theme and prod.theme in themes and a.themes and prod.theme not in a.themes:
                d.append(
                    error(
                        prod.path,
                        prod.line_of("theme"),
                        f"production sur le thème « {prod.theme} », qui n'est pas un thème de l'atelier « {a.id} »",
                        f"ajoutez-le à « themes » de l'atelier ({', '.join(a.themes)})",
                        "lien",
                    )
                )
            for p in prod.propositions:
                _refs(d, p, "contributions", p.contributions, contribs, "contribution", "contributions/")
                if p.id in seen_props:
                    first = seen_props[p.id]
                    d.append(
                        error(
                            p.path,
                            p.line_of("id"),
                            f"proposition « {p.id} » définie deux fois (déjà dans {first.path}:{first.line_of('id')})",
                            "chaque proposition a un identifiant unique dans toute la consultation",
                            "id-double",
                        )
                    )
                else:
                    seen_props[p.id] = p

    props = c.propositions
    if c.synthese is not None:
        for g in c.synthese.regroupements:
            _refs(d, g, "propositions", g.propositions, props, "proposition", "ateliers/")
        for e in c.synthese.propositions_ecartees:
            _ref(d, e, "proposition", e.ref, props, "proposition", "ateliers/")

    regs = c.regroupements
    for o in c.orientations.values():
        _refs(d, o, "regroupements", o.regroupements, regs, "regroupement", "forums/synthese.yaml")
        _refs(d, o, "commissions", o.commissions, comm, "commission", "consultation.yaml")
    for e in c.regroupements_ecartes:
        _ref(d, e, "regroupement", e.ref, regs, "regroupement", "forums/synthese.yaml")

    if c.deliberation is not None:
        orients = c.orientations
        for avis in c.deliberation.avis:
            _ref(d, avis, "commission", avis.commission, comm, "commission", "consultation.yaml")
            for am in avis.amendements:
                _ref(d, am, "orientation", am.orientation, orients, "orientation", "orientations.yaml")
        seen: dict[str, Any] = {}
        for dec in c.deliberation.decisions:
            _ref(d, dec, "orientation", dec.orientation, orients, "orientation", "orientations.yaml")
            if dec.orientation in seen:
                d.append(
                    error(
                        dec.path,
                        dec.line_of("orientation"),
                        f"deux décisions pour l'orientation « {dec.orientation} » (déjà ligne "
                        f"{seen[dec.orientation].line})",
                        "gardez une seule décision par orientation",
                        "decision-double",
                    )
                )
            seen[dec.orientation] = dec

    for r in c.restitutions.values():
        _ref(d, r, "territoire", r.territoire, terr, "territoire", "consultation.yaml")
        for x in r.retours:
            _ref(d, x, "orientation", x.orientation, c.orientations, "orientation", "orientations.yaml")
    return d
