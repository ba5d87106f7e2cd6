"""The package's shape, as a test: which layer may import which, which module alone may import
each engine, no import cycles, and no module too long to read in one sitting without a reason.

Layers (README, "Architecture"), from the ground up:

* `publisher.base`: anyone may import it; it imports only itself.
* the four stages, `publisher.load`, `publisher.assemble`, `publisher.render`, `publisher.export`:
  each imports the base layer and itself, never another stage nor the application.
* the application (`pipeline`, `passes`, `rendering`, `timing`, `cache`, `report`, `catalogue`,
  `cluster`, `scaffold`, `cli`, `serve/`, `validation/`) on top: it may import anything below
  it; `validation/` reads outputs and manuscripts, so it imports the base layer and the load
  stage only.

Every import counts: at module level, inside functions, under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"
BASE = "publisher.base"
STAGES = ("publisher.load", "publisher.assemble", "publisher.render", "publisher.export")
# Who may import what, for the layers that are not free to import everything.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    BASE: (BASE,),
    **{stage: (BASE, stage) for stage in STAGES},
    "publisher.validation": (BASE, "publisher.load", "publisher.validation"),
}
# Each third-party engine, and the only modules (or folders) that may import it. lxml is shared
# on purpose: the sanitizer, the renderer's tree work, the EPUB package and the validators each
# read or write XML; the manuscript reader never does.
ENGINES: dict[str, tuple[str, ...]] = {
    "weasyprint": ("publisher.export.pdf",),  # a package: each of its modules, and no other
    "ebooklib": ("publisher.export.epub",),
    "markdown": ("publisher.render.markup",),
    "jinja2": ("publisher.render.renderer",),
    "markupsafe": ("publisher.render.renderer",),
    "lxml": (
        "publisher.base.sanitize",
        "publisher.render",
        "publisher.export",
        "publisher.validation",
    ),
    "PIL": ("publisher.load.images", "publisher.export.cover"),
    "yaml": ("publisher.load.frontmatter", "publisher.scaffold"),
    "nh3": ("publisher.base.sanitize",),
    "pyphen": ("publisher.render.linebreaks",),
    "watchfiles": ("publisher.serve.watch",),
    "fontTools": ("publisher.validation", "publisher.export.font_programs"),
    "pikepdf": (
        "publisher.validation",
        "publisher.export.output_intent",
        "publisher.export.merge",
        "publisher.export.merge_prepass",  # merge's helper: what it must know first
        "publisher.export.merge_outline",  # merge's helper: the outline it writes
        "publisher.export.pdf_writer",  # merge's helper: the file written object by object
        "publisher.export.font_union",  # merge's helpers: one font per face
        "publisher.export.font_cmaps",
        "publisher.export.pagelabels",  # the screen PDF's /PageLabels
        "publisher.export.invisible_paint",  # output_intent's helper for PDF/X-3
    ),
    "markdown_it": ("publisher.validation.manuscript_words",),
    "mdit_py_plugins": ("publisher.validation.manuscript_words",),
    "rich": ("publisher.cli.console",),
    "tinycss2": ("publisher.load.stylesheets",),
    "slugify": ("publisher.base.text",),
    "unidecode": ("publisher.base.text",),
    "tomlkit": ("publisher.load.toml_positions",),
    "langcodes": ("publisher.base.languages",),
    "icu": ("publisher.base.collation",),
    "babel": ("publisher.base.locale",),
    "onixcheck": ("publisher.validation.onix",),
    "barcode": ("publisher.export.wrap",),
    "distributed": ("publisher.cluster",),
    "dask": ("publisher.cluster",),
}
MAX_LINES = 350
REASON = "Length:"  # a module over MAX_LINES says why in its docstring, on a line starting so


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str) -> str | None:
    """The entry of MAY_IMPORT that rules `module` (the longest prefix), if any."""
    owners = [prefix for prefix in MAY_IMPORT if _under(module, prefix)]
    return max(owners, key=len) if owners else None


def imports(module: str, source: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in `source`, the module `module`.

    `from . import name` yields `package.name`: the checker treats it as the submodule, which
    is what it is in this package (a name that is no module is checked as its package)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if node.module is None:
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"
            else:
                yield node.lineno, target


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """Every broken rule in one module's source, as `module:line: what`."""
    found: list[str] = []
    layer = _layer(module)
    for line, target in imports(module, source, is_package):
        top = target.split(".")[0]
        if top in ENGINES and not any(_under(module, own) for own in ENGINES[top]):
            found.append(f"{module}:{line}: imports {top}, allowed only in {ENGINES[top]}")
        if layer is None or not _under(target, "publisher") or target == "publisher":
            continue
        if target.startswith("publisher.__"):  # the package's own `__version__`
            continue
        if not any(_under(target, allowed) for allowed in MAY_IMPORT[layer]):
            found.append(f"{module}:{line}: {layer} may not import {target}")
    return found


def _modules() -> Iterator[tuple[str, Path, bool]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), path, is_package


def _graph() -> dict[str, set[str]]:
    known = {name for name, _, _ in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path, is_package in _modules():
        edges = set()
        for _, target in imports(name, path.read_text(encoding="utf-8"), is_package):
            while target and target not in known:  # `from .x import Name` → module x
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_keeps_to_its_layer_and_engines() -> None:
    found = [
        problem
        for name, path, is_package in _modules()
        for problem in violations(name, path.read_text(encoding="utf-8"), is_package)
    ]
    assert found == []


def test_a_stage_importing_another_stage_is_caught() -> None:
    source = "from ..load import manuscripts\nfrom ..base.model import Anthology\n"
    assert violations("publisher.render.fake", source) == [
        "publisher.render.fake:1: publisher.render may not import publisher.load"
    ]


def test_the_base_layer_importing_a_stage_or_the_application_is_caught() -> None:
    source = "from ..render.markup import survey\nfrom .. import pipeline\n"
    assert len(violations("publisher.base.fake", source)) == 2


def test_an_engine_outside_its_module_is_caught() -> None:
    source = "def late() -> None:\n    import jinja2\n"
    assert violations("publisher.export.fake", source) == [
        "publisher.export.fake:2: imports jinja2, allowed only in ('publisher.render.renderer',)"
    ]
    assert violations("publisher.render.renderer", source) == []


def test_an_engine_owned_by_a_package_is_allowed_in_its_modules_alone() -> None:
    source = "import weasyprint.layout\n"
    allowed = "allowed only in ('publisher.export.pdf',)"
    assert violations("publisher.export.pdf", source, is_package=True) == []
    assert violations("publisher.export.pdf.chunks", source) == []
    assert violations("publisher.export.merge", source) == [
        f"publisher.export.merge:1: imports weasyprint, {allowed}"
    ]
    assert violations("publisher.export.pdfx", source) == [  # a name that only starts alike
        f"publisher.export.pdfx:1: imports weasyprint, {allowed}"
    ]


def test_no_import_cycles() -> None:
    assert cycles(_graph()) == []


def test_a_cycle_is_caught() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_long_modules_say_why() -> None:
    unexplained = []
    for name, path, _ in _modules():
        source = path.read_text(encoding="utf-8")
        length = len(source.splitlines())
        docstring = ast.get_docstring(ast.parse(source)) or ""
        if length > MAX_LINES and not any(
            line.startswith(REASON) for line in docstring.splitlines()
        ):
            unexplained.append(f"{name}: {length} lines")
    assert unexplained == []
