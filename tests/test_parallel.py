"""The build shares its work among forked worker processes (generator/parallel.py): paper pages,
the search index, related papers and the checks of each paper file. What it writes must be byte
for byte what one process writes, a worker's failure must fail the build with its message, and a
worker's warnings must count in strict mode."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest

from paper_collection import parallel
from paper_collection.errors import GeneratorError
from tests.helpers import make_project, run_generator
from tests.test_robustness import tree_hash

ONE_PROCESS = {"PAPER_COLLECTION_WORKERS": "1"}
SHARED = {"PAPER_COLLECTION_WORKERS": "2", "PAPER_COLLECTION_PARALLEL_FROM": "1"}


@pytest.fixture
def forking(monkeypatch):
    for name, value in SHARED.items():
        monkeypatch.setenv(name, value)
    # Other tests in this process may leave idle threads behind, which would (rightly) stop forking;
    # the guard itself is tested below.
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def test_a_process_with_other_threads_never_forks(monkeypatch):
    import threading

    for name, value in SHARED.items():
        monkeypatch.setenv(name, value)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        pids = parallel.map_shares(lambda items: [os.getpid() for _ in items], list(range(9)), what="test")
    finally:
        stop.set()
        thread.join()
    assert set(pids) == {os.getpid()}


def test_map_shares_keeps_the_order_and_uses_other_processes(forking):
    pids = parallel.map_shares(lambda items: [(item, os.getpid()) for item in items], list(range(9)), what="test")
    assert [item for item, _ in pids] == list(range(9))
    assert len({pid for _, pid in pids}) == 2  # this process and one child
    assert not parallel._children


def test_a_failing_worker_fails_with_its_message(forking):
    parent = os.getpid()

    def work(items):
        if os.getpid() != parent:
            raise ValueError("the worker's own reason")
        return items

    with pytest.raises(GeneratorError, match="the worker's own reason"):
        parallel.map_shares(work, list(range(4)), what="test work")
    assert not parallel._children


def test_a_worker_that_dies_is_reported(forking):
    parent = os.getpid()

    def work(items):
        if os.getpid() != parent:
            os._exit(3)
        return items

    with pytest.raises(GeneratorError, match="ended without a result"):
        parallel.map_shares(work, list(range(4)), what="test work")


def test_a_workers_warnings_are_logged_by_the_parent(forking, caplog):
    parent = os.getpid()

    def work(items):
        if os.getpid() != parent:
            logging.getLogger("mkdocs.plugins.test").warning("seen in the worker")
        return items

    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        parallel.map_shares(work, list(range(4)), what="test")
    assert [r.getMessage() for r in caplog.records if r.process == parent] == ["seen in the worker"]


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """The seed collection built by one process and by two, each in its own folder. The first
    renders everything for every page (PAPER_COLLECTION_NO_CACHE: no shared navigation either)."""
    built = {}
    for name, env in (("one", {**ONE_PROCESS, "PAPER_COLLECTION_NO_CACHE": "1"}), ("shared", SHARED)):
        root = make_project(tmp_path_factory.mktemp(name))
        result = run_generator(root, "build", env=env)
        built[name] = (root, result.stderr)
    return built


def test_a_shared_build_writes_the_same_site_as_one_process(two_builds):
    (one, one_log), (shared, shared_log) = two_builds["one"], two_builds["shared"]
    assert "written by 1 worker process" in shared_log and "worker process" not in one_log
    assert "Page skipped" not in shared_log
    assert tree_hash(shared / "site") == tree_hash(one / "site")


def test_a_shared_build_reuses_its_cache_like_one_process(tmp_path):
    root = make_project(tmp_path)
    run_generator(root, "build", env=SHARED)
    first = tree_hash(root / "site")
    again = run_generator(root, "build", env=SHARED).stderr
    papers = len(list((root / "content" / "papers").glob("*.md")))
    counts = re.search(r"(\d+) of (\d+) paper, tag, author and listing page bodies reused", again)
    hits, total = map(int, counts.groups())
    assert hits == total > papers  # every paper page and every tag page
    assert tree_hash(root / "site") == first


def test_checks_in_shares_report_what_one_process_reports(tmp_path):
    root = make_project(tmp_path)
    papers = sorted((root / "content" / "papers").glob("*.md"))
    papers[0].write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    papers[-1].write_text(papers[-1].read_text(encoding="utf-8").replace("tags:", "tags: [no-such-tag]\nx:", 1),
                          encoding="utf-8")
    one = run_generator(root, "validate", env=ONE_PROCESS, check=False)
    shared = run_generator(root, "validate", env=SHARED, check=False)
    assert one.returncode == shared.returncode == 1
    assert (shared.stdout, shared.stderr) == (one.stdout, one.stderr)
    assert papers[0].name in one.stdout + one.stderr and papers[-1].name in one.stdout + one.stderr


def test_a_meeting_hands_every_item_to_exactly_one_side(forking):
    """This process takes items from the front in order, workers from the back, until they meet:
    every item is done once, whichever side is faster."""
    import time

    count = 500
    meeting = parallel.Meeting(count, chunk=7)

    def worker() -> list[int]:
        done = []
        while taken := meeting.take_back():
            done.extend(taken)
            time.sleep(0.001)
        return done

    children = [parallel.Child(worker, f"worker {n}") for n in range(2)]
    mine = []
    for item in range(count):
        if meeting.take_front(item):
            mine.append(item)
        time.sleep(0.0005)
    theirs = [item for child in children for item in child.result()]
    assert mine == list(range(len(mine)))  # the front, in order
    assert sorted(mine + theirs) == list(range(count))  # each item once
    assert mine and theirs  # both sides did some
    assert not meeting.take_back() and not meeting.take_front(count - 1)


def test_pages_outside_the_navigation_share_its_rendering(tmp_path, monkeypatch):
    """The theme's navigation, style sheets, header (around the title), back-to-top button, footer,
    scripts and their settings are rendered once for all paper pages (they depend on the folder
    only), not once per page; the site is the same either way (above)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from paper_collection.site.plugin import PaperCollectionPlugin

    project = make_project(tmp_path / "project")
    reused: dict[str, list[bool]] = {}
    real = PaperCollectionPlugin._shared_fragment

    def counting(self, part, render, key):
        if key is not None:
            reused.setdefault(part, []).append((part, key) in self.fragments)
        return real(self, part, render, key)

    monkeypatch.setattr(PaperCollectionPlugin, "_shared_fragment", counting)
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "1")
    monkeypatch.chdir(project)
    config = load_config(str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    papers = len(list((project / "content" / "papers").glob("*.md")))
    parts = ("styles", "header-start", "header-end", "nav", "top", "footer", "config", "scripts")
    assert sorted(reused) == sorted(parts)
    for part in parts:
        assert sum(reused[part]) >= papers - 5, part  # reused for every paper page but the first
        assert reused[part].count(False) <= 5, part  # rendered once per folder


def test_a_child_leaves_what_it_inherited_out_of_its_garbage_collections():
    """Walking the inherited objects would copy every memory page shared with the parent."""
    import gc

    inherited = [object() for _ in range(1000)]
    child = parallel.Child(gc.get_freeze_count, "counting frozen objects")
    assert child.result() >= len(inherited)  # frozen in the child
    assert gc.get_freeze_count() == 0  # the parent collects as before


def test_the_process_helpers_do_not_import_the_collection_writes():
    """parallel.py is below atomic.py: atomic uses its child processes, never the other way round
    (the two once imported each other)."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, paper_collection.parallel; "
                             "print(sorted(m for m in sys.modules if m.startswith('paper_collection.')))"],
                            capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "['paper_collection.errors', 'paper_collection.parallel']"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_import_has_as_many_workers_as_the_build(tmp_path, monkeypatch, workers):
    """PAPER_COLLECTION_WORKERS sets the import's worker processes as it sets the build's
    (`parallel.workers`), on an input large enough for workers (`prepare.PARALLEL_FROM` records):
    1 prepares every record in this process, nothing forked; 2 starts two workers, even where this
    process may use one CPU only. (The CPUs this process may use say otherwise each time.)"""
    import random

    from benchmarks.import_bench import generate_listing
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.ingest import importer, prepare
    from tests.helpers import SEED_TAXONOMY, empty_project

    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", workers)
    cpus = {0, 1} if workers == "1" else {0}
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: cpus, raising=False)
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    pools: list[int] = []

    class Pool(prepare.ProcessPoolExecutor):
        def __init__(self, max_workers, **options):
            pools.append(max_workers)
            super().__init__(max_workers, **options)

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(prepare, "ProcessPoolExecutor", Pool)
    root = empty_project(tmp_path)
    dump = tmp_path / "dump.txt"
    dump.write_text(generate_listing(prepare.PARALLEL_FROM, random.Random(5)), encoding="utf-8")
    report = importer.run_import([dump], root / "content" / "papers", load_taxonomy(SEED_TAXONOMY),
                                 added="2024-03-20", default_tag="language-models")
    assert len(report.files[0].new) == prepare.PARALLEL_FROM
    if workers == "1":
        assert (pools, forked) == ([], [])
    else:
        assert pools == [2] and len(forked) == 2
