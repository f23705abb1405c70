"""Runs killed at random points (SIGINT, SIGTERM, SIGKILL) leave nothing behind: once the next
run has started, the collection and the site are byte for byte as before the killed run or as
after a complete one, no stray file is left anywhere in the project, and no process of the
killed run lives on. Two runs on one collection never interleave (generator/atomic.py)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paper_collection.atomic import Workspace
from tests.helpers import make_project, run_generator
from tests.test_robustness import big_listing, tree_hash

pytestmark = pytest.mark.slow

TAG = "language-models"
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("kill-built"))
    (root / "dump.txt").write_text(big_listing(400), encoding="utf-8")
    run_generator(root, "build")
    return root


def copy(built: Path, folder: Path) -> Path:
    shutil.copytree(built, folder, symlinks=True)
    return folder


def state(root: Path) -> dict[str, str]:
    """Every file of the project but the run's own working folder (lock, cache)."""
    return {path: digest for path, digest in tree_hash(root).items() if not path.startswith(".paper-collection/")}


def processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if text in cmdline and "State:\tZ" not in status:
            found.append(f"{pid}: {cmdline}")
    return found


def start(root: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "paper_collection", "--root", str(root), *args], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


# The build shares its pages, search index, related papers and file checks with forked workers
# (generator/parallel.py): here even for 400 papers, and on a one-CPU machine too.
PARALLEL = {"PAPER_COLLECTION_PARALLEL_FROM": "1", "PAPER_COLLECTION_WORKERS": "2"}

COMMANDS = {
    "import": ("import", "dump.txt", "--added", "2024-01-01", "--default-tag", TAG),
    "add": ("add", "--title", "A Paper Added While Being Killed", "--abstract-file", "abstract.txt",
            "--tag", TAG, "--added", "2024-01-01"),
    "build": ("build",),
}


def prepare(root: Path, command: str) -> None:
    (root / "abstract.txt").write_text("An abstract about language models, long enough to be one.\n", encoding="utf-8")
    if command == "build":  # a change, so that a complete build differs from the site before
        paper = next((root / "content" / "papers").glob("*.md"))
        paper.write_text(paper.read_text(encoding="utf-8").replace("\n---\n", "\n---\nChanged. ", 1),
                         encoding="utf-8")


@pytest.fixture(scope="module")
def outcomes(built, tmp_path_factory):
    """For each command: (state before, state after a complete run, seconds a complete run takes)."""
    result = {}
    for command, args in COMMANDS.items():
        root = copy(built, tmp_path_factory.mktemp(f"whole-{command}") / "p")
        prepare(root, command)
        before = state(root)
        started = time.monotonic()
        run_generator(root, *args)
        result[command] = (before, state(root), time.monotonic() - started)
    return result


CASES = [(command, sig, seed) for command in COMMANDS for sig in SIGNALS
         for seed in range(2 if command != "add" else 1)]


@pytest.mark.parametrize(("command", "sig", "seed"), CASES,
                         ids=[f"{c}-{s.name}-{n}" for c, s, n in CASES])
def test_killed_run_leaves_the_state_before_or_after(built, outcomes, tmp_path, command, sig, seed):
    before, after, seconds = outcomes[command]
    assert before != after
    root = copy(built, tmp_path / "p")
    prepare(root, command)
    assert state(root) == before
    delay = random.Random(f"{command}{sig}{seed}").uniform(0.3, max(0.4, seconds))
    process = start(root, *COMMANDS[command], env=PARALLEL if command == "build" else None)
    time.sleep(delay)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr, stderr[-3000:]
    # Done, stopped cleanly, or ended by the signal before Python had started the command.
    assert process.returncode in (0, 130, -sig), (process.returncode, stderr[-2000:])
    time.sleep(0.2)
    assert not processes_mentioning(str(root)), processes_mentioning(str(root))
    # The next run on the collection starts by undoing what the killed one left.
    run_generator(root, "validate")
    assert state(root) in (before, after), "half-written collection or site"
    assert not list((root / ".paper-collection" / "staging").iterdir())


def test_second_run_refuses_while_the_first_holds_the_lock(built, tmp_path):
    root = copy(built, tmp_path / "p")
    before = state(root)
    with Workspace(root, "test"):
        result = run_generator(root, "import", "dump.txt", "--added", "2024-01-01", "--default-tag", TAG,
                               env={"PAPER_COLLECTION_LOCK_WAIT": "0.5"}, check=False)
    assert result.returncode == 2
    assert "another run is using this collection" in result.stderr
    assert f"pid {os.getpid()}: test" in result.stderr and ".paper-collection/lock" in result.stderr
    assert state(root) == before


