"""Addresses: every name that becomes a path on the site (a paper's file name, an author's, a
tag's, a venue's or a year's address) is made and bounded here, by one rule.

A name is a python-slugify slug of at most `MAX_LENGTH` bytes: a longer one keeps its first words
and ends in a digest of the whole, so two long names stay apart and the same name always gives the
same address. `address_problem` is the check the build runs on every page's path before it writes
any page, so a name too long for a file system fails the build at once, naming the page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from slugify import slugify

from paper_collection.errors import GeneratorError

MAX_LENGTH = 80  # bytes of one name in an address, digest included
DIGEST_LENGTH = 8  # hex digits of the digest that ends a shortened name
# One part of a page's path (a name plus ".md" or "feed.xml"): far below the 255 bytes file systems allow.
MAX_PART_BYTES = MAX_LENGTH + 20
# Names that would clash with the site's own pages or with Windows device names.
RESERVED = frozenset(
    {"index", "tags", "tag", "search", "assets", "404", "sitemap", "feed", "papers", "con", "prn", "aux",
     "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)


VALID_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be a paper's address (its file name without '.md'), or None."""
    if not VALID_SLUG.match(slug):
        return "use only lowercase letters, digits and single hyphens"
    if slug in RESERVED:
        return "the name is taken by the site's own pages"
    if len(slug.encode("utf-8")) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    return None


def _digest(text: str, width: int = DIGEST_LENGTH) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:width]


def _cut(slug: str, limit: int) -> str:
    """`slug`'s first words within `limit` bytes (a slug is ASCII: one byte a character)."""
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    if slug[limit] != "-" and "-" in cut:
        cut = cut[: cut.rindex("-")]
    return cut.rstrip("-")


def bounded(slug: str, limit: int = MAX_LENGTH) -> str:
    """`slug` when it fits in `limit` bytes; else its first words and a digest of the whole."""
    if len(slug.encode("utf-8")) <= limit:
        return slug
    return f"{_cut(slug, limit - DIGEST_LENGTH - 1)}-{_digest(slug)}"


def address_slug(text: str, fallback: str) -> str:
    """The bounded slug of a name (an author's, a venue's), or `fallback` when it has no letters or digits."""
    return bounded(slugify(text)) or fallback


def base_slug(title: str) -> str:
    """A paper title's slug: its first words within `MAX_LENGTH` (the rule paper files were always named by)."""
    slug = slugify(title, max_length=MAX_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        return "paper"
    if slug in RESERVED:
        return f"{slug}-paper"
    return slug


def unique_slug(title: str, taken: set[str] | frozenset[str], base: str | None = None,
                qualifiers: Iterable[str | None] = (), qualify: bool = False) -> str:
    """The title's slug, or when that is taken the slug plus the first of ``qualifiers`` (the
    first author's surname, the year, the identifier: what tells papers sharing a title apart)
    that gives a free name, else a suffix derived from the title itself: a paper's address never
    depends on a counter. ``base``: the title's `base_slug`, when the caller has it already.
    ``qualify``: start from the qualified name even when the title's slug is free (a generic title,
    which other papers are likely to share: then no paper's address depends on which came first)."""
    slug = base or base_slug(title)
    if slug not in taken and not qualify:
        return slug
    for qualifier in qualifiers:
        tail = _cut(slugify(str(qualifier or "")), 30)
        if tail:
            candidate = f"{_cut(slug, MAX_LENGTH - len(tail) - 1)}-{tail}"
            if candidate not in taken:
                return candidate
    stem = _cut(slug, MAX_LENGTH - 17)
    for width in (6, 10, 16):
        candidate = f"{stem}-{_digest(title, width)}"
        if candidate not in taken:
            return candidate
    counter = 2
    while f"{stem}-{counter}" in taken:
        counter += 1
    return f"{stem}-{counter}"


def address_problem(path: str) -> str | None:
    """Why a page's path (``authors/NAME/index.md``) cannot be written on every file system, or None."""
    for part in path.split("/"):
        size = len(part.encode("utf-8"))
        if size > MAX_PART_BYTES:
            return f"'{part[:60]}...' is {size} bytes; a name in an address may have at most {MAX_PART_BYTES}"
    return None


def check_addresses(paths: Iterable[str]) -> None:
    """Raise GeneratorError naming every page whose path cannot be written (`address_problem`):
    the build calls this before it writes any page."""
    problems = [f"  {path[:120]}: {problem}" for path in paths if (problem := address_problem(path))]
    if problems:
        raise GeneratorError(f"{len(problems)} page address(es) too long to be file names; nothing was written:\n"
                             + "\n".join(problems[:20])
                             + "\nfix the names these come from (a paper's file name, an author's name, a tag, "
                               "a venue); names are made by generator/collection/slugs.py")
