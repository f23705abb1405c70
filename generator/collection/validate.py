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

from rapidfuzz import fuzz, process

from generator.collection import frontmatter
from generator.collection.model import LINK_KINDS
from generator.collection.paper import (
    ARXIV_ID,
    DOI,
    FIELD_NAMES,
    FIELDS,
    ISO_DATE,
    Paper,
    duplicate_keys,
    from_front_matter,
    is_web_url,
    normalize_title,
)
from generator.collection.similar import similar_pairs
from generator.collection.slugs import MAX_LENGTH, base_slug
from generator.collection.taxonomy import UNTAGGED
from generator.errors import InputError


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
    # unique_slug's suffixed names: the slug cut to leave room for the suffix, then a hash or number.
    return (head == expected[: MAX_LENGTH - 9].rstrip("-") and 1 <= len(suffix) <= 64
            and all(ch in "0123456789abcdef" for ch in suffix))


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
    if isinstance(value, str):
        return f"text {_short(value)!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _quote_fix(key: str, raw: str | None, value: Any) -> str:
    shown = raw if raw is not None else str(value)
    return f"put it in quotes: {key}: '{shown}'"


def check_paper(file: str, parsed: frontmatter.PaperFile, tag_names: frozenset[str],
                suggest=None) -> list[Problem]:
    """Problems in one parsed paper file (schema, values, file name); problems in list items
    name the item's own line."""
    meta, lines = parsed.meta, parsed.key_lines
    item_lines = parsed.key_lines
    problems: list[Problem] = []

    def add(field: str, message: str, line: int | None = None) -> None:
        top = field.split("[")[0]
        line = line or item_lines.get(field) or item_lines.get(field.rsplit(".", 1)[0]) or lines.get(top, 2)
        problems.append(Problem(file, line, field, message))

    for key in meta:
        if key not in FIELD_NAMES:
            known = process.extractOne(str(key), FIELD_NAMES, scorer=fuzz.ratio, score_cutoff=70)
            hint = f"; did you mean '{known[0]}'?" if known else f"; remove it (known fields: {', '.join(FIELD_NAMES)})"
            add(str(key), f"unknown field{hint}", lines.get(str(key), 2))

    for name, kind, required, help_text in FIELDS:
        if name not in meta:
            if required:
                problems.append(Problem(file, 2, name, f"missing; add {name}: ({help_text})"))
            continue
        value = meta[name]
        raw = parsed.raw_scalars.get(name)
        if kind == "text":
            if not isinstance(value, str):
                if value is None or isinstance(value, list | dict):
                    add(name, f"expected text, found {_describe(value)}; write {help_text}")
                else:
                    add(name, f"expected text, found {_describe(value)}; {_quote_fix(name, raw, value)}")
            elif not value.strip():
                add(name, f"is empty; write {help_text}")
        elif kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                fix = ""
                if isinstance(value, str) and value.strip().isdigit():
                    fix = f"; remove the quotes: {name}: {value.strip()}"
                add(name, f"expected a whole number, found {_describe(value)}{fix}")
        elif kind.startswith("list"):
            if not isinstance(value, list):
                fix = f"; write it as a list: {name}: [{raw}]" if isinstance(value, str) and raw else ""
                add(name, f"expected a list, found {_describe(value)}{fix}")
                continue
            if kind == "list of text":
                for index, item in enumerate(value):
                    if isinstance(item, str) and item.strip():
                        continue
                    fix = "remove the empty item" if item is None or isinstance(item, str) else "put it in quotes"
                    add(f"{name}[{index}]", f"expected text, found {_describe(item)}; {fix}")
        elif kind == "yes/no" and not isinstance(value, bool):
            add(name, f"expected true or false, found {_describe(value)}; write {name}: true, or remove the line")

    title = meta.get("title")
    added = meta.get("added")
    if isinstance(added, str) and added.strip():
        try:
            if not ISO_DATE.match(added):
                raise ValueError
            dt.date.fromisoformat(added)
        except ValueError:
            add("added", f"'{added}' is not a date like '2024-01-05'; write added: 'YYYY-MM-DD'")
    for name, low, high in (("month", 1, 12), ("day", 1, 31), ("year", 1000, 2999)):
        value = meta.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            add(name, f"{value} is out of range {low}-{high}")
    if isinstance(meta.get("arxiv"), str) and meta["arxiv"].strip() and not ARXIV_ID.match(meta["arxiv"]):
        add("arxiv", f"'{meta['arxiv']}' is not an arXiv id like '2401.10010' (no 'arXiv:' prefix, no version)")
    if isinstance(meta.get("doi"), str) and meta["doi"].strip() and not DOI.match(meta["doi"]):
        add("doi", f"'{meta['doi']}' is not a DOI like '10.1000/xyz123' (no 'https://doi.org/' prefix)")

    tags = meta.get("tags")
    if isinstance(tags, list):
        if not tags:
            add("tags", "is empty; give at least one tag from taxonomy.yml")
        seen: set[str] = set()
        for index, tag in enumerate(tags):
            if not isinstance(tag, str) or not tag.strip():
                continue
            if tag not in tag_names:
                guess = suggest(tag) if suggest else None
                hint = (f"; did you mean '{guess}'?" if guess
                        else "; use a tag listed in taxonomy.yml, or add the tag there")
                add(f"tags[{index}]", f"'{tag}' is not a tag{hint}")
            if tag in seen:
                add(f"tags[{index}]", f"'{tag}' is listed twice; remove one")
            seen.add(tag)
        if UNTAGGED in seen and len(seen) > 1:
            add(f"tags[{tags.index(UNTAGGED)}]", f"'{UNTAGGED}' is for papers without tags, and this one has "
                                                 f"tags; remove '{UNTAGGED}'")
    _check_suggested(meta.get("tags_suggested"), tag_names, add)

    links = meta.get("links")
    if isinstance(links, list):
        for index, link in enumerate(links):
            where = f"links[{index}]"
            if not isinstance(link, dict):
                add(where, f"expected a mapping with 'kind' and 'url', found {_describe(link)}; "
                           "write '- kind: code' and 'url: https://...' on two lines")
                continue
            extra = set(link) - {"kind", "url"}
            if extra:
                add(where, f"unknown keys {sorted(map(str, extra))}; a link has only 'kind' and 'url'")
            kind = link.get("kind")
            if "kind" not in link:
                add(where, f"missing kind; add kind: one of {', '.join(LINK_KINDS)}")
            elif kind not in LINK_KINDS:
                add(f"{where}.kind", f"{kind!r} is not one of {', '.join(LINK_KINDS)}")
            url = link.get("url")
            if "url" not in link:
                add(where, "missing url; add url: https://...")
            elif not isinstance(url, str) or not is_web_url(url):
                add(f"{where}.url", f"{url!r} is not an http(s) URL; only http:// and https:// links are allowed")

    sources = meta.get("sources")
    if isinstance(sources, list):
        for index, source in enumerate(sources):
            where = f"sources[{index}]"
            if not isinstance(source, dict) or not isinstance(source.get("file"), str):
                add(where, "expected a mapping with 'file', 'line', 'format' and 'title'; "
                           "leave sources to the importer, or remove the entry")
                continue
            line_value = source.get("line", 0)
            if isinstance(line_value, bool) or not isinstance(line_value, int):
                add(f"{where}.line", f"expected a whole number, found {_describe(line_value)}")
            for key in ("format", "title", "listed", "listed_on"):
                if key in source and not isinstance(source[key], str):
                    add(f"{where}.{key}", f"expected text, found {_describe(source[key])}; put it in quotes")

    abstract_missing = meta.get("abstract_missing") is True
    if not parsed.body.strip() and not abstract_missing:
        problems.append(Problem(file, parsed.body_line, "abstract",
                                "is empty; write the abstract after the closing '---' (or mark a paper whose "
                                "abstract is not known yet with abstract_missing: true)"))
    elif parsed.body.strip() and abstract_missing:
        problems.append(Problem(file, lines.get("abstract_missing", 2), "abstract_missing",
                                "the file has an abstract now; remove the line 'abstract_missing: true'",
                                warning=True))

    stem = Path(file).stem
    if isinstance(title, str) and title.strip() and not slug_matches(stem, title):
        problems.append(Problem(file, lines.get("title", 2), "file name",
                                f"'{stem}.md' does not match the title; rename it to '{base_slug(title)}.md'"))
    return problems


