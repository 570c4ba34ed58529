"""A progress line for long work (verify's chain and probes, migrate's parts, the steps of a big
build): one line on a terminal, rewritten in place at each step and cleared at the end; silent
when the stream is not a terminal, so CI logs and JSON consumers see only the report.

Code deep in the pipeline or the migrate runner reports through `step()`, which goes to the
Progress a command made active with `showing()` (nothing when none is): the compiler's
functions keep their signatures, and a library caller sees no output."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TextIO

BIG = 50   # tables from which a build shows every step at once, not only the slow ones


class Progress:
    """`delay` 0 shows each step at once; a positive delay shows a step only once it has run
    that long (or from the moment `size` says the work is big), so a quick build prints nothing."""

    def __init__(self, stream: TextIO, *, delay: float = 0.0) -> None:
        self.stream = stream
        self.live = _is_terminal(stream)
        self.delay = delay
        self.started = time.monotonic()
        self.steps = 0
        self.shown = False
        self.big = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def step(self, text: str) -> None:
        """The step now under way (shown on a terminal only)."""
        with self._lock:
            self.steps += 1
            self._cancel()
            if not self.live:
                return
            if self.delay <= 0 or self.big:
                self._show(text)
            else:
                self._timer = threading.Timer(self.delay, self._show_late, args=(self.steps, text))
                self._timer.daemon = True
                self._timer.start()

    def size(self, count: int) -> None:
        """How much work there is (tables); from BIG on, every later step shows at once."""
        self.big = self.big or count >= BIG

    def note(self, text: str) -> None:
        """A line that stays, terminal or not (what was written, what could not be compared)."""
        with self._lock:
            self._clear()
            self.stream.write(text + "\n")
            self.stream.flush()

    def done(self) -> None:
        with self._lock:
            self._cancel()
            self._clear()

    def _show_late(self, step: int, text: str) -> None:
        with self._lock:
            if step == self.steps and self._timer is not None:
                self._show(text)

    def _show(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r\033[K[{elapsed:5.1f}s] {text}"[:200])
        self.stream.flush()
        self.shown = True

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):   # a closed or stand-in stream
        return False


_ACTIVE: ContextVar[Progress | None] = ContextVar("atlas_compile_progress", default=None)


@contextmanager
def showing(progress: Progress) -> Iterator[Progress]:
    """Make `progress` the one `step()` and `size()` report to, and clear its line at the end."""
    token = _ACTIVE.set(progress)
    try:
        yield progress
    finally:
        _ACTIVE.reset(token)
        progress.done()


def step(text: str) -> None:
    """Report a step to the active Progress, if a command made one active."""
    progress = _ACTIVE.get()
    if progress is not None:
        progress.step(text)


def size(count: int) -> None:
    progress = _ACTIVE.get()
    if progress is not None:
        progress.size(count)


def note(text: str) -> bool:
    """A lasting line through the active Progress (so it does not tear its line); False when none."""
    progress = _ACTIVE.get()
    if progress is None:
        return False
    progress.note(text)
    return True
