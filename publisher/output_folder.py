"""The output folder (`--out`) must be a folder of its own, apart from everything a build reads.

A build writes into its output folder (a staging folder, then each edition renamed into place)
and removes there what earlier builds left (its own staging folders and temporary files, by
name and lock: `export/staging.py`). So `--out .` would put editions beside the manuscripts,
and `--out manuscripts/reviews` would make the next build read a folder that the build itself
changed. Two checks, both before the output folder is written to:

* `check_output_folder(spec, out_dir)`, in the plan phase: `--out` that exists and is not a
  folder (a file, a symlink even to a folder, a device) is `output-folder-not-a-folder`; one
  that is the project folder or holds it, or is (or is inside) a folder of sources (the
  anthology file's folder when it is not the project's, the reviews and front folders, the
  theme's folders, the build cache) is `output-folder-in-sources`.
* `check_apart_from_inputs(out_dir, inputs, root)`, once the book is loaded (the gate has
  recorded every input: `base/gate.py`): no file read, and no path looked for and found
  absent, may be inside the output folder, and the output folder may not be inside a folder
  whose listing was read (making it would change that listing). This catches what the first
  check cannot know, such as an images folder a manuscript names.

Both raise BuildFailed with one error at the output folder's path as given (line 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .base.diagnostics import BuildFailed, Diagnostic, error
from .base.files import ForeignOutput, check_folder
from .base.gate import Input
from .base.model import AnthologySpec
from .base.project import CACHE_DIR, shown
from .base.theme import theme_for

_APART = (
    "a build replaces the editions in its output folder and removes its own leftovers there,"
    " so it must not share a folder with the book's sources; nothing was written: build into"
    " a folder of its own, such as dist/"
)


def check_output_folder(spec: AnthologySpec, out_dir: Path) -> None:
    """Raise BuildFailed when `out_dir` is not a folder or overlaps the sources (module doc)."""
    try:
        check_folder(out_dir)
    except ForeignOutput as foreign:
        advice = (
            "give the folder it points to, or another"
            if foreign.what == "a symbolic link"
            else "give a folder (it is made when absent)"
        )
        message = f"--out names {foreign.what}, not a folder; nothing was written: {advice}"
        raise BuildFailed((error(out_dir, 0, "output-folder-not-a-folder", message),)) from None
    found = _overlap(spec, out_dir.resolve())
    if found is not None:
        raise BuildFailed((_in_sources(out_dir, *found),))


def check_apart_from_inputs(out_dir: Path, inputs: Iterable[Input], root: Path) -> None:
    """Raise BuildFailed when an input of this build is in `out_dir`, or `out_dir` is in a
    folder whose listing is an input (module doc)."""
    out = out_dir.resolve()
    for item in inputs:
        path = Path(item.path)
        if path == out or path.is_relative_to(out):
            what = "looks for" if item.digest == "absent" else "reads"
            name = shown(path, root)
            where = f"holds `{name}`, which the build {what}"
            raise BuildFailed((_in_sources(out_dir, where, name),))
        if item.digest.startswith("listing:") and out.is_relative_to(path):
            name = shown(path, root)
            where = f"is inside `{name}`, a folder the build lists"
            raise BuildFailed((_in_sources(out_dir, where, name),))


def _in_sources(out_dir: Path, relation: str, name: str) -> Diagnostic:
    """`relation` quotes `name`, a path as `shown` writes it."""
    message = f"the output folder {relation}: {_APART}"
    return error(out_dir, 0, "output-folder-in-sources", message, names=(name,))


def _source_folders(spec: AnthologySpec) -> Iterator[tuple[str, Path]]:
    """(what it is, resolved path) for each folder of sources a build reads from."""
    folder = (spec.root / spec.path).resolve().parent  # spec.path: relative to the root
    if folder != spec.root.resolve():
        yield "the anthology file's folder", folder
    yield "the reviews folder", spec.reviews_dir.resolve()
    yield "the front matter folder", spec.reviews_dir.resolve().parent / "front"
    for directory in theme_for(spec).directories:
        yield "a theme folder", directory.resolve()
    yield "the build cache", spec.root.resolve() / CACHE_DIR


def _overlap(spec: AnthologySpec, out: Path) -> tuple[str, str] | None:
    """How `out` (resolved) overlaps the sources, as the message says it, and the path it
    quotes; None when apart."""
    root = spec.root.resolve()
    if out == root:
        return f"is the project folder `{root}`", str(root)
    if root.is_relative_to(out):
        return f"holds the project folder `{root}`", str(root)
    folders = list(_source_folders(spec))
    # The closest relation names the folder best: the folder itself, the deepest one holding
    # the output folder, then one the output folder holds.
    for what, folder in folders:
        if out == folder:
            return f"is {what} `{shown(folder, root)}`", shown(folder, root)
    holding = [(what, folder) for what, folder in folders if out.is_relative_to(folder)]
    if holding:
        what, folder = max(holding, key=lambda found: len(found[1].parts))
        return f"is inside {what} `{shown(folder, root)}`", shown(folder, root)
    for what, folder in folders:
        if folder.is_relative_to(out):
            return f"holds {what} `{shown(folder, root)}`", shown(folder, root)
    return None
