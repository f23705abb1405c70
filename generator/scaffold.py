"""`paper-collection new DIR`: a new collection repository from the template in
`templates/collection/` (package data), pinned to this generator's version.

The collection holds no copy of the generator: its `requirements.txt` pins `paper-collection==VERSION`
and its Makefile installs that into `.venv`. Templated files (`*.jinja`) are rendered with Jinja,
every untrusted value through a filter that writes it as a YAML string or literal Markdown text;
the rest are copied byte for byte.

All or nothing: the collection is made in a temporary folder beside DIR (the taxonomy proposed by
`--from`, then the import of those dumps, included) and moved into place at the end. A failure
leaves DIR as it was: absent, or empty.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from paper_collection import __version__
from paper_collection.errors import GeneratorError

TEMPLATE = Path(__file__).resolve().parent / "templates" / "collection"
# Names a template file cannot have in the package (a `.gitignore` there would apply to this repository).
RENAMED = {"gitignore": ".gitignore", "paper-collection.yml": ".paper-collection.yml"}
FALLBACK_SITE = "https://example.github.io/{name}/"
FALLBACK_REPO = "https://github.com/example/{name}"


@dataclass
class NewCollection:
    """What `new` made, for its report."""

    root: Path
    files: list[str] = field(default_factory=list)
    import_report: str = ""
    proposed: bool = False


def yaml_text(value: str) -> str:
    """`value` as one double-quoted YAML scalar: nothing in it can end the value or start a new key."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=float("inf")).rstrip("\n")


def _markdown(value: str) -> str:
    from paper_collection.contrib.github import markdown_text

    return markdown_text(value)


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["yaml_text"] = yaml_text
    env.filters["markdown"] = _markdown
    return env


def default_title(folder: Path) -> str:
    """`my-reading-list` -> "My reading list"."""
    words = re.sub(r"[-_.]+", " ", folder.name).strip()
    return (words[:1].upper() + words[1:]) if words else "Paper collection"


def template_files() -> list[Path]:
    """Every file of the collection template, relative to it, in a fixed order."""
    return sorted(p.relative_to(TEMPLATE) for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def target_name(relative: Path) -> Path:
    name = relative.name.removesuffix(".jinja")
    return relative.with_name(RENAMED.get(name, name))


def check_target(folder: Path) -> None:
    """DIR must be absent or an empty folder; say what to do otherwise."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise GeneratorError(f"{folder}: exists and is not a folder; choose a new folder name for the collection")
    if folder.is_dir() and any(folder.iterdir()):
        raise GeneratorError(f"{folder}: the folder is not empty; paper-collection new makes a collection in a new "
                             "or empty folder (choose another, or empty this one). Nothing was written")


def render_collection(out: Path, *, title: str, name: str, taxonomy_text: str | None = None) -> list[str]:
    """Write the template into the (empty) folder `out`; returns the files written (POSIX paths)."""
    from paper_collection.collection.migrate import CURRENT_FORMAT

    env = template_environment()
    values = {"title": title, "description": f"{title}: a curated, searchable collection of papers.",
              "site_url": FALLBACK_SITE.format(name=name), "repo_url": FALLBACK_REPO.format(name=name),
              "version": __version__, "format": CURRENT_FORMAT}
    written = []
    for relative in template_files():
        target = out / target_name(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.as_posix() == "taxonomy.yml" and taxonomy_text is not None:
            target.write_text(taxonomy_text, encoding="utf-8")
        elif relative.name.endswith(".jinja"):
            target.write_text(env.get_template(relative.as_posix()).render(values), encoding="utf-8")
        else:
            shutil.copyfile(TEMPLATE / relative, target)
        written.append(target.relative_to(out).as_posix())
    papers = out / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    # git keeps no empty folder: .gitkeep keeps content/papers/ in a fresh clone
    (papers / ".gitkeep").touch()
    written.append("content/papers/.gitkeep")
    return sorted(written)


def _propose(dumps: list[Path]) -> str:
    try:
        from paper_collection.collection.propose import propose_taxonomy
    except ImportError:
        raise GeneratorError("--from needs the taxonomy proposer (paper_collection.collection.propose), which this "
                             "version of paper-collection lacks; make the collection without --from, then edit "
                             "taxonomy.yml and run paper-collection import") from None
    return propose_taxonomy(dumps)


def _readable(dumps: list[Path]) -> None:
    for dump in dumps:
        if not dump.is_file():
            raise GeneratorError(f"--from {dump}: no such file; give the path of an export or listing to import")
        try:
            with dump.open("rb") as handle:
                handle.read(1)
        except OSError as error:
            raise GeneratorError(f"--from {dump}: cannot read it ({error.strerror}); check the file's "
                                 "permissions") from None


def _import(root: Path, dumps: list[Path], added: str | None) -> str:
    import datetime as dt

    from paper_collection.atomic import Workspace
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.ingest.importer import run_import

    with Workspace(root, "import"):
        report = run_import(dumps, root / "content" / "papers", load_taxonomy(root / "taxonomy.yml"),
                            added=added or dt.date.today().isoformat())
    shutil.rmtree(root / ".paper-collection", ignore_errors=True)  # the import's working files, not the repository's
    return report.render()


def new_collection(folder: Path, *, title: str | None = None, dumps: list[Path] | None = None,
                   added: str | None = None) -> NewCollection:
    """Make a new collection in `folder` (absent or empty), all or nothing."""
    folder = Path(os.path.abspath(folder))
    check_target(folder)
    dumps = [Path(d) for d in dumps or []]
    _readable(dumps)
    title = title if title is not None else default_title(folder)
    if not title.strip():
        raise GeneratorError("--title is empty; give the collection's name, e.g. --title \"Robot learning papers\"")
    # Stage beside the target (or its nearest existing parent): the final rename stays on one file system.
    anchor = next(p for p in (folder.parent, *folder.parent.parents) if p.is_dir())
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=anchor))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would become a new collection folder's
        result = NewCollection(folder)
        taxonomy_text = _propose(dumps) if dumps else None
        result.proposed = taxonomy_text is not None
        result.files = render_collection(staging, title=title, name=folder.name, taxonomy_text=taxonomy_text)
        if dumps:
            result.import_report = _import(staging, dumps, added)
        check_target(folder)  # nobody wrote there meanwhile
        _put_in_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _put_in_place(staging: Path, folder: Path) -> None:
    """A new folder is one rename. An existing empty one (perhaps the shell's current folder, `new .`)
    is kept: the staged entries are renamed into it, and taken out again if one fails."""
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, folder)
        return
    moved: list[str] = []
    try:
        for entry in sorted(os.listdir(staging)):
            os.rename(staging / entry, folder / entry)
            moved.append(entry)
    except BaseException:
        for entry in moved:
            os.rename(folder / entry, staging / entry)
        raise
    staging.rmdir()
