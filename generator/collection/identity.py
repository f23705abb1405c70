"""A paper's identity and its file on disk: the one rule that decides "same paper".

Import, `add`, `enrich`, `remove` (removed.yml), `validate` and `pr-report` all ask this module;
no other module compares papers. The rule, in order (`judge`):

1. The same arXiv id (without version; old style ``quant-ph/0210005`` too) or the same DOI
   (normalised): the same paper, whatever the titles ("same arXiv id 0808.0631", "same DOI ...").
   A retitled version is merged; its title is kept in the file's ``sources:``.
2. Different arXiv ids, or different DOIs: different papers, whatever the titles.
3. No identifier to compare: the same normalised title (the file's, or one its sources read) is the
   same paper ("same title and first author") unless the first authors differ, the title is generic
   (`GENERIC_TITLES`: Comment, Rejoinder, Reply, Erratum, ...) or the years are more than a year
   apart; then both are kept and reported as a possible duplicate.
4. The same abstract under another title, with no conflicting identifier: the same paper.

Besides the rule, a paper file as the collection's readers see it (`PaperFile`: front matter read
leniently, the abstract read when needed), reading one leniently or strictly, and merging a record
into one (`merge`: fill what the file lacks, never change a present value).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from paper_collection.collection import frontmatter
from paper_collection.collection.identifiers import arxiv_id, clean_doi
from paper_collection.collection.paper import (
    FIELD_NAMES,
    Paper,
    Source,
    normalize_abstract,
    normalize_title,
    to_front_matter,
)
from paper_collection.collection.slugs import unique_slug
from paper_collection.errors import InputError

# Titles many different papers carry: the same one proves nothing without an identifier. A title is
# generic when it is one of these words, or starts with one followed by a colon, a dash, a bracket or
# "on/to/of/for" ("Comment: The 2005 Neyman Lecture", "Reply to ...", "Erratum to ..."), or ends in
# "book review"; not when the word starts an ordinary title ("Index Coding", "Response Surfaces").
GENERIC_TITLES = (
    "comment", "comments", "rejoinder", "discussion", "invited discussion", "reply", "response", "editorial",
    "guest editorial", "editor's note", "editors' note", "preface", "foreword", "introduction", "erratum",
    "errata", "corrigendum", "corrigenda", "correction", "addendum", "retraction", "book review",
    "book reviews", "letter to the editor", "obituary", "in memoriam", "editorial board", "announcement",
    "acknowledgment", "acknowledgement", "acknowledgments", "acknowledgements", "contents", "table of contents",
    "front matter", "back matter", "index", "abstracts", "conclusion", "conclusions", "summary", "commentary",
)
_GENERIC = re.compile(
    r"^\W*(?:" + "|".join(re.escape(t).replace("\\ ", r"\s+") for t in sorted(GENERIC_TITLES, key=len, reverse=True))
    + r")(?:\W*$|\s*[:.\-\u2013\u2014(\[]|\s+(?:on|to|of|for|regarding)\b)", re.IGNORECASE)
# An abstract this short ("TBD", "No abstract available.") may be shared by unrelated papers.
MIN_SHARED_ABSTRACT_WORDS = 8
# Years further apart than this are not one paper's versions, whatever the title says.
MAX_YEARS_APART = 1


def is_generic_title(title: str) -> bool:
    """Whether a title (as written) is one many papers share (`GENERIC_TITLES`)."""
    return bool(_GENERIC.match(title)) or normalize_title(title).endswith(" book review")


def normal_arxiv(value: object) -> str | None:
    """An arXiv id as compared: without prefix or version, lower case; None when it is none."""
    found = arxiv_id(value) if isinstance(value, str) else None
    return found.lower() if found else None


def normal_doi(value: object) -> str | None:
    """A DOI as compared: without ``doi:``/doi.org prefix, lower case (DOIs ignore case); else None."""
    found = clean_doi(value) if isinstance(value, str) else None
    return found.lower() if found else None


def surname(name: object) -> str | None:
    """The family name of an author as compared: accents, case and punctuation ignored;
    "Künsch, H. R." and "Hans R. Künsch" give "kunsch"."""
    if not isinstance(name, str) or not name.strip():
        return None
    family = name.split(",")[0] if "," in name else name.split()[-1]
    folded = unicodedata.normalize("NFKD", family).casefold()
    return "".join(ch for ch in folded if ch.isalnum()) or None


def abstract_key(abstract: str | None) -> str | None:
    """The normalised abstract as a 128-bit digest, when long enough to tell papers apart (an import
    of 100,000 papers keeps one per paper, and abstracts are long)."""
    if not abstract:
        return None
    text = normalize_abstract(abstract)
    if text.count(" ") + 1 < MIN_SHARED_ABSTRACT_WORDS:
        return None
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class Identity(NamedTuple):
    """What recognises a paper. A tuple: one is kept per paper, in memory and in the import index."""

    titles: tuple[str, ...]  # normalised: the paper's title, then the other titles its sources read
    arxiv: str | None = None
    doi: str | None = None
    first_author: str | None = None  # `surname`
    year: int | None = None
    abstract: str | None = None  # `abstract_key`
    generic: tuple[str, ...] = ()  # those of `titles` that are generic (`is_generic_title`, judged as written)

    def keys(self) -> Iterator[tuple[str, str]]:
        """Where to look for papers that may be this one (each is then judged by `judge`)."""
        if self.arxiv:
            yield ("arxiv", self.arxiv)
        if self.doi:
            yield ("doi", self.doi)
        for title in self.titles:
            yield ("title", title)
        if self.abstract:
            yield ("abstract", self.abstract)

    def label(self) -> str:
        """The identifier that names the paper in a message: arXiv id, else DOI, else ''."""
        return f"arXiv {self.arxiv}" if self.arxiv else f"DOI {self.doi}" if self.doi else ""


def identity(title: str, arxiv: str | None = None, doi: str | None = None, authors: Iterable[object] = (),
             year: object = None, abstract: str | None = None, source_titles: Iterable[object] = ()) -> Identity:
    written = [x for x in (title, *source_titles) if isinstance(x, str)]
    titles = dict.fromkeys(t for t in map(normalize_title, written) if t)
    generic = dict.fromkeys(normalize_title(x) for x in written if is_generic_title(x))
    first = next(iter(authors), None)
    return Identity(tuple(titles), normal_arxiv(arxiv), normal_doi(doi), surname(first),
                    year if isinstance(year, int) and not isinstance(year, bool) else None, abstract_key(abstract),
                    tuple(t for t in generic if t))


def paper_identity(paper: Paper) -> Identity:
    return identity(paper.title, paper.arxiv, paper.doi, paper.authors, paper.year,
                    None if paper.abstract_missing else paper.abstract, (s.title for s in paper.sources))


def meta_identity(meta: dict, body: str | None) -> Identity:
    """A paper file's identity from its front matter, read leniently (a wrong value counts as absent)."""
    title = meta.get("title")
    sources = meta.get("sources")
    authors = meta.get("authors")
    return identity(title if isinstance(title, str) else "", meta.get("arxiv"), meta.get("doi"),
                    authors if isinstance(authors, list) else (), meta.get("year"),
                    None if meta.get("abstract_missing") is True else body,
                    (s.get("title") for s in sources if isinstance(s, dict)) if isinstance(sources, list) else ())


