"""The importer's collection index kept between runs (generator/ingest/index_cache.py): a file
changed, added or removed between two runs is seen, and an index read from the cache is the
index read from the files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paper_collection.atomic import Staged
from paper_collection.collection import frontmatter, identity
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.ingest import importer, index_cache, prepare
from paper_collection.ingest.add import add_paper
from paper_collection.ingest.importer import CollectionIndex, run_import
from tests.helpers import SEED_TAXONOMY, empty_project, make_project

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
ADDED = "2024-04-01"
ABSTRACT = ("We study how large language models follow instructions when the prompt is long, and find that "
            "retrieval of the relevant passage explains most errors in our benchmark of twelve tasks.")
OTHER_ABSTRACT = ("A diffusion model for image generation that trains on a tenth of the usual data and keeps "
                  "its sample quality, measured by FID on three datasets and a human study.")




@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv("PAPER_COLLECTION_NO_CACHE", raising=False)


def papers(root: Path) -> Path:
    return root / "content" / "papers"


def listing(path: Path, items: list[tuple[str, str]]) -> Path:
    path.write_text("Mar 20\n\n" + "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in items),
                    encoding="utf-8")
    return path


def do_import(root: Path, path: Path):
    (report,) = run_import([path], papers(root), TAXONOMY, added=ADDED, default_tag="language-models").files
    return report


def as_seen(index: CollectionIndex) -> dict:
    """Everything the importer takes from an index, by file name."""
    return {
        "keys": {key: entry.path.name for key, entry in index.by_key.items()},
        "entries": [(e.path.name, e.meta, e.body, e.identity) for e in index.entries],
        "slugs": index.slugs, "aliases": index.aliases, "unreadable": index.unreadable,
    }


def fresh_index(folder: Path, monkeypatch) -> CollectionIndex:
    with monkeypatch.context() as patched:
        patched.setenv("PAPER_COLLECTION_NO_CACHE", "1")
        return CollectionIndex(folder)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return empty_project(tmp_path)


def test_an_edit_between_two_imports_is_seen_by_the_duplicate_check(project, tmp_path):
    do_import(project, listing(tmp_path / "a.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    (path,) = papers(project).glob("*.md")
    assert index_cache.cache_file(papers(project)).exists()
    assert CollectionIndex(papers(project)).parsed == 0  # the next run reads the index from the cache

    # A person retitles the paper and gives it another abstract, keeping the file's size and dates:
    # only its content tells that it changed.
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("Long Prompts Confuse Models", "Wide Prompts Confuse Models")
    edited = edited.replace(ABSTRACT.split(",")[0], OTHER_ABSTRACT[:len(ABSTRACT.split(",")[0])])
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))

    report = do_import(project, listing(tmp_path / "b.txt", [("Wide Prompts Confuse Models", "A different abstract "
                                                              "about something else entirely, long enough to count.")]))
    assert report.new == [] and len(report.duplicate) == 1 and path.name in report.duplicate[0]
    # The old title and abstract are no longer the file's: a record with them is a new paper.
    report = do_import(project, listing(tmp_path / "c.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    assert len(report.new) == 1, report.render()


def test_added_and_removed_files_are_seen(project, tmp_path):
    do_import(project, listing(tmp_path / "a.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    (first,) = papers(project).glob("*.md")
    # Added by hand (a pull request) after the cache was written:
    by_hand = papers(project) / "cheap-diffusion.md"
    by_hand.write_text(frontmatter.dump({"title": "Cheap Diffusion", "tags": ["language-models"],
                                         "added": ADDED, "arxiv": "2403.00001"}, OTHER_ABSTRACT), encoding="utf-8")
    report = do_import(project, listing(tmp_path / "b.txt", [("Cheap  diffusion", "Some other abstract that is "
                                                              "long enough to be one, about diffusion models.")]))
    assert report.new == [] and "cheap-diffusion.md" in report.duplicate[0]
    # Removed: its title is free again.
    first.unlink()
    report = do_import(project, listing(tmp_path / "c.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    assert len(report.new) == 1 and report.duplicate == []


def test_index_from_the_cache_is_the_index_from_the_files(project, tmp_path, monkeypatch):
    """New, merged, abstract-missing and unreadable files: the same index either way."""
    do_import(project, listing(tmp_path / "a.txt", [
        ("Long Prompts Confuse Models", ABSTRACT), ("Cheap Diffusion", OTHER_ABSTRACT), ("No Abstract Here", "TBD")]))
    broken = papers(project) / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    # A merge: an arXiv id and authors filled into an existing file from a BibTeX entry.
    bib = tmp_path / "more.bib"
    bib.write_text("@article{x, title={Cheap Diffusion}, author={Ada Lovelace}, eprint={2403.00002},\n"
                   f"archivePrefix={{arXiv}}, abstract={{{OTHER_ABSTRACT}}}}}\n", encoding="utf-8")
    (report,) = run_import([bib], papers(project), TAXONOMY, added=ADDED, default_tag="language-models").files
    assert len(report.merged) == 1, report.render()

    cached = CollectionIndex(papers(project))
    assert cached.parsed == 0  # every file, the unreadable one too, came from the cache
    fresh = fresh_index(papers(project), monkeypatch)
    assert fresh.parsed == len(list(papers(project).glob("*.md")))
    assert as_seen(cached) == as_seen(fresh)
    assert ("arxiv", "2403.00002") in cached.by_key and "broken" in cached.unreadable


def test_add_keeps_the_cache_and_sees_edits(project, monkeypatch):
    first = add_paper(papers(project), TAXONOMY, title="Long Prompts Confuse Models", abstract=ABSTRACT,
                      added=ADDED, root=project)
    second = add_paper(papers(project), TAXONOMY, title="Cheap Diffusion", abstract=OTHER_ABSTRACT,
                       added=ADDED, root=project)
    cached = CollectionIndex(papers(project))
    assert cached.parsed == 0
    assert as_seen(cached) == as_seen(fresh_index(papers(project), monkeypatch))
    # An edited arXiv id is seen by the next add's duplicate check.
    text = first.path.read_text(encoding="utf-8")
    first.path.write_text(text.replace("title:", "arxiv: '2403.00003'\ntitle:", 1), encoding="utf-8")
    with pytest.raises(Exception, match="same arXiv id"):
        add_paper(papers(project), TAXONOMY, title="Anything", abstract="Short.", arxiv="2403.00003",
                  added=ADDED, root=project)
    assert second.path.exists()


def test_a_cache_made_by_other_code_or_damaged_is_not_used(project, tmp_path, monkeypatch):
    do_import(project, listing(tmp_path / "a.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    assert CollectionIndex(papers(project)).parsed == 0
    monkeypatch.setattr(index_cache, "code_key", lambda: "other code")
    assert CollectionIndex(papers(project)).parsed == 1
    monkeypatch.undo()
    index_cache.cache_file(papers(project)).write_bytes(b"not what it wrote")
    index = CollectionIndex(papers(project))
    assert index.parsed == 1 and len(index.entries) == 1


def test_the_cache_holds_only_the_files_there_are(project, tmp_path):
    do_import(project, listing(tmp_path / "a.txt", [("Long Prompts Confuse Models", ABSTRACT),
                                                     ("Cheap Diffusion", OTHER_ABSTRACT)]))
    assert len(index_cache.load(papers(project))) == 2
    for path in papers(project).glob("*.md"):
        path.unlink()
    do_import(project, listing(tmp_path / "b.txt", [("Something New Entirely", ABSTRACT.replace("twelve", "nine"))]))
    kept = index_cache.load(papers(project))
    (path,) = papers(project).glob("*.md")
    assert list(kept) == [index_cache.digest(path.read_bytes())]


def test_bodies_are_read_when_first_needed(project, tmp_path):
    do_import(project, listing(tmp_path / "a.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    (entry,) = CollectionIndex(papers(project)).entries
    assert entry._body is None  # not read: the cache had the keys
    assert entry.body == ABSTRACT == identity.load_meta(entry.path)[1]


def test_parallel_staged_import_with_the_title_index_equals_one_process(tmp_path, monkeypatch):
    """Records prepared by worker processes that stage the files' texts, placed as they arrive,
    with the near-duplicate title index built meanwhile: the same files and report as one process
    comparing every pair of titles."""
    import random

    from paper_collection.collection import similar

    rng = random.Random(5)
    words = "graph neural language model vision sparse dense learning attention tokens robot policy".split()
    titles = sorted({" ".join(rng.choice(words) for _ in range(rng.randint(5, 10))).capitalize() for _ in range(80)})
    titles += [t + "s" for t in titles[:10]] + [t.replace(" ", "-", 1) for t in titles[10:20]]
    abstracts = [f"{ABSTRACT} Variant {i} studies {t.lower()} in {i + 3} settings." for i, t in enumerate(titles)]
    items = list(zip(titles, abstracts, strict=True))
    first = listing(tmp_path / "first.txt", items[:50])
    second = listing(tmp_path / "second.txt", items[50:] + items[:5])  # repeats are duplicates

    def run(name: str) -> tuple[str, dict[str, bytes]]:
        root = tmp_path / name
        root.mkdir()
        make_project(root, papers=tmp_path / "empty")
        add_paper(papers(root), TAXONOMY, title=titles[0] + " revisited", abstract=OTHER_ABSTRACT, added=ADDED,
                  root=root)
        reports = run_import([first, second], papers(root), TAXONOMY, added=ADDED, default_tag="language-models")
        return reports.render(), {p.name: p.read_bytes() for p in sorted(papers(root).iterdir())}

    (tmp_path / "empty").mkdir()
    alone = run("alone")
    assert "possible duplicate" in alone[0] and "duplicate:" in alone[0]
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)
    monkeypatch.setattr(similar, "_ALL_PAIRS_UP_TO", 0)
    kinds = []
    real_write_all = importer.write_all

    def write_all(pending):
        pairs = list(pending.items() if isinstance(pending, dict) else pending)
        kinds.extend(type(text) for _, text in pairs)
        return real_write_all(iter(pairs))

    monkeypatch.setattr(importer, "write_all", write_all)
    shared = run("shared")
    assert shared == alone
    assert Staged in kinds  # the workers wrote the texts; this process moved them into place
    assert not list((tmp_path / "shared" / ".paper-collection" / "staging").iterdir())


def test_title_index_grown_after_a_query_finds_what_a_fresh_one_finds(monkeypatch):
    from paper_collection.collection import similar
    from paper_collection.collection.similar import TitleIndex, similar_pairs
    from tests.helpers import similar_titles

    titles = similar_titles(3, 300, 5, 10, 40)
    monkeypatch.setattr(similar, "_ALL_PAIRS_UP_TO", 0)
    monkeypatch.setenv("PAPER_COLLECTION_WORKERS", "1")
    grown = TitleIndex(titles[:200])
    similar_pairs(titles[:200], titles[:200], index=grown)  # sorts what it holds so far
    assert grown._sorted_count == 200
    for title in titles[200:]:
        grown.add(title)
    expected = similar_pairs(titles, titles, index=TitleIndex(titles))
    assert expected and similar_pairs(titles, titles, index=grown) == expected
    brute = sorted((i, j) for i, a in enumerate(titles) for j, b in enumerate(titles)
                   if a != b and similar.fuzz.ratio(a, b) >= similar.NEAR_DUPLICATE_SCORE)
    assert set(expected) <= set(brute)


def test_the_index_is_kept_as_data_and_reads_back_what_the_files_say(project, tmp_path, monkeypatch):
    """The kept index is JSON lines, never a pickle (a pickle runs code when read, and a branch can
    commit one into the ignored folder); front matter YAML reads as dates, written bare by hand,
    comes back as dates. The pickle of older versions is deleted, never read."""
    import pickle

    class Planted:
        def __reduce__(self):
            return os.makedirs, (str(tmp_path / "unpickled"),)

    do_import(project, listing(tmp_path / "a.txt", [("Long Prompts Confuse Models", ABSTRACT)]))
    (path,) = papers(project).glob("*.md")
    text = path.read_text(encoding="utf-8")
    added = next(line for line in text.splitlines() if line.startswith("added:"))
    path.write_text(text.replace(added, "added: 2024-04-01\nreviewed: 2024-05-02 10:30:00"), encoding="utf-8")
    old = index_cache.cache_file(papers(project)).with_name(index_cache.PICKLE)
    old.write_bytes(pickle.dumps(Planted()))
    first = CollectionIndex(papers(project))
    assert first.parsed == 1
    first.save({})
    assert not old.exists() and not (tmp_path / "unpickled").exists()
    kept = index_cache.cache_file(papers(project))
    assert kept.name == "import-index.json" and kept.read_bytes().startswith(b'{"format":"paper-collection cache"')
    again = CollectionIndex(papers(project))
    assert again.parsed == 0
    assert as_seen(again) == as_seen(fresh_index(papers(project), monkeypatch))
    meta = again.entries[0].meta
    assert repr(meta["added"]) == "datetime.date(2024, 4, 1)"
    assert repr(meta["reviewed"]) == "datetime.datetime(2024, 5, 2, 10, 30)"
