"""`pr-report`: what a pull request does to the collection, as Markdown for the job summary.

The papers added, changed, removed and renamed since the base branch (from git), each with its
problems or "ok", other problems in the collection, and the pages to look at in the built site.
"""

from __future__ import annotations

import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from paper_collection.collection import frontmatter
from paper_collection.collection.validate import Collection, Problem
from paper_collection.contrib.github import markdown_text, markdown_url
from paper_collection.errors import GeneratorError
from paper_collection.settings import PAPERS, TAGS, Layout

_STATUS = {"A": "added", "C": "added", "M": "changed", "T": "changed", "D": "removed", "R": "renamed"}
ORDER = ("added", "changed", "renamed", "removed")
LOCAL_PREVIEW = "http://localhost:8000/"  # where `python -m http.server -d site` serves the artifact


@dataclass(frozen=True)
class Change:
    status: str  # added, changed, renamed or removed
    path: str  # relative to the project folder; for a removed file, where it was
    old_path: str | None = None  # a renamed file's former path


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise GeneratorError("git is not installed; pr-report compares with the base branch through git") from None
    if result.returncode != 0:
        raise GeneratorError(f"git {' '.join(args)} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def changed_files(root: Path, base: str, folder: str = "content") -> tuple[str, list[Change]]:
    """The merge base of `base` and HEAD, and the files under `folder` that differ between it and
    the work tree (so uncommitted and untracked files count locally; in CI the work tree is the
    pull request)."""
    try:
        merge_base = _git(root, "merge-base", base, "HEAD").strip()
    except GeneratorError:
        raise GeneratorError(f"--base {base}: not a commit git knows here; fetch the base branch first "
                             "(git fetch origin main) or name another one (--base main)") from None
    fields = _git(root, "diff", "--name-status", "-z", "--find-renames", "--relative", merge_base,
                  "--", folder).split("\0")
    changes: list[Change] = []
    index = 0
    while index < len(fields) and fields[index]:
        code = fields[index][0]
        if code in ("R", "C"):
            old, new = fields[index + 1], fields[index + 2]
            changes.append(Change("renamed", new, old) if code == "R" else Change("added", new))
            index += 3
        else:
            changes.append(Change(_STATUS.get(code, "changed"), fields[index + 1]))
            index += 2
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", folder).split("\0")
    changes += [Change("added", path) for path in untracked if path]
    return merge_base, sorted(changes, key=lambda c: (ORDER.index(c.status), c.path))


def _title(text: str | None, path: str) -> str | None:
    if text is None:
        return None
    try:
        title = frontmatter.parse(text, path).meta.get("title")
    except GeneratorError:
        return None
    return title if isinstance(title, str) and title.strip() else None


def _old_text(root: Path, base: str, path: str) -> str | None:
    try:
        return _git(root, "show", f"{base}:./{path}")
    except GeneratorError:
        return None


def _read(root: Path, path: str) -> str | None:
    try:
        return (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _problem_line(problem: Problem) -> str:
    kind = "warning, " if problem.warning else ""
    field = f", {markdown_text(problem.field)}" if problem.field else ""
    return f"  - {kind}line {problem.line}{field}: {markdown_text(problem.message)}"


def render_report(layout: Layout, collection: Collection, changes: list[Change], base: str,
                  merge_base: str, site_built: bool, preview: Preview | None = None) -> str:
    """The job summary and pull request comment in Markdown; every piece of text from the pull
    request is escaped, and the pages are linked in the preview."""
    preview = preview or Preview()
    root = layout.root
    papers_prefix = layout.papers_dir.relative_to(root).as_posix() + "/"
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in collection.problems:
        by_file[problem.file].append(problem)
    tags_by_slug = {paper.slug: paper.tags for paper in collection.papers}

    counts = {status: sum(1 for c in changes if c.status == status) for status in ORDER}
    lines = ["## Papers in this pull request", ""]
    if not changes:
        lines.append(f"No file under {markdown_text(layout.docs_dir.name + '/')} differs from {markdown_text(base)}.")
    else:
        lines += [", ".join(f"{n} {status}" for status, n in counts.items() if n)
                  + f" (compared with {markdown_text(base)})", ""]
    pages: list[tuple[str, str]] = []
    mentioned: set[str] = set()
    for change in changes:
        mentioned.add(change.path)
        text = _old_text(root, merge_base, change.old_path or change.path) if change.status == "removed" \
            else _read(root, change.path)
        title = _title(text, change.path)
        where = (f"{markdown_text(change.old_path)} → {markdown_text(change.path)}" if change.old_path
                 else markdown_text(change.path))
        head = f"- **{change.status}** {where}" + (f": {markdown_text(title)}" if title else "")
        if change.status == "removed":
            lines.append(head)
            continue
        problems = by_file.get(change.path, [])
        errors = [p for p in problems if not p.warning]
        if not problems:
            lines.append(f"{head} — ok")
        else:
            summary = f"{len(errors)} problem(s)" if errors else "ok"
            warnings = len(problems) - len(errors)
            lines.append(f"{head} — {summary}" + (f", {warnings} warning(s)" if warnings else ""))
            lines += [_problem_line(p) for p in problems]
        slug = Path(change.path).stem
        is_paper = change.path.startswith(papers_prefix) and change.path.endswith(".md") \
            and "/" not in change.path[len(papers_prefix):]
        if is_paper and not errors and slug in tags_by_slug:
            pages.append((f"{PAPERS}/{slug}/", title or slug))
            pages += [(f"{TAGS}/{tag}/", f"tag {tag}") for tag in tags_by_slug[slug]]
    others = [p for p in collection.problems if p.file not in mentioned]
    if others:
        lines += ["", "### Other problems in the collection", ""]
        lines += [f"- {markdown_text(p.file)}:" + _problem_line(p)[3:] for p in others]
    if pages and site_built:
        lines += ["", "### Pages to look at", "", _how_to_look(preview), ""]
        lines += [f"- [{markdown_text(label)}]({markdown_url(preview.url + path)})"
                  for path, label in dict.fromkeys(pages)]
    elif changes and not site_built:
        fix = ("fix the problems above and push again" if collection.errors else
               "the step \"Build the site strictly\" in the run's log says why; fix it and push again")
        lines += ["", "### Preview", "", f"The site was not built, so there is no preview yet: {fix}."]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Preview:
    """Where the pull request's built site can be looked at: the `site` artifact (`artifact_url`),
    served locally at `url`; or a published per-pull-request preview at `url` (`published`)."""

    url: str = LOCAL_PREVIEW
    artifact_url: str | None = None
    published: bool = False


def _how_to_look(preview: Preview) -> str:
    if preview.published:
        return "The site as this pull request makes it is published for review; open:"
    artifact = (f"[the site artifact]({markdown_url(preview.artifact_url)})" if preview.artifact_url
                else "the **site** artifact (on the run's summary page)")
    return (f"To look at them, download {artifact}, unzip it into a folder named site, run "
            "`python -m http.server -d site` next to it, and open (the pages need a web server; "
            "opened as files, search and the map do not work):")