class Verdict(NamedTuple):
    same: bool
    reason: str  # why they are one paper, or why they may be ("same title, but the first authors differ")
    possible: bool = False  # kept apart, reported as a possible duplicate


def judge(a: Identity, b: Identity) -> Verdict | None:
    """Whether `a` and `b` are one paper (the module's rule); None when nothing relates them."""
    if a.arxiv and a.arxiv == b.arxiv:
        return Verdict(True, f"same arXiv id {a.arxiv}")
    if a.arxiv and b.arxiv:
        return Verdict(False, f"the arXiv ids differ ({a.arxiv}, {b.arxiv})")
    if a.doi and a.doi == b.doi:
        return Verdict(True, f"same DOI {a.doi}")
    if a.doi and b.doi:
        return Verdict(False, f"the DOIs differ ({a.doi}, {b.doi})")
    title = next((t for t in a.titles if t in b.titles), None)
    if title is not None:
        doubt = _doubt(a, b, title)
        if doubt and a.abstract and a.abstract == b.abstract and not doubt.startswith("the first authors"):
            return Verdict(True, "same title and abstract")  # a generic title, or years apart: the abstract decides
        if doubt:
            return Verdict(False, f"same title, but {doubt}", possible=True)
        return Verdict(True, "same title and first author" if a.first_author and b.first_author else "same title")
    if a.abstract and a.abstract == b.abstract:
        return Verdict(True, "same abstract")
    return None


