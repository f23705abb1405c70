"""Check paper files against the declared schema and against each other.

Every problem is collected; each names the file, the line, the field and the fix, e.g.
``content/papers/foo.md:4: tags[1]: 'vison' is not a tag; did you mean 'vision'?``
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.process import cdist

from . import frontmatter
from .errors import InputError
from .model import LINK_KINDS
from .paper import (
    ARXIV_ID,
    DOI,
    FIELD_NAMES,
    FIELDS,
    ISO_DATE,
    Paper,
    from_front_matter,
    is_web_url,
    normalize_title,
)
from .slugs import base_slug

NEAR_DUPLICATE_SCORE = 95  # rapidfuzz ratio on normalised titles; below this titles just look alike


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str
    warning: bool = False  # warnings (possible duplicates) are shown but do not fail a run

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def slug_matches(stem: str, title: str) -> bool:
    """The file name is the title's slug, or that slug with a collision suffix (see slugs.py)."""
    expected = base_slug(title)
    if stem == expected:
        return True
    head, _, suffix = stem.rpartition("-")
    return bool(head) and expected.startswith(head) and suffix.isalnum() and len(suffix) <= 64


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int):
        return f"{value} (a number)"
    if isinstance(value, float):
        return f"{value} (a decimal number)"
    if isinstance(value, dt.date):
        return f"{value} (a date)"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _quote_fix(key: str, raw: str | None, value: Any) -> str:
    shown = raw if raw is not None else str(value)
    return f"put it in quotes: {key}: '{shown}'"


def check_paper(file: str, parsed: frontmatter.PaperFile, tag_names: frozenset[str],
                suggest=None) -> list[Problem]:
    """Problems in one parsed paper file (schema, values, file name)."""
    meta, lines = parsed.meta, parsed.key_lines
    problems: list[Problem] = []

    def add(field: str, message: str, line: int | None = None) -> None:
        top = field.split("[")[0].split(".")[0]
        problems.append(Problem(file, line or lines.get(top, 2), field, message))

    for key in meta:
        if key not in FIELD_NAMES:
            known = process.extractOne(str(key), FIELD_NAMES, scorer=fuzz.ratio, score_cutoff=70)
            hint = f"; did you mean '{known[0]}'?" if known else f"; known fields: {', '.join(FIELD_NAMES)}"
            add(str(key), f"unknown field{hint}")

    for name, kind, required, help_text in FIELDS:
        if name not in meta:
            if required:
                problems.append(Problem(file, 2, name, f"missing; add {name}: ({help_text})"))
            continue
        value = meta[name]
        raw = parsed.raw_scalars.get(name)
        if kind == "text":
            if not isinstance(value, str):
                add(name, f"expected text, found {_describe(value)}; {_quote_fix(name, raw, value)}")
            elif not value.strip():
                add(name, "is empty")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                add(name, f"expected a whole number, found {_describe(value)}")
        elif kind.startswith("list"):
            if not isinstance(value, list):
                fix = f"; write it as a list: {name}: [{raw}]" if isinstance(value, str) else ""
                add(name, f"expected a list, found {_describe(value)}{fix}")
                continue
            if kind == "list of text":
                for index, item in enumerate(value):
                    if not isinstance(item, str) or not item.strip():
                        add(f"{name}[{index}]", f"expected text, found {_describe(item)}; put it in quotes")

    title = meta.get("title")
    if isinstance(meta.get("added"), str) and not ISO_DATE.match(meta["added"]):
        add("added", f"'{meta['added']}' is not a date like '2024-01-05'")
    for name, low, high in (("month", 1, 12), ("day", 1, 31), ("year", 1000, 2999)):
        value = meta.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            add(name, f"{value} is out of range {low}-{high}")
    if isinstance(meta.get("arxiv"), str) and not ARXIV_ID.match(meta["arxiv"]):
        add("arxiv", f"'{meta['arxiv']}' is not an arXiv id like '2401.10010'")
    if isinstance(meta.get("doi"), str) and not DOI.match(meta["doi"]):
        add("doi", f"'{meta['doi']}' is not a DOI like '10.1000/xyz123'")

    tags = meta.get("tags")
    if isinstance(tags, list):
        if not tags:
            add("tags", "is empty; give at least one tag from taxonomy.yml")
        seen: set[str] = set()
        for index, tag in enumerate(tags):
            if not isinstance(tag, str):
                continue
            if tag not in tag_names:
                guess = suggest(tag) if suggest else None
                hint = f"; did you mean '{guess}'?" if guess else "; see taxonomy.yml for the tags"
                add(f"tags[{index}]", f"'{tag}' is not a tag{hint}")
            if tag in seen:
                add(f"tags[{index}]", f"'{tag}' is listed twice")
            seen.add(tag)

    links = meta.get("links")
    if isinstance(links, list):
        for index, link in enumerate(links):
            where = f"links[{index}]"
            if not isinstance(link, dict):
                add(where, "expected a mapping with 'kind' and 'url'")
                continue
            extra = set(link) - {"kind", "url"}
            if extra:
                add(where, f"unknown keys {sorted(map(str, extra))}; a link has only 'kind' and 'url'")
            if link.get("kind") not in LINK_KINDS:
                add(f"{where}.kind", f"{link.get('kind')!r} is not one of {', '.join(LINK_KINDS)}")
            url = link.get("url")
            if not isinstance(url, str) or not is_web_url(url):
                add(f"{where}.url", f"{url!r} is not an http(s) URL; only http:// and https:// links are allowed")

    sources = meta.get("sources")
    if isinstance(sources, list):
        for index, source in enumerate(sources):
            if not isinstance(source, dict) or not isinstance(source.get("file"), str):
                add(f"sources[{index}]", "expected a mapping with 'file', 'line' and 'format'")
            elif not isinstance(source.get("line", 0), int):
                add(f"sources[{index}].line", "expected a whole number")

    if not parsed.body.strip():
        problems.append(Problem(file, parsed.body_line, "abstract",
                                "is empty; write the abstract after the closing '---'"))

    stem = Path(file).stem
    if isinstance(title, str) and title.strip() and not slug_matches(stem, title):
        problems.append(Problem(file, lines.get("title", 2), "file name",
                                f"'{stem}.md' does not match the title; rename it to '{base_slug(title)}.md'"))
    return problems


