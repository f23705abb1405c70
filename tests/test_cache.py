"""The build cache (generator/site/cache.py): a build after changing one paper reuses the other
papers' pages, and its site is byte for byte the site a clean build of the same collection makes.
Its files are pure data: a pickle found where the cache is read is never unpickled."""

from __future__ import annotations

import fnmatch
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from paper_collection import datafile
from paper_collection.collection.paper import Paper
from paper_collection.site import cache
from paper_collection.site.cache import LEGACY, Memo, cache_dir, checks_file
from paper_collection.site.related import related_with_space
from tests.helpers import SEED_ADDED, make_project, run_generator
from tests.test_build import _tree_hash

ROOT = Path(__file__).resolve().parent.parent
DEPLOYS = [ROOT / ".github" / "workflows" / "deploy.yml",
           ROOT / "generator" / "templates" / "collection" / ".github" / "workflows" / "deploy.yml"]

PAPER = "poseidon-efficient-foundation-models-for-pdes"


def reused(result) -> tuple[int, int]:
    match = re.search(r"(\d+) of (\d+) paper, tag, author and listing page bodies reused", result.stderr)
    assert match, result.stderr[-2000:]
    return int(match.group(1)), int(match.group(2))


@pytest.mark.slow
def test_rebuild_after_one_edit_reuses_the_rest_and_equals_a_clean_build(tmp_path):
    warm = make_project(tmp_path / "warm")
    # In parallel, as a large collection is built: a worker writes pages (and spills their bodies
    # into a file the build then keeps them from), the exports' worker asks for the BibTeX entries.
    in_parallel = {"PAPER_COLLECTION_PARALLEL_FROM": "1", "PAPER_COLLECTION_WORKERS": "2"}
    first = run_generator(warm, "build", env=in_parallel)
    assert reused(first)[0] == 0
    assert re.search(r"[1-9]\d* of \d+ pages written by 1 worker process", first.stderr), first.stderr[-2000:]
    kept = Memo(warm).old
    again = run_generator(warm, "build", env=in_parallel)
    assert reused(again)[0] == reused(again)[1]  # nothing changed: every page from the cache
    # ... and the cache keeps what it held, though no paper page asked for its BibTeX entry
    # (all taken over from the last build) and the exports asked in another process.
    assert {kind: sorted(found) for kind, found in Memo(warm).old.items()} == \
        {kind: sorted(found) for kind, found in kept.items()}

    path = warm / "content" / "papers" / f"{PAPER}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", "\n---\nA sentence added by the cache test. ", 1).replace(
        "tags:\n", "venue: Journal of Cache Tests\ntags:\n", 1), encoding="utf-8")
    edited = run_generator(warm, "build")
    hits, total = reused(edited)
    # Related papers: only the rows the edit changed were computed again (related.refresh).
    redone = re.search(r"related papers computed again for (\d+) of (\d+) papers", edited.stderr)
    assert redone and int(redone.group(1)) < int(redone.group(2)), edited.stderr[-2000:]
    # ... and its space fitted again from the papers' kept term counts: they hold the edited text now.
    counts = cache._load_counts(cache_dir(warm) / "related-counts.npz")
    assert counts is not None and len(counts.keys) == len(list((warm / "content" / "papers").glob("*.md")))
    assert any("cache test" in term for term in counts.terms)
    # The edited paper and the papers that list it as related are made again; the rest is reused.
    assert total - 30 < hits < total, (hits, total)

    clean = tmp_path / "clean"
    shutil.copytree(warm, clean, ignore=shutil.ignore_patterns(".paper-collection", "site"))
    run_generator(clean, "build")
    assert _tree_hash(warm / "site") == _tree_hash(clean / "site")
    page = (warm / "site" / "papers" / PAPER / "index.html").read_text(encoding="utf-8")
    assert "A sentence added by the cache test." in page and "Journal of Cache Tests" in page


