"""A build's state lives in one `session.BuildSession`, kept by the paper-collection plugin instance
(generator/site/session.py): one per MkDocs config, handed to the paper-search plugin through that
instance, and what `serve`'s rebuilds of one project share kept per project folder. Builds of two
projects in one process (MkDocs keeps one plugin instance for both) never mix their states."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from paper_collection.settings import PLUGIN
from paper_collection.site import search, session
from paper_collection.site.model import SiteSettings, build_model
from tests.helpers import make_project

FIXTURE = Path(__file__).parent / "fixtures" / "model"  # five papers, tags vision and language


def _project(folder: Path) -> Path:
    root = make_project(folder, FIXTURE / "content" / "papers")
    shutil.copy(FIXTURE / "taxonomy.yml", root / "taxonomy.yml")
    return root


def _config(root: Path):
    from mkdocs.config import load_config

    return load_config(str(root / "mkdocs.yml"))


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_builds_of_two_projects_in_one_process_do_not_mix(tmp_path):
    """A, then B (one paper fewer, a tag renamed), then A again, by `paper-collection build` in this
    process: each site shows its own papers, tags and BibTeX, and A's second build (from its cache)
    is byte for byte its first."""
    from paper_collection.cli import main

    a, b = _project(tmp_path / "a"), _project(tmp_path / "b")
    (b / "content" / "papers" / "language-models-count-words.md").unlink()
    taxonomy = b / "taxonomy.yml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8").replace("title: Vision", "title: Seeing Machines"),
                        encoding="utf-8")

    assert main(["--root", str(a), "build"]) == 0
    first = _tree(a / "site")
    assert main(["--root", str(b), "build"]) == 0
    assert main(["--root", str(a), "build"]) == 0
    assert _tree(a / "site") == first

    def keys(root: Path) -> dict[str, str]:  # slug -> BibTeX key
        data = json.loads((root / "site" / "papers.json").read_text(encoding="utf-8"))
        return {paper["slug"]: paper["bibtex_key"] for paper in data["papers"]}

    gone = keys(a)["language-models-count-words"]
    assert set(keys(b)) == set(keys(a)) - {"language-models-count-words"}
    assert gone in (a / "site" / "papers.bib").read_text(encoding="utf-8")
    assert gone not in (b / "site" / "papers.bib").read_text(encoding="utf-8")
    vision_a = (a / "site" / "tags" / "vision" / "index.html").read_text(encoding="utf-8")
    vision_b = (b / "site" / "tags" / "vision" / "index.html").read_text(encoding="utf-8")
    assert "Seeing Machines" in vision_b and "Seeing Machines" not in vision_a
    assert not (b / "site" / "papers" / "language-models-count-words").exists()


def test_one_session_per_config_and_one_project_state_per_folder(tmp_path):
    """A `serve` rebuild loads the config again: a new session, but the same project state (the
    preview's memo); another project in the same process has its own."""
    root, other = _project(tmp_path / "a"), _project(tmp_path / "b")
    config, rebuild, elsewhere = _config(root), _config(root), _config(other)
    # What the design relies on: MkDocs keeps one plugin instance for every config of the process.
    assert config.plugins[PLUGIN] is rebuild.plugins[PLUGIN] is elsewhere.plugins[PLUGIN]

    build = session.of(config)
    assert session.of(config) is build and build.config is config
    assert session.of(rebuild) is not build
    assert session.project(rebuild) is session.project(config) is build.project
    assert session.project(elsewhere) is not build.project

    preview = session.of(config).memo_for(preview=True)
    assert session.of(rebuild).memo_for(preview=True) is preview  # kept from one preview to the next
    assert session.of(elsewhere).memo_for(preview=True) is not preview
    assert preview.path is None  # a preview's memo is never saved over the build's


def test_start_hands_the_checked_collection_to_the_build(tmp_path):
    """`paper-collection build`'s checked papers are the model's: the paper files are not read again."""
    from paper_collection.collection.validate import load_collection

    root = _project(tmp_path / "a")
    config = _config(root)
    taxonomy = session.taxonomy_for(config)
    checked = load_collection(root / "content" / "papers", taxonomy, root)
    papers = [p for p in checked.papers if p.slug != "a-quiet-paper-about-nothing"]  # not what the files say
    started = session.start(config, papers, taxonomy, previous_site=tmp_path / "old-site")
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    assert config.plugins[PLUGIN].session is started
    assert set(started.model().papers) == {p.slug for p in papers}
    assert started.previous_site == tmp_path / "old-site"
    assert session.of(_config(root)).checked is None  # the next build checks (or is handed) its own


def test_the_search_index_is_written_from_the_collection_plugins_model(tmp_path, monkeypatch):
    from mkdocs.commands.build import build

    root = _project(tmp_path / "a")
    config = _config(root)
    config.plugins.on_startup(command="build", dirty=False)
    indexed = []
    real = search.write_index
    monkeypatch.setattr(search, "write_index",
                        lambda out, model, *rest: indexed.append(model) or real(out, model, *rest))
    build(config)
    config.plugins.on_shutdown()
    assert indexed == [config.plugins[PLUGIN].session.site_model]
    assert indexed[0] is config.plugins[PLUGIN].model  # one model for both plugins, made once


def test_the_people_are_found_once_per_build_however_many_workers(tmp_path, monkeypatch):
    """The pages, the author feeds and the explorer's data all read the author index: made once in
    the build process before any worker is forked (it was made again by the explorer's worker: a
    second of CPU at 10,000 papers)."""
    import os

    from mkdocs.commands.build import build

    from paper_collection.site import authors, model

    monkeypatch.setenv("PAPER_COLLECTION_PARALLEL_FROM", "1")
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "2")
    calls = tmp_path / "calls"
    real = authors.build_index

    def counted(papers):
        with calls.open("a") as out:  # a forked worker's call counts too
            out.write(f"{os.getpid()}\n")
        return real(papers)

    monkeypatch.setattr(model, "build_index", counted)
    root = _project(tmp_path / "a")
    config = _config(root)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    config.plugins.on_shutdown()
    assert (root / "site" / "explore" / "facets.json").is_file()
    assert calls.read_text().splitlines() == [str(os.getpid())]


