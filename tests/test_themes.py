"""Themes: two ship; one template or stylesheet can be overridden without copying a theme."""

from __future__ import annotations

from publisher.base.rendered import Kind, Target
from publisher.pipeline import load, render

from .conftest import MINI_TOML, ProjectMaker, review


def test_override_one_template_and_one_stylesheet(make_project: ProjectMaker) -> None:
    anthology = make_project({"a.md": review()})
    overrides = anthology.parent / "style-overrides"
    (overrides / "templates").mkdir(parents=True)
    (overrides / "css").mkdir()
    (overrides / "templates" / "colophon.html.j2").write_text(
        '<section id="{{ doc_id }}" class="colophon">Hecho a mano para {{ spec.title }}.</section>\n',
        encoding="utf-8",
    )
    (overrides / "css" / "web.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    book, _ = load(anthology)
    web = render(book, Target.WEB)
    colophon = next(doc for doc in web.documents if doc.kind is Kind.COLOPHON)
    assert colophon.body.strip().endswith("Hecho a mano para Antología de prueba.</section>")
    assert "rebeccapurple" in web.stylesheet
    # Everything not overridden still comes from the theme and the base.
    assert 'class="review"' in web.page
    assert ".film-card" in web.stylesheet  # base.css is still there
    assert "scroll-margin-top" not in web.stylesheet  # the shipped web.css was replaced


def test_both_themes_render_and_differ(make_project: ProjectMaker) -> None:
    sheets = {}
    for theme in ("clasico", "contemporaneo"):
        anthology = make_project(
            {"a.md": review()},
            toml=MINI_TOML.replace("front = []", f'front = []\ntheme = "{theme}"'),
        )
        book, _ = load(anthology)
        sheets[theme] = render(book, Target.WEB).stylesheet
        assert sheets[theme].strip()
    assert sheets["clasico"] != sheets["contemporaneo"]
