"""Check paper files against the declared schema and against each other.

Every problem is collected; each names the file, the line, the field and the fix, e.g.
``content/papers/foo.md:4: tags[1]: 'vison' is not a tag; did you mean 'vision'?``
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from paper_collection import datafile
from paper_collection.collection import frontmatter
from paper_collection.collection.identifiers import ARXIV_ID, DOI, YEARS
from paper_collection.collection.identity import Identity, judge, meta_identity, reason_kind
from paper_collection.collection.model import LINK_KINDS, Link
from paper_collection.collection.paper import (
    FIELD_NAMES,
    FIELDS,
    Paper,
    Source,
    SuggestedTag,
    added_problem,
    author_problem,
    day_problem,
    from_front_matter,
    is_web_url,
    normalize_title,
)
from paper_collection.collection.removed import REMOVED_FILE, RemovedIndex, load_removed
from paper_collection.collection.similar import similar_pairs
from paper_collection.collection.slugs import base_slug, slug_problem
from paper_collection.collection.taxonomy import UNTAGGED
from paper_collection.errors import GeneratorError, InputError
from paper_collection.parallel import map_shares
from paper_collection.settings import code_fingerprint


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
        wrong = added_problem(added)
        if wrong:
            add("added", f"{wrong}; write added: 'YYYY-MM-DD'" if "not a date" in wrong else wrong)
    in_range: dict[str, int] = {}
    for name, low, high in (("month", 1, 12), ("day", 1, 31), ("year", *YEARS)):
        value = meta.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            if low <= value <= high:
                in_range[name] = value
            else:
                add(name, f"{value} is out of range {low}-{high}")
    _check_date(meta, in_range, add)
    if isinstance(meta.get("arxiv"), str) and meta["arxiv"].strip() and not ARXIV_ID.match(meta["arxiv"]):
        add("arxiv", f"'{meta['arxiv']}' is not an arXiv id like '2401.10010' (no 'arXiv:' prefix, no version)")
    if isinstance(meta.get("doi"), str) and meta["doi"].strip() and not DOI.match(meta["doi"]):
        add("doi", f"'{meta['doi']}' is not a DOI like '10.1000/xyz123' (no 'https://doi.org/' prefix)")

    authors = meta.get("authors")
    if isinstance(authors, list):
        for index, author in enumerate(authors):
            wrong = author_problem(author) if isinstance(author, str) else None
            if wrong:
                field = f"authors[{index}]"
                problems.append(Problem(file, item_lines.get(field) or lines.get("authors", 2), field,
                                        f"this entry {wrong}", warning=True))

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
    wrong = slug_problem(stem)
    if wrong:
        better = base_slug(stem) if stem.strip() else base_slug(title if isinstance(title, str) else "")
        problems.append(Problem(file, 1, "file name",
                                f"'{stem}.md' cannot be a paper's address: {wrong}; rename it to '{better}.md'"))
    aliases = meta.get("aliases")
    if isinstance(aliases, list):
        for index, alias in enumerate(aliases):
            if not isinstance(alias, str) or not alias.strip():
                continue
            wrong = slug_problem(alias)
            if wrong:
                add(f"aliases[{index}]", f"'{alias}' is not an old file name: {wrong}")
            elif alias == stem:
                add(f"aliases[{index}]", f"'{alias}' is this file's own name; remove it from aliases")
    return problems


def _check_date(meta: dict[str, Any], known: dict[str, int], add) -> None:
    """The publication day must exist: it needs a month, and that month must have it."""
    if "day" not in known or ("month" in meta and "month" not in known):
        return  # no day, or a month already reported as wrong
    problem = day_problem(known.get("year"), known.get("month"), known["day"])
    if problem:
        add("day", problem)


def _check_suggested(value: Any, tag_names: frozenset[str], add) -> None:
    """``tags_suggested``: a list of {tag, confidence} written by the importer's tag model."""
    if not isinstance(value, list):
        return  # absent, or not a list: the schema check reported it
    for index, item in enumerate(value):
        where = f"tags_suggested[{index}]"
        if not isinstance(item, dict) or set(item) != {"tag", "confidence"}:
            add(where, f"expected a mapping with 'tag' and 'confidence', found {_describe(item)}; "
                       "accept or reject suggestions with paper-collection tags review, or remove the entry")
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


