"""`add`: write one new paper file from a title, an abstract and a few options.

The paper goes through the same pieces as an import (records.paper_from_record, the importer's
collection index and the identity rule of collection/identity.py, the taxonomy's rules, unique_slug,
frontmatter.dump) and is checked with `validate.check_paper`
before anything is written, so a file written by `add` always validates.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from paper_collection.atomic import workspace_for
from paper_collection.collection import frontmatter
from paper_collection.collection.identifiers import ISO_DATE, arxiv_id, clean_doi
from paper_collection.collection.identity import PaperFile, paper_address, paper_identity
from paper_collection.collection.links import classify
from paper_collection.collection.model import Link, Origin, RawRecord, Rejection
from paper_collection.collection.paper import (
    Paper,
    is_web_url,
    normalize_title,
    to_front_matter,
)
from paper_collection.collection.removed import REMOVED_FILE, RemovedIndex, load_removed
from paper_collection.collection.similar import similar_pairs
from paper_collection.collection.validate import check_paper
from paper_collection.errors import GeneratorError
from paper_collection.ingest import index_cache
from paper_collection.ingest.importer import CollectionIndex
from paper_collection.ingest.records import abstract_problem, paper_from_record
from paper_collection.ingest.tag_model import model_suggestions, needing_tags

# What a paper's `sources` entry says `add` read: the command, never the contributor's local file
# name (which the page would publish).
ADD_SOURCE = "paper-collection add"


@dataclass(frozen=True)
class AddResult:
    path: Path
    paper: Paper
    suggested: tuple[str, ...]  # the tags taxonomy.yml's rules suggest for this paper
    notes: tuple[str, ...]  # things worth a look (short abstract, possible duplicate)


def read_abstract(name: str | None) -> tuple[str, str]:
    """(text, source name) of the abstract: a file, or standard input for '-' (or None when
    something is piped in)."""
    if name is None and sys.stdin.isatty():
        raise GeneratorError("no abstract: give --abstract-file PATH, or '-' and pipe the abstract in")
    if name in (None, "-"):
        data = sys.stdin.buffer.read()
        shown = "stdin"
    else:
        try:
            data = Path(name).read_bytes()
        except OSError as error:
            raise GeneratorError(f"--abstract-file {name}: cannot read: {error.strerror}") from None
        shown = Path(name).name
    try:
        return data.decode("utf-8-sig"), shown
    except UnicodeDecodeError:
        raise GeneratorError(f"--abstract-file {name or '-'}: not UTF-8 text; save it as UTF-8") from None


def normalize_arxiv(value: str) -> str:
    """'arXiv:2401.10010v2' or an arxiv.org URL -> '2401.10010'; raises when it is no arXiv id."""
    found = arxiv_id(value)
    if not found:
        raise GeneratorError(f"--arxiv: '{value}' is not an arXiv id like '2401.10010'")
    return found


def normalize_doi(value: str) -> str:
    found = clean_doi(value)
    if not found:
        raise GeneratorError(f"--doi: '{value}' is not a DOI like '10.1000/xyz123'")
    return found


def _option_links(given: Iterable[tuple[str | None, str]]) -> tuple[Link, ...]:
    """Links given as options (kind None: classified from the URL); only http(s) is accepted."""
    links: list[Link] = []
    for option_kind, url in given:
        url = url.strip()
        if not is_web_url(url):
            option = f"--{option_kind}" if option_kind else "--link"
            raise GeneratorError(f"{option} '{url}': only http:// and https:// links are allowed")
        links.append(Link(kind=option_kind or classify(url), url=url))
    return tuple(links)


def _tags(taxonomy, given: Iterable[str], suggested: tuple[str, ...]) -> tuple[str, ...]:
    tags: list[str] = []
    for name in given:
        name = name.strip()
        if taxonomy.get(name) is None:
            guess = taxonomy.suggest(name)
            hint = f"did you mean '{guess}'?" if guess else "see taxonomy.yml for the tags, or add the tag there"
            raise GeneratorError(f"--tag '{name}' is not a tag; {hint}")
        if name not in tags:
            tags.append(name)
    return tuple(tags) or suggested  # () = no rule matched: the tag model's turn (see add_paper)


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def add_paper(papers_dir: Path, taxonomy, *, title: str, abstract: str, tags: Iterable[str] = (),
              links: Iterable[str] = (), code: Iterable[str] = (), project: Iterable[str] = (),
              authors: Iterable[str] = (), arxiv: str | None = None, doi: str | None = None,
              year: int | None = None, added: str | None = None, source_file: str = ADD_SOURCE,
              root: Path | None = None, month: int | None = None, day: int | None = None,
              venue: str | None = None, keywords: Iterable[str] = ()) -> AddResult:
    """Write a new, valid paper file and return where. Raises GeneratorError (nothing written)
    when an option is wrong or the paper is already in the collection. A paper no rule matches and
    no --tag names is written as an import writes it: ``untagged``, with the tag model's suggestions."""
    added = added or dt.date.today().isoformat()
    try:
        if not ISO_DATE.match(added):
            raise ValueError
        dt.date.fromisoformat(added)
    except ValueError:
        raise GeneratorError(f"--added: '{added}' is not a date like '2024-01-05'") from None
    if year is not None and not 1000 <= year <= 2999:
        raise GeneratorError(f"--year: {year} is out of range 1000-2999")
    given_links = _option_links([*((None, u) for u in links), *(("code", u) for u in code),
                                 *(("project", u) for u in project)])
    # The same conversion as an import: cleaning, links found in the abstract, arXiv/doi.org links.
    raw = RawRecord(title=title, abstract=abstract, origin=Origin(source_file, 1, "add"), authors=tuple(authors),
                    year=year, month=month, day=day, venue=venue, keywords=tuple(keywords),
                    arxiv=normalize_arxiv(arxiv) if arxiv else None,
                    doi=normalize_doi(doi) if doi else None, links=given_links)
    paper = paper_from_record(raw, added=added)
    if isinstance(paper, Rejection):
        raise GeneratorError("--title: the title is empty")
    notes: list[str] = []
    problem = abstract_problem(paper.title, paper.abstract)
    if problem == "no abstract":
        raise GeneratorError("the abstract is empty; give it with --abstract-file PATH (or '-' for standard input)")
    if problem:
        notes.append(f"{problem}; check the abstract")
    suggested = taxonomy.assign(paper.title, paper.abstract)
    chosen = _tags(taxonomy, tags, suggested)

    papers_dir.mkdir(parents=True, exist_ok=True)
    index = CollectionIndex(papers_dir)
    ident = paper_identity(paper)
    found = index.match(ident)
    if found.same is not None:
        raise GeneratorError(f"this paper is already in the collection: {_shown(found.same.path, root)} "
                             f"({found.same.title!r}) has the {found.reason}; "
                             "edit that file instead of adding a new one")
    if found.conflict:
        files = " and ".join(f"{_shown(entry.path, root)} ({reason})" for entry, reason in found.conflict)
        raise GeneratorError(f"this paper matches two papers of the collection, {files}; nothing was written: "
                             "check its arXiv id and DOI, or keep one of those files if they are one paper")
    notes += [f"possible duplicate of {_shown(entry.path, root)} ({reason}); written as a paper of its own"
              for entry, reason in found.possible or ()]
    removed = load_removed(root / REMOVED_FILE) if root is not None else RemovedIndex()
    gone = removed.match_paper(paper, ident)
    if gone is not None:
        raise GeneratorError(f"this paper was {gone.describe()} (removed.yml, slug '{gone.slug}'); "
                             "delete its entry in removed.yml first if it should come back")
    titles = [normalize_title(entry.title) for entry in index.entries]
    for _, column in similar_pairs([normalize_title(paper.title)], titles):
        notes.append(f"possible duplicate of {_shown(index.entries[column].path, root)} (near-identical title)")

    taken = index.slugs | index.aliases | set(removed.by_slug)  # old and removed addresses stay unused
    paper = replace(paper, slug=paper_address(paper, taken), tags=chosen,
                    sources=(replace(paper.sources[0], title=paper.title),))
    if not chosen:
        paper = needing_tags(paper, model_suggestions(index.entries, taxonomy, [(paper.title, paper.abstract)])[0])
    target = papers_dir / f"{paper.slug}.md"
    shown = _shown(target, root)
    text = frontmatter.dump(to_front_matter(paper), paper.abstract)
    problems = check_paper(shown, frontmatter.parse(text, shown), frozenset(taxonomy.names), taxonomy.suggest)
    errors = [p for p in problems if not p.warning]
    if errors:  # a bug in add, not in the input: refuse rather than write a broken file
        raise GeneratorError("the new file would not validate; nothing was written:\n"
                             + "\n".join(str(p) for p in errors))
    notes += [f"{p.field}: {p.message}" for p in problems if p.warning]
    with workspace_for(target, "add"):
        _write_new(target, text)
        index.add(PaperFile(target, to_front_matter(paper), paper.abstract, new=True))
        index.save({str(target): index_cache.digest(text.encode("utf-8"))})  # the next run reads the index from it
    return AddResult(path=target, paper=paper, suggested=suggested, notes=tuple(notes))


def _write_new(target: Path, text: str) -> None:
    """Write `target` whole or not at all, and never over an existing file (see generator/atomic.py)."""
    with workspace_for(target, "add") as workspace:
        workspace.create_file(target, text)
