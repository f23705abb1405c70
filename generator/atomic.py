"""The one way this project changes files: stage, then swap; one run at a time; a killed run's
leftovers undone by the next.

Everything temporary lives in the project's `.paper-collection/` folder (it ignores itself in
git with its own `.gitignore`), never among the paper files or beside `site/`:

    .paper-collection/lock                 held (flock) by the running import, add or build
    .paper-collection/staging/<run>/       what one run is writing; removed when it ends
    .paper-collection/staging/<run>/journal.json   present only while files are being swapped
    .paper-collection/cache/               see generator/site/cache.py
    .paper-collection/trash/<run>/         an old tree `replace_dir` swapped out (the last site):
                                           deleted by the next run, in a worker while it works

- `Workspace` is one run on a collection: it takes the lock (a second run waits briefly, then
  refuses, naming the lock and the other run's pid), rolls back whatever a killed run left
  half-done, turns SIGTERM into the same clean stop as Ctrl-C, and removes its staging folder.
- `replace_files` writes a set of files all or none: new texts are staged, the old files kept
  as hard links, a journal written; then each is renamed into place. Until the journal is
  removed, an interrupted swap is rolled back (at once, or by the next run if the process was
  killed), so the files are either all old or all new. A text may also come already staged
  (`stage_text`, for worker processes that write while the run goes on).
- `replace_dir` puts a freshly built folder (the site) in place of the old one the same way.
  The old one (10,000 folders at 10,000 papers: seconds of disk waits) is moved to the trash
  instead of being deleted before the run ends; the next run deletes it meanwhile.
- `create_file` writes one new file whole, never over an existing one (`add`).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import fcntl
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from paper_collection import parallel
from paper_collection.errors import GeneratorError
from paper_collection.parallel import die_with_parent  # noqa: F401 - where the importer finds it
from paper_collection.settings import STATE_DIR

LOCK_WAIT = float(os.environ.get("PAPER_COLLECTION_LOCK_WAIT", "10"))  # seconds a second run waits
JOURNAL = "journal.json"

_current: contextvars.ContextVar[Workspace | None] = contextvars.ContextVar("workspace", default=None)


@contextlib.contextmanager
def open_atomic(path: Path):
    """A binary file that replaces ``path`` whole when the block ends without an error (a temporary
    file beside it, then a rename): for caches and other files only this project reads."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
        os.replace(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """One file replaced whole (see `open_atomic`)."""
    with open_atomic(path) as out:
        out.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


@dataclass(frozen=True)
class Staged:
    """A new file's text, already written into the run's staging area (`stage_text`)."""

    path: Path | str  # a str costs less to keep for each of 100,000 files


def _write_staged(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)


def stage_text(folder: Path, name: str, text: str) -> Staged:
    """Write a new file's text into ``folder`` (from `Workspace.new_dir`, so the run's end or the next
    run removes it), for `replace_files` to move into place; any process of the run may call this."""
    path = folder / name
    _write_staged(path, text)
    return Staged(path)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


class Workspace:
    """One run on the collection in `root` (the folder of mkdocs.yml)."""

    def __init__(self, root: Path, command: str = "run", *, wait: float | None = None):
        self.root = root.resolve()
        self.command = command
        self.wait = LOCK_WAIT if wait is None else wait
        self.state = self.root / STATE_DIR
        self.lock_path = self.state / "lock"
        self._lock_fd: int | None = None
        self.staging: Path | None = None
        self._token = None
        self._old_handler = None
        self._emptying: Callable[[], None] | None = None

    # -- entering and leaving -------------------------------------------------------------
    def __enter__(self) -> Workspace:
        self.state.mkdir(parents=True, exist_ok=True)
        ignore = self.state / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# working files of paper-collection; never committed\n*\n", encoding="utf-8")
        self._lock()
        try:
            recover(self.state)
            self.staging = Path(tempfile.mkdtemp(prefix=f"{self.command}-{os.getpid()}-",
                                                 dir=self.state / "staging"))
            self._emptying = _empty_trash(self.state / TRASH)
        except BaseException:
            self._unlock()
            raise
        self._token = _current.set(self)
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
                self._old_handler = signal.signal(signal.SIGTERM, _raise_interrupt)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._old_handler is not None:
                signal.signal(signal.SIGTERM, self._old_handler)
            if self.staging is not None:
                recover_run(self.staging)
            if self._emptying is not None:
                self._emptying()
        finally:
            if self._token is not None:
                _current.reset(self._token)
            self._unlock()

    def _lock(self) -> None:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    holder = Path(self.lock_path).read_text(encoding="utf-8", errors="replace").strip()
                    os.close(fd)
                    raise GeneratorError(
                        f"another run is using this collection ({holder or 'pid unknown'}; lock "
                        f"{self.lock_path}); wait for it to finish and try again") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}: {self.command}\n".encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._lock_fd, 0)
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    # -- writing --------------------------------------------------------------------------
    def replace_files(self, pending: dict[Path | str, str | Staged | None]) -> list[Path]:
        """Write every file or none; a text of None deletes the file (`rename`, `remove`); files
        whose text is unchanged are not touched. Returns the files written or deleted. A `Staged`
        text (in this run's staging area) is moved into place rather than written again. Paths may
        be given as text (an import of 100,000 files keeps them so)."""
        # Sorted by the path's text: the same order every run, without Path's slower comparisons.
        return self.replace_in_order(sorted(pending.items(), key=lambda item: str(item[0])))

    def replace_in_order(self, pending: Iterable[tuple[Path | str, str | Staged | None]]) -> list[Path]:
        """`replace_files` for (path, text) pairs already sorted by the path's text, taken one at a time."""
        assert self.staging is not None
        run = Path(tempfile.mkdtemp(prefix="files-", dir=self.staging))
        moves: list[dict] = []
        targets: list[Path] = []  # of `moves`
        folders: dict[str, Path] = {}  # made already (an import writes thousands of files into one)
        try:
            for index, (key, text) in enumerate(pending):
                where, name = os.path.split(key)
                target = key if isinstance(key, Path) else folders.get(where, Path(where)) / name
                exists = target.exists()
                if text is None:
                    if exists:
                        old = run / f"{index}.old"
                        os.link(target, old)
                        moves.append({"target": str(key), "new": None, "old": str(old)})
                        targets.append(target)
                    continue
                if where not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders[where] = target.parent
                if isinstance(text, Staged):
                    if exists and target.read_bytes() == Path(text.path).read_bytes():
                        continue
                    new = text.path
                else:
                    if exists and target.read_text(encoding="utf-8") == text:
                        continue
                    new = run / f"{index}.new"
                    _write_staged(new, text)
                old = None
                if exists:
                    old = run / f"{index}.old"
                    os.link(target, old)
                moves.append({"target": str(key), "new": str(new), "old": str(old) if old else None})
                targets.append(target)
        except OSError as error:
            shutil.rmtree(run, ignore_errors=True)
            raise GeneratorError(f"cannot write the collection: {error}; nothing was changed") from None
        if not moves:
            shutil.rmtree(run, ignore_errors=True)
            return []
        _write_journal(run, {"kind": "files", "moves": moves})
        try:
            for move in moves:
                if move["new"] is None:
                    Path(move["target"]).unlink()
                else:
                    os.replace(move["new"], move["target"])
        except BaseException as error:
            _roll_back(run)
            if isinstance(error, OSError):
                raise GeneratorError(f"cannot write the collection: {error}; nothing was changed") from None
            raise
        _commit(run)
        return targets

    def create_file(self, target: Path, text: str) -> None:
        """Write `target` whole or not at all, and never over an existing file."""
        assert self.staging is not None
        temp = self.staging / f"new-{target.name}"
        try:
            with temp.open("w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.link(temp, target)  # fails if the name was taken meanwhile
        except FileExistsError:
            raise GeneratorError(f"{target.name} appeared while adding; run add again") from None
        except OSError as error:
            raise GeneratorError(f"cannot write {target}: {error.strerror}; nothing was written") from None
        finally:
            temp.unlink(missing_ok=True)

    def new_dir(self, name: str) -> Path:
        """An empty folder in this run's staging area, for a whole tree built before it is swapped in."""
        assert self.staging is not None
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.staging))

    def replace_dir(self, new: Path, target: Path) -> None:
        """Put the folder `new` (from `new_dir`) where `target` is; the old one is removed after."""
        assert self.staging is not None
        run = Path(tempfile.mkdtemp(prefix="dir-", dir=self.staging))
        old = run / "old"
        moves = [{"target": str(target), "new": str(new), "old": str(old) if target.exists() else None}]
        _write_journal(run, {"kind": "dir", "moves": moves})
        try:
            if target.exists():
                os.replace(target, old)
            os.replace(new, target)
        except BaseException as error:
            _roll_back(run)
            if isinstance(error, OSError):
                raise GeneratorError(f"cannot put the new {target.name}/ in place: {error}; "
                                     f"{target.name}/ was left as it was") from None
            raise
        (run / JOURNAL).unlink()  # the commit point: the new folder stays
        try:  # the old one is deleted by the next run, while it works
            (self.state / TRASH).mkdir(exist_ok=True)
            os.replace(run, self.state / TRASH / run.name)
        except OSError:
            remove_tree(run)


