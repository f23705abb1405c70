"""File names for papers: python-slugify slugs that are stable, unique, safe and bounded."""

from __future__ import annotations

import hashlib
import re

from slugify import slugify

MAX_LENGTH = 80
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
    if len(slug) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    return None


def base_slug(title: str) -> str:
    slug = slugify(title, max_length=MAX_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        return "paper"
    if slug in RESERVED:
        return f"{slug}-paper"
    return slug


def unique_slug(title: str, taken: set[str] | frozenset[str], base: str | None = None) -> str:
    """The title's slug, or on a collision the slug plus a suffix derived from the title itself,
    so the same title gets the same name whatever order papers arrive in. ``base``: the title's
    `base_slug`, when the caller has it already."""
    slug = base or base_slug(title)
    if slug not in taken:
        return slug
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()
    stem = slug[: MAX_LENGTH - 9].rstrip("-")
    for width in (6, 10, 16, 64):
        candidate = f"{stem}-{digest[:width]}"
        if candidate not in taken:
            return candidate
    counter = 2
    while f"{stem}-{counter}" in taken:
        counter += 1
    return f"{stem}-{counter}"
