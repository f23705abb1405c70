"""Addresses that never break, and removed papers that stay removed.

- `rename OLD NEW` moves the file and keeps OLD in `aliases:`; the build writes a redirect page at
  the old address (meta refresh, canonical, noindex, a plain link), which is not in sitemap.xml.
- `remove SLUG --reason ...` deletes the file and records it in removed.yml; importing the dump it
  came from again skips it and says so.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
import yaml
from bs4 import BeautifulSoup

from paper_collection.collection import frontmatter
from tests.helpers import make_project, run_generator, serve

PAPERS = "content/papers"
SITE_URL = "https://example.org/paper-collection/"
DUMP = """\
Submitted by akhaliq
Sparse Mixtures of Tiny Experts for Language Model Reasoning
· 5 authors
42

We study sparse mixtures of very small experts in large language models and show that routing quality, not
expert size, limits accuracy on reasoning benchmarks. Our method improves accuracy by 3 points.

Submitted by osanseviero
Why Do Linear Probes Work in Language Models?
· 3 authors
17

Linear probes are widely used to read out concepts from the hidden states of language models, but it is
unclear what they measure. We give a causal account and test it on six model families.
"""
FIRST = "sparse-mixtures-of-tiny-experts-for-language-model-reasoning"
SECOND = "why-do-linear-probes-work-in-language-models"


@pytest.fixture
def project(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    root = make_project(tmp_path / "project", empty)
    (root / "dump.txt").write_text(DUMP, encoding="utf-8")
    run_generator(root, "import", "dump.txt", "--added", "2024-03-21", "--default-tag", "language-models")
    assert sorted(p.stem for p in (root / PAPERS).glob("*.md")) == [FIRST, SECOND]
    return root


def meta_of(root, slug):
    return frontmatter.parse((root / PAPERS / f"{slug}.md").read_text(encoding="utf-8"), slug).meta


# -- rename ------------------------------------------------------------------------------------------------


def test_rename_moves_the_file_and_keeps_the_old_name(project):
    before = meta_of(project, FIRST)
    result = run_generator(project, "rename", FIRST, "tiny-experts")
    assert result.stdout == (f"renamed to {PAPERS}/tiny-experts.md; '{FIRST}' is kept in its aliases, so the old "
                             "address redirects to the new one\n")
    assert not (project / PAPERS / f"{FIRST}.md").exists()
    after = meta_of(project, "tiny-experts")
    assert after == {**before, "aliases": [FIRST]}
    assert list(after).index("aliases") == list(after).index("added") + 1  # declared order
    assert run_generator(project, "validate").stdout == "ok: 2 papers valid\n"
    # Renamed again: both old names keep working; renaming back takes the name out of the aliases.
    run_generator(project, "rename", "tiny-experts", "sparse-tiny-experts")
    assert meta_of(project, "sparse-tiny-experts")["aliases"] == [FIRST, "tiny-experts"]
    run_generator(project, "rename", "sparse-tiny-experts", FIRST)
    assert meta_of(project, FIRST)["aliases"] == ["tiny-experts", "sparse-tiny-experts"]


@pytest.mark.parametrize(("new", "message"), [
    ("Tiny Experts", "error: 'Tiny Experts' cannot be a paper's address: use only lowercase letters, digits and "
                     "single hyphens\n"),
    (SECOND, f"error: '{SECOND}' is taken by {SECOND}.md; choose another name\n"),
    ("tags", "error: 'tags' cannot be a paper's address: the name is taken by the site's own pages\n"),
])
def test_rename_refuses_a_name_it_cannot_take(project, new, message):
    result = run_generator(project, "rename", FIRST, new, check=False)
    assert (result.returncode, result.stderr) == (2, message)
    assert (project / PAPERS / f"{FIRST}.md").exists()


def test_rename_refuses_another_paper_s_old_address(project):
    run_generator(project, "rename", SECOND, "linear-probes")
    result = run_generator(project, "rename", FIRST, SECOND, check=False)
    assert result.stderr == (f"error: '{SECOND}' is taken by linear-probes.md (an old address in its aliases); "
                             "choose another name\n")


def test_rename_by_hand_with_aliases_validates(project):
    """What CONTRIBUTING.md asks of someone on GitHub's web editor: rename the file, add the old name."""
    meta = meta_of(project, FIRST)
    body = frontmatter.parse((project / PAPERS / f"{FIRST}.md").read_text(encoding="utf-8"), "x").body
    (project / PAPERS / f"{FIRST}.md").unlink()
    text = frontmatter.dump(meta, body).replace("sources:", f"aliases:\n- {FIRST}\nsources:", 1)
    (project / PAPERS / "tiny-experts.md").write_text(text, encoding="utf-8")
    assert run_generator(project, "validate").stdout == "ok: 2 papers valid\n"