def _check_suggested(value: Any, tag_names: frozenset[str], add) -> None:
    """``tags_suggested``: a list of {tag, confidence} written by the importer's tag model."""
    if not isinstance(value, list):
        return  # absent, or not a list: the schema check reported it
    for index, item in enumerate(value):
        where = f"tags_suggested[{index}]"
        if not isinstance(item, dict) or set(item) != {"tag", "confidence"}:
            add(where, f"expected a mapping with 'tag' and 'confidence', found {_describe(item)}; "
                       "accept or reject suggestions with python -m generator tags review, or remove the entry")
            continue
        tag, confidence = item["tag"], item["confidence"]
        if not isinstance(tag, str) or tag not in tag_names or tag == UNTAGGED:
            add(f"{where}.tag", f"{tag!r} is not a tag in taxonomy.yml; remove the entry")
        if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
            add(f"{where}.confidence", f"expected a number from 0 to 1, found {_describe(confidence)}")


@dataclass(frozen=True)
class Collection:
    papers: tuple[Paper, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.warning)


def load_collection(papers_dir: Path, taxonomy, root: Path | None = None) -> Collection:
    """Read and check every paper file; return the valid papers and every problem found.
    Duplicates are looked for among every file with a title, valid or not."""
    root = root or Path.cwd()
    tag_names = frozenset(taxonomy.names)
    papers: list[Paper] = []
    problems: list[Problem] = []
    entries: list[_Entry] = []
    for path in sorted(papers_dir.glob("*.md")):
        shown = _shown(path, root)
        try:
            text = _read(path, shown)
            parsed = frontmatter.parse(text, shown)
        except InputError as error:
            fix = f" ({error.fix})" if error.fix else ""
            problems.append(Problem(shown, error.line or 1, "", error.message + fix))
            continue
        found = check_paper(shown, parsed, tag_names, taxonomy.suggest)
        problems.extend(found)
        entry = _entry(shown, parsed)
        if entry:
            entries.append(entry)
        if not found:
            papers.append(from_front_matter(path.stem, parsed.meta, parsed.body))
    problems.extend(find_duplicates(entries))
    return Collection(tuple(papers), tuple(sorted(problems)))


