"""The SMS list: one CSV the département's SMS tool imports (number, text).

Numbers are written in the national form (« 0612345678 »): a cell starting with « + » would
be read as a formula by a spreadsheet.
"""

from __future__ import annotations

COLUMNS = ("telephone", "message", "reference")


def sms_csv(rows: list[tuple[str, str, str]]) -> bytes:
    """(number, text, reference) rows; ``;``-separated UTF-8 with a BOM, no cell a formula."""
    from ateliers_cli.store.private import dict_rows_bytes

    return dict_rows_bytes(COLUMNS, (dict(zip(COLUMNS, row, strict=True)) for row in rows))


def national(phone: str) -> str:
    """« +33 6 12 34 56 78 » → « 0612345678 »."""
    from ateliers_cli.correspondence.recipients import normalise_phone

    n = normalise_phone(phone)
    return "0" + n[3:] if n.startswith("+33") else n.lstrip("+")