def test_rename_of_a_missing_paper_names_the_folder(project):
    result = run_generator(project, "rename", "no-such-paper", "x", check=False)
    assert result.stderr == (f"error: {PAPERS}/no-such-paper.md does not exist; give the paper's file name "
                             f"without '.md' (the files are in {PAPERS}/)\n")


# -- redirect pages ----------------------------------------------------------------------------------------


# A paper written by hand from docs/paper-template.md: `arxiv:` and `doi:`, no links.
HAND_WRITTEN = """\
---
title: "Don't Stop: Learning to Generalize"
authors:
- "Alan O'Neill"
arxiv: '2401.10010'
doi: '10.1000/xyz123'
tags:
- vision
added: '2024-03-21'
---
We show that vision models trained on a few tasks generalize to many unseen tasks when the data is varied.
"""


@pytest.fixture
def renamed_site(project):
    run_generator(project, "rename", FIRST, "tiny-experts")
    (project / PAPERS / "dont-stop.md").write_text(HAND_WRITTEN, encoding="utf-8")
    run_generator(project, "build", env={"SITE_URL": SITE_URL})
    return project


def test_hand_written_identifiers_get_the_same_buttons_as_add(renamed_site):
    """The template path and `add` give the same paper: arXiv, PDF and DOI links come from `arxiv:` and `doi:`
    at build time, on the page and in papers.json."""
    soup = BeautifulSoup((renamed_site / "site" / "papers" / "dont-stop" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    buttons = [(a.get_text(), a["href"]) for a in soup.select(".paper__links a")]
    assert buttons == [("arXiv", "https://arxiv.org/abs/2401.10010"), ("PDF", "https://arxiv.org/pdf/2401.10010"),
                       ("DOI", "https://doi.org/10.1000/xyz123")]
    data = json.loads((renamed_site / "site" / "papers.json").read_text(encoding="utf-8"))
    record = next(p for p in data["papers"] if p["slug"] == "dont-stop")
    assert record["links"] == [{"kind": "arxiv", "url": "https://arxiv.org/abs/2401.10010"},
                               {"kind": "pdf", "url": "https://arxiv.org/pdf/2401.10010"},
                               {"kind": "doi", "url": "https://doi.org/10.1000/xyz123"}]


def test_old_address_gets_a_redirect_page(renamed_site):
    page = renamed_site / "site" / "papers" / FIRST / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=../tiny-experts/"
    assert soup.find("link", rel="canonical")["href"] == f"{SITE_URL}papers/tiny-experts/"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    link = soup.find("main").find("a")
    assert link["href"] == "../tiny-experts/"
    assert link.get_text() == "Sparse Mixtures of Tiny Experts for Language Model Reasoning"
    assert (renamed_site / "site" / "papers" / "tiny-experts" / "index.html").exists()


def test_sitemap_lists_the_paper_once_under_its_new_address(renamed_site):
    tree = ET.parse(renamed_site / "site" / "sitemap.xml")
    urls = [loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert urls.count(f"{SITE_URL}papers/tiny-experts/") == 1
    assert not [url for url in urls if FIRST in url]


def test_redirect_page_escapes_the_title(project):
    path = project / PAPERS / f"{SECOND}.md"
    meta = meta_of(project, SECOND)
    body = frontmatter.parse(path.read_text(encoding="utf-8"), "x").body
    meta["title"] = 'Probes <script>alert("x")</script> & Co'
    meta["aliases"] = ["old-probes"]
    path.write_text(frontmatter.dump(meta, body), encoding="utf-8")
    run_generator(project, "build")
    text = (project / "site" / "papers" / "old-probes" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "Probes &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in text


def test_two_builds_write_the_same_redirect_pages(renamed_site, tmp_path):
    first = (renamed_site / "site" / "papers" / FIRST / "index.html").read_bytes()
    run_generator(renamed_site, "build", env={"SITE_URL": SITE_URL})
    assert (renamed_site / "site" / "papers" / FIRST / "index.html").read_bytes() == first


def test_old_address_lands_on_the_new_page_in_a_browser(renamed_site, page):
    with serve(renamed_site / "site", "/paper-collection/") as base:
        page.goto(f"{base}papers/{FIRST}/")
        page.wait_for_url(f"{base}papers/tiny-experts/", timeout=10_000)
        assert page.locator("h1").first.inner_text() == "Sparse Mixtures of Tiny Experts for Language Model Reasoning"


# -- remove ------------------------------------------------------------------------------------------------


def test_remove_deletes_the_file_and_records_it(project):
    result = run_generator(project, "remove", FIRST, "--reason", "not about generalization")
    assert result.stdout == (f"removed {PAPERS}/{FIRST}.md and recorded it in removed.yml; imports will skip it\n")
    assert not (project / PAPERS / f"{FIRST}.md").exists()
    text = (project / "removed.yml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)
    assert len(entries) == 1
    entry = entries[0]
    assert list(entry) == ["slug", "title", "reason", "date"]
    assert entry["slug"] == FIRST
    assert entry["title"] == "Sparse Mixtures of Tiny Experts for Language Model Reasoning"
    assert entry["reason"] == "not about generalization"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entry["date"])
    assert run_generator(project, "validate").stdout == "ok: 1 papers valid\n"


def test_removed_paper_stays_removed_through_a_reimport(project):
    run_generator(project, "remove", FIRST, "--reason", "off topic")
    date = yaml.safe_load((project / "removed.yml").read_text(encoding="utf-8"))[0]["date"]
    again = run_generator(project, "import", "dump.txt", "--added", "2024-03-22", "--default-tag", "language-models")
    assert not (project / PAPERS / f"{FIRST}.md").exists()
    lines = again.stdout.splitlines()
    assert lines[0] == ("dump.txt (listing): read 2, new 0, merged 0, unchanged 1, duplicate 0, rejected 0, "
                        "skipped 1")
    assert lines[1] == ("  skipped: dump.txt:2 'Sparse Mixtures of Tiny Experts for Language Model Reasoning': "
                        f"removed on {date} (off topic); see removed.yml")


def test_removed_paper_is_skipped_under_its_original_title(project):
    """A person fixed the title before the paper was removed: the dump's own title still matches."""
    path = project / PAPERS / f"{FIRST}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Sparse Mixtures", "title: Sparse Mixture", 1),
                    encoding="utf-8")
    run_generator(project, "remove", FIRST, "--reason", "off topic")
    again = run_generator(project, "import", "dump.txt", "--added", "2024-03-22", "--default-tag", "language-models")
    assert "skipped 1" in again.stdout.splitlines()[0]


def test_add_refuses_a_removed_paper(project):
    run_generator(project, "remove", SECOND, "--reason", "duplicate of a survey")
    (project / "abstract.txt").write_text("Linear probes are widely used to read out concepts from hidden states.",
                                          encoding="utf-8")
    result = run_generator(project, "add", "--title", "Why do linear probes work in language models",
                           "--abstract-file", "abstract.txt", "--tag", "language-models", check=False)
    assert result.returncode == 2
    assert "this paper was removed on " in result.stderr and "(duplicate of a survey)" in result.stderr


def test_validate_warns_when_a_removed_paper_comes_back(project):
    kept = (project / PAPERS / f"{FIRST}.md").read_text(encoding="utf-8")
    run_generator(project, "remove", FIRST, "--reason", "off topic")
    (project / PAPERS / "tiny-experts-again.md").write_text(kept, encoding="utf-8")
    result = run_generator(project, "validate")
    assert result.stdout.splitlines()[0].startswith(f"{PAPERS}/tiny-experts-again.md:2: title: this paper was "
                                                    "removed on ")
    assert result.stdout.splitlines()[0].endswith("if it should come back (warning)")


def test_a_broken_removed_yml_is_reported_with_its_line(project):
    (project / "removed.yml").write_text("- slug: x\n  title: 'It's gone'\n", encoding="utf-8")
    result = run_generator(project, "validate", check=False)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "removed.yml:2: title: an apostrophe ends a value in single quotes; write it twice ('') or use double "
        "quotes: title: \"It's gone\""]


def test_removed_yml_is_written_in_a_stable_order(project, tmp_path):
    run_generator(project, "remove", SECOND, "--reason", "b")
    run_generator(project, "remove", FIRST, "--reason", "a")
    entries = yaml.safe_load((project / "removed.yml").read_text(encoding="utf-8"))
    assert [e["slug"] for e in entries] == [FIRST, SECOND]
    shutil.copy(project / "removed.yml", tmp_path / "before.yml")
    run_generator(project, "validate")
    assert (project / "removed.yml").read_bytes() == (tmp_path / "before.yml").read_bytes()


def test_merge_points_the_removed_duplicate_s_address_at_the_kept_paper(project):
    """CONTRIBUTING.md's merge: remove the duplicate, add its name to the kept paper's aliases."""
    run_generator(project, "remove", SECOND, "--reason", f"duplicate of {FIRST}")
    path = project / PAPERS / f"{FIRST}.md"
    meta = meta_of(project, FIRST)
    body = frontmatter.parse(path.read_text(encoding="utf-8"), "x").body
    path.write_text(frontmatter.dump({**meta, "aliases": [SECOND]}, body), encoding="utf-8")
    assert run_generator(project, "validate").stdout == "ok: 1 papers valid\n"
    # Another paper may not take the removed address.
    (project / PAPERS / f"{SECOND}.md").write_text(HAND_WRITTEN, encoding="utf-8")
    result = run_generator(project, "validate", check=False)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{PAPERS}/{SECOND}.md:1: file name: '{SECOND}' is an old address of {PAPERS}/{FIRST}.md (in its aliases) "
        f"and must keep leading there; rename this file, e.g. to '{SECOND}-2.md'"]
