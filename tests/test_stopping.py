"""A superseded preview's late work (exports, search index, map) stops at the next stop point
instead of running to its end while the newer preview waits (generator/site/stopping.py)."""

from __future__ import annotations

import threading

import pytest

from paper_collection.site import session
from paper_collection.site.stopping import Superseded, stop_point, stoppable


class Config:  # stands for a build's MkDocs config: joining the background work never reads it
    plugins: dict = {}


def test_stop_points_do_nothing_outside_a_preview():
    stop_point()
    with stoppable(None):
        stop_point()


def test_a_superseded_previews_work_stops_at_its_next_stop_point():
    event = threading.Event()
    with stoppable(event):
        stop_point()
        event.set()
        with pytest.raises(Superseded):
            stop_point()
    stop_point()  # the block is over: nothing to stop


def test_join_background_leaves_the_rest_once_superseded():
    build, superseded = session.BuildSession(Config(), session.Project()), threading.Event()
    done: list[str] = []

    def long_job() -> str:
        for step in range(10_000):
            stop_point()
            if step == 5:
                superseded.set()  # the next edit arrives meanwhile
        return "finished"

    build.background = [(None, long_job, done.append), (None, lambda: "next", done.append)]
    build.join_background(superseded)
    assert done == []  # neither the long job's result nor the next job
    assert build.background == []
    # Not superseded: every job runs.
    build.background = [(None, lambda: "a", done.append), (None, lambda: "b", done.append)]
    build.join_background(threading.Event())
    assert done == ["a", "b"]

