"""Bringing outside data in: platform and form exports, registrations.

* :mod:`readers` — a file (CSV, XLSX, XLS, ODS, JSON) into numbered rows;
* :mod:`formats` — recognising Decidim and Grand Débat exports, and their mapping;
* :mod:`mapping` — the fields an import fills, ``--map CHAMP=COLONNE`` and mapping files;
* :mod:`territories` — a commune or a postcode to the consultation's territory;
* :mod:`contributions` — rows into ``contributions/C-….md`` files, planned then written.
"""