class CheckMemo:
    """Each paper file's own check, kept between checks of one collection: a file whose size,
    times and inode are unchanged is not read again, and near-identical titles are looked for
    only for the files that changed. Kept in memory by the `serve` preview, and on disk (`load`,
    `save`, in the git-ignored cache folder) between runs of `build` and `validate`: as JSON
    (`datafile`), so that a cache folder restored from elsewhere runs no code when read."""

    VERSION = 3  # bump when what is kept changes shape (3: a line a file)

    def __init__(self) -> None:
        # path -> (stat signature, digest of its bytes, _check_file result)
        self.files: dict[Path, tuple[tuple | None, str | None, tuple]] = {}
        self.context: str | None = None  # a digest of what every file's check depends on besides the file
        self.near: set[tuple[str, str]] | None = None  # the near-identical titles found last time
        self.updated = True  # by the last check: worth saving

    @classmethod
    def load(cls, path: Path) -> CheckMemo:
        """The memo a run saved at `path` with this very code, or an empty one (also when the file
        is missing, corrupt, of an older version or made by other code)."""
        if os.environ.get("PAPER_COLLECTION_NO_CACHE"):
            return cls()
        lines = datafile.read_lines(path, "checks", cls.VERSION, code_fingerprint())
        if lines is None:
            return cls()
        files: dict = {}
        try:
            context, near = _CODEC.decode(next(lines))
            if not isinstance(context, str) or not isinstance(near, set | None):
                return cls()
            for line in lines:  # a file at a time: at 50,000 papers the whole file decoded at once took 1.3 GB
                file, signature, digest, result = _CODEC.decode(line)
                found, entry, paper = result
                if not (isinstance(file, Path) and isinstance(signature, tuple | None)
                        and isinstance(digest, str | None) and isinstance(found, list)
                        and isinstance(entry, _Entry | None) and isinstance(paper, Paper | None)
                        and all(isinstance(problem, Problem) for problem in found)):
                    return cls()
                files[file] = (signature, digest, result)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, StopIteration):
            return cls()
        finally:
            lines.close()
        memo = cls()
        memo.files, memo.context, memo.near, memo.updated = files, context, near, False
        return memo

    def must_save(self, path: Path) -> bool:
        """Whether `save` would write: the checks changed, or were never kept."""
        return self.updated or not path.exists()

    def save(self, path: Path) -> None:
        if not self.must_save(path):
            return
        encode = _CODEC.encode
        datafile.write_lines(path, "checks", self.VERSION, chain(
            [encode((self.context, self.near))],
            (encode((file, signature, digest, result)) for file, (signature, digest, result) in self.files.items())),
            code_fingerprint())