def test_paper_collection_build_finds_the_people_once_for_validate_and_the_site(tmp_path, monkeypatch, capsys):
    """`paper-collection build` checks the collection first, and validate's notes (spellings that fit
    several people) read the author index: the site is handed that index instead of making it again
    (1.7 s of a 10,000-paper rebuild, before any worker could share the CPUs)."""
    import os

    from paper_collection.cli import main
    from paper_collection.site import model

    monkeypatch.setenv("PAPER_COLLECTION_PARALLEL_FROM", "1")
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "2")
    calls = tmp_path / "calls"
    real = model.build_index

    def counted(papers):
        with calls.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(papers)

    monkeypatch.setattr(model, "build_index", counted)
    root = _project(tmp_path / "a")
    paper = root / "content" / "papers" / "a-quiet-paper-about-nothing.md"  # a spelling two people fit: a note
    paper.write_text(paper.read_text(encoding="utf-8").replace("authors: [Grace Hopper]",
                                                               "authors: [J. Smith, John Smith, Jane Smith]"),
                     encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 0
    assert "note: author 'J. Smith'" in capsys.readouterr().out
    assert calls.read_text().splitlines() == [str(os.getpid())]
    page = (root / "site" / "papers" / "a-quiet-paper-about-nothing" / "index.html").read_text(encoding="utf-8")
    assert "Jane Smith" in page and "J. Smith" in page


def test_bibtex_entries_are_a_memo_of_the_frozen_model():
    """The model stays frozen; its BibTeX entries are made once, or taken from an earlier build."""
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.collection.validate import load_collection

    taxonomy = load_taxonomy(FIXTURE / "taxonomy.yml")
    papers = load_collection(FIXTURE / "content" / "papers", taxonomy, FIXTURE).papers
    asked: list[str] = []

    def cached(model, slug):
        asked.append(slug)
        return "@misc{from-the-cache}\n" if slug == "image-segmentation-at-scale" else None

    model = build_model(papers, taxonomy, SiteSettings(name="x"), related={}, bibtex_cached=cached)
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.bibtex_memo = None  # type: ignore[misc]
    assert model.bibtex("image-segmentation-at-scale") == "@misc{from-the-cache}\n"
    made = model.bibtex("language-models-count-words")
    assert made.startswith("@") and "from-the-cache" not in made
    assert model.bibtex("language-models-count-words") is made and model.bibtex("image-segmentation-at-scale")
    assert asked == ["image-segmentation-at-scale", "language-models-count-words"]  # once each
    model.bibtex_memo.add({"a-quiet-paper-about-nothing": "@misc{by-a-worker}\n"})  # a worker's entries
    assert model.bibtex("a-quiet-paper-about-nothing") == "@misc{by-a-worker}\n"
    assert dict(model.bibtex_texts) == {"image-segmentation-at-scale": "@misc{from-the-cache}\n",
                                        "language-models-count-words": made,
                                        "a-quiet-paper-about-nothing": "@misc{by-a-worker}\n"}
