"""publisher: film-review manuscripts → anthology → HTML, print-ready PDF and EPUB 3."""

__version__ = "0.1.0"
