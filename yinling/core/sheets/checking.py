"""Checking rows in batches, in worker processes for large files, in file order and bounded memory."""

from __future__ import annotations

import gc
import io
import os
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from yinling.core.sheets.reading import Row, Source

BATCH = 1000  # rows checked (and, by the caller, written) together
Check = Callable[[list[Row]], list[Any]]

_WORKER_CHECK: Check | None = None


def _worker_init(check: Check) -> None:
    global _WORKER_CHECK
    _WORKER_CHECK = check
    gc.freeze()  # what the parent had is not this process's garbage


def _worker_check(rows: list[Row]) -> list[Any]:
    assert _WORKER_CHECK is not None
    return _WORKER_CHECK(rows)


def chunks(rows: Iterator[Row], size: int = BATCH) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def checked(
    check: Check, rows: Iterator[Row], workers: int, size: int = BATCH
) -> Iterator[tuple[list[Row], list[Any]]]:
    """Rows in chunks with `check(chunk)`, in file order; with workers > 1, checked in worker processes.

    At most two chunks per worker are in flight, so memory stays bounded at any file size.
    The workers are forked: they inherit Django (settings, keys, the active language) and
    `check` itself (never pickled), and must not touch the database.
    """
    if workers <= 1:
        for chunk in chunks(rows, size):
            yield chunk, check(chunk)
        return
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init, initargs=(check,))
    try:
        window: deque[tuple[list[Row], Any]] = deque()
        for chunk in chunks(rows, size):
            window.append((chunk, pool.apply_async(_worker_check, (chunk,))))
            if len(window) >= 2 * workers:
                done, pending = window.popleft()
                yield done, pending.get()
        while window:
            done, pending = window.popleft()
            yield done, pending.get()
    finally:
        pool.terminate()
        pool.join()


def auto_workers(source: Source) -> int:
    """Worker processes worth starting for this file: one per core (up to 4) for files of 1 MB and more."""
    try:
        size = source.stat().st_size if isinstance(source, Path) else _stream_size(source)
    except OSError:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, 4) if size >= 1 << 20 and cores > 1 else 0


def _stream_size(fh: IO[bytes]) -> int:
    position = fh.tell()
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    fh.seek(position)
    return size


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep the cyclic collector off the objects that existed before the import.

    An import allocates millions of short-lived containers; every full collection would
    walk all of Django's long-lived objects again (a third of the time, measured).
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
