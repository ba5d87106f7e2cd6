"""Stage 1, reading: the anthology file and the manuscripts folder → `AnthologySpec`,
`Manuscript`s and `FrontPiece`s plus diagnostics. Reads through the gate; writes nothing."""

from .anthology_file import load_anthology_spec
from .body import Survey, intro_outline
from .images import cover_problems
from .manuscripts import Loaded, load_manuscripts
from .print_profile import profile_problems
from .print_table import bleed_warnings
from .references import remote_references
from .stylesheets import extra_css_problems

__all__ = [
    "Loaded",
    "Survey",
    "bleed_warnings",
    "cover_problems",
    "extra_css_problems",
    "intro_outline",
    "load_anthology_spec",
    "load_manuscripts",
    "profile_problems",
    "remote_references",
]
