"""Render an assembled anthology to HTML with the theme's Jinja2 templates and CSS.

The only module that imports Jinja2. Reads templates, stylesheets and images, each through the
gate (`base/access.Access`: inside the project or the tool's styles, regular files, size-capped, and
recorded for the build cache); writes nothing.

Length: the Jinja2 environment, its gate loader and the translation of template faults into
diagnostics with the template's path and line stay with the only Jinja2 user.
"""

from __future__ import annotations

import base64
import dataclasses
import mimetypes
import os
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

import jinja2
from markupsafe import Markup

from ..base.access import Access, Refused
from ..base.cover import CoverArt
from ..base.diagnostics import BuildFailed, Diagnostic, error
from ..base.digests import digest, package_digest
from ..base.faces import faces_used
from ..base.fonts import typeset_characters
from ..base.links import LinkPlan, plan
from ..base.locale import Locale
from ..base.model import Anthology, FrontPiece, Part, Review
from ..base.project import shown
from ..base.rendered import (
    EPUB_PATHS,
    Document,
    ImageAsset,
    Kind,
    PageMark,
    Pagination,
    RenderedBook,
    Target,
)
from ..base.text import slugify
from ..base.theme import Theme, read_theme_file
from .markup import Fragment, render_markdown
from .outline import build_outline, roman, with_pages
from .pagemarks import mark_pages
from .printed import book_page_text, documents_text
from .typography import smarten


class _GateLoader(jinja2.BaseLoader):
    """Jinja2 templates along the theme chain, each read through the gate (never by Jinja2's
    own file loader): a symlinked override that leaves the project is refused like any file."""

    def __init__(self, directories: tuple[Path, ...], access: Access) -> None:
        self.directories = directories
        self.access = access
        self.served: set[str] = set()  # file names handed to Jinja2, to find them in tracebacks

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Raises Refused (`path-outside-project`) for an absolute name or one with `..`,
        jinja2.TemplateNotFound when no folder of the chain has it, BuildFailed when the file
        that wins may not be read."""
        if template.startswith(("/", "\\")) or ".." in template.replace("\\", "/").split("/"):
            raise Refused(
                "path-outside-project",
                f"template `{template}` is outside the theme: name templates relative to its"
                " `templates/` folder",
            )
        pieces = jinja2.loaders.split_template_path(template)
        for directory in self.directories:
            candidate = directory.joinpath("templates", *pieces)
            if self.access.exists(candidate):
                # Read once per environment: every later use renders these same bytes.
                source = read_theme_file(candidate, self.access)
                self.served.add(str(candidate))
                return source, str(candidate), lambda: True
        raise jinja2.TemplateNotFound(template)


class _Compiled(jinja2.BytecodeCache):
    """Templates compiled once per process, for every edition's environment (all made with
    the same options): Jinja2 keys each by its name and file and checks the source's sha1, so
    an edited template is compiled again. Its source is still read through the gate."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _Compiled()
_Made = TypeVar("_Made")


class FragmentStore(Protocol):
    """Where rendered Markdown is kept between builds (the build cache implements it)."""

    def fragment(self, key: str) -> str | None: ...

    def keep_fragment(self, key: str, html: str) -> None: ...