def current() -> Workspace | None:
    """The workspace of the run in progress in this process, if any."""
    return _current.get()


# -- journal -----------------------------------------------------------------------------


def _write_journal(run: Path, data: dict) -> None:
    temp = run / (JOURNAL + ".tmp")
    with temp.open("w", encoding="utf-8") as out:
        json.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, run / JOURNAL)  # from here on, an interruption is rolled back


def _commit(run: Path) -> None:
    (run / JOURNAL).unlink()  # the commit point: the new files stay
    remove_tree(run)


REMOVERS = 8  # threads that delete a large folder
TRASH = "trash"
TRASH_NICENESS = 10  # the worker emptying the trash yields the CPUs to the run


def _empty_trash(trash: Path) -> Callable[[], None] | None:
    """Delete what earlier runs put in the trash: in a forked worker while this run goes on
    (returns what waits for it, called when the run ends), or here and now."""
    try:
        with os.scandir(trash) as entries:
            old = [Path(entry.path) for entry in entries]
    except OSError:
        return None
    if not old:
        return None

    def empty() -> None:
        for folder in old:
            remove_tree(folder)

    def empty_aside() -> None:
        # The run's own work comes first: this uses what CPU it leaves (threads made from here inherit it).
        with contextlib.suppress(OSError):
            os.nice(TRASH_NICENESS)
        empty()

    if not parallel.can_fork() or threading.active_count() > 1:
        empty()
        return None
    child = parallel.Child(empty_aside, "emptying the trash", stopped_with_build=False)

    def wait() -> None:
        try:
            child.result()
        except (GeneratorError, OSError):
            pass  # what is left is deleted by the next run
        except BaseException:
            child.cancel()
            raise

    return wait


