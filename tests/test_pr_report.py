"""What the pull-request workflow tells contributors: GitHub annotations (`validate --format github`)
and the job summary (`pr-report`), exactly, with hostile titles and paths."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from paper_collection.collection.slugs import base_slug
from paper_collection.collection.validate import Problem
from paper_collection.contrib.github import annotation, escape_data, escape_property, markdown_text, problem_annotation
from tests.helpers import make_project, run_generator

HOSTILE = "Evil :: 100% <img src=x onerror=alert(1)> [a](https://e.io) | b\n::error::forged"
# Distinct abstracts, so that git pairs files as renames only where a file was renamed.
ABSTRACTS = {
    "Stays the Same": "Transformers trained on arithmetic extrapolate to longer numbers when positions are relative.",
    "Will Be Changed": "A survey of benchmark contamination in large language model evaluation suites since 2020.",
    "Will Be Removed": "Graph neural networks for molecule property prediction under scaffold splits and noise.",
    "Will Be Renamed": "Robots learn to fold cloth from twelve demonstrations with a diffusion policy on images.",
    "Has Been Renamed": "Robots learn to fold cloth from twelve demonstrations with a diffusion policy on images.",
    "A Paper With an Unknown Tag": "Speech recognition for low-resource languages with self-supervised audio models.",
    "A Good New Paper": "Medical image segmentation of tumours with few labels, across three hospitals' scanners.",
    HOSTILE: "Sparse attention kernels make long-context inference cheaper on commodity accelerators.",
}


# -- workflow commands -----------------------------------------------------------------------------


def test_data_and_properties_are_escaped_as_github_specifies():
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext%3A a%2Cb"
    assert escape_data("%0A") == "%250A"  # an escape written by the contributor stays literal


def test_annotation_is_one_line_whatever_the_text():
    line = annotation("error", "bad title:\n::error::forged 100%", file="content/papers/a,b:c.md", line=7,
                      title="title: x::y")
    assert line == ("::error file=content/papers/a%2Cb%3Ac.md,line=7,title=title%3A x%3A%3Ay::"
                    "bad title:%0A::error::forged 100%25")
    assert "\n" not in line and "\r" not in line
    assert annotation("notice", "plain") == "::notice::plain"
    with pytest.raises(ValueError):
        annotation("debug", "x")


def test_problem_annotation_names_file_line_and_field():
    error = Problem("content/papers/a.md", 5, "tags[1]", "'vison' is not a tag; did you mean 'vision'?")
    assert problem_annotation(error) == ("::error file=content/papers/a.md,line=5,title=Paper check%3A tags[1]::"
                                         "'vison' is not a tag; did you mean 'vision'?")
    warning = Problem("content/papers/b.md", 2, "title", "possible duplicate of content/papers/c.md, look", True)
    assert problem_annotation(warning) == ("::warning file=content/papers/b.md,line=2,title=Paper check%3A title::"
                                           "possible duplicate of content/papers/c.md, look")
    bare = Problem("content/papers/c.md", 1, "", "not UTF-8 text (save the file as UTF-8)")
    assert problem_annotation(bare) == ("::error file=content/papers/c.md,line=1,title=Paper check::"
                                        "not UTF-8 text (save the file as UTF-8)")


# -- Markdown ----------------------------------------------------------------------------------------


def render(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_markdown_text_renders_as_the_literal_text():
    escaped = markdown_text(HOSTILE)
    assert "\n" not in escaped
    html = render(f"- {escaped}\n")
    assert html == ("<ul>\n<li>Evil :: 100% &lt;img src=x onerror=alert(1)&gt; [a](https://e.io) | b ::error::forged"
                    "</li>\n</ul>\n")
    for text in ("# heading", "**bold**", "`code`", "![i](x.png)", "<script>x</script>", "&amp;", "1. item",
                 "a\\b", "~~~", "| a | b |"):
        assert render(markdown_text(text)) == f"<p>{_html_text(text)}</p>\n", text


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- pr-report on a git repository ------------------------------------------------------------------------

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "init.defaultBranch=main",
       "-c", "commit.gpgsign=false"]


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull}).stdout


def paper_text(title: str, tags=("vision",)) -> str:
    abstract = ABSTRACTS[title]
    meta = {"title": title, "tags": list(tags), "added": "2026-01-02"}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + abstract + "\n"


def write(root: Path, title: str, **kwargs) -> str:
    path = root / "content" / "papers" / f"{base_slug(title)}.md"
    path.write_text(paper_text(title, **kwargs), encoding="utf-8")
    return path.relative_to(root).as_posix()


@pytest.fixture
def repo(tmp_path) -> Path:
    empty = tmp_path / "empty"
    empty.mkdir()
    root = make_project(tmp_path / "repo", empty)
    for title in ("Stays the Same", "Will Be Changed", "Will Be Removed", "Will Be Renamed"):
        write(root, title)
    git(root, "init", "--quiet")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "base")
    git(root, "switch", "--quiet", "-c", "contribution")
    return root


def test_summary_lists_added_changed_removed_and_renamed_papers_with_their_problems(repo):
    added = write(repo, HOSTILE)
    write(repo, "A Paper With an Unknown Tag", tags=("vison",))
    changed = repo / "content" / "papers" / "will-be-changed.md"
    changed.write_text(paper_text("Will Be Changed", tags=("vision", "segmentation")), encoding="utf-8")
    git(repo, "rm", "--quiet", "content/papers/will-be-removed.md")
    renamed_text = paper_text("Has Been Renamed")
    git(repo, "mv", "content/papers/will-be-renamed.md", "content/papers/has-been-renamed.md")
    (repo / "content" / "papers" / "has-been-renamed.md").write_text(renamed_text, encoding="utf-8")
    git(repo, "add", "-A", "content/papers/has-been-renamed.md", "content/papers/will-be-changed.md", added)
    git(repo, "commit", "--quiet", "-m", "contribution")  # the broken paper stays untracked, as locally
    run_generator(repo, "build", check=False)  # fails: the broken paper

    result = run_generator(repo, "pr-report", "--base", "main", check=False)
    assert result.returncode == 1, result.stderr
    assert result.stdout == r"""## Papers in this pull request

