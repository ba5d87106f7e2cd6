"""`publisher new`: a manuscript skeleton that passes `check` once its text is written."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..base.diagnostics import BuildFailed
from ..base.project import project_root, today
from ..base.text import slugify
from ..load.anthology_file import load_anthology_spec


class ScaffoldError(Exception):
    pass


def write_skeleton(
    anthology_file: Path,
    *,
    title: str,
    film: str,
    year: int,
    directors: tuple[str, ...],
    country: str,
    runtime: int | None,
    part: str | None,
    author: str | None,
) -> Path:
    try:
        spec = load_anthology_spec(anthology_file, project_root(anthology_file))
    except BuildFailed as failure:
        raise ScaffoldError("; ".join(d.format() for d in failure.diagnostics)) from None
    part_ids = [p.id for p in spec.parts]
    section = part or part_ids[0]
    if section not in part_ids:
        raise ScaffoldError(f"unknown part `{section}`; parts are: {', '.join(part_ids)}")
    film_fields: dict[str, object] = {
        "title": film,
        "year": year,
        "directors": list(directors),
        "country": country,
    }
    if runtime:
        film_fields["runtime_min"] = runtime
    front: dict[str, object] = {"title": title, "film": film_fields}
    if author:
        front["author"] = author
    front.update({"date": today(), "lang": spec.lang, "tags": [section], "section": section})
    target = spec.reviews_dir / f"{slugify(film)}.md"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; nothing was written")
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None)
    body = "Escriba aquí la reseña.\n" if spec.lang.startswith("es") else "Write the review here.\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:
        handle.write(f"---\n{header}---\n\n{body}")
    return target
