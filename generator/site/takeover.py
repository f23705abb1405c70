"""Files of the site taken over from the last build instead of being made again: a file made from
the same inputs as the file the last build wrote is that file, byte for byte (every file is a pure
function of its inputs), so a hard link to it will do. The pages have their own keys (plugin.py,
`_reuse_pages`); the files made beside them (the author feeds) are `Made` and go through `TakeOver`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from paper_collection.site.cache import content_key


@dataclass(frozen=True)
class Made:
    """A file made only if the last build's copy cannot be taken over (`TakeOver`): `inputs` are
    what it is made from besides the code and the settings that every such file shares."""

    inputs: tuple
    make: Callable[[], bytes]


class TakeOver:
    """Files the last build wrote that this one would write byte for byte again: hard-linked from
    the last site (`old_site`) instead of being made again. Each file has a key, made from the
    `shared` key (the code, the settings) and its own inputs; `old_keys` are the last build's, by
    path inside the site, and `keys` this build's, for the next one. No last site: every file is made."""

    def __init__(self, old_site: Path | None, old_keys: Mapping[str, object], shared: str):
        self.old_site, self.old_keys, self.shared = old_site, old_keys, shared
        self.keys: dict[str, str] = {}
        self.taken = 0

    def link(self, site_dir: Path, path: str, inputs: tuple) -> bool:
        """Whether the last site's `path` was made from the same inputs, and is now linked into `site_dir`."""
        key = self.keys[path] = content_key(self.shared, path, inputs)
        if self.old_site is None or self.old_keys.get(path) != key or not hard_link(self.old_site, site_dir, path):
            return False
        self.taken += 1
        return True


def hard_link(old_site: Path, site_dir: Path, path: str) -> bool:
    """The last site's file at `path` linked into `site_dir`; False when it is gone or the disk has
    no hard links (the caller then makes it)."""
    target = site_dir / path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(old_site / path, target)
    except OSError:
        return False
    return True
