"""Work of one build split over the machine's CPUs by forking (Linux and macOS; elsewhere, and
for small collections, everything runs in the build's own process).

A forked child inherits the build's state as it is (the site model, MkDocs' pages, navigation
and templates) without pickling any of it, and sends back only its result. Children die with
the build, even when it is killed (`die_with_parent`); a failure in one fails the build
with its message. What a child logs at WARNING or above is handed back and logged again by the
parent, so that `strict: true` counts it as it would count the parent's own.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from paper_collection.errors import GeneratorError

_children: set[int] = set()  # pids of running children of this process


def parallel_from() -> int:
    """Collections smaller than this are built in one process: forking would cost more than it
    saves (PAPER_COLLECTION_PARALLEL_FROM; tests set 1 to build small collections in parallel)."""
    configured = os.environ.get("PAPER_COLLECTION_PARALLEL_FROM", "").strip()
    return int(configured) if configured.isdigit() else 1000


def worth_forking(items: int) -> bool:
    # Never fork a process with other threads (the `serve` preview's server): a child could inherit
    # a lock another thread held at that moment, and wait for it forever.
    return can_fork() and workers() >= 2 and items >= parallel_from() and threading.active_count() == 1


def workers() -> int:
    """How many processes may work at once: the CPUs this process may use, or
    PAPER_COLLECTION_WORKERS (1 turns forking off)."""
    configured = os.environ.get("PAPER_COLLECTION_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def die_with_parent() -> None:
    """In a child process (Linux): be killed when the parent dies, even by SIGKILL, instead of
    living on as an orphan doing work nobody will read."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:  # the parent died before prctl took effect
                os._exit(1)


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "win32"