class _Planted:
    """Unpickling this makes the folder `marker`: proof that a file was unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.makedirs, (str(self.marker),)


def _cached_paths(path: Path) -> list[str]:
    restore = next(step for step in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
                   if step.get("uses", "").startswith("actions/cache/restore@"))
    return restore["with"]["path"].split()


@pytest.mark.slow
def test_a_pickle_where_the_cache_is_read_is_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_Planted(probe)))
    assert probe.is_dir(), "the planted object does run code when unpickled"
    root = make_project(tmp_path / "project")
    folder = cache_dir(root)
    folder.mkdir(parents=True)
    planted = pickle.dumps({"version": cache.VERSION, "code": "", "entries": _Planted(marker)})
    for name in ("checks.json", "memo.json", *LEGACY, "import-index.pickle"):
        (folder / name).write_bytes(planted)
    np.savez(folder / "related-space.npz", head=np.array([_Planted(marker)], dtype=object))  # pickled inside

    first = run_generator(root, "validate")
    built = run_generator(root, "build")
    assert "papers valid" in first.stdout and (root / "site" / "index.html").is_file(), built.stderr[-2000:]
    # the importer's index of the collection (it kept a pickle before 0.3)
    listing = tmp_path / "listing.txt"
    listing.write_text("Mar 20\n\nA Planted Pickle Is Never Read\n\nWe import one paper into a collection whose "
                       "cache folder holds a pickle, and check that nothing in it ran.\n\n", encoding="utf-8")
    imported = run_generator(root, "import", str(listing), "--default-tag", _a_tag(root))
    assert "wrote 1 file" in imported.stdout, imported.stdout + imported.stderr[-2000:]
    assert not (folder / "import-index.pickle").exists()
    assert (folder / "import-index.json").read_bytes().startswith(b'{"format":"paper-collection cache"')
    assert not marker.exists(), "a planted pickle was loaded"
    # What the build keeps instead: pure data, and the pickles of older versions are gone.
    assert not any((folder / name).exists() for name in LEGACY)
    for name in ("checks.json", "memo.json"):
        assert (folder / name).read_bytes().startswith(b'{"format":"paper-collection cache"'), name
    with np.load(folder / "related-space.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)

    # The deploy workflows cache exactly the build's files (and the site), never the compiled templates
    # (Python bytecode) nor the importer's index (a deploy imports nothing).
    kept = sorted(path.relative_to(root).as_posix() for path in folder.rglob("*") if path.is_file())
    for workflow in DEPLOYS:
        patterns = _cached_paths(workflow)
        assert "site" in patterns
        named = [path for path in kept if any(fnmatch.fnmatch(path, pattern) for pattern in patterns)]
        assert named == [path for path in kept if "/templates/" not in path and not path.endswith(".pickle")
                         and not path.endswith("/import-index.json")]
        assert not any(path.endswith(".pickle") or "/templates/" in path for path in named), workflow


def test_the_page_memo_round_trips_and_keeps_only_what_a_build_used(tmp_path):
    memo = Memo(tmp_path)
    counts = {"title": {"graph": 2, "atención": 1}, "abstract": {}}
    values = {("page", "a" * 64): "<p>Ünïcode \"quoted\"\nand a newline</p>", ("bibtex", "b" * 64): "@article{x,}",
              ("written", "papers/x.md"): "c" * 64, ("search", "d" * 64): counts, ("page", "e" * 64): "unused"}
    for (kind, key), value in values.items():
        memo.put(kind, key, value)
    memo.save()
    again = Memo(tmp_path)
    assert {(kind, key): again.old[kind][key] for kind, key in values} == values
    for kind, key in list(values)[:4]:
        assert again.get(kind, key) == values[kind, key]
    assert again.get("page", "f" * 64) is None  # a key not kept (a changed input) is simply not found
    again.put("page", "f" * 64, "new")
    again.save()
    third = Memo(tmp_path)
    assert {kind: dict(found) for kind, found in third.old.items()} == {
        "bibtex": {"b" * 64: "@article{x,}"}, "page": {"a" * 64: values["page", "a" * 64], "f" * 64: "new"},
        "search": {"d" * 64: counts}, "written": {"papers/x.md": "c" * 64}}
    saved = (tmp_path / ".paper-collection" / "cache" / "memo.json").read_bytes()
    for kind, found in third.old.items():
        for key in found:
            third.get(kind, key)  # all used, as they were read: written back as they were
    third.save()
    assert (tmp_path / ".paper-collection" / "cache" / "memo.json").read_bytes() == saved  # the same bytes


def test_a_memo_file_cut_short_corrupt_or_of_another_version_is_ignored(tmp_path):
    memo = Memo(tmp_path)
    memo.put("page", "a" * 64, "<p>body</p>")
    memo.save()
    path = tmp_path / ".paper-collection" / "cache" / "memo.json"
    whole = path.read_bytes()
    head, _, body = whole.partition(b"\n")
    other = json.loads(head)
    other["version"] = cache.VERSION - 1
    for broken in (whole[:-3], whole[:10], b"", b"\xff\xfe\n", json.dumps(other).encode() + b"\n" + body,
                   pickle.dumps({"version": cache.VERSION})):
        path.write_bytes(broken)
        assert Memo(tmp_path).old == {}, broken[:80]
        assert Memo(tmp_path).get("page", "a" * 64) is None
    # A value of the wrong type for its kind is not used (made again instead).
    path.write_bytes(head.replace(b'"page"', b'"search"') + b"\n" + body)
    assert Memo(tmp_path).get("search", "a" * 64) is None and Memo(tmp_path).get("page", "a" * 64) is None


def test_the_memo_holds_no_page_body_in_memory(tmp_path):
    """At 50,000 papers the bodies are more than half a gigabyte: keeping them all, and encoding
    them all again before writing the file, made the peak of a build's memory (issue 25). A memo
    read from its file is read entry by entry, not whole."""
    import tracemalloc

    memo = Memo(tmp_path)
    tracemalloc.start()
    try:
        for n in range(400):  # a build's page bodies go to the spill file as they are made
            memo.put("page", f"{n:064d}", f"<p>body {n} " + "x" * 50_000 + "</p>")  # 20 MB in all
        _, making = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        memo.save()
        _, saving = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        again = Memo(tmp_path)
        for n in range(400):  # a rebuild finds every body: each is written back from the file
            assert again.get("page", f"{n:064d}") is not None
        _, reading = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    saved = (tmp_path / ".paper-collection" / "cache" / "memo.json").read_bytes()
    again.save()
    assert (tmp_path / ".paper-collection" / "cache" / "memo.json").read_bytes() == saved
    # Bodies a page-writing worker found: the parent keeps them from the file, unread.
    third = Memo(tmp_path)
    for n in range(400):
        third.keep("page", f"{n:064d}")
    third.keep("page", "f" * 64)  # not in the file: nothing to keep
    assert third.hits_of("page") == 0
    third.save()
    assert (tmp_path / ".paper-collection" / "cache" / "memo.json").read_bytes() == saved
    assert making < 2_000_000, making
    assert saving < 2_000_000, saving
    assert reading < 2_000_000, reading
    assert again.get("page", f"{7:064d}") == "<p>body 7 " + "x" * 50_000 + "</p>"


@pytest.mark.slow
def test_a_page_writing_worker_spills_its_bodies_and_the_build_keeps_them(tmp_path):
    """A forked page writer hands back where it spilled each body, not the bodies (at 50,000 papers
    they were 0.5 GB of its 1.8 GB): the file saved is the one a single process makes."""
    import tracemalloc

    from paper_collection import parallel

    bodies = {f"{n:064d}": f"<p>body {n} " + "y" * 50_000 + "</p>" for n in range(300)}  # 15 MB
    alone = Memo(tmp_path / "alone")
    for key, body in bodies.items():
        alone.put("page", key, body)
    alone.save()

    memo = Memo(tmp_path / "forked")
    spill = memo.spill_file_for_worker("page")

    def worker():
        memo.spill_into(spill)
        tracemalloc.start()
        for key, body in bodies.items():
            memo.put("page", key, body)
        held = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {key: memo.spilled_at("page", key) for key in bodies}, held

    handed, held = parallel.Child(worker, "test page writer").result()
    assert held < 2_000_000, held
    assert all(isinstance(place, tuple) for place in handed.values())
    for key, (start, length) in handed.items():
        memo.adopt("page", key, spill, start, length)
    memo.save()
    assert (tmp_path / "forked" / ".paper-collection" / "cache" / "memo.json").read_bytes() == \
        (tmp_path / "alone" / ".paper-collection" / "cache" / "memo.json").read_bytes()
    assert Memo(tmp_path / "forked").get("page", f"{9:064d}") == bodies[f"{9:064d}"]


def test_a_kind_of_entry_the_memo_does_not_name_keeps_json_values(tmp_path):
    memo = Memo(tmp_path)
    memo.put("later", "k", {"a": [1, "two"]})
    memo.put("later", "s", "text")
    memo.save()
    again = Memo(tmp_path)
    assert again.get("later", "k") == {"a": [1, "two"]} and again.get("later", "s") == "text"


def test_the_related_papers_state_round_trips_as_arrays_and_json(tmp_path):
    papers = [Paper(f"paper-{i}", f"Graph networks for task {i % 3}", f"We study graphs and nets, case {i}.",
                    ("graphs",), "2024-01-01") for i in range(12)]
    root = tmp_path
    first = cache.cached_related(root, papers, 3)
    assert first == related_with_space(papers, 3)[0]
    path = cache_dir(root) / "related-space.npz"
    state = cache._load_space(path)
    result, space = related_with_space(papers, 3)
    assert state is not None and state["k"] == 3 and state["drift"] == 0 and state["result"] == result
    loaded = state["space"]
    assert loaded.terms == space.terms and loaded.slugs == space.slugs
    assert (loaded.matrix != space.matrix).nnz == 0 and np.array_equal(loaded.transformer.idf, space.transformer.idf)
    assert np.array_equal(loaded.kept.rows, space.kept.rows)
    # An edit to one abstract: computed again from the kept state, equal to a full computation.
    papers[4] = Paper("paper-4", "Graph networks for task 1", "A new abstract about nets.", ("graphs",), "2024-01-01")
    assert cache.cached_related(root, papers, 3) == related_with_space(papers, 3)[0]
    # A state of another version is not used.
    with np.load(path, allow_pickle=False) as arrays:
        parts = {name: arrays[name] for name in arrays.files}
    head = json.loads(parts["head"].tobytes())
    parts["head"] = np.frombuffer(datafile.dumps("related-space", cache.VERSION + 1, head["data"]), dtype=np.uint8)
    np.savez(path, **parts)
    assert cache._load_space(path) is None
    path.write_bytes(b"not an archive")
    assert cache._load_space(path) is None


def test_checks_file_is_json(tmp_path):
    assert checks_file(tmp_path).name == "checks.json"


@pytest.mark.slow
def test_a_merged_paper_with_a_newer_date_leaves_the_other_pages_taken_over(tmp_path):
    """The build date (SOURCE_DATE_EPOCH, the newest paper's `added`) shows on no page of ours, so
    a merged paper added later than the rest does not make every page look changed: a deploy
    takes the others over from the last site, and the site is a clean build's."""
    assert SEED_ADDED < "2026-11-28", "the merged paper is newer than every seed paper"
    warm = make_project(tmp_path / "warm")

    def paper(title: str, author: str, added: str, abstract: str) -> str:
        return (f"---\ntitle: {title}\nauthors:\n- {author}\ntags:\n- {_a_tag(warm)}\nadded: '{added}'\n---\n"
                f"{abstract}\n")

    # The seed papers name no author: one that does, so that both builds have an author index.
    (warm / "content" / "papers" / "quokka-xylophone-nomenclature.md").write_text(paper(
        "Quokka Xylophone Nomenclature", "Grace Hopper", SEED_ADDED, "Quokka xylophone nomenclature."),
        encoding="utf-8")
    run_generator(warm, "build")
    # The merged paper's author is new: the author index lists them (its pages keep their bodies,
    # keyed by whom they list).
    (warm / "content" / "papers" / "a-merged-paper-about-cache-reuse.md").write_text(paper(
        "A Merged Paper About Cache Reuse", "Ada Newcomer", "2026-11-28",
        "We measure how much of a build a deploy can take over when one paper is merged."), encoding="utf-8")
    again = run_generator(warm, "build")
    taken = re.search(r"(\d+) of (\d+) paper pages and (\d+) of (\d+) author, tag and listing pages unchanged since "
                      r"the last build, taken over", again.stderr)
    # Most paper pages are taken over: those whose related papers the new one changed are written.
    assert taken and int(taken.group(2)) * 3 // 4 < int(taken.group(1)) < int(taken.group(2)), again.stderr[-2000:]
    # Author and tag pages that do not show the new paper are taken over too; its tag's pages are written.
    assert 0 < int(taken.group(3)) < int(taken.group(4)), again.stderr[-2000:]
    clean = tmp_path / "clean"
    shutil.copytree(warm, clean, ignore=shutil.ignore_patterns(".paper-collection", "site"))
    run_generator(clean, "build")
    assert _tree_hash(warm / "site") == _tree_hash(clean / "site")
    assert "Ada Newcomer" in (warm / "site" / "authors" / "index.html").read_text(encoding="utf-8")


def _a_tag(root: Path) -> str:
    return yaml.safe_load((root / "taxonomy.yml").read_text(encoding="utf-8"))["tags"][0]["name"]


def test_the_build_date_keys_written_pages_only_when_a_template_shows_it(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from paper_collection.site.plugin import _build_date_shown

    theme = tmp_path / "theme"
    (theme / "partials").mkdir(parents=True)
    (theme / "partials" / "footer.html").write_text("<footer>{{ config.copyright }}</footer>", encoding="utf-8")
    config = SimpleNamespace(theme=SimpleNamespace(dirs=[str(theme)]))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert _build_date_shown(config) == ""
    (theme / "partials" / "footer.html").write_text("<footer>Built {{ build_date_utc }}</footer>", encoding="utf-8")
    assert _build_date_shown(config) == "1767225600"


def test_a_preview_adds_its_own_entries_to_the_memo_it_read(tmp_path):
    """`serve` keeps one Memo in memory and adds each preview's entries to what it read from disk
    (session.memo_for): the kept entries stay readable, the added ones win."""
    memo = Memo(tmp_path)
    memo.put("page", "a" * 64, "<p>kept</p>")
    memo.put("search", "s" * 64, {"title": {"kept": 1}})
    memo.save()
    preview = Memo(tmp_path)
    preview.path = None
    assert preview.get("page", "a" * 64) == "<p>kept</p>"
    preview.put("page", "b" * 64, "<p>new</p>")
    preview.put("search", "s" * 64, {"title": {"changed": 2}})
    for kind, entries in preview.used.items():  # as session.memo_for does before the next preview
        preview.old.setdefault(kind, {}).update(entries)
    preview.used, preview.hits = {}, {}
    assert preview.get("page", "a" * 64) == "<p>kept</p>" and preview.get("page", "b" * 64) == "<p>new</p>"
    assert preview.get("search", "s" * 64) == {"title": {"changed": 2}}
    assert sorted(preview.old["page"]) == ["a" * 64, "b" * 64] and len(preview.old["page"]) == 2


@pytest.mark.slow
def test_author_feeds_whose_papers_did_not_change_are_taken_over_and_equal_a_clean_build(tmp_path):
    """A person's feed is made from their newest papers: after one abstract is edited, the feeds of
    the people who did not write it are the last build's (hard links, not made again), the
    writer's is made again, and the site is the one a clean build makes."""
    from tests.test_exports import write_papers

    def paper(number: int, *authors: str) -> dict:
        return {"title": f"Paper {number} on Cache Keys", "tags": ["transformers"], "added": f"2026-01-0{number}",
                "abstract": f"Sentence one of paper {number}. Sentence two.", "authors": list(authors)}

    papers = [paper(1, "Ada Lovelace", "Alan Turing"), paper(2, "Ada Lovelace"), paper(3, "Ada Lovelace"),
              paper(4, "Grace Hopper", "Alan Turing"), paper(5, "Grace Hopper", "Alan Turing"),
              paper(6, "Grace Hopper")]
    warm = make_project(tmp_path / "warm", write_papers(tmp_path / "papers", papers))
    in_parallel = {"PAPER_COLLECTION_PARALLEL_FROM": "1", "PAPER_COLLECTION_WORKERS": "2"}  # feeds made in a worker
    first = run_generator(warm, "build", env=in_parallel)
    assert "author feeds unchanged" not in first.stderr
    again = run_generator(warm, "build", env=in_parallel)
    assert "3 of 3 author feeds unchanged since the last build, taken over" in again.stderr, again.stderr[-2000:]
    edited = warm / "content" / "papers" / "paper-6-on-cache-keys.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Sentence one of paper 6.", "A new first sentence."),
                      encoding="utf-8")
    third = run_generator(warm, "build", env=in_parallel)
    assert "2 of 3 author feeds unchanged since the last build, taken over" in third.stderr, third.stderr[-2000:]
    assert "A new first sentence." in (warm / "site" / "authors" / "grace-hopper" / "feed.xml").read_text("utf-8")
    clean = tmp_path / "clean"
    shutil.copytree(warm, clean, ignore=shutil.ignore_patterns(".paper-collection", "site"))
    run_generator(clean, "build")
    assert _tree_hash(warm / "site") == _tree_hash(clean / "site")


