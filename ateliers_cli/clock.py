""""Today", fixed by SOURCE_DATE_EPOCH for reproducible output."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> dt.datetime:
    """The current time in Paris, or SOURCE_DATE_EPOCH's when set."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return dt.datetime.now(PARIS)
    try:
        epoch = int(raw)
    except ValueError:
        from ateliers_cli.errors import UsageError

        raise UsageError(
            f"SOURCE_DATE_EPOCH invalide : « {raw} » (un nombre entier de secondes est attendu)",
            hint="par exemple SOURCE_DATE_EPOCH=$(date +%s), ou retirez la variable",
        ) from None
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).astimezone(PARIS)


def today() -> dt.date:
    """Today's date in Paris (the consultation's time zone)."""
    return now().date()