class _Capture(logging.Filter):
    """In a child: keeps WARNING and above for the parent instead of printing them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []
        self.seen: dict[int, logging.LogRecord] = {}  # one record passes every handler's filter (kept alive:
        # an id is unique only while its object lives)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            if id(record) not in self.seen:
                self.seen[id(record)] = record
                self.records.append((record.name, record.levelno, record.getMessage()))
            return False
        return True


def _capture_logs() -> _Capture:
    capture = _Capture()
    handlers = {*logging.getLogger().handlers, *logging.getLogger("mkdocs").handlers}
    for handler in handlers:
        handler.addFilter(capture)
    return capture


class Child:
    """`function()` running in a forked child process from now on; `result()` waits for it."""

    def __init__(self, function: Callable[[], Any], what: str, *, stopped_with_build: bool = True):
        """`stopped_with_build`: ended by `stop_children` (a failed or finished build's cleanup);
        False for work of the run itself, which its caller waits for (emptying the trash)."""
        self.what = what
        read, write = os.pipe()
        # Ctrl-C or SIGTERM during the fork would run the parent's handler inside the fork's own
        # callbacks, where Python prints and drops the exception: the stop would be lost. Held until after.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        # What the child inherits is left out of its garbage collections (frozen): walking it would
        # write to every object, and copy every memory page the two processes share (Python's docs
        # on gc.freeze). The parent goes on as before.
        gc.freeze()
        pid = os.fork()
        if pid != 0:
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal that came meanwhile is handled now
        if pid == 0:  # the child: never returns into the caller's code
            status = 0
            try:
                os.close(read)
                die_with_parent()
                # Ctrl-C reaches the whole process group: the child just ends, the parent reports.
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                capture = _capture_logs()
                try:
                    outcome: tuple = ("ok", function(), capture.records)
                except BaseException as error:  # noqa: BLE001 - reported by the parent
                    outcome = ("error", f"{type(error).__name__}: {error}", traceback.format_exc())
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code
                status = 1
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.read = pid, read
        if stopped_with_build:
            _children.add(pid)

    def result(self) -> Any:
        """The child's return value, once it has ended; its warnings are logged here."""
        outcome = None
        try:
            with os.fdopen(self.read, "rb") as pipe:
                # Unpickled as it arrives (from our own child, through a private pipe): the whole
                # message is never held beside the values made from it (page bodies: a build's peak).
                with contextlib.suppress(EOFError, pickle.UnpicklingError):
                    outcome = pickle.load(pipe)
        finally:
            _, status = os.waitpid(self.pid, 0)
            _children.discard(self.pid)
        if outcome is None:  # nothing, or cut short: the child died before it had written it all
            raise GeneratorError(f"the worker process for {self.what} ended without a result "
                                 f"(exit status {os.waitstatus_to_exitcode(status)})")
        if outcome[0] == "error":
            logging.getLogger("mkdocs").debug(outcome[2])
            raise GeneratorError(f"{self.what} failed in a worker process: {outcome[1]}")
        for name, level, message in outcome[2]:
            logging.getLogger(name).log(level, message)
        return outcome[1]

    def cancel(self) -> None:
        """End the child now (the build failed or was interrupted)."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.read)
        _children.discard(self.pid)


class Meeting:
    """`count` items shared out while they are done, for work whose items or processes run at
    unequal speeds (other workers take CPU too): this process takes them from the front, one at a
    time and in order, forked workers from the back, a few at a time, until the two meet. Made
    before the workers are forked (the counters live in shared memory)."""

    def __init__(self, count: int, chunk: int = 16):
        import multiprocessing

        self._bounds = multiprocessing.RawArray("q", [0, count])  # next item of the front; first item of the back
        self._lock = multiprocessing.Lock()
        self.chunk = chunk

    def take_front(self, item: int) -> bool:
        """Whether this process may do `item` (its next one), i.e. no worker has taken it."""
        with self._lock:
            if item >= self._bounds[1]:
                return False
            self._bounds[0] = max(self._bounds[0], item + 1)
            return True

    def take_back(self) -> range:
        """The next few items for a worker, last first; empty once the two sides have met."""
        with self._lock:
            front, back = self._bounds[0], self._bounds[1]
            start = max(front, back - self.chunk)
            self._bounds[1] = start
        return range(back - 1, start - 1, -1)


def stop_children() -> None:
    """End every child still running (a build that failed or was interrupted)."""
    for pid in list(_children):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        _children.discard(pid)


def split(items: list, parts: int, *, first_weight: int = 1, weight: int = 1) -> list[list]:
    """`items` dealt into `parts` shares, in turn, order kept in each: the first share gets
    `first_weight` items a round, every other share `weight` (equal shares by default)."""
    turns = [0] * first_weight + [share for share in range(1, parts) for _ in range(weight)] if parts > 1 else [0]
    shares: list[list] = [[] for _ in range(parts)]
    for i, item in enumerate(items):
        shares[turns[i % len(turns)]].append(item)
    return shares


def each_share(function: Callable[[Any], Any], shares: list, *, what: str) -> list:
    """`[function(share) for share in shares]`: the first share in this process, each other one in a
    forked child meanwhile (all of them ended if any fails)."""
    children = [Child(lambda share=share: function(share), what) for share in shares[1:]]
    try:
        return [function(shares[0]), *(child.result() for child in children)]
    except BaseException:
        for child in children:
            child.cancel()
        raise


def map_shares(function: Callable[[list], list], items: list, *, what: str, at_least: int = 1) -> list:
    """`function(items)` computed in shares by `workers()` processes (this one included) when
    there are `at_least` items and the machine can fork; `function` maps a list to a list of
    the same length. The result is in the order of `items`."""
    count = min(workers(), max(1, len(items) // max(1, at_least)))
    if count < 2 or not worth_forking(len(items)):
        return function(items)
    indexes = split(list(range(len(items))), count)
    results = each_share(lambda share: function([items[i] for i in share]), indexes, what=what)
    merged: list = [None] * len(items)
    for share, values in zip(indexes, results, strict=True):
        for i, value in zip(share, values, strict=True):
            merged[i] = value
    return merged