def test_two_imports_at_once_do_not_both_write_the_same_papers(built, tmp_path):
    root = copy(built, tmp_path / "p")
    wait = {"PAPER_COLLECTION_LOCK_WAIT": "300"}  # the second waits for the first, however loaded the machine
    first, second = start(root, *COMMANDS["import"], env=wait), start(root, *COMMANDS["import"], env=wait)
    outputs = [process.communicate(timeout=180) for process in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    reports = sorted(out for out, _ in outputs)
    # One of them imported the 400 papers; the other, run after it, found them all there.
    assert "new 400" in reports[0] + reports[1]
    assert sum("new 0," in report for report in reports) == 1, reports


CHILD = """
import os, signal, sys
from pathlib import Path
from paper_collection import atomic

root, kill_at, kind = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
real, calls = os.replace, []

def replace(source, target):
    if not str(target).endswith("journal.json"):
        calls.append(target)
        if len(calls) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
    real(source, target)

atomic.os.replace = replace
with atomic.Workspace(root, "test") as ws:
    if kind == "files":
        papers = root / "content" / "papers"
        ws.replace_files({**{papers / f"p{i}.md": f"new {i}" for i in range(6)}, papers / "extra.md": "added"})
    else:
        new = ws.new_dir("site")
        (new / "index.html").write_text("new site")
        ws.replace_dir(new, root / "site")
"""


@pytest.mark.parametrize("kind", ["files", "dir"])
def test_sigkill_inside_the_swap_is_rolled_back_by_the_next_run(tmp_path, kind):
    root = tmp_path / "p"
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    for i in range(6):
        (papers / f"p{i}.md").write_text(f"old {i}")
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text("old site")
    before = state(root)
    for kill_at in range(1, 8 if kind == "files" else 3):
        child = subprocess.run([sys.executable, "-c", CHILD, str(root), str(kill_at), kind], capture_output=True)
        assert child.returncode == -signal.SIGKILL, child.stderr
        assert list((root / ".paper-collection" / "staging").iterdir())  # the killed run's leftovers
        with Workspace(root, "next"):
            assert state(root) == before, kill_at
        assert not list((root / ".paper-collection" / "staging").iterdir())


def test_a_large_folder_is_removed_whole_by_the_removing_threads(tmp_path, monkeypatch):
    import threading

    from paper_collection import atomic

    by_threads = []
    real = shutil.rmtree

    def rmtree(path, **options):
        if threading.current_thread().name.startswith("remove"):
            by_threads.append(Path(path).relative_to(tmp_path).as_posix())
        real(path, **options)

    monkeypatch.setattr(atomic.shutil, "rmtree", rmtree)
    folder = tmp_path / "run" / "old"
    pages = [f"p{i}" for i in range(64 * atomic.REMOVERS + 5)]  # the pages of a site: many folders
    for name in pages:
        (folder / "papers" / name).mkdir(parents=True)
        (folder / "papers" / name / "index.html").write_text("page", encoding="utf-8")
    (folder / "index.html").write_text("home", encoding="utf-8")
    (folder / "assets" / "js").mkdir(parents=True)
    atomic.remove_tree(tmp_path / "run")
    assert not (tmp_path / "run").exists()
    assert sorted(by_threads) == sorted([f"run/old/papers/{name}" for name in pages] + ["run/old/assets/js"])


def test_the_swapped_out_site_is_deleted_by_the_next_run(tmp_path, monkeypatch):
    """`replace_dir` moves the old folder to the trash instead of waiting for its deletion; the
    next run deletes it (in a worker while it works, or at once when it cannot fork), and a run
    killed meanwhile leaves nothing the one after does not finish."""
    from paper_collection import atomic, parallel

    root = tmp_path / "project"
    (root / "site").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    for n in range(300):  # enough folders for the threaded deletion
        (root / "site" / f"p{n}").mkdir()
        (root / "site" / f"p{n}" / "index.html").write_text("old", encoding="utf-8")
    trash = root / ".paper-collection" / atomic.TRASH

    def swap(text: str) -> None:
        with Workspace(root, "build") as workspace:
            new = workspace.new_dir("site")
            (new / "index.html").write_text(text, encoding="utf-8")
            workspace.replace_dir(new, root / "site")

    swap("first")
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == "first"
    assert [p.name for p in (root / "site").iterdir()] == ["index.html"]
    (old,) = list(trash.iterdir())  # the old site, whole, in the trash
    assert len(list(old.rglob("index.html"))) == 300
    swap("second")  # deletes the first old site (a forked worker here), puts the second one in the trash
    assert not old.exists() and len(list(trash.iterdir())) == 1
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    with Workspace(root, "validate"):
        pass  # any run empties the trash; without forking, at once
    assert not list(trash.iterdir())
    assert not list((root / ".paper-collection" / "staging").iterdir())


def test_the_trash_is_emptied_at_a_lower_priority_than_the_run(tmp_path):
    """The worker that deletes the last site yields the CPUs to the run it shares them with. (In a
    process of its own: the run forks that worker only while it has no other thread, and a test
    session has some.)"""
    import subprocess
    import sys

    script = """
import os, sys
from pathlib import Path
from paper_collection import atomic
trash, seen = Path(sys.argv[1]), Path(sys.argv[2])
(trash / "old-site" / "papers" / "p").mkdir(parents=True)
real = atomic.remove_tree
def recorded(folder):
    seen.write_text(f"{os.getpid()} {os.nice(0)}", encoding="utf-8")  # in the worker
    real(folder)
atomic.remove_tree = recorded
wait = atomic._empty_trash(trash)
assert wait is not None, "not forked"
wait()
print(os.getpid(), os.nice(0), atomic.TRASH_NICENESS, (trash / "old-site").exists())
"""
    seen = tmp_path / "niceness"
    run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "trash"), str(seen)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    pid, niceness, step, left = run.stdout.split()
    worker, worker_niceness = map(int, seen.read_text(encoding="utf-8").split())
    assert worker != int(pid) and worker_niceness == min(19, int(niceness) + int(step))
    assert left == "False"
