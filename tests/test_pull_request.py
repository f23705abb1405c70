"""A contributor's pull request, played on a copy of the repository: add a paper by hand from the
template, add one with `add`, remove one, rename one; then run the paper job of
.github/workflows/pull-request.yml (the commands read from the workflow, on GitHub's merge commit)
and see every step pass, the summary name the change, and the site hold the right pages.

The copy is a git clone of this repository with the work tree's state on top (uncommitted edits
included), using this interpreter's environment as `.venv` instead of installing again. Nothing
here depends on what the example collection holds (a curator replaces it, issue #22): counts come
from the clone's files, a tag from the clone's taxonomy, and the small collection is topped up to
five papers with `add` when the example has fewer."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from paper_collection.collection import frontmatter
from paper_collection.collection.slugs import base_slug
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.contrib.github import markdown_text
from paper_collection.settings import Layout
from tests.helpers import ROOT, link_environment

pytestmark = pytest.mark.slow

WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"
GIT = ["git", "-c", "user.name=Contributor", "-c", "user.email=contributor@example.org", "-c", "commit.gpgsign=false",
       "-c", "advice.detachedHead=false"]
TOP_UP = ["Calibrated Uncertainty for Chest Radiograph Triage", "Federated Training of Brain Tumour Segmentation",
          "Self-Supervised Pretraining on Unlabelled Ultrasound Video", "Label Noise in Histopathology Annotations",
          "Motion Artefact Correction for Cardiac Magnetic Resonance"]  # distinct titles and abstracts: no duplicates
ABSTRACT = ("We study whether medical image segmentation models trained in one hospital generalize to scans from "
            "hospitals they never saw. Code is at https://github.com/example/zero-shot-hospitals.")


def git(root: Path, *args: str) -> str:
    result = subprocess.run([*GIT, *args], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def paper_job_steps() -> list[tuple[str, str]]:
    """(name, script) of the paper job's `run:` steps, except installing (this environment is reused)."""
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["papers"]
    steps = [(step["name"], step["run"]) for step in job["steps"] if "run" in step and step.get("id") != "install"]
    assert [name for name, _ in steps] == ["Check the papers", "Build the site strictly",
                                           "Summarise the papers in this pull request"]
    return steps


def clone_repository(target: Path) -> Path:
    """A clone with the work tree's tracked and untracked (not ignored) files as its base commit."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True)
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    present = {name for name in listed if name and (ROOT / name).is_file()}
    for name in git(target, "ls-files", "-z").split("\0"):
        if name and name not in present:
            (target / name).unlink()
    for name in present:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    git(target, "add", "-A")
    if git(target, "status", "--porcelain"):
        git(target, "commit", "--quiet", "-m", "the work tree")
    link_environment(target)
    git(target, "tag", "base")
    return target


def reset(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "--force", "--detach", "base")
    git(repo, "clean", "-fdqx", "-e", ".venv")


def pull_request(repo: Path, name: str, change) -> tuple[dict[str, subprocess.CompletedProcess], str]:
    """Make `change` on a branch from `base`, merge it as GitHub does for a pull request
    (refs/pull/N/merge: base as first parent), run the paper job's steps; returns the steps' results
    and the job summary."""
    reset(repo)
    git(repo, "switch", "--quiet", "-c", name)
    message = change(repo)
    git(repo, "add", "-A", "content")
    git(repo, "commit", "--quiet", "-m", message)
    git(repo, "checkout", "--quiet", "--detach", "base")
    git(repo, "merge", "--quiet", "--no-ff", "--no-edit", name)
    summary = repo.parent / f"{name}-summary.md"
    summary.write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "CI": "true", "NO_MKDOCS_2_WARNING": "1"}
    results = {}
    for step, script in paper_job_steps():
        # GitHub's default shell for run: steps
        results[step] = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                       cwd=repo, capture_output=True, text=True, env=env)
        assert results[step].returncode == 0, (f"{step} failed:\n{results[step].stdout}\n{results[step].stderr}")
    return results, summary.read_text(encoding="utf-8")


def entry(status: str, path: str, title: str) -> str:
    return f"- **{status}** {markdown_text(path)}: {markdown_text(title)} — ok\n"


def checked(result: subprocess.CompletedProcess) -> int:
    """The number of valid papers the check step reports (its last line; notes such as author
    spellings, which any collection may have, come before it)."""
    found = re.fullmatch(r"ok: (\d+) papers valid(, \d+ warning\(s\))?", result.stdout.splitlines()[-1])
    assert found, result.stdout
    return int(found[1])


def a_tag(repo: Path) -> str:
    """A tag the clone's taxonomy defines (whatever the collection is about)."""
    return load_taxonomy(Layout(repo).taxonomy).topic_names[0]


def add_paper(repo: Path, title: str, *options: str, abstract: str = ABSTRACT) -> subprocess.CompletedProcess:
    """`add` as a contributor runs it, in the clone, with the abstract from a file."""
    (repo / "abstract.txt").write_text(abstract, encoding="utf-8")
    added = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", "paper_collection", "add",
                            "--title", title, "--abstract-file", "abstract.txt", *options],
                           cwd=repo, capture_output=True, text=True)
    (repo / "abstract.txt").unlink()
    assert added.returncode == 0, added.stderr
    return added


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    """The repository as it is, its real collection included."""
    return clone_repository(tmp_path_factory.mktemp("pull-request") / "repo")