def _doubt(a: Identity, b: Identity, title: str) -> str | None:
    """Why the same title does not make `a` and `b` one paper, or None."""
    if title in a.generic or title in b.generic:
        return "a title many papers share"
    if a.first_author and b.first_author and a.first_author != b.first_author:
        return f"the first authors differ ({a.first_author}, {b.first_author})"
    if a.year and b.year and abs(a.year - b.year) > MAX_YEARS_APART:
        return f"the years differ ({a.year}, {b.year})"
    return None


def reason_kind(reason: str) -> str:
    """A `Verdict.reason` without its values, for counting: "same arXiv id", "same DOI", ..."""
    for kind in ("same arXiv id", "same DOI", "same title and first author", "same title and abstract", "same title",
                 "same abstract"):
        if reason.startswith(kind):
            return kind
    return reason


def paper_address(paper: Paper, taken: set[str] | frozenset[str], base: str | None = None) -> str:
    """A new paper's address (file name): the title's slug; for papers sharing a title, qualified by
    `address_qualifiers`. A generic title ("Comment: ...", `GENERIC_TITLES`) is always qualified, so
    the addresses of the papers that share it do not depend on the order they arrive in."""
    return unique_slug(paper.title, taken, base, address_qualifiers(paper), qualify=is_generic_title(paper.title))


def address_qualifiers(paper: Paper) -> tuple[str | None, ...]:
    """What tells apart the addresses of papers sharing a title (`slugs.unique_slug`), in order: the
    first author's surname, the year, the identifier. Taken from the paper itself, never from the
    order papers arrive in."""
    return (surname(paper.authors[0]) if paper.authors else None, str(paper.year) if paper.year else None,
            paper.arxiv or paper.doi)


# How strongly a reason proves one paper: an identifier beats a title, a title beats an abstract.
def _strength(reason: str) -> int:
    return 2 if reason.startswith(("same arXiv", "same DOI")) else 1 if reason.startswith("same title") else 0


@dataclass
class Match:
    """What an index knows of an incoming paper (`IdentityIndex.match`)."""

    same: Any = None  # the one entry that is the same paper, or None
    reason: str = ""  # why (`Verdict.reason`)
    conflict: list[tuple[Any, str]] | None = None  # entries it matches equally strongly: merged into none
    possible: list[tuple[Any, str]] | None = None  # entries kept apart, to note as possible duplicates
    apart: list[tuple[Any, str]] | None = None  # same title, told apart by identifiers: worth a note


class IdentityIndex:
    """Entries (anything with an ``identity``) by the keys that may recognise them; `match` judges."""

    def __init__(self) -> None:
        # A key -> its entry, or a list of entries when papers share it (same-title papers): most keys
        # have one, and an import of 100,000 papers keeps a key per paper.
        self.by_key: dict[tuple[str, str], Any] = {}

    def add(self, entry: Any, keys: Iterable[tuple[str, str]] | None = None) -> None:
        for key in entry.identity.keys() if keys is None else keys:
            held = self.by_key.get(key)
            if held is None:
                self.by_key[key] = entry
            elif isinstance(held, list):
                if not any(other is entry for other in held):
                    held.append(entry)
            elif held is not entry:
                self.by_key[key] = [held, entry]

    def discard(self, entry: Any) -> None:
        for key in entry.identity.keys():
            held = self.by_key.get(key)
            if held is entry:
                del self.by_key[key]
            elif isinstance(held, list):
                rest = [other for other in held if other is not entry]
                if rest:
                    self.by_key[key] = rest[0] if len(rest) == 1 else rest
                else:
                    del self.by_key[key]

    def _held(self, key: tuple[str, str | None]) -> list[Any]:
        held = self.by_key.get(key) if key[1] else None  # type: ignore[arg-type]
        return held if isinstance(held, list) else [] if held is None else [held]

    def candidates(self, ident: Identity) -> list[Any]:
        found: list[Any] = []
        for key in ident.keys():
            held = self.by_key.get(key)
            for entry in held if isinstance(held, list) else (() if held is None else (held,)):
                if not any(other is entry for other in found):
                    found.append(entry)
        return found

    def match(self, ident: Identity, skip: Any = None) -> Match:
        """The entry `ident` is the same paper as; or the entries it matches equally (a conflict), and
        the ones it may duplicate. ``skip``: an entry not to compare with (the paper itself)."""
        same: list[tuple[Any, str]] = []
        result = Match()
        named = [(entry, f"same arXiv id {ident.arxiv}") for entry in self._held(("arxiv", ident.arxiv))] + [
            (entry, f"same DOI {ident.doi}") for entry in self._held(("doi", ident.doi))]
        if len({id(entry) for entry, _ in named if entry is not skip}) > 1:
            # Its arXiv id is one paper's and its DOI another's (or two files share one): which is it?
            result.conflict = [(entry, reason) for entry, reason in named if entry is not skip]
            return result
        for entry in self.candidates(ident):
            if entry is skip:
                continue
            verdict = judge(ident, entry.identity)
            if verdict is None:
                continue
            if verdict.same:
                same.append((entry, verdict.reason))
            elif verdict.possible:
                result.possible = [*(result.possible or []), (entry, verdict.reason)]
            elif set(ident.titles) & set(entry.identity.titles):
                result.apart = [*(result.apart or []), (entry, verdict.reason)]
        if same:
            best = max(_strength(reason) for _, reason in same)
            strongest = [(entry, reason) for entry, reason in same if _strength(reason) == best]
            if len(strongest) == 1:
                result.same, result.reason = strongest[0]
            else:
                result.conflict = strongest
        return result


