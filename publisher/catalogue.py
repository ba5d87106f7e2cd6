"""A catalogue: many anthologies built by one command, in parallel.

Each book is an independent `pipeline.build`, so books run side by side: in worker processes
of this machine (`LocalPool`: `concurrent.futures` with the *spawn* start method, so a worker
shares nothing the parent holds), or on a Dask distributed cluster (`cluster.py`). The books of
one project share its build cache (`.publisher-cache/` in the project root), so they make one
task and run one after the other in it; projects run in parallel. What a build writes depends
only on its inputs and `SOURCE_DATE_EPOCH`, which every task carries from the command that
started it (a cluster's workers have their own environment): the same bytes as a sequential
build, wherever each book ran. Results come back in the order the books were given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .base.diagnostics import BuildFailed, Diagnostic, error
from .base.model import AnthologySpec
from .base.project import project_root, source_epoch
from .pipeline import BuildRequest, BuildResult, build, read_spec
from .plan import output_dir

# A group: the books of one project, built in this order by one task.
Group = tuple[BuildRequest, ...]


@dataclass(frozen=True)
class BookResult:
    """One book of the catalogue: its result, or the problems that stopped it (`failure`,
    BuildFailed's diagnostics). Diagnostics name files by absolute path: the books live in
    different projects, so no single root makes them relative."""

    anthology: Path
    result: BuildResult | None
    failure: tuple[Diagnostic, ...] = ()

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.result.diagnostics if self.result is not None else self.failure


class Runner(Protocol):
    """Where the groups run: `run(groups, epoch)` yields each group's results, in order."""

    def run(self, groups: Sequence[Group], epoch: str) -> Iterator[tuple[BookResult, ...]]: ...


class Sequential:
    """In this process, one book after the other: the reference the others must equal."""

    def run(self, groups: Sequence[Group], epoch: str) -> Iterator[tuple[BookResult, ...]]:
        for group in groups:
            yield build_group(group, epoch)


@dataclass(frozen=True)
class LocalPool:
    """`jobs` worker processes of this machine (spawned: they import the tool afresh)."""

    jobs: int

    def run(self, groups: Sequence[Group], epoch: str) -> Iterator[tuple[BookResult, ...]]:
        if self.jobs <= 1 or len(groups) <= 1:
            yield from Sequential().run(groups, epoch)
            return
        context = multiprocessing.get_context("spawn")
        workers = min(self.jobs, len(groups))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(build_group, groups, [epoch] * len(groups))


def plan_catalogue(
    anthologies: Sequence[Path], template: BuildRequest
) -> tuple[list[Group], tuple[Diagnostic, ...]]:
    """The groups to build: one request per anthology, made from `template` (formats and
    options; with `template.out_dir` set, each book writes into `<out_dir>/<slug>/`), grouped
    by project root in first-seen order. Problems found before any build: an anthology file
    that does not load (that book is left out, the others go on) and two books that would
    write the same file (`catalogue-output-clash`: both left out, the later one reported at
    its `output_dir` or `slug` (else `title`) line, naming the other at its own; the paths, in
    the location and the message (`Diagnostic.names`), absolute)."""
    problems: list[Diagnostic] = []
    requests: list[tuple[AnthologySpec, BuildRequest]] = []
    for anthology in anthologies:
        try:
            spec = read_spec(anthology)
        except BuildFailed as failure:
            problems += _absolute(failure.diagnostics, project_root(anthology))
            continue
        given = template.out_dir / spec.slug if template.out_dir is not None else None
        out = output_dir(spec, given)
        requests.append((spec, dataclasses.replace(template, anthology=anthology, out_dir=out)))
    clashing: set[Path] = set()
    for index, (spec, request) in enumerate(requests):
        for other_spec, other in requests[index + 1 :]:
            # Every file name is the slug's (plan.FILE_NAMES): one slug in one folder clashes.
            if (request.out_dir, spec.slug) == (other.out_dir, other_spec.slug):
                clashing |= {request.anthology, other.anthology}
                by_out = template.out_dir is not None
                clash = _clash((spec, request), (other_spec, other), by_out)
                problems.append(clash)
    groups: dict[Path, list[BuildRequest]] = {}
    for spec, request in requests:
        if request.anthology not in clashing:
            groups.setdefault(spec.root, []).append(request)
    return [tuple(group) for group in groups.values()], tuple(problems)


def _clash(
    first: tuple[AnthologySpec, BuildRequest], later: tuple[AnthologySpec, BuildRequest],
    by_out: bool,
) -> Diagnostic:  # fmt: skip
    """`catalogue-output-clash` at the `later` book's deciding line (`_decided_at`), naming
    the `first` at its own, and what tells them apart: with `--out DIR` (`by_out`: each book
    in `DIR/<slug>/`) only another `slug`; else another `slug` or `output_dir`."""
    (spec, request), (other_spec, other) = first, later
    line, _ = _decided_at(spec, by_out)
    other_line, col = _decided_at(other_spec, by_out)
    first_shown, folder = str(request.anthology), str(request.out_dir)
    fix = (
        "give one of them another `slug` (with --out DIR each book writes into DIR/<slug>/,"
        " whatever its `output_dir`)"
        if by_out
        else "give one of them another `slug`, or an `output_dir` of its own"
    )
    return error(
        str(other.anthology),
        other_line,
        "catalogue-output-clash",
        f"this book and `{first_shown}` (line {line}) would both write the `{spec.slug}`"
        f" editions (file names from the `slug`, else the `title`) in `{folder}`; {fix}",
        col,
        (first_shown, folder),
    )


def _decided_at(spec: AnthologySpec, by_out: bool) -> tuple[int, int]:
    """(line, column) of what decides where a book's files go: its `output_dir` when written
    and used (no --out), else the `slug`, else the `title` its slug comes from."""
    if not by_out and spec.output_dir is not None:
        return spec.output_dir_at
    _, line, col = spec.slug_at
    return line, col


def build_catalogue(groups: Sequence[Group], runner: Runner) -> list[BookResult]:
    """Every book of `groups`, run by `runner`, in the order given."""
    epoch = source_epoch()
    return [book for results in runner.run(groups, epoch) for book in results]


_ONE_AT_A_TIME = threading.Lock()  # a worker with several threads still builds one book at once


def build_group(group: Group, epoch: str) -> tuple[BookResult, ...]:
    """One task: the books of one project, in order, under the caller's `SOURCE_DATE_EPOCH`
    (`epoch`, "" for none). A top-level function, so worker processes can import it."""
    results = []
    with _ONE_AT_A_TIME, _source_epoch(epoch):
        for request in group:
            root = project_root(request.anthology)
            try:
                result = build(request)
            except BuildFailed as failure:
                results.append(
                    BookResult(request.anthology, None, _absolute(failure.diagnostics, root))
                )
                continue
            located = dataclasses.replace(result, diagnostics=_absolute(result.diagnostics, root))
            results.append(BookResult(request.anthology, located))
    return tuple(results)


@contextlib.contextmanager
def _source_epoch(epoch: str) -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    else:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _absolute(diagnostics: Sequence[Diagnostic], root: Path) -> tuple[Diagnostic, ...]:
    """Diagnostics with paths relative to `root` made absolute (the others are already)."""
    return tuple(
        dataclasses.replace(d, path=os.path.join(root, d.path)) if d.path else d
        for d in diagnostics
    )
