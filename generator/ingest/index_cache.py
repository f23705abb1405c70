"""The importer's collection index, kept from one `import` or `add` to the next.

Both read every paper file to recognise papers (`importer.CollectionIndex`). Reading 10,000 files
takes about 0.15 s; building their front matter with PyYAML and computing their duplicate keys
takes 5 s. So what the index took from each file is kept in the git-ignored
`.paper-collection/cache/import-index.pickle`, keyed by a digest of the file's bytes (BLAKE2b,
128 bits): a file changed in any way, added, renamed or removed is simply not found (or not
asked for) and is read again; no file name, size or date is trusted.

The whole file is also keyed by the code that makes its entries (the source of the modules that
read front matter and compute duplicate keys, and PyYAML's version): entries made by other code
are never used. Losing the file costs time, never correctness.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from paper_collection.atomic import open_atomic, project_root_for
from paper_collection.settings import STATE_DIR

VERSION = 3  # bump when the entries' shape changes
FILE = "import-index.pickle"
# The modules whose code decides an entry: how front matter is read, how duplicate keys are made,
# and how the importer takes both from a file.
_MADE_BY = ("generator/collection/frontmatter.py", "generator/collection/paper.py",
            "generator/collection/identifiers.py", "generator/collection/identity.py", "generator/ingest/importer.py",
            "generator/ingest/index_cache.py")

# What the index keeps of one file: (front matter, its `identity.Identity`), or None when the front matter
# cannot be read (`validate` says why).
Entry = tuple[dict, tuple] | None


def digest(data: bytes) -> bytes:
    """The key of a file's entry: a digest of its exact bytes."""
    return hashlib.blake2b(data, digest_size=16).digest()


@cache
def code_key() -> str:
    package = Path(__file__).resolve().parent.parent.parent
    made_by = hashlib.sha256(f"v{VERSION} PyYAML {yaml.__version__}".encode())
    for name in _MADE_BY:
        made_by.update((package / name).read_bytes())
    return made_by.hexdigest()


def cache_file(papers_dir: Path) -> Path:
    """Where the index of this papers folder is kept: its project's working folder (see atomic.py)."""
    return project_root_for(papers_dir / FILE) / STATE_DIR / "cache" / FILE  # as for the papers' own files


def _disabled() -> bool:
    return bool(os.environ.get("PAPER_COLLECTION_NO_CACHE"))


def load(papers_dir: Path) -> dict[bytes, Entry]:
    """The kept entries by file digest; empty when there are none, or they were made by other code."""
    if _disabled():
        return {}
    entries: dict[bytes, Entry] = {}
    try:
        with cache_file(papers_dir).open("rb") as handle:
            unpickler = pickle.Unpickler(handle)  # our own file, in the project's git-ignored folder
            if unpickler.load() != {"code": code_key()}:
                return {}
            while (pair := unpickler.load()) is not None:
                digest, entry = pair
                entries[digest] = entry
        return entries
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return {}


def save(papers_dir: Path, entries: Iterable[tuple[bytes, Entry]]) -> None:
    """Keep `entries`, (digest, entry) pairs, those of the collection's files now (so the file never
    outgrows it; for one digest, the last pair counts). Written one entry at a time: an import of
    100,000 papers need not hold every new paper's front matter at once to write it."""
    if _disabled():
        return
    path = cache_file(papers_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open_atomic(path) as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = True  # no memo of every object written: plain data, nothing shared or recursive
            pickler.dump({"code": code_key()})
            for pair in entries:
                pickler.dump(pair)
            pickler.dump(None)  # the end: a file cut short is not taken for a whole one
    except OSError:
        pass  # a cache that cannot be written is only slower
