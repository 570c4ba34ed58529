"""A progress line for long work (verify's chain and probes): one line on a terminal, rewritten
in place at each step and cleared at the end; silent when the stream is not a terminal, so CI
logs and JSON consumers see only the report."""
from __future__ import annotations

import time
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()
        self.steps = 0
        self.shown = False

    def step(self, text: str) -> None:
        """The step now under way (shown on a terminal only)."""
        self.steps += 1
        if self.live:
            elapsed = time.monotonic() - self.started
            self.stream.write(f"\r\033[K[{elapsed:5.1f}s] {text}"[:200])
            self.stream.flush()
            self.shown = True

    def note(self, text: str) -> None:
        """A line that stays, terminal or not (what was written, what could not be compared)."""
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        self._clear()

    def _clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