2 added, 1 changed, 1 renamed, 1 removed (compared with main)

- **added** content\/papers\/a\-paper\-with\-an\-unknown\-tag\.md: A Paper With an Unknown Tag — 1 problem(s)
  - line 4, tags\[0\]: \'vison\' is not a tag\; did you mean \'vision\'\?
- **added** content\/papers\/evil\-100\-img\-src\-x\-onerror\-alert\-1\-a\-https\-e\-io\-b\-error\-forged\.md: \
Evil \:\: 100\% \<img src\=x onerror\=alert\(1\)\> \[a\]\(https\:\/\/e\.io\) \| b \:\:error\:\:forged — ok
- **changed** content\/papers\/will\-be\-changed\.md: Will Be Changed — ok
- **renamed** content\/papers\/will\-be\-renamed\.md → content\/papers\/has\-been\-renamed\.md: Has Been Renamed — ok
- **removed** content\/papers\/will\-be\-removed\.md: Will Be Removed

### Preview

The site was not built, so there is no preview yet: fix the problems above and push again.
""".replace(": \\\n", ": ")
    html = render(result.stdout)
    assert "<img" not in html and "<a " not in html and "<h1" not in html
    assert "Evil :: 100% &lt;img src=x onerror=alert(1)&gt; [a](https://e.io) | b ::error::forged" in html


def test_summary_says_ok_and_points_at_the_artifact_when_all_is_well(repo):
    write(repo, "A Good New Paper")
    run_generator(repo, "build")
    result = run_generator(repo, "pr-report", "--base", "main")
    assert result.stdout == r"""## Papers in this pull request

1 added (compared with main)

- **added** content\/papers\/a\-good\-new\-paper\.md: A Good New Paper — ok

### Pages to look at

To look at them, download the **site** artifact (on the run's summary page), unzip it into a folder named site, \
run `python -m http.server -d site` next to it, and open (the pages need a web server; opened as files, search and \
the map do not work):

- [A Good New Paper](<http://localhost:8000/papers/a-good-new-paper/>)
- [tag vision](<http://localhost:8000/tags/vision/>)
""".replace("\\\n", "")
    assert (repo / "site" / "papers" / "a-good-new-paper" / "index.html").is_file()


def test_problems_outside_the_pull_request_are_listed_too(repo):
    (repo / "content" / "papers" / "stays-the-same.md").write_text("---\ntitle: x\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "broken on the base already")
    git(repo, "switch", "--quiet", "-c", "later")
    result = run_generator(repo, "pr-report", "--base", "contribution", check=False)
    assert result.returncode == 1
    assert result.stdout.startswith("## Papers in this pull request\n\n"
                                    "No file under content\\/ differs from contribution.\n\n"
                                    "### Other problems in the collection\n\n"
                                    "- content\\/papers\\/stays\\-the\\-same\\.md: line 1: ")


def test_unknown_base_is_a_usage_error(repo):
    result = run_generator(repo, "pr-report", "--base", "no-such-branch", check=False)
    assert result.returncode == 2
    assert result.stderr == ("error: --base no-such-branch: not a commit git knows here; fetch the base branch "
                             "first (git fetch origin main) or name another one (--base main)\n")


def test_validate_format_github_prints_one_annotation_per_problem(repo):
    broken = write(repo, "A Paper With an Unknown Tag", tags=("vison",))
    result = run_generator(repo, "validate", "--format", "github", check=False)
    assert result.returncode == 1
    assert result.stdout == (f"::error file={broken},line=4,title=Paper check%3A tags[0]::"
                             "'vison' is not a tag; did you mean 'vision'?\n")


def test_a_valid_pull_request_whose_site_did_not_build_is_told_where_to_look(repo):
    write(repo, "A Good New Paper")
    result = run_generator(repo, "pr-report", "--base", "main", "--site", str(repo / "no-site"))
    assert result.stdout.endswith("- **added** content\\/papers\\/a\\-good\\-new\\-paper\\.md: A Good New Paper "
                                  "— ok\n\n### Preview\n\nThe site was not built, so there is no preview yet: the step "
                                  "\"Build the site strictly\" in the run's log says why; fix it and push again.\n")


def test_the_base_is_named_as_the_workflow_says(repo):
    write(repo, "A Good New Paper")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "a paper")
    result = run_generator(repo, "pr-report", "--base", "HEAD^1", "--base-name", "main")
    assert result.stdout.startswith("## Papers in this pull request\n\n1 added (compared with main)\n")
