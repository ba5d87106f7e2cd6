"""The build recipe: gather everything, then write. `build()` wires the stages in order."""

from __future__ import annotations

import datetime as dt
import enum
import os
from dataclasses import dataclass
from pathlib import Path

from .assemble import assemble
from .book import RenderedBook, Target
from .config import load_anthology_spec
from .diagnostics import BuildFailed, Diagnostic, has_errors
from .loader import load_manuscripts
from .model import Anthology
from .render import Theme, render_book

BUILTIN_STYLES = Path(__file__).resolve().parent.parent / "styles"


class Format(enum.Enum):
    HTML = "html"
    PDF = "pdf"
    EPUB = "epub"


@dataclass(frozen=True)
class Output:
    path: Path
    format: str


@dataclass(frozen=True)
class BuildResult:
    outputs: tuple[Output, ...]
    diagnostics: tuple[Diagnostic, ...]


def project_root(anthology_file: Path) -> Path:
    """`<root>/manuscripts/anthology.toml` → `<root>`; elsewhere, the file's own folder."""
    folder = anthology_file.resolve().parent
    return folder.parent if folder.name == "manuscripts" else folder


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def load(anthology_file: Path) -> tuple[Anthology, tuple[Diagnostic, ...]]:
    """Load, validate and assemble. Raises BuildFailed with every problem found."""
    root = project_root(anthology_file)
    spec = load_anthology_spec(anthology_file, root)
    loaded = load_manuscripts(
        root, spec.reviews_dir, spec.reviews_dir.parent / "front", spec.lang, today()
    )
    if has_errors(loaded.diagnostics):
        # Selection problems are worth reporting too, over whatever did load.
        try:
            assemble(spec, loaded.reviews, loaded.front)
        except BuildFailed as more:
            raise BuildFailed(loaded.diagnostics + more.diagnostics) from None
        raise BuildFailed(loaded.diagnostics)
    return assemble(spec, loaded.reviews, loaded.front), loaded.diagnostics


def theme_for(anthology: Anthology) -> Theme:
    spec = anthology.spec
    project_styles = spec.root / "styles"
    styles = project_styles if (project_styles / spec.theme).is_dir() else BUILTIN_STYLES
    overrides = spec.path.parent / "style-overrides"
    return Theme.locate(styles, spec.theme, spec.root / overrides)


def render(anthology: Anthology, target: Target) -> RenderedBook:
    return render_book(anthology, target, theme_for(anthology))


def build(anthology_file: Path, formats: frozenset[Format], out_dir: Path) -> BuildResult:
    from .exporters.epub import export_epub
    from .exporters.html import export_html
    from .exporters.pdf import export_pdf

    anthology, diagnostics = load(anthology_file)
    slug = anthology.spec.slug
    books: dict[Target, RenderedBook] = {}
    if Format.HTML in formats:
        books[Target.WEB] = render(anthology, Target.WEB)
    if Format.PDF in formats:
        books[Target.SCREEN_PDF] = render(anthology, Target.SCREEN_PDF)
        books[Target.PRINT_PDF] = render(anthology, Target.PRINT_PDF)
    if Format.EPUB in formats:
        books[Target.EPUB] = render(anthology, Target.EPUB)

    outputs: list[Output] = []
    if Target.WEB in books:
        outputs.append(Output(export_html(books[Target.WEB], out_dir / f"{slug}.html"), "html"))
    if Target.SCREEN_PDF in books:
        for target, name in (
            (Target.SCREEN_PDF, f"{slug}.pdf"),
            (Target.PRINT_PDF, f"{slug}-print.pdf"),
        ):
            pdf = export_pdf(books[target], out_dir / name)
            outputs.append(Output(pdf.path, "pdf"))
            # Both profiles check the same fonts: report each warning once.
            diagnostics += tuple(d for d in pdf.diagnostics if d not in diagnostics)
    if Target.EPUB in books:
        outputs.append(Output(export_epub(books[Target.EPUB], out_dir / f"{slug}.epub"), "epub"))
    return BuildResult(tuple(outputs), diagnostics)
