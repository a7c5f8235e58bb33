"""ateliers — les Ateliers Citoyens d'un département, du premier courrier à la restitution."""

__version__ = "0.1.0"
