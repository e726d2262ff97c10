"""Python's cyclic garbage collector paused for a long batch of rows (a ledger import).

An import keeps its chunk's records (and the books of buildings and landlords it has seen) alive until
they are written. Each young object the collector walks is walked again as it ages, and the collections
of the older generations walk every record still alive: at 100,000 ledger rows that was about a third of
the commit (bench/ledger.py; docs in bench/README.md). What a row leaves behind is freed by reference
counting as it goes, so pausing the collector costs no memory but what forms reference cycles (an
exception's traceback, say), which the one collection at the end frees.

The collector is process-wide: a pause covers the process's other threads too (the web server beside the
embedded job runner) for as long as the batch runs, which only delays their cycles' freeing. Nested and
concurrent pauses count: the collector comes back when the last one ends, and only if it was on before
the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            last = _pauses == 0
            if last and _was_enabled:
                gc.enable()
        if last:
            gc.collect()