def remove_tree(folder: Path) -> None:
    """`shutil.rmtree`, ignoring errors, with the many subfolders of a large tree (a site's pages)
    removed by several threads: deleting waits on the disk, not the CPU (three times faster on
    the ext4 here, mounted with online discard, for the 10,000 folders of a site's pages)."""
    from concurrent.futures import ThreadPoolExecutor

    frontier = [str(folder)]
    for _level in range(4):  # down to the first level with many folders
        deeper = []
        for path in frontier:
            with contextlib.suppress(OSError), os.scandir(path) as entries:
                deeper += [e.path for e in entries if e.is_dir(follow_symlinks=False)]
        frontier = deeper
        if len(frontier) >= 64 * REMOVERS or not frontier:
            break
    if len(frontier) >= 64 * REMOVERS:
        with ThreadPoolExecutor(REMOVERS, thread_name_prefix="remove") as pool:
            list(pool.map(lambda path: shutil.rmtree(path, ignore_errors=True), frontier, chunksize=64))
    shutil.rmtree(folder, ignore_errors=True)


def _roll_back(run: Path) -> None:
    """Undo a swap that did not reach its commit point: every target as it was before."""
    try:
        data = json.loads((run / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None  # no complete journal: nothing had been moved yet
    if data:
        for move in reversed(data["moves"]):
            target, old = Path(move["target"]), move["old"]
            if data["kind"] == "dir":
                if old is not None and Path(old).exists():
                    if target.exists():
                        shutil.rmtree(target)
                    os.replace(old, target)
                elif old is None and not Path(move["new"]).exists() and target.exists():
                    shutil.rmtree(target)  # there was no old folder: the new one goes
            elif old is not None:
                os.replace(old, target)  # the same inode as before
            elif move["new"] is not None and not Path(move["new"]).exists():
                target.unlink(missing_ok=True)  # it was new, and had been moved in
    (run / JOURNAL).unlink(missing_ok=True)


def recover_run(staging: Path) -> None:
    """Roll back any unfinished swap in one run's staging folder, then remove the folder."""
    if not staging.exists():
        return
    for journal in sorted(staging.glob(f"*/{JOURNAL}")):
        _roll_back(journal.parent)
    remove_tree(staging)


def recover(state: Path) -> list[Path]:
    """Undo and remove what killed runs left (the caller holds the lock, so none is running)."""
    staging = state / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    leftovers = sorted(p for p in staging.iterdir())
    leftovers += sorted((state / "cache").glob(".*.tmp"))  # a cache file being written when killed
    for run in leftovers:
        if run.is_dir():
            recover_run(run)
        else:
            run.unlink(missing_ok=True)
    return leftovers


def project_root_for(path: Path) -> Path:
    """The project folder holding `path`: the nearest folder above with mkdocs.yml, else the
    folder above `path`'s folder (a papers folder outside any project, as in tests)."""
    path = path.resolve()
    for folder in path.parents:
        if (folder / "mkdocs.yml").exists():
            return folder
    return path.parent.parent if path.parent != path.parent.parent else path.parent


@contextlib.contextmanager
def workspace_for(path: Path, command: str):
    """The run in progress, or a new one on the project holding `path` (library callers)."""
    active = current()
    if active is not None:
        yield active
        return
    with Workspace(project_root_for(path), command) as ws:
        yield ws
