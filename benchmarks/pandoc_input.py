"""One Pandoc Markdown file from a corpus, so Pandoc does comparable work on the same text.

Front matter is stripped and each piece gets a `# title` heading; footnote labels are made
unique per review (`[^1]` → `[^review-0001-1]`), since every review has its own `[^1]`.
Runs outside the timing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")


def split(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of a manuscript that starts with `---`."""
    _, head, body = text.split("---\n", 2)
    data = yaml.safe_load(head)
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data, body.lstrip("\n")


def pandoc_markdown(anthology: Path) -> str:
    manuscripts = anthology.parent
    title = "Banco de pruebas"
    # JSON strings are valid YAML, so the metadata block is safe for any title.
    chunks = [f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nlang: es\n---\n"]
    pieces = sorted((manuscripts / "front").glob("*.md"))
    pieces += sorted((manuscripts / "reviews").glob("*.md"))
    for path in pieces:
        meta, body = split(path.read_text(encoding="utf-8"))
        body = FOOTNOTE.sub(rf"[^{path.stem}-\1]", body)
        chunks.append(f"# {meta['title']}\n\n{body.rstrip()}\n")
    return "\n".join(chunks)


def write_pandoc_markdown(anthology: Path, target: Path) -> Path:
    target.write_text(pandoc_markdown(anthology), encoding="utf-8")
    return target
