"""Dates as platforms and people write them: ISO with or without a zone, French, in words."""

from __future__ import annotations

import datetime as dt
import re

from ateliers_cli import clock
from ateliers_cli.importers.util import fold

_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
    "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_FRENCH = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T,]+(?:a\s+|à\s+)?(\d{1,2})\s*[:h]\s*(\d{2})?(?::(\d{2}))?)?$",
    re.IGNORECASE,
)
_LONG = re.compile(
    r"^(?:[a-z]+\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})(?:\s+(?:a\s+)?(\d{1,2})\s*[:h]\s*(\d{2})?)?"
)

DATE_FORMATS_HINT = (
    "formats reconnus : 2026-01-12, 12/01/2026, 12/01/2026 14:30, 2026-01-12 14:30:00 +0100, 12 janvier 2026"
)


def parse_moment(value: str) -> dt.datetime | None:
    """The moment written (naive, Paris time), midnight when only a date; None when unreadable.

    ``2019-01-24 22:29:15 +0100`` and ``2019-01-24T21:29:15Z`` are converted to Paris time.
    """
    v = value.strip()
    try:
        if (m := _ISO.match(v)) is not None:
            y, mo, d, h, mi, s, tz = m.groups()
            moment = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
            if tz and h is not None:
                tz = "+00:00" if tz.upper() in ("Z", "UTC") else (tz if ":" in tz else f"{tz[:3]}:{tz[3:]}")
                zone = dt.datetime.fromisoformat(f"2000-01-01T00:00{tz}").tzinfo
                moment = moment.replace(tzinfo=zone).astimezone(clock.PARIS).replace(tzinfo=None)
        elif (m := _FRENCH.match(v)) is not None:
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            moment = dt.datetime(
                y + 2000 if y < 100 else y, mo, d, int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0)
            )
        elif (m := _LONG.match(fold(v))) is not None and m.group(2) in _MONTHS:
            moment = dt.datetime(
                int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)), int(m.group(4) or 0), int(m.group(5) or 0)
            )
        else:
            return None
    except ValueError:
        return None
    if not 1990 <= moment.year <= 2100:
        return None
    return moment


def parse_date(value: str) -> dt.date | None:
    """The date written (in Paris when a zone is given); None when unreadable."""
    moment = parse_moment(value)
    return moment.date() if moment else None
