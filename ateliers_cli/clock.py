""""Today", fixed by SOURCE_DATE_EPOCH for reproducible output."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> dt.datetime:
    """The current time in Paris, or SOURCE_DATE_EPOCH's when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).astimezone(PARIS)
    return dt.datetime.now(PARIS)


def today() -> dt.date:
    return now().date()
