"""The one error a bad GIS input raises: a single line naming the file and what is wrong."""

from __future__ import annotations


class GeoError(Exception):
    """A layer or road file that cannot be used; the CLI prints it in one line and exits 2."""
