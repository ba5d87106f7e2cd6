"""The HTML the preview adds: the live-reload script, the error overlay, the `/check` page.

Only the served page gets these; the built editions never do. Everything that comes from the
sources (diagnostics, titles) goes through `html.escape`, and JSON for the script is made safe
to embed in a `<script>` element.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable

from ..base.diagnostics import Diagnostic
from .state import Snapshot

OVERLAY_ID = "publisher-live-overlay"

STYLE = f"""
#{OVERLAY_ID} {{ position: fixed; inset: 0; z-index: 2147483647; overflow: auto;
  background: rgb(20 20 20 / 0.72); font: 15px/1.5 system-ui, sans-serif; color: #222; }}
#{OVERLAY_ID}[hidden] {{ display: none; }}
#{OVERLAY_ID} .box {{ box-sizing: border-box; width: min(54em, calc(100% - 2em));
  margin: 8vh auto; padding: 1.5em 2em; text-align: left;
  background: #fff; border-top: 6px solid #b3261e; border-radius: 4px;
  box-shadow: 0 8px 32px rgb(0 0 0 / 0.4); }}
#{OVERLAY_ID} h1 {{ margin: 0 0 0.5em; font: 600 17px/1.3 system-ui, sans-serif;
  color: #b3261e; }}
#{OVERLAY_ID} p {{ margin: 0 0 1em; }}
#{OVERLAY_ID} ul {{ margin: 0; padding: 0; list-style: none; }}
#{OVERLAY_ID} li {{ margin: 0.4em 0; padding: 0.5em 0.75em; background: #fbeeed;
  font: 13px/1.45 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }}
"""

# The page's own CSS sizes `rem` for reading (18 px): the overlay uses px and em only.

# Before a reload the page remembers which section is at the top of the viewport and how far
# into it the reader is; after the reload it scrolls back there, so editing a review keeps the
# reader on it. A build whose page is unchanged (same etag) only updates the overlay.
SCRIPT = """
(() => {
  const boot = JSON.parse(document.getElementById("publisher-live-data").textContent);
  const overlay = document.getElementById("publisher-live-overlay");
  const KEY = "publisher-live-anchor";
  history.scrollRestoration = "manual";

  const anchor = () => {
    for (const id of boot.ids) {
      const el = document.getElementById(id);
      if (el && el.getBoundingClientRect().bottom > 0) {
        return { id, offset: -el.getBoundingClientRect().top };
      }
    }
    return { id: null, offset: window.scrollY };
  };
  const saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
  sessionStorage.removeItem(KEY);
  const restore = () => {
    if (!saved) return;
    const el = saved.id && document.getElementById(saved.id);
    const top = el ? el.getBoundingClientRect().top + window.scrollY : 0;
    const offset = el ? Math.max(0, Math.min(saved.offset, el.offsetHeight - 1)) : saved.offset;
    // "instant": the theme's smooth scrolling would animate from the top on every reload.
    window.scrollTo({ top: top + offset, behavior: "instant" });
  };
  // Again once fonts and images have settled the layout, in case they moved the section.
  restore();
  document.fonts.ready.then(restore);
  window.addEventListener("load", restore, { once: true });

  const events = new EventSource("/events?version=" + boot.version);
  events.addEventListener("build", (message) => {
    const build = JSON.parse(message.data);
    if (!build.ok) {
      overlay.innerHTML = build.overlay;
      overlay.hidden = false;
      return;
    }
    if (build.etag === boot.etag) {
      overlay.hidden = true;
      boot.version = build.version;
      return;
    }
    sessionStorage.setItem(KEY, JSON.stringify(anchor()));
    events.close();
    window.location.reload();
  });
})();
"""


def overlay_html(errors: Iterable[Diagnostic], has_page: bool = True) -> str:
    items = "".join(f"<li>{html.escape(d.format())}</li>" for d in errors)
    shown = "It shows the last good build. " if has_page else ""
    return (
        '<div class="box" role="alert"><h1>The preview is out of date: the sources do not build'
        f"</h1><p>{shown}Fix these and save; this message goes away by itself.</p>"
        f"<ul>{items}</ul></div>"
    )


def _script_json(data: object) -> str:
    # `<` escaped so that no `</script>` in a title or message can close the element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def event_data(snapshot: Snapshot) -> str:
    """The JSON of one server-sent `build` event."""
    return json.dumps(
        {
            "version": snapshot.version,
            "ok": snapshot.ok,
            "etag": snapshot.etag,
            "changed": list(snapshot.changed),
            "overlay": "" if snapshot.ok else overlay_html(snapshot.errors, bool(snapshot.page)),
        },
        ensure_ascii=False,
    )


def live_page(snapshot: Snapshot) -> str:
    """The last good page (or a placeholder) with the script and overlay before `</body>`."""
    boot = {"version": snapshot.version, "etag": snapshot.etag, "ids": list(snapshot.document_ids)}
    hidden = " hidden" if snapshot.ok else ""
    overlay = "" if snapshot.ok else overlay_html(snapshot.errors, bool(snapshot.page))
    addition = (
        f'<style id="publisher-live-style">{STYLE}</style>\n'
        f'<div id="{OVERLAY_ID}"{hidden}>{overlay}'
        "</div>\n"
        f'<script type="application/json" id="publisher-live-data">{_script_json(boot)}</script>\n'
        f"<script>{SCRIPT}</script>\n"
    )
    page = snapshot.page or _PLACEHOLDER
    at = page.rfind("</body>")
    return page + addition if at < 0 else page[:at] + addition + page[at:]


_PLACEHOLDER = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
    "<title>publisher preview</title></head>\n<body>\n<p>Nothing has built yet.</p>\n</body></html>"
)


_CHECK_STYLE = (
    "body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; } "
    "li { font-family: ui-monospace, monospace; white-space: pre-wrap; }"
)


def check_page(snapshot: Snapshot) -> str:
    """`/check`: the current diagnostics; it reloads itself after every build."""
    shown = snapshot.errors + snapshot.warnings
    if shown:
        rows = "".join(f"<li>{html.escape(d.format())}</li>" for d in shown)
        body = f"<ul>{rows}</ul>"
    else:
        body = "<p>No problems.</p>"
    status = "ok" if snapshot.ok else f"{len(snapshot.errors)} error(s)"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8" />'
        f"<title>publisher check: {status}</title><style>{_CHECK_STYLE}</style></head>\n"
        "<body>\n"
        f"<h1>Check: {status}</h1>\n{body}\n"
        '<p><a href="/">Preview</a> · <a href="/pdf">Screen PDF</a></p>\n'
        f'<script>new EventSource("/events?version={snapshot.version}")'
        '.addEventListener("build", () => window.location.reload());</script>\n'
        "</body></html>\n"
    )