def _check_context(root: Path, tag_names: frozenset, taxonomy) -> str:
    """A digest of what every file's check depends on besides the file: the project folder and
    the taxonomy (each pattern whole: a pattern's repr is cut short)."""
    digest = hashlib.sha256()
    parts = [str(root), sorted(tag_names)]
    for tag in taxonomy.tags:
        parts.append([tag.name, tag.title, tag.description, tag.min_abstract_hits,
                      *([(p.pattern, int(p.flags)) for p in patterns]
                        for patterns in (tag.title_patterns, tag.abstract_patterns, tag.exclude_patterns))])
    digest.update(json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _file_digest(path: Path) -> str | None:
    """A digest of a file's bytes (None: unreadable, so checked again)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def file_signature(path: Path) -> tuple:
    """What changes whenever a file's content can have changed (a file is read again when it does)."""
    stat = path.stat()  # the change time too: an edit that keeps size and modification time still changes it
    return stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino, stat.st_dev


def load_collection(papers_dir: Path, taxonomy, root: Path | None = None, memo: CheckMemo | None = None,
                    base: str | None = None) -> Collection:
    """Read and check every paper file; return the valid papers and every problem found.
    Duplicates are looked for among every file with a title, valid or not. Files under the docs
    folder (`papers_dir`'s parent) that are not paper files in the right place are problems too,
    and `removed.yml` (at `root`) says which addresses and papers are gone for good. With a
    `memo`, unchanged files are not read again (see CheckMemo). Given the base branch (`base`, a
    git commit), of two duplicates the file the base lacks is the one told to go (see _Newness)."""
    root = root or Path.cwd()
    tag_names = frozenset(taxonomy.names)
    papers: list[Paper] = []
    problems: list[Problem] = []
    entries: list[_Entry] = []
    removed = _removed(root, problems)

    def check_files(paths: list[Path]) -> list[tuple[list[Problem], _Entry | None, Paper | None]]:
        return [_check_file(path, root, tag_names, taxonomy) for path in paths]

    paths = _paper_paths(papers_dir)
    changed: set[str] | None = None  # shown names of files read again; None: every file
    if memo is None:
        # Each file on its own first (in worker processes for a large collection), then across files.
        results = map_shares(check_files, paths, what="reading paper files")
    else:
        context = _check_context(root, tag_names, taxonomy)
        if memo.context != context:
            memo.files.clear()
            memo.context = context
        signatures = {}
        for path in paths:
            with contextlib.suppress(OSError):
                signatures[path] = file_signature(path)
        stale = [p for p in paths if p not in memo.files or memo.files[p][0] != signatures.get(p)]
        # A file whose times or inode changed but whose bytes did not keeps its check: after a fresh
        # checkout (CI restores the memo from its cache) every file's times are new.
        digests = {p: _file_digest(p) for p in stale}
        stale = [p for p in stale if p not in memo.files or digests[p] is None or memo.files[p][1] != digests[p]]
        memo.updated = bool(digests) or len(memo.files) != len(paths) or memo.near is None
        fresh = dict(zip(stale, map_shares(check_files, stale, what="reading paper files"), strict=True))
        changed = {_shown(p, root) for p in stale} if len(stale) < len(paths) else None
        memo.files = {p: (signatures.get(p), digests[p] if p in digests else memo.files[p][1],
                          fresh[p] if p in fresh else memo.files[p][2]) for p in paths}
        results = [memo.files[p][2] for p in paths]
    for found, entry, paper in results:
        problems.extend(found)
        if entry:
            entries.append(entry)
        if paper is not None:
            papers.append(paper)
    problems.extend(stray_files(papers_dir.parent, papers_dir, root))
    newness = _Newness(root, base)
    near = near_title_pairs(entries, changed, memo.near if memo is not None else None)
    if memo is not None:
        memo.near = near
    problems.extend(find_duplicates(entries, newness, near))
    problems.extend(check_addresses(entries, removed, newness))
    return Collection(tuple(papers), tuple(sorted(problems)))


def _paper_paths(papers_dir: Path) -> list[Path]:
    """`sorted(papers_dir.glob("*.md"))`, several times faster at 10,000 files."""
    try:
        with os.scandir(papers_dir) as entries:
            return sorted(papers_dir / entry.name for entry in entries if entry.name.endswith(".md"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _check_file(path: Path, root: Path, tag_names: frozenset, taxonomy) -> tuple[list[Problem], _Entry | None,
                                                                                Paper | None]:
    """One paper file's problems, what the checks across files need of it, and its paper when valid."""
    shown = _shown(path, root)
    try:
        text = _read(path, shown)
        parsed = frontmatter.parse(text, shown)
    except InputError as error:
        fix = f" ({error.fix})" if error.fix else ""
        return [Problem(shown, error.line or 1, getattr(error, "field", ""), error.message + fix)], None, None
    found = check_paper(shown, parsed, tag_names, taxonomy.suggest)
    # A warning (a possible duplicate, an odd author entry) never keeps a paper off the site.
    paper = None if any(not p.warning for p in found) else from_front_matter(path.stem, parsed.meta, parsed.body)
    return found, _entry(shown, path, parsed), paper


def _removed(root: Path, problems: list[Problem]) -> RemovedIndex:
    try:
        return load_removed(root / REMOVED_FILE)
    except InputError as error:
        fix = f" ({error.fix})" if error.fix else ""
        problems.append(Problem(REMOVED_FILE, error.line or 1, getattr(error, "field", ""), error.message + fix))
        return RemovedIndex()


@dataclass(frozen=True)
class _Entry:
    """What the checks across files need from one paper file."""

    file: str
    path: Path
    title: str
    arxiv: str | None
    doi: str | None
    added: str
    abstract: str
    aliases: tuple[str, ...]
    source_titles: tuple[str, ...]
    lines: dict[str, int]
    body_line: int
    # Made once per file (in the worker that read it, and kept by a CheckMemo): what the checks
    # across files compare.
    normalized_title: str = ""
    identity: Identity | None = None  # `collection.identity`: what recognises the paper

    @property
    def slug(self) -> str:
        return self.path.stem


# What a CheckMemo file may hold besides plain values: these classes and nothing else.
_CODEC = datafile.Codec(Problem, _Entry, Paper, Link, Source, SuggestedTag, Identity)


def _entry(file: str, path: Path, parsed: frontmatter.PaperFile) -> _Entry | None:
    meta = parsed.meta
    title = meta.get("title")
    if not isinstance(title, str) or not normalize_title(title):
        return None

    def text(key: str) -> str | None:
        value = meta.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def texts(values: Any) -> tuple[str, ...]:
        return tuple(v for v in values if isinstance(v, str) and v.strip()) if isinstance(values, list) else ()

    sources = meta.get("sources") if isinstance(meta.get("sources"), list) else []
    arxiv, doi = text("arxiv"), text("doi")
    return _Entry(file, path, title, arxiv, doi, text("added") or "",
                  parsed.body,
                  texts(meta.get("aliases")), texts([s.get("title") for s in sources if isinstance(s, dict)]),
                  parsed.key_lines, parsed.body_line, normalize_title(title), meta_identity(meta, parsed.body))


def _read(path: Path, shown: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(shown, line, "not UTF-8 text", fix="save the file as UTF-8") from None


def _shown(path: Path, root: Path) -> str:
    """The path as the contributor knows it: relative to the project when inside it."""
    folder = _shown_folder(path.parent.absolute(), root.absolute())  # absolute: a cache key whatever the cwd
    if folder is None:
        return path.as_posix()
    return path.name if folder == "." else f"{folder}/{path.name}"


@lru_cache(maxsize=1024)  # resolving every file's path again was a sixth of a check
def _shown_folder(folder: Path, root: Path) -> str | None:
    try:
        shown = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    return shown


# -- files in the wrong place ------------------------------------------------------------------


def stray_files(docs_dir: Path, papers_dir: Path, root: Path) -> list[Problem]:
    """Every file under the docs folder that is not a paper file directly in the papers folder:
    MkDocs would publish it as a bare page (or a loose file) that no tag page, search or export
    knows. Hidden files and folders are skipped, as MkDocs skips them."""
    problems: list[Problem] = []
    if not docs_dir.is_dir():
        return problems
    papers = papers_dir.resolve()
    papers_shown = _shown(papers_dir, root)
    for folder, folders, names in os.walk(docs_dir):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        here = Path(folder)
        resolved = here.resolve()
        for name in sorted(names):
            if name.startswith(".") or (resolved == papers and name.endswith(".md")):
                continue
            path = here / name
            stem, suffix = os.path.splitext(name)
            good = stem if not slug_problem(stem) else base_slug(stem)
            target = f"{papers_shown}/{good}.md"
            if suffix.lower() in (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt"):
                if resolved == papers:
                    message = f"a paper file's name ends in '.md'; rename it to {target}"
                elif papers in resolved.parents:
                    message = f"paper files go directly in {papers_shown}/, not in a subfolder; move it to {target}"
                else:
                    message = (f"only paper files belong under {_shown(docs_dir, root)}/, and they go in "
                               f"{papers_shown}/; move it to {target}")
            else:
                message = (f"not a paper file; only paper files ({papers_shown}/NAME.md) belong under "
                           f"{_shown(docs_dir, root)}/: move it to {target} if it is a paper, otherwise delete it")
            problems.append(Problem(_shown(path, root), 1, "file", message))
    return problems


# -- which file is the newer ---------------------------------------------------------------------


class _Newness:
    """Orders paper files from first to last to arrive: given the base branch (`base`, as a pull
    request's check does), a file the base has comes before one it lacks, whatever the dates or the
    clone's depth; then by git when the collection is in a git repository (a file not committed yet
    is the newest; otherwise the later commit that added it), then by `added`, then by name. Git is
    asked only when two files compete."""

    def __init__(self, root: Path, base: str | None = None) -> None:
        self.root = root
        self.base = base
        self._git: tuple[set[Path], dict[Path, int]] | None = None
        self._in_base: set[Path] | None = None

    def _load_git(self) -> tuple[set[Path], dict[Path, int]]:
        if self._git is None:
            self._git = (set(), {})
            try:
                top = self._run("rev-parse", "--show-toplevel").strip()
                tracked = self._run("ls-files", "-z", "--full-name", "--", ".").split("\0")
                history = self._run("log", "--diff-filter=A", "--format=@%ct", "--name-only", "-z", "--", ".")
            except (OSError, subprocess.SubprocessError):
                return self._git
            base = Path(top)
            added_at: dict[Path, int] = {}
            moment = 0
            for item in history.replace("\n", "\0").split("\0"):
                item = item.strip()
                if item.startswith("@") and item[1:].isdigit():
                    moment = int(item[1:])
                elif item:
                    added_at.setdefault((base / item).resolve(), moment)  # newest first: the latest addition
            self._git = ({(base / name).resolve() for name in tracked if name}, added_at)
        return self._git

    def _run(self, *args: str) -> str:
        result = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=self.root, capture_output=True,
                                text=True, check=True, timeout=120)
        return result.stdout

    def _load_base(self) -> set[Path]:
        """The files the base commit has (under the project folder): they were there first."""
        if self._in_base is None:
            assert self.base is not None
            try:
                top = Path(self._run("rev-parse", "--show-toplevel").strip())
                prefix = self._run("rev-parse", "--show-prefix").strip()
                listed = self._run("ls-tree", "-r", "-z", "--name-only", "--full-tree", f"{self.base}^{{commit}}",
                                   "--", prefix or ".")
            except (OSError, subprocess.SubprocessError):
                raise GeneratorError(f"--base {self.base}: not a commit git knows here; fetch the base branch "
                                     "first (git fetch origin main), or name another one (--base origin/main)"
                                     ) from None
            self._in_base = {(top / name).resolve() for name in listed.split("\0") if name}
        return self._in_base

    def key(self, entry: _Entry) -> tuple:
        path = entry.path.resolve()
        newcomer = (path not in self._load_base(),) if self.base else ()
        tracked, added_at = self._load_git()
        if tracked and path not in tracked:
            git_rank: tuple[int, int] = (1, 0)  # not committed yet: the newest
        else:
            git_rank = (0, added_at.get(path, 0))
        return (*newcomer, *git_rank, entry.added, entry.slug)  # by slug: 'name' before 'name-2'


def near_title_pairs(entries: list[_Entry], changed: set[str] | None = None,
                     previous: set[tuple[str, str]] | None = None) -> set[tuple[str, str]]:
    """The files whose titles are near-identical, as (file, file) pairs in name order. Given the
    files read again (`changed`) and the pairs found before (`previous`), only pairs with a
    changed file are looked for; the pairs of two unchanged files are those found before."""
    ordered = sorted(entries, key=lambda e: e.file)
    files = [e.file for e in ordered]
    titles = [e.normalized_title for e in ordered]
    if changed is None or previous is None:
        return {(files[i], files[j]) for i, j in similar_pairs(titles, titles) if i < j}
    present = set(files)
    pairs = {(a, b) for a, b in previous if a in present and b in present and a not in changed and b not in changed}
    rows = [i for i, name in enumerate(files) if name in changed]
    for q, j in similar_pairs([titles[i] for i in rows], titles):
        i = rows[q]
        if i != j:
            pairs.add((files[min(i, j)], files[max(i, j)]))
    return pairs


def find_duplicates(entries: list[_Entry], newness: _Newness | None = None,
                    near: set[tuple[str, str]] | None = None) -> list[Problem]:
    """Files that are one paper by the identity rule (`collection.identity.judge`: same arXiv id or DOI;
    same title and first author without identifiers to tell them apart; same abstract): errors,
    reported on the newer file, which is told to go. Files the rule keeps apart but doubts (the same
    generic title, or the same title by other first authors) and near-identical titles (`near`, from
    `near_title_pairs` when not given): warnings. Same-title papers with different ids: no problem."""
    problems: list[Problem] = []
    groups: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
    for entry in entries:
        if entry.identity is not None:
            for key in entry.identity.keys():
                groups[key].append(entry)

    order = newness.key if newness else (lambda e: (0, 0, e.added, e.slug))
    judged: set[tuple[str, str]] = set()  # (earlier, newer) pairs, in both orders
    reported: set[str] = set()  # newer files already told they duplicate another
    kinds = ("arxiv", "doi", "title", "abstract")
    shared = [(key, members) for key, members in groups.items() if len(members) > 1]
    fields = {"same arXiv id": "arxiv", "same DOI": "doi", "same abstract": "abstract"}
    for _, members in sorted(shared, key=lambda item: (kinds.index(item[0][0]), item[0][1])):
        members = sorted(members, key=order)
        for position, other in enumerate(members):
            if other.file in reported:
                continue
            for first in members[:position]:
                if (first.file, other.file) in judged:
                    continue
                judged.update(((first.file, other.file), (other.file, first.file)))
                verdict = judge(other.identity, first.identity)
                if verdict is None or not (verdict.same or verdict.possible):
                    continue
                field = fields.get(reason_kind(verdict.reason), "title")
                line = other.body_line if field == "abstract" else other.lines.get(field, 2)
                if verdict.same:
                    reported.add(other.file)
                    what = {"title": f"{verdict.reason} as {first.file} ({_short(first.title)!r})",
                            "abstract": f"the same abstract under another title as {first.file}"
                            }.get(field, f"{verdict.reason} as {first.file}")
                    problems.append(Problem(
                        other.file, line, field,
                        f"{what}: the paper is already in the collection; keep "
                        f"{first.file} (move anything this file adds into it) and delete this file"))
                    break
                problems.append(Problem(other.file, line, field,
                                        f"possible duplicate of {first.file} ({verdict.reason}); kept as two papers: "
                                        "remove one if they are the same paper", warning=True))
    by_file = {e.file: e for e in entries}
    for first, second in sorted(near_title_pairs(entries) if near is None else near):
        if (first, second) not in judged:
            other = by_file[second]
            problems.append(Problem(
                other.file, other.lines.get("title", 2), "title",
                f"possible duplicate of {first} (near-identical title); "
                "remove one if they are the same paper", warning=True))
    return problems


# -- addresses: old ones stay with their paper, removed ones stay gone ----------------------------


def check_addresses(entries: list[_Entry], removed: RemovedIndex, newness: _Newness | None = None) -> list[Problem]:
    """A paper's old addresses (`aliases`) keep leading to it: no other file may take one, and two
    papers may not claim the same. A removed paper's address is not reused by another paper's file
    (an alias may point it at the paper it duplicated), and a removed paper that comes back is
    pointed out."""
    problems: list[Problem] = []
    by_slug = {entry.slug: entry for entry in entries}
    claimed: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        for alias in dict.fromkeys(entry.aliases):
            claimed[alias].append(entry)
    order = newness.key if newness else (lambda e: (0, 0, e.added, e.slug))
    for alias, owners in sorted(claimed.items()):
        if len(owners) > 1:  # git is asked only when two papers compete
            owners = sorted(owners, key=order)
        holder = by_slug.get(alias)
        if holder is not None and holder not in owners:
            problems.append(Problem(
                holder.file, 1, "file name",
                f"'{alias}' is an old address of {owners[0].file} (in its aliases) and must keep leading there; "
                f"rename this file, e.g. to '{alias}-2.md'"))
        for other in owners[1:]:
            index = other.aliases.index(alias)
            problems.append(Problem(
                other.file, other.lines.get(f"aliases[{index}]", other.lines.get("aliases", 2)), f"aliases[{index}]",
                f"'{alias}' is already an old address of {owners[0].file}; remove it here"))
    for entry in entries:
        gone = removed.by_slug.get(entry.slug)
        same = removed.match(entry.identity) if entry.identity is not None else None
        if same is not None:
            problems.append(Problem(
                entry.file, entry.lines.get("title", 2), "title",
                f"this paper was {same.describe()} (removed.yml, slug '{same.slug}'); delete this file, or delete "
                "its entry in removed.yml if it should come back", warning=True))
        elif gone is not None and entry.slug not in claimed:  # a live paper's alias is reported above
            problems.append(Problem(
                entry.file, 1, "file name",
                f"'{entry.slug}' was the address of '{_short(gone.title)}', {gone.describe()}; "
                f"rename this file, e.g. to '{entry.slug}-2.md', so old links do not lead to another paper"))
    return problems
