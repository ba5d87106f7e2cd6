"""The theme: where templates and stylesheets are looked up, and which stylesheets each edition
stacks.

A theme is a folder of `templates/` and `css/`. Lookup runs along a chain: the project's
`style-overrides/` beside its anthology file (one template or stylesheet replaced, the rest
inherited), then the theme (the project's own `styles/<name>` when it has one, else the
built-in `publisher/styles/<name>`), then the built-in `base`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .access import Access, Refused
from .diagnostics import BuildFailed
from .gate import exists
from .model import AnthologySpec
from .project import BUILTIN_STYLES
from .rendered import Target

BASE_THEME = "base"
STYLESHEETS: dict[Target, tuple[str, ...]] = {
    Target.WEB: ("base.css", "theme.css", "web.css"),
    Target.SCREEN_PDF: ("base.css", "theme.css", "paged.css"),
    Target.PRINT_PDF: ("base.css", "theme.css", "paged.css", "print.css"),
    Target.EPUB: ("base.css", "theme.css", "epub.css"),
}


@dataclass(frozen=True)
class Theme:
    """Search path for templates and stylesheets: user overrides, then the theme, then base."""

    directories: tuple[Path, ...]

    @classmethod
    def locate(cls, styles_dir: Path, name: str, overrides: Path | None = None) -> Theme:
        chain = [styles_dir / name, styles_dir / BASE_THEME]
        if overrides is not None:
            chain.insert(0, overrides)
        # `exists` records an absent folder: creating it later changes what a build reads.
        return cls(tuple(path for path in chain if exists(path) and path.is_dir()))

    def stylesheet(self, name: str, access: Access) -> str:
        """The first `css/<name>` along the chain, read through the gate; "" when none has it.
        Raises BuildFailed when the file that wins may not be read."""
        for directory in self.directories:
            candidate = directory / "css" / name
            if access.exists(candidate):
                return read_theme_file(candidate, access)
        return ""


def read_theme_file(path: Path, access: Access) -> str:
    try:
        return access.read_text(path)
    except Refused as refused:
        raise BuildFailed([refused.diagnostic(access.shown(path))]) from None


def theme_for(spec: AnthologySpec) -> Theme:
    """The theme chain for an anthology: its overrides, its theme, the base."""
    project_styles = spec.root / "styles"
    own = project_styles / spec.theme
    styles = project_styles if exists(own) and own.is_dir() else BUILTIN_STYLES
    return Theme.locate(styles, spec.theme, spec.root / spec.path.parent / "style-overrides")
