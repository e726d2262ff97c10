"""A small progress bar for long loads (redrawn in place on a terminal, a line every 10% otherwise), and
column padding that counts Chinese characters as two columns."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from typing import TextIO

from django.core.management.base import OutputWrapper

# Where the bar is drawn: a terminal or file, or a management command's stdout/stderr.
Stream = TextIO | OutputWrapper


class Progress:
    """registry  [#####.....] 45%  740/1644 buildings  12s"""

    WIDTH = 30
    REDRAW_EVERY = 0.1  # seconds between redraws on a terminal

    def __init__(
        self,
        total: int,
        *,
        label: str = "registry",
        unit: str = "buildings",
        stream: Stream | None = None,
        tty: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(total, 0)
        self.label = label
        self.unit = unit
        self.stream = stream
        self.tty = bool(tty if tty is not None else _isatty(stream))
        self.clock = clock
        self.started = clock()
        self.done = 0
        self._last_draw = float("-inf")
        self._last_tenth = -1  # last 10% step written when not on a terminal
        self._finished = False

    def line(self) -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        elapsed = int(self.clock() - self.started)
        return f"{self.label}  [{bar}] {int(fraction * 100):3d}%  {self.done}/{self.total} {self.unit}  {elapsed}s"

    def update(self, done: int) -> None:
        self.done = min(done, self.total)
        if self.stream is None:
            return
        if self.tty:
            now = self.clock()
            if now - self._last_draw >= self.REDRAW_EVERY or self.done >= self.total:
                self._last_draw = now
                self._write("\r" + self.line())
            return
        tenth = (self.done * 10 // self.total) if self.total else 10
        if tenth > self._last_tenth:
            self._last_tenth = tenth
            self._write(self.line() + "\n")

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self.update(self.total)
        if self.stream is not None and self.tty:
            self._write("\n")

    def _write(self, text: str) -> None:
        stream = self.stream
        if stream is None:
            return
        if isinstance(stream, OutputWrapper):
            # Django's OutputWrapper: no added newline, no error colouring.
            stream.write(text, style_func=lambda s: s, ending="")
        else:
            stream.write(text)
        flush = getattr(stream, "flush", None)
        if flush:
            flush()


def write_line(stream: Stream | None, text: str) -> None:
    """One line of progress (a phase skipped, a summary) where the bars are drawn."""
    if stream is None:
        return
    if isinstance(stream, OutputWrapper):
        stream.write(text, style_func=lambda s: s)
    else:
        stream.write(text + "\n")


def _isatty(stream: Stream | None) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


def display_width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))
