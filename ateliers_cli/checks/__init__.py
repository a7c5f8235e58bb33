"""The rules ``ateliers check`` applies, one module per concern.

``structure`` is applied while loading (see :mod:`ateliers_cli.load`); the
others run on the loaded model.
"""
