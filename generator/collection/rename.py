"""`rename OLD NEW` and `remove SLUG --reason ...`: change the collection without breaking it.

A paper's address (its file name) is fixed when it is created. Renaming records the old name in
the paper's `aliases:`, so the old address keeps working (a redirect page, see site/redirects.py).
Removing records the paper in removed.yml, so imports do not bring it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paper_collection.atomic import workspace_for
from paper_collection.collection import frontmatter
from paper_collection.collection.paper import FIELD_NAMES, Paper, Source
from paper_collection.collection.removed import REMOVED_FILE, RemovedPaper, load_removed, removal_record, removed_text
from paper_collection.collection.slugs import slug_problem
from paper_collection.errors import GeneratorError, InputError


@dataclass(frozen=True)
class _PaperFile:
    path: Path
    meta: dict[str, Any]
    body: str


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read(papers_dir: Path, slug: str, root: Path) -> _PaperFile:
    path = papers_dir / f"{slug}.md"
    shown = _shown(path, root)
    if not path.is_file():
        raise GeneratorError(f"{shown} does not exist; give the paper's file name without '.md' "
                             f"(the files are in {_shown(papers_dir, root)}/)")
    try:
        parsed = frontmatter.parse(path.read_text(encoding="utf-8"), shown)
    except (InputError, UnicodeDecodeError) as error:
        raise GeneratorError(f"{error}; fix the file first (paper-collection validate)") from None
    return _PaperFile(path, dict(parsed.meta), parsed.body)


def _aliases(meta: dict[str, Any]) -> list[str]:
    value = meta.get("aliases")
    return [a for a in value if isinstance(a, str)] if isinstance(value, list) else []


def _ordered(meta: dict[str, Any]) -> dict[str, Any]:
    """Fields in the declared order (unknown ones last, for validate to report)."""
    ordered = {key: meta[key] for key in FIELD_NAMES if key in meta}
    ordered.update((key, value) for key, value in meta.items() if key not in ordered)
    return ordered


def _taken_addresses(papers_dir: Path, skip: Path) -> dict[str, str]:
    """Every address in use: file names and the aliases the other papers keep, -> the file holding it."""
    taken: dict[str, str] = {}
    for path in sorted(papers_dir.glob("*.md")):
        taken.setdefault(path.stem, path.name)
        if path == skip:
            continue
        try:
            meta = frontmatter.parse(path.read_text(encoding="utf-8"), path.name).meta
        except (InputError, UnicodeDecodeError):
            continue  # validate reports it
        for alias in _aliases(meta):
            taken.setdefault(alias, f"{path.name} (an old address in its aliases)")
    return taken


def rename_paper(papers_dir: Path, old: str, new: str, root: Path) -> Path:
    """Rename content/papers/OLD.md to NEW.md and keep OLD in its aliases. Returns the new path.
    Raises GeneratorError (nothing changed) when NEW is not a valid name or is taken."""
    old, new = old.removesuffix(".md"), new.removesuffix(".md")
    paper = _read(papers_dir, old, root)
    problem = slug_problem(new)
    if problem:
        raise GeneratorError(f"'{new}' cannot be a paper's address: {problem}")
    if new == old:
        raise GeneratorError(f"the paper is already called '{old}'")
    taken = _taken_addresses(papers_dir, paper.path)
    if new in taken:
        raise GeneratorError(f"'{new}' is taken by {taken[new]}; choose another name")
    gone = load_removed(root / REMOVED_FILE).by_slug.get(new)
    if gone is not None:
        raise GeneratorError(f"'{new}' was the address of '{gone.title}', {gone.describe()}; choose another name")
    # Renaming back to an old name takes it out of the aliases; the name being left joins them.
    aliases = [alias for alias in _aliases(paper.meta) if alias != new]
    meta = {**paper.meta, "aliases": [*aliases, old] if old not in aliases else aliases}
    target = papers_dir / f"{new}.md"
    if target.exists():
        raise GeneratorError(f"{target.name} already exists; choose another name")
    # The new file and the old one's removal happen together or not at all (generator/atomic.py).
    with workspace_for(papers_dir, "rename") as workspace:
        workspace.replace_files({target: frontmatter.dump(_ordered(meta), paper.body), paper.path: None})
    return target


def remove_paper(papers_dir: Path, slug: str, reason: str, root: Path, date: str | None = None) -> RemovedPaper:
    """Delete content/papers/SLUG.md and record it in removed.yml. Returns the record."""
    slug = slug.removesuffix(".md")
    if not reason.strip():
        raise GeneratorError("--reason: say why the paper is removed (it is kept in removed.yml)")
    paper = _read(papers_dir, slug, root)
    removed_path = root / REMOVED_FILE
    entries = [e for e in load_removed(removed_path).entries if e.slug != slug]
    meta = paper.meta

    def text(key: str) -> str | None:
        value = meta.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    sources = tuple(Source(file="", line=0, format="", title=s["title"]) for s in meta.get("sources") or []
                    if isinstance(s, dict) and isinstance(s.get("title"), str))
    title = text("title")
    if title is None:
        raise GeneratorError(f"{_shown(paper.path, root)} has no title; fix it first (paper-collection validate)")
    record = removal_record(Paper(slug=slug, title=title, abstract=paper.body, tags=(), added="",
                                  arxiv=text("arxiv"), doi=text("doi"), sources=sources,
                                  aliases=tuple(_aliases(meta)),
                                  # what tells it from another paper of its title (collection/identity.py)
                                  authors=tuple(a for a in meta.get("authors") or () if isinstance(a, str))[:1],
                                  year=meta["year"] if type(meta.get("year")) is int else None), reason, date)
    # removed.yml and the file's deletion happen together or not at all (generator/atomic.py).
    with workspace_for(papers_dir, "remove") as workspace:
        workspace.replace_files({removed_path: removed_text([*entries, record]), paper.path: None})
    return record
