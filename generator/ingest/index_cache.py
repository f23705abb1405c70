"""The importer's collection index, kept from one `import` or `add` to the next.

Both read every paper file to recognise papers (`importer.CollectionIndex`). Reading 10,000 files
takes about 0.15 s; building their front matter with PyYAML and computing their duplicate keys
takes 5 s. So what the index took from each file is kept in the git-ignored
`.paper-collection/cache/import-index.json`, keyed by a digest of the file's bytes (BLAKE2b,
128 bits): a file changed in any way, added, renamed or removed is simply not found (or not
asked for) and is read again; no file name, size or date is trusted.

The whole file is also keyed by the code that makes its entries (the source of the modules that
read front matter and compute duplicate keys, and PyYAML's version): entries made by other code
are never used. Losing the file costs time, never correctness.

The file is data (JSON lines, `datafile.write_lines`), never a pickle: a pickle in the project's
folder (a branch can commit one however it is ignored) would run code when read. The pickle that
versions before 0.3 kept is deleted unread.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from paper_collection import datafile
from paper_collection.atomic import project_root_for
from paper_collection.collection.identity import Identity
from paper_collection.settings import STATE_DIR

VERSION = 4  # bump when the entries' shape changes
KIND = "import index"
FILE = "import-index.json"
PICKLE = "import-index.pickle"  # what versions before 0.3 kept: deleted, never read
# The modules whose code decides an entry: how front matter is read, how duplicate keys are made,
# and how the importer takes both from a file (inside the package, wherever it is installed).
_MADE_BY = ("collection/frontmatter.py", "collection/paper.py", "collection/identifiers.py", "collection/identity.py",
            "ingest/importer.py", "ingest/index_cache.py")
_CODEC = datafile.Codec(Identity)

# What the index keeps of one file: (front matter, its `identity.Identity`), or None when the front matter
# cannot be read (`validate` says why).
Entry = tuple[dict, tuple] | None


def digest(data: bytes) -> bytes:
    """The key of a file's entry: a digest of its exact bytes."""
    return hashlib.blake2b(data, digest_size=16).digest()


@cache
def code_key() -> str:
    package = Path(__file__).resolve().parent.parent
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
    """The kept entries by file digest; empty when there are none, they were made by other code,
    or the file is damaged."""
    if _disabled():
        return {}
    items = datafile.read_lines(cache_file(papers_dir), KIND, VERSION, code_key())
    if items is None:
        return {}
    entries: dict[bytes, Entry] = {}
    try:
        for digest, entry in items:
            entries[bytes.fromhex(digest)] = None if entry is None else _CODEC.decode(entry)
    except (ValueError, TypeError):
        return {}
    return entries


def save(papers_dir: Path, entries: Iterable[tuple[bytes, Entry]]) -> None:
    """Keep `entries`, (digest, entry) pairs, those of the collection's files now (so the file never
    outgrows it; for one digest, the last pair counts). Written one entry at a time: an import of
    100,000 papers need not hold every new paper's front matter at once to write it."""
    if _disabled():
        return
    path = cache_file(papers_dir)
    datafile.forget(path.with_name(PICKLE))
    datafile.write_lines(path, KIND, VERSION, _encoded(entries), code_key())


def _encoded(entries: Iterable[tuple[bytes, Entry]]):
    for digest, entry in entries:
        try:
            yield [digest.hex(), None if entry is None else _CODEC.encode(entry)]
        except TypeError:  # a value JSON cannot hold (YAML's !!binary): read from its file again next time
            continue