@pytest.mark.slow
def test_page_bodies_made_by_other_code_are_made_again(tmp_path):
    """A body is made by the templates and by Python in several modules (authors.py, tex.py, ...):
    after an upgrade of the generator none of the last version's bodies is reused. The other
    version is played by a `sitecustomize` that changes the code's key (`settings.code_fingerprint`)."""
    root = make_project(tmp_path / "project")
    run_generator(root, "build")
    assert reused(run_generator(root, "build"))[0] > 0
    other = tmp_path / "other-code"
    other.mkdir()
    (other / "sitecustomize.py").write_text(
        "import paper_collection.settings as settings\n"
        "settings.code_fingerprint = lambda: 'another version of the code'\n",
        encoding="utf-8")
    path = os.pathsep.join(p for p in (str(other), os.environ.get("PYTHONPATH", "")) if p)
    upgraded = run_generator(root, "build", env={"PYTHONPATH": path})
    assert reused(upgraded) == (0, reused(upgraded)[1]), upgraded.stderr[-2000:]
    assert reused(run_generator(root, "build", env={"PYTHONPATH": path}))[0] > 0  # and kept for the next build


def test_entries_found_in_the_memo_file_are_written_back_in_few_reads_and_the_same_bytes(tmp_path, monkeypatch):
    memo = Memo(tmp_path)
    for number in range(300):
        memo.put("page", f"{number:064d}", f"<p>body {number} ü</p>" * (number % 7 + 1))
        memo.put("written", f"papers/p{number}.md", f"{number:064x}")
    memo.save()
    path = tmp_path / ".paper-collection" / "cache" / "memo.json"
    saved = path.read_bytes()
    again = Memo(tmp_path)
    for number in range(300):
        again.keep("page", f"{number:064d}", hit=True)  # kept unread, as a page taken over keeps its body
        assert again.get("written", f"papers/p{number}.md") == f"{number:064x}"
    assert again.hits_of("page") == 300
    reads = []
    original = cache._File.read
    monkeypatch.setattr(cache._File, "read", lambda self, start, length: reads.append(length) or original(
        self, start, length))
    again.save()
    assert path.read_bytes() == saved
    assert len(reads) <= 2, reads  # the 300 bodies in one read, not 300
