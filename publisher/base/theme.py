"""The theme: where templates and stylesheets are looked up, and which stylesheets each edition
stacks.

A theme is a folder of `templates/` and `css/` (either may be missing). Lookup runs along a
chain, nearest first: the project's `style-overrides/` beside its anthology file (one template
or stylesheet replaced, the rest inherited), then the theme (the project's own `styles/<name>`
when it has one, else the built-in `publisher/styles/<name>`), then what the theme extends, and
last the built-in `base`, so a project theme holding a single file builds.

A theme extends `base` unless its folder has a `theme.toml` saying `extends = "<theme>"` (a
project theme or a built-in one; a project theme named like a built-in one may extend it).

The cascade of each edition (`Theme.css`, then the renderer adds `extra_css` last):

1. `base.css`, the first found along the chain;
2. `theme.css`: every theme's own, from the farthest (what is extended) to the nearest, so a
   theme adds to the one it extends; a `style-overrides/css/theme.css` replaces them all;
3. the edition's sheets (`web.css`, `paged.css` + `print.css`, `epub.css`), first found;
4. the anthology's `extra_css`, in the order listed (after the page geometry of the PDFs).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .access import Access, Refused
from .diagnostics import BuildFailed, Diagnostic, error
from .gate import exists, list_folder, read_file
from .limits import Limits
from .model import AnthologySpec, ExtraStylesheet
from .project import BUILTIN_STYLES, shown
from .rendered import Target
from .text import suggestion

BASE_THEME = "base"
THEME_FILE = "theme.toml"
THEME_KEYS = ("extends",)
OWN_SHEET = "theme.css"  # the one stylesheet that stacks along `extends` instead of replacing
STYLESHEETS: dict[Target, tuple[str, ...]] = {
    Target.WEB: ("base.css", OWN_SHEET, "web.css"),
    Target.SCREEN_PDF: ("base.css", OWN_SHEET, "paged.css"),
    Target.PRINT_PDF: ("base.css", OWN_SHEET, "paged.css", "print.css"),
    Target.EPUB: ("base.css", OWN_SHEET, "epub.css"),
}


@dataclass(frozen=True)
class Theme:
    """Search path for templates and stylesheets: `overrides` (None when the project has no
    `style-overrides/`), then `themes`, nearest first, ending with the built-in `base`.
    `extra`: the anthology's `extra_css`, reported at `anthology` (the file as messages show
    it) when one cannot be read."""

    themes: tuple[Path, ...]
    overrides: Path | None = None
    extra: tuple[ExtraStylesheet, ...] = ()
    anthology: str = ""

    @property
    def directories(self) -> tuple[Path, ...]:
        """Every folder of the chain, first wins (the template loader's search path)."""
        return (self.overrides, *self.themes) if self.overrides is not None else self.themes

    def stylesheet(self, name: str, access: Access) -> str:
        """The first `css/<name>` along the chain, read through the gate; "" when none has it.
        Raises BuildFailed when the file that wins may not be read."""
        for directory in self.directories:
            candidate = directory / "css" / name
            if access.exists(candidate):
                return read_theme_file(candidate, access)
        return ""

    def css(self, target: Target, access: Access) -> str:
        """The theme's stylesheets for `target` in cascade order (steps 1–3 of the module's
        docstring), joined by newlines. Raises BuildFailed as `stylesheet` does."""
        return "\n".join(self._sheet(name, access) for name in STYLESHEETS[target])

    def _sheet(self, name: str, access: Access) -> str:
        if name != OWN_SHEET or (
            self.overrides is not None and access.exists(self.overrides / "css" / name)
        ):
            return self.stylesheet(name, access)
        own = [folder / "css" / name for folder in reversed(self.themes)]
        return "\n".join(read_theme_file(path, access) for path in own if access.exists(path))

    def extra_css(self, access: Access) -> str:
        """The `extra_css` files' text in order, joined by newlines ("" without any). Raises
        BuildFailed at the anthology's line of `extra_css` when one may not be read (loading
        has checked them: this is a file changed since)."""
        texts: list[str] = []
        for sheet in self.extra:
            try:
                texts.append(access.read_text(sheet.path))
            except Refused as refused:
                raise BuildFailed([refused.diagnostic(self.anthology, sheet.line)]) from None
        return "\n".join(texts)


def read_theme_file(path: Path, access: Access) -> str:
    try:
        return access.read_text(path)
    except Refused as refused:
        raise BuildFailed([refused.diagnostic(access.shown(path))]) from None


def theme_for(spec: AnthologySpec) -> Theme:
    """The theme chain for an anthology: its overrides, its theme and what that extends, the
    built-in base. Raises BuildFailed for a `theme.toml` that does not parse, has an unknown
    key, extends an unknown theme or makes a loop (at its line)."""
    overrides = spec.root / spec.path.parent / "style-overrides"
    # `exists` records an absent folder: creating it later changes what a build reads.
    found = overrides if exists(overrides) and overrides.is_dir() else None
    return Theme(_chain(spec.root, spec.theme), found, spec.extra_css, str(spec.path))


def unknown_theme(name: str, root: Path) -> str | None:
    """None when `name` is a theme of the project at `root` or a built-in one; else the
    message that says so, names every theme there is and suggests the closest."""
    builtin, own = theme_names(root)
    if name in builtin or name in own:
        return None
    listing = ", ".join(f"`{theme}`" for theme in builtin) + " (built in)"
    if own:
        listing += f" and {_enumerated(own)} (in this project's `styles/`)"
    else:
        listing += "; a project's own theme is a folder in `styles/`"
    return f"unknown theme `{name}`{suggestion(name, (*own, *builtin))}: the themes are {listing}"


def theme_names(root: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The built-in themes and the project's own (the folders of `<root>/styles/`), sorted."""
    return _folders(BUILTIN_STYLES, BUILTIN_STYLES), _folders(root / "styles", root)


def _folders(folder: Path, root: Path) -> tuple[str, ...]:
    if not exists(folder):
        return ()
    try:
        entries = list_folder(folder, (root,))
    except Refused:
        return ()  # reading a theme from there is refused, with its message, when it is used
    names = (e.name for e in entries if e.utf8 and e.path.is_dir())
    return tuple(name for name in names if not name.startswith("_"))


def _enumerated(names: tuple[str, ...]) -> str:
    quoted = [f"`{name}`" for name in names]
    return " and ".join([", ".join(quoted[:-1]), quoted[-1]]) if len(quoted) > 1 else quoted[0]


def _chain(root: Path, name: str) -> tuple[Path, ...]:
    """The theme folders from `name` to the built-in base, nearest first. An unknown `name`
    gives the base alone (the anthology's reader reports it)."""
    chain: list[Path] = []
    wanted, named_by, line = name, None, 0
    while True:
        # A theme is named, never a path: `extends = "../x"` names no theme.
        plain = wanted not in ("", ".", "..") and Path(wanted).name == wanted
        candidates = (root / "styles" / wanted, BUILTIN_STYLES / wanted) if plain else ()
        folder = next((f for f in candidates if f not in chain and exists(f) and f.is_dir()), None)
        if folder is None and named_by is not None:
            raise BuildFailed([_extends_problem(root, named_by, line, wanted, chain)])
        if folder is None:
            break
        chain.append(folder)
        if folder == BUILTIN_STYLES / BASE_THEME:
            return tuple(chain)
        named_by = folder / THEME_FILE
        wanted, line = _extends(root, named_by)
    return (*chain, BUILTIN_STYLES / BASE_THEME)


def _extends(root: Path, path: Path) -> tuple[str, int]:
    """What the theme whose `theme.toml` is `path` extends (`base` without one), and the line
    that says so. Raises BuildFailed (`theme-invalid`, or the gate's code) at the file's line."""
    if not exists(path):
        return BASE_THEME, 0
    where = shown(path, root)
    try:
        raw = read_file(path, (root, BUILTIN_STYLES), Limits().max_manuscript_bytes,
                        "resource-too-large", where)  # fmt: skip
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except Refused as refused:
        raise BuildFailed([refused.diagnostic(where)]) from None
    except UnicodeDecodeError:
        raise BuildFailed([error(where, 0, "encoding", f"`{where}` is not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as fault:
        line = int(found.group(1)) if (found := re.search(r"line (\d+)", str(fault))) else 0
        raise BuildFailed([error(where, line, "theme-invalid", str(fault))]) from None
    problems = [
        error(where, _line(text, key), "theme-invalid",
              f"unknown key `{key}`{suggestion(key, THEME_KEYS)}")
        for key in data if key not in THEME_KEYS
    ]  # fmt: skip
    extends = data.get("extends", BASE_THEME)
    if not isinstance(extends, str) or not extends.strip():
        message = "`extends` must name a theme, as text"
        problems.append(error(where, _line(text, "extends"), "theme-invalid", message))
    if problems:
        raise BuildFailed(problems)
    return str(extends).strip(), _line(text, "extends")


def _extends_problem(
    root: Path, named_by: Path, line: int, wanted: str, chain: list[Path]
) -> Diagnostic:
    where = shown(named_by, root)
    if any(folder.name == wanted for folder in chain):
        loop = " → ".join([*(folder.name for folder in chain), wanted])
        return error(where, line, "theme-invalid", f"`extends` makes a loop: {loop}")
    message = unknown_theme(wanted, root) or f"unknown theme `{wanted}`"
    return error(where, line, "unknown-theme", f"`extends`: {message}")


def _line(text: str, key: str) -> int:
    """The line of `key = …` in a small TOML text; 1 when not found."""
    found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 1
