"""Papers removed from the collection, recorded in `removed.yml` at the repository root.

`paper-collection remove SLUG --reason "..."` deletes the paper's file and records here what
identifies it (slug, title, arXiv id, DOI, the titles its sources read, first author, year), why
and when. Imports skip a record that is the removed paper by the identity rule
(`collection.identity.judge`: a removed paper with an identifier blocks that identifier, not
another paper sharing its title), and `validate` warns when its file comes back, so a paper
removed by a pull request is not brought back by the next import of the dump it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from paper_collection.collection import frontmatter
from paper_collection.collection.identity import Identity, IdentityIndex, identity, paper_identity
from paper_collection.collection.paper import ISO_DATE, Paper, normalize_title
from paper_collection.collection.slugs import slug_problem
from paper_collection.errors import InputError

REMOVED_FILE = "removed.yml"
HEADER = ("# Papers removed from the collection (paper-collection remove SLUG --reason ...).\n"
          "# Imports skip them and `validate` warns if one comes back. Delete an entry to let the paper back in.\n")


@dataclass(frozen=True)
class RemovedPaper:
    slug: str
    title: str
    reason: str
    date: str  # ISO date of the removal
    arxiv: str | None = None
    doi: str | None = None
    source_titles: tuple[str, ...] = ()  # titles as imports read them, when a person changed `title`
    aliases: tuple[str, ...] = ()  # the paper's earlier addresses, which stay unavailable too
    line: int = 0  # where the entry starts in removed.yml (for messages)
    first_author: str | None = None  # tells it from another paper of the same title (identity rule)
    year: int | None = None

    @property
    def identity(self) -> Identity:
        return identity(self.title, self.arxiv, self.doi, (self.first_author,) if self.first_author else (),
                        self.year, None, self.source_titles)

    def describe(self) -> str:
        return f"removed on {self.date} ({self.reason})"

    def data(self) -> dict[str, Any]:
        values = {"slug": self.slug, "title": self.title, "arxiv": self.arxiv, "doi": self.doi,
                  "first_author": self.first_author, "year": self.year,
                  "source_titles": list(self.source_titles) or None, "reason": self.reason, "date": self.date}
        if self.aliases:
            values["aliases"] = list(self.aliases)
        return {key: value for key, value in values.items() if value is not None}


class RemovedIndex:
    """Removed papers by slug, and by identity (`collection.identity`)."""

    def __init__(self, entries: tuple[RemovedPaper, ...] = ()) -> None:
        self.entries = entries
        self.ids = IdentityIndex()
        self.by_slug: dict[str, RemovedPaper] = {}
        for entry in entries:
            self.ids.add(entry)
            for slug in (entry.slug, *entry.aliases):
                self.by_slug.setdefault(slug, entry)

    def match(self, ident: Identity) -> RemovedPaper | None:
        """The removed paper `ident` is, by the identity rule (a possible duplicate is not blocked)."""
        if not self.entries:  # nothing removed (most collections)
            return None
        found = self.ids.match(ident)
        if found.same is not None:
            return found.same
        return found.conflict[0][0] if found.conflict else None

    def match_paper(self, paper: Paper, ident: Identity | None = None) -> RemovedPaper | None:
        return self.match(ident if ident is not None else paper_identity(paper))


def load_removed(path: Path, shown: str = REMOVED_FILE) -> RemovedIndex:
    """The removed papers listed in `path` (none when it does not exist). Raises InputError with the
    line of a problem."""
    if not path.exists():
        return RemovedIndex()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(shown, None, "not UTF-8 text", fix="save the file as UTF-8") from None
    data = frontmatter.load_document(text, shown)
    if data is None:
        return RemovedIndex()
    if not isinstance(data, list):
        raise InputError(shown, 1, "expected a list of removed papers ('- slug: ...')",
                         fix="write one '- slug: ...' entry per removed paper, or use paper-collection remove")
    lines = _entry_lines(text)
    entries = []
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else 1
        entries.append(_entry(item, shown, line))
    return RemovedIndex(tuple(entries))


def _entry_lines(text: str) -> list[int]:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(node, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in node.value]
    return []


def _entry(item: Any, shown: str, line: int) -> RemovedPaper:
    def text(key: str, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise InputError(shown, line, f"{key}: expected text", fix=f"write {key}: \"...\" in this entry")
        return value.strip()

    if not isinstance(item, dict):
        raise InputError(shown, line, "expected an entry with slug, title, reason and date",
                         fix="write '- slug: ...' and the other keys under it")
    slug = text("slug")
    assert slug is not None
    if slug_problem(slug):
        raise InputError(shown, line, f"slug: '{slug}' is not a paper's file name", fix=slug_problem(slug) or "")
    date = text("date")
    if not date or not ISO_DATE.match(date):
        raise InputError(shown, line, f"date: {date!r} is not a date like '2024-01-05'", fix="write date: 'YYYY-MM-DD'")
    lists = {}
    for key in ("source_titles", "aliases"):
        value = item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(shown, line, f"{key}: expected a list of text")
        lists[key] = tuple(value)
    year = item.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise InputError(shown, line, f"year: expected a whole number, found {year!r}", fix="write year: 2024")
    return RemovedPaper(slug=slug, title=text("title") or "", reason=text("reason") or "", date=date,
                        arxiv=text("arxiv", required=False), doi=text("doi", required=False),
                        source_titles=lists["source_titles"], aliases=lists["aliases"], line=line,
                        first_author=text("first_author", required=False), year=year)


def removal_record(paper: Paper, reason: str, date: str | None = None) -> RemovedPaper:
    """What removed.yml keeps of a paper: what recognises it in a later import, why and when."""
    titles = tuple(dict.fromkeys(s.title for s in paper.sources
                                 if s.title and normalize_title(s.title) != normalize_title(paper.title)))
    return RemovedPaper(slug=paper.slug, title=paper.title, reason=reason.strip(),
                        date=date or dt.date.today().isoformat(), arxiv=paper.arxiv, doi=paper.doi,
                        source_titles=titles, aliases=paper.aliases,
                        first_author=paper.authors[0] if paper.authors else None, year=paper.year)


def removed_text(entries: tuple[RemovedPaper, ...] | list[RemovedPaper]) -> str:
    """removed.yml's text: entries by slug, keys in a fixed order, written by PyYAML."""
    data = [entry.data() for entry in sorted(entries, key=lambda e: e.slug)]
    return HEADER + yaml.dump(data, Dumper=frontmatter._Dumper, sort_keys=False,
                              allow_unicode=not frontmatter._has_awkward_text(data),
                              default_flow_style=False, width=10_000)
