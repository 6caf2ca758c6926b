"""startlint: find and fix Python service cold-start hazards."""

__version__ = "0.1.0"