# -- a paper file --------------------------------------------------------------------------------

# Fields an import may fill when the paper file lacks them; present values are never changed.
FILLABLE = ("authors", "year", "month", "day", "venue", "arxiv", "doi", "keywords", "links")
# Fields whose differing values are reported when a new source meets a file.
COMPARED = ("title", "authors", "year", "month", "day", "venue", "arxiv", "doi")


def pack(meta: dict) -> bytes:
    """A front matter as a new paper keeps it until written: pickled and compressed (40 % smaller)."""
    return zlib.compress(pickle.dumps(meta, pickle.HIGHEST_PROTOCOL))


class PaperFile:
    """A paper file as the collection's tools see it (or one an import is about to write).

    Kept small, since an import of 100,000 papers keeps one per paper: slots; a new paper's front
    matter can be kept packed (`pack`), as the worker that made its file sent it, and made a dict
    only when asked for; its abstract is not kept once its file is staged (`staged`): it is read
    back from the file in the rare case it is needed (a merge, the tag model)."""

    __slots__ = ("_path", "_folder", "_slug", "_meta", "_packed", "_body", "staged", "digest", "read_by", "new",
                 "identity")

    def __init__(self, path: Path | None, meta: dict | None, body: str | None = None,
                 read_by: tuple[tuple[str, str], ...] = (), new: bool = False,
                 identity: Identity | None = None, *, packed: bytes | None = None,
                 staged: str | None = None, digest: bytes = b"", folder: Path | None = None,
                 slug: str = "") -> None:
        self._path = path  # or None: the file is ``folder/slug.md`` (no Path object kept per new paper)
        self._folder, self._slug = folder, slug
        self._meta = meta
        self._packed = packed  # the packed front matter, when `meta` is None
        self._body = body  # None: not read yet; see `body`
        self.staged = staged  # where a new paper's text waits to be moved into place
        self.digest = digest  # of the staged text's bytes (the import index)
        self.read_by = read_by  # (input file, "file:line") pairs, this import only
        self.new = new  # written by this import
        self.identity = identity if identity is not None else meta_identity(self.meta, self.body)

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else self._folder / f"{self._slug}.md"

    @property
    def key(self) -> str:
        """The file's path as text: how a run's files to write are keyed."""
        return str(self._path) if self._path is not None else os.path.join(str(self._folder), f"{self._slug}.md")

    @property
    def packed(self) -> bool:
        """Its front matter is a new paper's, kept packed (made from a record: no aliases)."""
        return self._packed is not None

    @property
    def meta(self) -> dict:
        if self._meta is None:
            return pickle.loads(zlib.decompress(self._packed))  # made by this run's own workers
        return self._meta

    @meta.setter
    def meta(self, value: dict) -> None:
        self._meta, self._packed = value, None

    def pack(self, meta: dict) -> None:
        """Keep `meta` as new papers keep theirs: packed (`pack`)."""
        self._meta, self._packed = None, pack(meta)

    def read_in(self, file: str) -> str | None:
        """Where (file:line) this import read the paper in input `file`, if it did."""
        return next((where for name, where in self.read_by if name == file), None)

    @property
    def title(self) -> str:
        title = self.meta.get("title")
        return title if isinstance(title, str) else ""

    @property
    def body(self) -> str:
        """The abstract, read from the file when first asked for (only merges and the tag model need it)."""
        if self._body is not None:
            return self._body
        path = Path(self.staged) if self.staged else self.path
        try:
            body = frontmatter.split(path.read_text(encoding="utf-8"), str(path))[1].strip("\n")
        except (InputError, UnicodeDecodeError, OSError):
            body = ""
        if self.staged is None:
            self._body = body
        return body


