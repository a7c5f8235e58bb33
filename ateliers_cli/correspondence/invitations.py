"""iCalendar (RFC 5545) invitations to meetings, by the ``icalendar`` library."""

from __future__ import annotations

import datetime as dt

from ateliers_cli.clock import PARIS
from ateliers_cli.correspondence.moments import Event


def ics(event: Event, stamp: dt.datetime) -> bytes:
    """One VEVENT in a VCALENDAR (METHOD:PUBLISH): readable by every calendar program."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//ateliers//Ateliers Citoyens//FR")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    ev = icalendar.Event()
    ev.add("uid", event.uid)
    ev.add("dtstamp", stamp.astimezone(dt.UTC))
    start = event.debut if event.debut.tzinfo else event.debut.replace(tzinfo=PARIS)
    ev.add("dtstart", start)
    if event.fin is not None:
        end = event.fin if event.fin.tzinfo else event.fin.replace(tzinfo=PARIS)
        ev.add("dtend", end)
    ev.add("summary", event.titre)
    if event.lieu:
        ev.add("location", event.lieu)
    if event.description:
        ev.add("description", event.description)
    cal.add_component(ev)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
