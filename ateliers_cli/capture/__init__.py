"""Capture in a spreadsheet: a template to fill in the room, then its import as YAML.

:mod:`layouts` says how each file kind is laid out in sheets (from the schema's declarations),
:mod:`template` writes the XLSX or ODS workbook, :mod:`importing` reads it back and
:mod:`yamlwrite` writes the YAML, keeping what a person wrote in the file.
"""
