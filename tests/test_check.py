"""`paper-collection check`: validate, the strict build, then the built site's links, search
index and feeds, and axe-core on a sample of pages. Each check is shown to fail when its part of
the site breaks."""

from __future__ import annotations

import json
import shutil

import pytest

from paper_collection.settings import Layout
from paper_collection.site.check import check_site
from tests.adoption import cli, ok, other_field_collection
from tests.helpers import require_chromium


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A new collection under a curator's taxonomy with three papers of another field, built once."""
    root = other_field_collection(tmp_path_factory.mktemp("check"))
    ok(cli("build", cwd=root))
    return root


@pytest.fixture
def copy(built, tmp_path):
    """The built collection, copied so a test may break its site."""
    target = tmp_path / "copy"
    shutil.copytree(built, target, symlinks=True)
    return target


def site_problems(root, **options):
    return check_site(Layout(root), pages=0, **options).problems


def test_check_passes_on_a_sound_site_and_says_what_it_read(copy):
    result = ok(cli("check", "--axe-pages", "0", cwd=copy))
    assert "ok: 3 papers valid" in result.stdout and "built site/" in result.stdout
    assert "search: 3 papers" in result.stdout
    assert "ok: the site's links, search index, feeds and sampled pages pass" in result.stdout
    pages = int(result.stdout.split("links: ")[1].split(" pages")[0])
    assert pages == len(list((copy / "site").rglob("*.html")))


def test_a_link_to_a_missing_page_is_a_problem_naming_page_and_link(copy):
    slug = sorted(p.stem for p in (copy / "content" / "papers").glob("*.md"))[0]
    shutil.rmtree(copy / "site" / "papers" / slug)
    problems = site_problems(copy)
    assert any(p.startswith("links: index.html: ") and f"papers/{slug}/" in p and p.endswith("leads to no file in the "
                                                                                            "site") for p in problems)
    assert f"search: document {slug} leads to no page" in problems
    result = cli("check", "--no-build", "--axe-pages", "0", cwd=copy)
    assert result.returncode == 1 and "problem(s) in the built site" in result.stdout


def test_a_missing_asset_and_a_canonical_link_outside_the_site_are_checked(copy):
    (copy / "site" / "assets" / "stylesheets" / "collection.css").unlink()
    problems = site_problems(copy)
    assert any("assets/stylesheets/collection.css leads to no file" in p for p in problems)


def test_a_search_index_without_a_paper_is_a_problem(copy):
    docs = copy / "site" / "search" / "docs" / "0.json"
    chunk = json.loads(docs.read_text())
    docs.write_text(json.dumps(chunk[1:]))
    problems = site_problems(copy)
    assert f"search: paper {chunk[0][0]} has no search document" in problems
    (copy / "site" / "search" / "paper-search.json").write_text("{not json")
    assert site_problems(copy)[0].startswith("search: search/paper-search.json: cannot be loaded")


def test_a_feed_that_is_not_atom_is_a_problem(copy):
    feed = copy / "site" / "feed.xml"
    text = feed.read_text()
    feed.write_text(text[: len(text) // 2])
    assert any(p.startswith("feeds: feed.xml: not well-formed XML") for p in site_problems(copy))
    feed.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>')
    problems = site_problems(copy)
    assert "feeds: feed.xml: the feed has no <id>" in problems and "feeds: feed.xml: entry 1 has no <title>" in problems


def test_a_paper_that_fails_validation_stops_check_before_the_site(copy):
    paper = next((copy / "content" / "papers").glob("*.md"))
    paper.write_text(paper.read_text().replace("tags:\n- ", "tags:\n- no-such-tag\n- ", 1))
    result = cli("check", "--axe-pages", "0", cwd=copy)
    assert result.returncode == 1 and "'no-such-tag' is not a tag" in result.stdout
    assert "links:" not in result.stdout


def test_without_a_browser_axe_is_skipped_but_in_ci_that_fails(copy, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, chromium-browser or google-chrome on it
    monkeypatch.delenv("PAPER_COLLECTION_CHROMIUM", raising=False)
    monkeypatch.setenv("CI", "false")
    report = check_site(Layout(copy), pages=8)
    assert report.problems == [] and any(n.startswith("accessibility: no Chromium found") for n in report.notes)
    monkeypatch.setenv("CI", "true")
    report = check_site(Layout(copy), pages=8)
    assert [p for p in report.problems if p.startswith("accessibility: no Chromium found")]


def test_check_refuses_a_collection_of_an_older_or_newer_format(copy):
    (copy / ".paper-collection.yml").write_text("format: 99\n")
    result = cli("check", cwd=copy)
    assert result.returncode == 1 and "made by a newer paper-collection" in result.stderr
    (copy / ".paper-collection.yml").unlink()
    result = cli("check", cwd=copy)
    assert result.returncode == 1 and "run paper-collection migrate" in result.stderr


@pytest.mark.browser
@pytest.mark.slow
def test_axe_runs_on_one_page_of_each_kind_and_reports_a_violation(copy):
    require_chromium()
    from tests.helpers import CHROMIUM

    report = check_site(Layout(copy), browser=CHROMIUM, pages=8)
    assert report.problems == [], report.problems
    sampled = next(n for n in report.notes if n.startswith("accessibility: axe-core on"))
    for kind in ("/, ", "/tags/, ", "/tags/ecology/", "/papers/", "/explore/", "/stats/"):
        assert kind in sampled, sampled
    home = copy / "site" / "index.html"
    home.write_text(home.read_text().replace('<html lang="en"', "<html", 1))  # a page without a language
    problems = check_site(Layout(copy), browser=CHROMIUM, pages=1).problems
    assert any(p.startswith("accessibility: /: html-has-lang (serious)") for p in problems), problems