@dataclass(frozen=True)
class Collection:
    papers: tuple[Paper, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.warning)


def load_collection(papers_dir: Path, taxonomy, root: Path | None = None) -> Collection:
    """Read and check every paper file; return the valid papers and every problem found."""
    root = root or Path.cwd()
    tag_names = frozenset(taxonomy.names)
    papers: list[Paper] = []
    problems: list[Problem] = []
    lines_by_slug: dict[str, dict[str, int]] = {}
    for path in sorted(papers_dir.glob("*.md")):
        shown = _shown(path, root)
        try:
            parsed = frontmatter.parse(_read(path, shown), shown)
        except InputError as error:
            fix = f" ({error.fix})" if error.fix else ""
            problems.append(Problem(shown, error.line or 1, "", error.message + fix))
            continue
        found = check_paper(shown, parsed, tag_names, taxonomy.suggest)
        problems.extend(found)
        if not found:
            paper = from_front_matter(path.stem, parsed.meta, parsed.body)
            papers.append(paper)
            lines_by_slug[paper.slug] = parsed.key_lines
    problems.extend(find_duplicates(papers, papers_dir, root, lines_by_slug))
    return Collection(tuple(papers), tuple(sorted(problems)))


def _read(path: Path, shown: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(shown, line, "not UTF-8 text", fix="save the file as UTF-8") from None


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def find_duplicates(papers: list[Paper], papers_dir: Path, root: Path,
                    lines_by_slug: dict[str, dict[str, int]]) -> list[Problem]:
    """Same normalised title, arXiv id or DOI: errors. Near-identical titles: warnings."""
    problems: list[Problem] = []
    groups: dict[tuple[str, str], list[Paper]] = defaultdict(list)
    for paper in papers:
        groups[("title", normalize_title(paper.title))].append(paper)
        if paper.arxiv:
            groups[("arxiv", paper.arxiv.lower())].append(paper)
        if paper.doi:
            groups[("doi", paper.doi.lower())].append(paper)

    def shown(paper: Paper) -> str:
        return _shown(papers_dir / f"{paper.slug}.md", root)

    exact_pairs: set[tuple[str, str]] = set()
    for (kind, _), members in sorted(groups.items()):
        for other in members[1:]:
            first = members[0]
            exact_pairs.add((first.slug, other.slug))
            problems.append(Problem(shown(other), lines_by_slug[other.slug].get(kind, 2), kind,
                                    f"same {kind} as {shown(first)}; remove one of the two files"))
    by_slug = {p.slug: p for p in papers}
    slugs = sorted(by_slug)
    titles = [normalize_title(by_slug[s].title) for s in slugs]
    # rapidfuzz compares in C; chunks keep the score matrix small at tens of thousands of papers.
    chunk = 1000
    for start in range(0, len(slugs), chunk):
        scores = cdist(titles[start:start + chunk], titles, scorer=fuzz.ratio,
                       score_cutoff=NEAR_DUPLICATE_SCORE, dtype=np.uint8, workers=-1)
        for row, j in zip(*scores.nonzero(), strict=True):
            i = start + int(row)
            pair = (slugs[i], slugs[j])
            if i < j and pair not in exact_pairs and titles[i] != titles[j]:
                other = by_slug[slugs[j]]
                problems.append(Problem(
                    shown(other), lines_by_slug[other.slug].get("title", 2), "title",
                    f"possible duplicate of {shown(by_slug[slugs[i]])} (near-identical title); "
                    "remove one if they are the same paper", warning=True))
    return problems