def render_book(
    anthology: Anthology,
    target: Target,
    theme: Theme,
    fragments: FragmentStore | None = None,
    pagination: Pagination | None = None,
    access: Access | None = None,
    cover: CoverArt | None = None,
    written: bool = False,
) -> RenderedBook:
    """`pagination` (the print edition's, for the EPUB and web targets) adds page markers.
    `access`: the build's gate (`--allow-remote`), kept in the book for the PDF exporter;
    by default the project's, with no network. `cover`: the book's cover (the pipeline makes
    it: the renderer never imports `export/`), page 1 of the screen PDF, the head of the web
    edition and the EPUB's cover image; None: none of these. `written`: the book is only to
    be written (a build; issue 17: its peak RSS): the web edition's page is made as UTF-8
    (`RenderedBook.encoded`, `page` ""), and the EPUB's documents are kept without their
    bodies, each let go of once its XHTML file is made (`xhtml` holds their text)."""
    access = access or Access.for_spec(anthology.spec)
    if target is Target.PRINT_PDF:
        cover = None  # the printer makes the cover from a wrap of its own
    renderer = _Renderer(anthology, target, theme, fragments, pagination, access)
    rendered = renderer.documents()
    pages: tuple[PageMark, ...] = ()
    if pagination is not None and not target.paged:
        textless = "textless-page" if target is Target.WEB else None
        pages = mark_pages(rendered, pagination, textless)  # in place: one body each held
    xhtml: list[tuple[str, str]] = []
    if target is Target.EPUB:
        for index, doc in enumerate(rendered):
            xhtml.append((doc.id, renderer.xhtml(doc)))
            if written:
                rendered[index] = dataclasses.replace(doc, body="")
    documents = tuple(rendered)
    del rendered
    outline = with_pages(renderer.outline, pages)
    stylesheet = theme.css(target, access)
    # The anthology's `extra_css` comes last, after the PDFs' page geometry too (theme.py).
    own = theme.extra_css(access)
    after = "\n" + own if own else ""
    if target is Target.EPUB:
        return RenderedBook(
            anthology,
            target,
            documents,
            stylesheet + after,
            "",
            renderer.image_assets(),
            xhtml=tuple(xhtml),
            nav=renderer.template("nav.xhtml.j2", outline=outline),
            pages=pages,
            outline=outline,
            access=access,
            cover=cover,
        )
    profile = renderer.template("paged-profile.css.j2") if target.paged else ""
    context = {
        "documents": documents,
        "cover": cover,  # page 1 of the screen PDF, the head of the web edition
        "stylesheet": Markup(stylesheet + "\n" + profile + after),
        "pages": pages,
    }
    made = written and target is Target.WEB  # only written: made as UTF-8, not as a string
    page = "" if made else renderer.template("book.html.j2", **context)
    return RenderedBook(
        anthology,
        target,
        documents,
        stylesheet + profile + after,
        page,
        renderer.image_assets(),
        pages=pages,
        outline=outline,
        access=access,
        cover=cover,
        encoded=renderer.encoded("book.html.j2", **context) if made else b"",
        # What the page prints, for the glyph check (fonts.py): read once, here.
        printed=book_page_text(page, [doc.body for doc in documents]) if target.paged else None,
    )


