"""What the command line shows on a terminal: colour and live progress. The only rich user.

Colour (`--color`, https://no-color.org, https://force-color.org): `always` and `never` decide;
`auto`, the default, gives none when `NO_COLOR` is set to anything but the empty string, colour
when `FORCE_COLOR` is (NO_COLOR wins when both are), and otherwise colour only when the stream
written to is a terminal (not `TERM=dumb`). The command-line flag beats the environment, as
no-color.org asks. Only the severity word and the location of a diagnostic and the words of the
summary lines (`wrote`, `ok`, `FAILED`…) are coloured; the rest of a line is as without colour.

Progress (`Progress` events, base/progress.py): on a terminal, one live status line (spinner,
what is being done, a bar when the step is counted, time so far) that is gone when the job ends;
with `--verbose`, each event also as a plain line `publisher: [  1.2s] …` (above the live line
on a terminal); `--quiet`, or no terminal and no `--verbose`: nothing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import TextIO

from rich.color import ColorSystem
from rich.console import Console
from rich.progress import BarColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as LiveProgress
from rich.style import Style

from ..base.diagnostics import Diagnostic, Severity
from ..base.progress import Progress

COLOR_CHOICES = ("auto", "always", "never")
# What each coloured word looks like (rich style names); nothing else is coloured.
STYLES: Mapping[str, str] = {
    Severity.ERROR.value: "bold red",
    Severity.WARNING.value: "bold yellow",
    Severity.INFO.value: "bold cyan",
    "path": "bold",
    "good": "green",
    "bad": "bold red",
    "quiet": "dim",
}


def is_terminal(stream: TextIO) -> bool:
    """Whether `stream` is an interactive terminal that understands escape sequences."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False
    return tty and os.environ.get("TERM") != "dumb"


def colour_wanted(choice: str, stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to `stream`, for `--color CHOICE` (see the module's rules)."""
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never" or env.get("NO_COLOR"):
        return False
    return bool(env.get("FORCE_COLOR")) or is_terminal(stream)


class Paint:
    """Colours words for one stream, or leaves them as they are (`on` False)."""

    def __init__(self, on: bool) -> None:
        self.on = on

    @classmethod
    def for_stream(cls, choice: str, stream: TextIO) -> Paint:
        return cls(colour_wanted(choice, stream))

    def __call__(self, text: str, kind: str) -> str:
        """`text` in the style of `kind` (a key of STYLES): 16-colour ANSI, or plain."""
        if not self.on:
            return text
        return Style.parse(STYLES[kind]).render(text, color_system=ColorSystem.STANDARD)

    def diagnostic(self, diagnostic: Diagnostic, line: str) -> str:
        """`line`, the diagnostic as printed (`path:line:col: severity: code: message`), with its
        location and severity word coloured."""
        marker = f": {diagnostic.severity.value}: "
        location, found, rest = line.partition(marker)
        if not self.on or not found:
            return line
        severity = self(diagnostic.severity.value, diagnostic.severity.value)
        return f"{self(location, 'path')}: {severity}: {rest}"


class ProgressView:
    """Shows `Progress` events (call it with each); a context manager that clears the live line.

    `live`: a rich live status on `stream` (a terminal); `lines`: each event as a plain line."""

    def __init__(self, stream: TextIO, *, live: bool, lines: bool, colour: bool) -> None:
        self.stream = stream
        self.lines = lines
        self.started = time.monotonic()
        self._live: LiveProgress | None = None
        self._task: TaskID | None = None
        self._counting: tuple[str, int | None] | None = None  # the task's stage and total
        if live:
            console = Console(
                file=stream,
                force_terminal=True,
                no_color=not colour,
                color_system="standard" if colour else None,
                highlight=False,
            )
            self._live = LiveProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )

    def __enter__(self) -> ProgressView:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def __call__(self, event: Progress) -> None:
        if self.lines:
            line = f"publisher: [{time.monotonic() - self.started:6.1f}s] {event}"
            if self._live is not None:
                self._live.console.print(line, markup=False, soft_wrap=True)
            else:
                print(line, file=self.stream, flush=True)
        if self._live is not None:
            task = self._task
            if task is None or (event.stage, event.total) != self._counting:
                # A new stage, or another count: a fresh task (rich cannot un-count one).
                if task is not None:
                    self._live.remove_task(task)
                task = self._task = self._live.add_task(str(event), total=event.total)
                self._counting = (event.stage, event.total)
            self._live.update(task, description=str(event), completed=event.done)
            self._live.refresh()


def progress_view(
    choice: str, quiet: bool, verbose: bool, stream: TextIO | None = None
) -> ProgressView | None:
    """The view the options ask for on `stream` (standard error): None when nothing is shown
    (`--quiet`, or no terminal without `--verbose`)."""
    stream = stream or sys.stderr
    live = is_terminal(stream)
    if quiet or not (live or verbose):
        return None
    return ProgressView(stream, live=live, lines=verbose, colour=colour_wanted(choice, stream))


def timings(stages: Sequence[tuple[str, float]]) -> str:
    """`publisher: timings: plan 0.01s, load 1.30s, …` for `--verbose`."""
    return "publisher: timings: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in stages)
