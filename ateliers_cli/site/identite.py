"""The institution's visual identity on its site: logo, main colour, typeface (consultation.yaml),
and the contrast that keeps the colour readable (WCAG 2.1, 4.5:1 on white)."""

from __future__ import annotations

import re

from ateliers_cli.model import Consultation

#: the colour of the default style sheet (« bleu France »)
COULEUR_DEFAUT = "#000091"
#: WCAG 2.1 AA: normal text on its background
CONTRASTE_MINIMAL = 4.5
_HEX = re.compile(r"^#([0-9A-Fa-f]{6})$")
_FONT_NAME = re.compile(r"^[A-Za-zÀ-ÿ0-9 ,'\"-]+$")
SYSTEM_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def _luminance(hex_colour: str) -> float:
    m = _HEX.match(hex_colour)
    if m is None:
        raise ValueError(hex_colour)
    channels = [int(m.group(1)[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contraste(a: str, b: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two colours « #rrggbb » (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def couleur(c: Consultation) -> str:
    """The main colour of the site: the consultation's if it is readable on white, else the default."""
    mine = c.site_public.couleur.strip()
    if _HEX.match(mine) and contraste(mine) >= CONTRASTE_MINIMAL:
        return mine.lower()
    return COULEUR_DEFAUT


def police(c: Consultation) -> str:
    """The font stack: the consultation's typeface first, the system fonts after it."""
    name = c.site_public.police.strip()
    if not name or not _FONT_NAME.match(name):
        return SYSTEM_FONTS
    first = name if name.startswith(('"', "'")) or "," in name else f'"{name}"'
    return f"{first}, {SYSTEM_FONTS}"


def feuille_identite(c: Consultation) -> bytes:
    """The style sheet laid over site.css: the institution's colour and typeface."""
    return (
        "/* The institution's identity, from consultation.yaml (site_public.couleur, site_public.police). */\n"
        f":root {{ --bleu: {couleur(c)}; }}\n"
        f"body {{ font-family: {police(c)}; }}\n"
    ).encode()
