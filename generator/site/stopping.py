"""Stopping a preview's late work as soon as a newer preview starts.

`serve` writes a preview's exports, search index and map after its pages are shown (see
session.BuildSession.join_background); when the next edit arrives meanwhile, that work is out of date. The
loops that take long call `stop_point()`, which ends the work (raises `Superseded`) once the
preview running it was superseded; anywhere else (a build) it does nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class Superseded(Exception):
    """A newer preview has started: this one's remaining files are left to it."""


_local = threading.local()


def stop_point() -> None:
    event = getattr(_local, "event", None)
    if event is not None and event.is_set():
        raise Superseded


@contextlib.contextmanager
def stoppable(event: threading.Event | None) -> Iterator[None]:
    """Within this block (in this thread), `stop_point` ends the work once `event` is set."""
    _local.event = event
    try:
        yield
    finally:
        _local.event = None