class _Renderer:
    def __init__(
        self,
        anthology: Anthology,
        target: Target,
        theme: Theme,
        fragments: FragmentStore | None,
        pagination: Pagination | None,
        access: Access,
    ) -> None:
        self.anthology = anthology
        self.fragments = fragments
        self.spec = anthology.spec
        self.target = target
        self.locale = Locale.for_spec(self.spec)
        self.outline = build_outline(anthology, target, self.locale)
        self.images: dict[Path, ImageAsset] = {}
        self.access = access
        # The colophon names the print edition's faces in every edition (base/faces.py).
        self.print_css = theme.css(Target.PRINT_PDF, access) + "\n" + theme.extra_css(access)
        self.rendered: list[Document] = []  # the documents so far, for the colophon's faces
        self.loader = _GateLoader(theme.directories, self.access)
        self.env = jinja2.Environment(
            loader=self.loader,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_COMPILED,
        )
        self.env.filters["smart"] = lambda text, lang=None: smarten(
            str(text), lang or self.spec.lang
        )
        self.env.filters["longdate"] = self.locale.date
        # People's names as the book prints them: joined as the language does, with the
        # book's typography (`O'Donnell` → `O’Donnell`, as in the text).
        self.env.filters["names"] = lambda names: smarten(self.locale.join(names), self.spec.lang)
        self.env.filters["roman"] = roman
        self.env.filters["decimal"] = self.locale.decimal
        self.env.globals.update(
            href=self.href,
            book=anthology,
            spec=self.spec,
            labels=self.locale.words,
            faces=self.faces,
            sentence=self.sentence,
            target=target.value,
            paged=target.paged,
            epub=target is Target.EPUB,
            epub_paths=EPUB_PATHS,
            outline=self.outline,
            Kind=Kind,
            # The print page a document opens on, for the indexes (None without a pagination).
            print_page=pagination.opening if pagination is not None else lambda _: None,
        )

    def faces(self) -> str:
        """The faces the print edition sets the documents rendered so far in, as a list in
        running text (`EB Garamond y Noto Sans`): for the colophon, the last document."""
        printed = documents_text(doc.body for doc in self.rendered)
        text = typeset_characters(printed, self.print_css)
        return self.locale.join(faces_used(self.print_css, text))

    def sentence(self, key: str, **values: object) -> Markup:
        """The catalogue's pattern `key` (`colophon_text`) with its `{fields}` filled: the
        pattern and plain values escaped, Markup values (`<em>publisher</em>`) kept."""
        return Markup.escape(self.locale.word(key)).format(**values)

    def template(self, name: str, **context: object) -> str:
        """`name` rendered with `context`. Raises BuildFailed naming the template file and line:
        `template-syntax`, `template-missing`, `template-error` (raised while rendering: an
        undefined name, a filter given the wrong type) or the gate's code for a refused name."""
        return self._rendered(name, lambda template: template.render(**context))

    def encoded(self, name: str, **context: object) -> bytes:
        """`template(name, **context)` as UTF-8, encoded piece by piece as Jinja2 makes it,
        never held as one string (issue 17: the web edition's page, whose stylesheet quotes
        an emoji, took 4 bytes a character as a string; 1 as UTF-8). Raises as `template`."""

        def pieces(template: jinja2.Template) -> list[bytes]:
            return [piece.encode("utf-8") for piece in template.generate(**context)]

        return b"".join(self._rendered(name, pieces))

    def _rendered(self, name: str, rendering: Callable[[jinja2.Template], _Made]) -> _Made:
        """`rendering(template)` of the template `name`; raises as `template` says."""
        try:
            return rendering(self.env.get_template(name))
        except jinja2.TemplateSyntaxError as fault:
            where = self._shown(fault.filename) if fault.filename else name
            problem = error(where, fault.lineno, "template-syntax", fault.message or str(fault))
        except jinja2.TemplateNotFound as fault:
            where, line = self._template_line(fault, name)
            chain = self.loader.directories
            folders = [self._shown(str(path / "templates")) for path in chain]
            listed = ", ".join(f"`{folder}`" for folder in folders)
            message = f"template `{fault.name}` not found in the theme ({listed})"
            # The project's folders are shown from the working directory; the tool's own (absolute,
            # where it is installed) stay as they are, wherever the reader stands.
            ours = [folder for folder in folders if not os.path.isabs(folder)]
            problem = error(where, line or 0, "template-missing", message, names=ours)
        except Refused as refused:
            where, line = self._template_line(refused, name)
            problem = refused.diagnostic(where, line or 0)
        except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as fault:
            where, line = self._template_line(fault, name)
            if line is None and not isinstance(fault, jinja2.TemplateError):
                raise  # not raised by a template's code: a bug of ours, with its traceback
            text = f"{type(fault).__name__}: {fault}" if str(fault) else type(fault).__name__
            problem = error(where, line or 0, "template-error", text)
        raise BuildFailed([problem]) from None

    def _shown(self, filename: str) -> str:
        return self.access.shown(Path(filename))

    def _template_line(self, fault: BaseException, name: str) -> tuple[str, int | None]:
        """The innermost template file and line in `fault`'s traceback (Jinja2 rewrites its
        frames to the template's own lines); `name` and None when no template frame is there."""
        for frame in reversed(traceback.extract_tb(fault.__traceback__)):
            if frame.filename in self.loader.served:
                return self._shown(frame.filename), frame.lineno
        return name, None

    def href(self, anchor: str) -> str:
        if self.target is Target.EPUB:
            return EPUB_PATHS.sibling(anchor)
        return f"#{anchor}"

    # -- documents in reading order ----------------------------------------------------------
    def documents(self) -> list[Document]:
        """One document per outline entry (`outline.py`), in its order: the caller's list
        alone (the renderer keeps no reference to it once made)."""
        front = {piece.slug: piece for piece in self.anthology.front}
        parts = {f"part-{part.id}": part for part in self.anthology.parts}
        docs: list[Document] = []
        self.rendered = docs
        for entry in self.outline.entries:
            if entry.kind is Kind.FRONT:
                docs.append(self.front_piece(front[entry.id]))
            elif entry.kind is Kind.PART:
                part = parts[entry.id]
                docs.append(self.part(part))
                docs.extend(self.review(review, part) for review in part.reviews)
            else:
                docs.append(self.simple(entry.kind, entry.id, entry.title))
        self.rendered = []
        return docs

    def simple(self, kind: Kind, doc_id: str, title: str) -> Document:
        body = self.template(f"{kind.value}.html.j2", doc_id=doc_id, title=title)
        return Document(doc_id, kind, title, self.spec.lang, body)

    def front_piece(self, piece: FrontPiece) -> Document:
        fragment = self.markdown(
            piece.body, piece.lang, piece.slug, 0, piece.path, self.links(piece.slug)
        )
        body = self.template("front.html.j2", piece=piece, content=Markup(fragment.html))
        return Document(piece.slug, Kind.FRONT, piece.title, piece.lang, body)

    def part(self, part: Part) -> Document:
        doc_id = f"part-{part.id}"
        intro = (
            self.markdown(part.intro, self.spec.lang, doc_id, 0, self.spec.path, self.links(doc_id))
            if part.intro
            else None
        )
        body = self.template(
            "part.html.j2", part=part, doc_id=doc_id, intro=Markup(intro.html) if intro else None
        )
        return Document(doc_id, Kind.PART, part.title, self.spec.lang, body, part.id)

    def review(self, review: Review, part: Part) -> Document:
        manuscript = review.manuscript
        fragment = self.markdown(
            manuscript.body, manuscript.lang, manuscript.slug, 1, manuscript.path,
            self.links(manuscript.slug),
        )  # fmt: skip
        body = self.template(
            "review.html.j2",
            review=review,
            manuscript=manuscript,
            film=manuscript.film,
            part=part,
            content=Markup(fragment.html),
        )
        return Document(
            manuscript.slug, Kind.REVIEW, manuscript.title, manuscript.lang, body, part.id
        )

    def links(self, document: str) -> LinkPlan:
        """`document`'s heading ids and link hrefs in this edition (links.py)."""
        return plan(self.anthology.links, document, self.target is Target.EPUB)

    def markdown(
        self,
        source: str,
        lang: str,
        prefix: str,
        offset: int,
        origin: Path,
        links: LinkPlan | None = None,
    ) -> Fragment:
        resolve = self._image_resolver(self.spec.root / origin.parent, prefix)
        # Bodies with images are not reused: their output depends on the image files too.
        # Without images a body's HTML depends on the target only through `paged` (the
        # arguments below): the print PDF reuses the screen PDF's, the EPUB the web edition's.
        reusable = self.fragments is not None and "![" not in source
        flow = "paged" if self.target.paged else "flowing"
        key = digest(package_digest(), source, lang, prefix, str(offset), flow, repr(links))
        if reusable and self.fragments is not None:
            html = self.fragments.fragment(key)
            if html is not None:
                return Fragment(html, (), 0)
        fragment = render_markdown(
            source, lang, prefix, offset, self.target.paged, resolve, links=links
        )
        if reusable and self.fragments is not None:
            self.fragments.keep_fragment(key, fragment.html)
        return fragment

    def xhtml(self, document: Document) -> str:
        return self.template("document.xhtml.j2", document=document, content=Markup(document.body))

    # -- images --------------------------------------------------------------------------------
    def _image_resolver(self, base: Path, prefix: str) -> Callable[[str], str]:
        def resolve(src: str) -> str:
            source = self._image_file(src, base)
            media_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
            href = EPUB_PATHS.image(f"{prefix}-{slugify(source.stem)}{source.suffix.lower()}")
            if source not in self.images:
                data = self._image_bytes(source, src, base)
                self.images[source] = ImageAsset(source, href, media_type, data)
            if self.target is Target.WEB:
                encoded = base64.b64encode(self.images[source].data).decode("ascii")
                return f"data:{media_type};base64,{encoded}"
            if self.target is Target.EPUB:
                return EPUB_PATHS.from_text(href)
            return source.as_uri()

        return resolve

    def _image_file(self, src: str, base: Path) -> Path:
        """Through the one gate (base/access.py); the loader has checked manuscripts already."""
        try:
            return self.access.reference(src, base)
        except Refused as refused:
            raise BuildFailed([self._refusal(refused, base)]) from None

    def _image_bytes(self, source: Path, src: str, base: Path) -> bytes:
        """The image's bytes, read once through the gate and kept for every use in this book."""
        try:
            limit = self.spec.limits.max_image_bytes
            return self.access.read(source, limit, "image-too-large", src)
        except Refused as refused:
            raise BuildFailed([self._refusal(refused, base)]) from None

    def _refusal(self, refused: Refused, base: Path) -> Diagnostic:
        return refused.diagnostic(shown(base, self.spec.root))

    def image_assets(self) -> tuple[ImageAsset, ...]:
        return tuple(self.images.values())
