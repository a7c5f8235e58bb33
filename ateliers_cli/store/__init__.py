"""Contributions on disk and the personal data kept beside them, in one place.

- :mod:`.paths` — where things are (``contributions/``, the registers of ``prive/``);
- :mod:`.front_matter` — a Markdown file's YAML header: split, written, edited in place;
- :mod:`.contributions` — ids, writing a contribution, listing;
- :mod:`.private` — the private registers (``prive/contributeurs.csv``, ``prive/inscriptions.csv``);
- :mod:`.redaction` — what personal data looks like in a text, and taking it out.

Every command that reads or writes a contribution file or a private register goes
through here; nothing else spells a path of ``prive/``.
"""