@pytest.fixture(scope="module")
def small_repository(tmp_path_factory) -> Path:
    """The repository with a collection of five papers: five of its own, or as many as it has and
    papers written with `add` for the rest."""
    repo = clone_repository(tmp_path_factory.mktemp("pull-request-small") / "repo")
    for path in papers(repo)[5:]:
        path.unlink()
    for title in TOP_UP[:5 - len(papers(repo))]:
        add_paper(repo, title, "--tag", a_tag(repo), "--added", "2026-01-01",
                  abstract=f"We study {title[0].lower()}{title[1:]} on scans from four hospitals and report "
                           "where the method fails and why.")
    assert len(papers(repo)) == 5
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "a small collection")
    git(repo, "tag", "--force", "base")
    return repo


def papers(repo: Path) -> list[Path]:
    return sorted((repo / "content" / "papers").glob("*.md"))


def base_count(repo: Path) -> int:
    """Paper files in the base commit (the work tree may hold an earlier case's merge)."""
    return sum(1 for name in git(repo, "ls-tree", "--name-only", "base", "content/papers/").splitlines()
               if name.endswith(".md"))


def test_paper_added_by_hand_from_the_template(repository):
    template = (ROOT / "docs" / "paper-template.md").read_text(encoding="utf-8")
    title = frontmatter.parse(template, "docs/paper-template.md").meta["title"]
    path = f"content/papers/{base_slug(title)}.md"
    count = base_count(repository)

    def add_by_hand(repo: Path) -> str:
        # copied as CONTRIBUTING.md says, with a tag of this collection's taxonomy
        filled, tagged = re.subn(r"^tags:\n(- .*\n)+", f"tags:\n- {a_tag(repo)}\n", template, flags=re.MULTILINE)
        assert tagged == 1
        (repo / path).parent.mkdir(parents=True, exist_ok=True)  # a collection with no paper may have no folder
        (repo / path).write_text(filled, encoding="utf-8")
        return "Add a paper from the template"

    results, summary = pull_request(repository, "template", add_by_hand)
    assert checked(results["Check the papers"]) == count + 1
    assert entry("added", path, title) in summary
    assert summary.startswith("## Papers in this pull request\n\n1 added (compared with HEAD\\^1)\n")
    assert (repository / "site" / "papers" / base_slug(title) / "index.html").is_file()
    assert len(list((repository / "site" / "papers").glob("*/index.html"))) == count + 1


def test_paper_added_with_the_add_command(repository):
    title = "Zero-Shot Transfer of Segmentation Models Across Hospitals"
    slug = base_slug(title)
    count = base_count(repository)

    def add_with_the_tool(repo: Path) -> str:
        added = add_paper(repo, title, "--author", "Ada Lovelace", "--year", "2024")
        assert added.stdout.splitlines()[0] == f"wrote content/papers/{slug}.md"
        return "Add a paper with python -m generator add"

    results, summary = pull_request(repository, "add", add_with_the_tool)
    assert checked(results["Check the papers"]) == count + 1
    assert entry("added", f"content/papers/{slug}.md", title) in summary
    assert f"- papers\\/{markdown_text(slug)}\\/index\\.html: {markdown_text(title)}\n" in summary
    assert (repository / "site" / "papers" / slug / "index.html").is_file()


def test_paper_removed(small_repository):
    reset(small_repository)
    removed = papers(small_repository)[0]
    title = frontmatter.parse(removed.read_text(encoding="utf-8"), removed.name).meta["title"]

    def remove(repo: Path) -> str:
        (repo / "content" / "papers" / removed.name).unlink()
        return "Remove a paper"

    results, summary = pull_request(small_repository, "remove", remove)
    assert checked(results["Check the papers"]) == 4
    assert (f"- **removed** {markdown_text(f'content/papers/{removed.name}')}: {markdown_text(title)}\n"
            in summary)
    site = small_repository / "site" / "papers"
    assert not (site / removed.stem).exists()
    assert len(list(site.glob("*/index.html"))) == 4


def test_paper_renamed_after_a_title_fix(small_repository):
    reset(small_repository)
    renamed = papers(small_repository)[1]
    parsed = frontmatter.parse(renamed.read_text(encoding="utf-8"), renamed.name)
    title = "Revisited: " + parsed.meta["title"]
    new_name = f"{base_slug(title)}.md"

    def rename(repo: Path) -> str:
        old = repo / "content" / "papers" / renamed.name
        text = old.read_text(encoding="utf-8")
        old.unlink()
        (repo / "content" / "papers" / new_name).write_text(
            frontmatter.dump({**parsed.meta, "title": title}, parsed.body), encoding="utf-8")
        assert text != (repo / "content" / "papers" / new_name).read_text(encoding="utf-8")
        return "Fix a title and rename the file to match"

    results, summary = pull_request(small_repository, "rename", rename)
    assert checked(results["Check the papers"]) == 5
    assert (f"- **renamed** {markdown_text(f'content/papers/{renamed.name}')} → "
            f"{markdown_text(f'content/papers/{new_name}')}: {markdown_text(title)} — ok\n") in summary
    site = small_repository / "site" / "papers"
    assert (site / base_slug(title) / "index.html").is_file()
    assert len(list(site.glob("*/index.html"))) == 5
