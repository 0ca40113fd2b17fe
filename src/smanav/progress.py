"""Progress of long command-line work: a bar on a terminal, one summary line otherwise.

The loads and imports read big files (the NPPES file is about 10 GB), so progress is counted in bytes of
input read, against the size of the input known before starting:

* a command wraps its work in `command_progress(total_bytes=..., description=..., stream=...)`;
* the importers open their input with `open_input(path)`, which, while such a meter is active in the
  same thread of work, advances it by the bytes read (a seek back is never counted twice).

On a terminal the meter is tqdm's bar (percentage, bytes, rate and time left, and the importer's rows so
far); anywhere else (a pipe, a log file, cron) nothing is drawn while the work runs and one line says at
the end what was read, in how long, and how fast.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm


class Meter:
    """Counts bytes read; draws a bar when it has one."""

    def __init__(self, bar: tqdm | None, detail: Callable[[], str] | None) -> None:
        self.bar = bar
        self.detail = detail
        self.done = 0
        self._shown_at = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        if self.bar is None:
            return
        self.bar.update(count)
        now = time.monotonic()
        if self.detail is not None and now - self._shown_at > 0.5:
            self._shown_at = now
            self.bar.set_postfix_str(self.detail(), refresh=False)

    def note(self, message: str, fallback: Callable[[str], None]) -> None:
        """A line of its own, written above the bar on a terminal (or with `fallback` elsewhere)."""
        if self.bar is None:
            fallback(message)
        else:
            self.bar.write(message, file=self.bar.fp)


_active: ContextVar[Meter | None] = ContextVar("smanav_progress_meter", default=None)


def raw_stream(stream: Any) -> IO[str]:
    """The stream under a management command's `self.stdout`/`self.stderr` (Django's OutputWrapper ends
    every write with a newline, which would break a bar drawn with carriage returns)."""
    return getattr(stream, "_out", stream)  # type: ignore[no-any-return]


def _terminal_width(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


def is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def command_progress(
    *,
    total_bytes: int | None,
    description: str,
    stream: IO[str],
    detail: Callable[[], str] | None = None,
) -> Iterator[Meter]:
    """A progress meter for the inputs `open_input` reads inside the `with` block (see the module)."""
    bar = None
    if is_terminal(stream):
        known_width = _terminal_width(stream) > 0
        bar = tqdm(
            total=total_bytes,
            desc=description,
            file=stream,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            # Follow the window's size; a terminal that reports none (a bare pseudo-terminal) is taken
            # as 80 by 24 (a reported size of 0 would hide the bar).
            dynamic_ncols=known_width,
            ncols=None if known_width else 80,
            nrows=None if known_width else 24,
            mininterval=0.2,
        )
    meter = Meter(bar, detail)
    token = _active.set(meter)
    started = time.monotonic()
    try:
        yield meter
    finally:
        _active.reset(token)
        if bar is not None:
            if detail is not None:
                bar.set_postfix_str(detail(), refresh=False)
            # Nothing read (nothing to do): the bar goes away rather than stay at 0%.
            bar.leave = meter.done > 0
            bar.close()
    if bar is None and meter.done > 0:
        stream.write(summary_line(description, meter.done, time.monotonic() - started, detail) + "\n")
        stream.flush()


def summary_line(description: str, done: int, seconds: float, detail: Callable[[], str] | None) -> str:
    """`NPPES file: read 9.8 GB in 05:12 (31.4 MB/s); 1,234 rows` -- the end of a run off a terminal."""
    size = tqdm.format_sizeof(done, "B", 1024)
    rate = tqdm.format_sizeof(done / seconds, "B/s", 1024) if seconds > 0 else "-"
    line = f"{description}: read {size} in {tqdm.format_interval(seconds)} ({rate})"
    return line + (f"; {detail()}" if detail is not None else "")


def input_size(*paths: Path | None, suffixes: Collection[str] | None = None) -> int | None:
    """The bytes the inputs hold (a file, or the files under a folder whose suffix is one of `suffixes`),
    or None when there is nothing to measure (the importer then says what is wrong)."""
    total = 0
    for path in paths:
        if path is None or not path.exists():
            continue
        if path.is_dir():
            files = [
                p
                for p in path.rglob("*")
                if p.is_file() and (suffixes is None or p.suffix.lower() in suffixes)
            ]
        else:
            files = [path]
        total += sum(p.stat().st_size for p in files)
    return total or None


class _CountingReader(io.RawIOBase):
    """A file read in binary that tells the active meter how far into it the reading has got."""

    def __init__(self, raw: IO[bytes], meter: Meter) -> None:
        self._raw = raw
        self._meter = meter
        self._furthest = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)  # type: ignore[attr-defined]
        position = self._raw.tell()
        if position > self._furthest:
            self._meter.advance(position - self._furthest)
            self._furthest = position
        return int(count or 0)

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_input(
    path: Path,
    *,
    binary: bool = False,
    encoding: str | None = None,
    errors: str | None = None,
    newline: str | None = None,
) -> IO[Any]:
    """Open an input file for reading, as `path.open()` would; while a `command_progress` meter is
    active, the bytes read advance it."""
    meter = _active.get()
    if meter is None:
        if binary:
            return path.open("rb")
        return path.open("r", encoding=encoding, errors=errors, newline=newline)
    buffered = io.BufferedReader(_CountingReader(path.open("rb", buffering=0), meter))
    if binary:
        return buffered
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline=newline)