def parse_meta(text: str, path: Path) -> tuple[dict, str] | None:
    """(front matter, body) of a paper file's text, read leniently; None when it cannot be read."""
    try:
        yaml_text, body, _ = frontmatter.split(text, str(path))
        meta = frontmatter.load(yaml_text)
    except (InputError, yaml.YAMLError, RecursionError, ValueError):
        return None  # ValueError: PyYAML's for impossible dates and huge integers
    return (meta, body.strip("\n")) if isinstance(meta, dict) else None


def load_meta(path: Path) -> tuple[dict, str] | None:
    """(front matter, body) of a paper file, read leniently with the fast (libyaml) loader: enough to
    recognise the paper. None for a file that cannot be read; `validate` reports those."""
    try:
        return parse_meta(path.read_text(encoding="utf-8"), path)
    except (UnicodeDecodeError, OSError):
        return None


def read_paper_file(path: Path) -> PaperFile | None:
    """The paper file at `path`, read leniently; None when its front matter cannot be read."""
    loaded = load_meta(path)
    return None if loaded is None else PaperFile(path, *loaded)


def strictly_readable(path: Path) -> bool:
    """Whether the strict loader (validate's) accepts the file: only such files are ever rewritten."""
    try:
        frontmatter.parse(path.read_text(encoding="utf-8"), str(path))
    except (InputError, UnicodeDecodeError, OSError, ValueError):
        return False
    return True


def merge(existing: PaperFile, incoming: Paper, fields: tuple[str, ...] = FILLABLE,
          record_title: bool = False) -> tuple[dict, list[str], list[str]]:
    """Fill fields (of `fields`) the file lacks from `incoming`; never change a present value
    (``links: []`` is present). With `record_title`, a title the file does not know yet (a retitled
    version, the journal's title) is kept in ``sources`` ("sources" is then among the filled), so
    the file recognises it next time. Returns (new front matter, filled field names, conflicts)."""
    meta = dict(existing.meta)
    data = to_front_matter(incoming)
    filled = [name for name in fields if name in data and name not in meta]
    for name in filled:
        meta[name] = data[name]
    retitled = record_title and normalize_title(incoming.title) not in existing.identity.titles
    if (filled or retitled) and not has_source(meta, incoming.sources[0]):
        meta["sources"] = [*(meta.get("sources") or []), *data["sources"]]
        if retitled:
            filled.append("sources")
    ordered = {k: meta[k] for k in FIELD_NAMES if k in meta}
    ordered.update((k, v) for k, v in meta.items() if k not in ordered)
    return ordered, filled, conflicts(existing.meta, data)


def conflicts(meta: dict, data: dict) -> list[str]:
    """The values of `COMPARED` fields in which a record (`data`) differs from a file (`meta`)."""
    found = []
    for name in COMPARED:
        if name not in meta or name not in data:
            continue
        ours, theirs = meta[name], data[name]
        if name == "title":
            known = [ours, *(s.get("title") for s in meta.get("sources") or [] if isinstance(s, dict))]
            differs = normalize_title(theirs) not in {normalize_title(t) for t in known if isinstance(t, str)}
        elif name == "authors":
            differs = [normalize_title(str(a)) for a in ours or []] != [normalize_title(a) for a in theirs]
        else:
            differs = ours != theirs
        if differs:
            found.append(f"{name}: the file has {ours!r}, the input has {theirs!r}")
    return found


def has_source(meta: dict, source: Source, line: bool = False) -> bool:
    """Whether the file records `source` already (the same input file and title as read; with
    `line`, at the same line too: the very record, read again)."""
    return any(isinstance(item, dict) and Path(str(item.get("file", ""))).name == Path(source.file).name
               and item.get("title") == source.title and (not line or item.get("line") == source.line)
               for item in meta.get("sources") or [])
