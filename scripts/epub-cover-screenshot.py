"""Screenshot of an EPUB's cover page as a reading system shows it, for the README.

Usage: .venv/bin/python scripts/epub-cover-screenshot.py BOOK.epub docs/images/epub-cover.png

The EPUB is unpacked into a temporary folder and its cover page (`EPUB/cover.xhtml`, with the
book's stylesheet) opened in Debian's Chromium through Playwright, in a phone-sized window
(480 × 768 CSS px, 1:1.6 like the cover); the screenshot is stored with a 64-colour palette to
stay small.
"""

from __future__ import annotations

import io
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(epub: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        with zipfile.ZipFile(epub) as archive:
            archive.extractall(folder)
        page_file = Path(folder) / "EPUB" / "cover.xhtml"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=ARGS, headless=True
            )
            page = browser.new_page(viewport={"width": 480, "height": 768})
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            shot = page.screenshot()
            browser.close()
    with Image.open(io.BytesIO(shot)) as image:
        small = image.convert("RGB").quantize(64, dither=Image.Dither.NONE)
        small.save(out, optimize=True)
    print(f"{out}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
