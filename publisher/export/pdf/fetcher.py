"""The URL fetcher every WeasyPrint render and write goes through: the project's gate.

`ProjectFetcher` hands each URL to base/access.py; a refusal is raised as `Refusal`, fatal to
WeasyPrint, which the callers turn into a BuildFailed naming the file.
"""

from __future__ import annotations

import mimetypes
from typing import Any

import weasyprint.urls

from ...base.access import Access, Refused


class Refusal(weasyprint.urls.FatalURLFetchingError):  # type: ignore[misc]
    """Fatal by design: WeasyPrint only logs ordinary fetch errors and goes on."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.message)
        self.refused = refused


class ProjectFetcher(weasyprint.urls.URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher subclassed as its security docs advise: every URL the page, its CSS,
    fonts and SVG name, and every redirect (which re-enters `fetch` since WeasyPrint 68), goes
    through access.Access. `data:` URIs are decoded by WeasyPrint itself."""

    def __init__(self, access: Access) -> None:
        super().__init__(allowed_protocols=("data", "file", "http", "https"), allow_redirects=False)
        self.access = access

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)
        try:
            data = self.access.read_url(url)
        except Refused as refused:
            raise Refusal(refused) from None
        kind = mimetypes.guess_type(url.split("?")[0])[0] or "application/octet-stream"
        return weasyprint.urls.URLFetcherResponse(url, data, {"Content-Type": kind})