@dataclass(frozen=True)
class _Entry:
    """What duplicate detection needs from one paper file."""

    file: str
    title: str
    arxiv: str | None
    doi: str | None
    lines: dict[str, int]


def _entry(file: str, parsed: frontmatter.PaperFile) -> _Entry | None:
    meta = parsed.meta
    title = meta.get("title")
    if not isinstance(title, str) or not normalize_title(title):
        return None

    def text(key: str) -> str | None:
        value = meta.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    return _Entry(file, title, text("arxiv"), text("doi"), parsed.key_lines)


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


def find_duplicates(entries: list[_Entry]) -> list[Problem]:
    """Same normalised title, arXiv id or DOI: errors. Near-identical titles: warnings."""
    problems: list[Problem] = []
    groups: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
    for entry in entries:
        for key in duplicate_keys(entry.title, entry.arxiv, entry.doi):
            groups[key].append(entry)

    exact_pairs: set[tuple[str, str]] = set()
    for (kind, _), members in sorted(groups.items()):
        first = members[0]
        for other in members[1:]:
            exact_pairs.add((first.file, other.file))
            value = {"title": first.title, "arxiv": first.arxiv, "doi": first.doi}[kind]
            problems.append(Problem(other.file, other.lines.get(kind, 2), kind,
                                    f"same {kind} as {first.file} ({_short(str(value))!r}); "
                                    "the paper is already in the collection: remove one of the two files"))
    ordered = sorted(entries, key=lambda e: e.file)
    files = [e.file for e in ordered]
    titles = [normalize_title(e.title) for e in ordered]
    for i, j in similar_pairs(titles, titles):
        if i < j and (files[i], files[j]) not in exact_pairs:
            other = ordered[j]
            problems.append(Problem(
                other.file, other.lines.get("title", 2), "title",
                f"possible duplicate of {files[i]} (near-identical title); "
                "remove one if they are the same paper", warning=True))
    return problems
