"""Each paper file's check is remembered between runs (validate.CheckMemo, saved in the git-ignored
cache by `build` and `validate`): a later run reads again only the files that changed, and reports
exactly what a check from scratch reports, near-identical titles of unchanged files included."""

from __future__ import annotations

import json
import os

import pytest

from paper_collection.collection import validate
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import CheckMemo, load_collection
from paper_collection.site.cache import checks_file
from tests.helpers import SEED_TAXONOMY, make_project, run_generator

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
ABSTRACT = "We study {} and show that a simple method beats strong baselines on three benchmarks."


def paper(title: str, *, tag: str = "vision", added: str = "2024-01-05", abstract: str | None = None) -> str:
    return (f"---\ntitle: {title}\ntags:\n- {tag}\nadded: '{added}'\n---\n"
            f"{abstract or ABSTRACT.format(title.lower())}\n")


FILES = {
    "scaling-laws-for-neural-language-models.md": paper("Scaling Laws for Neural Language Models"),
    "scaling-law-for-neural-language-models.md": paper("Scaling Law for Neural Language Models", added="2024-01-06"),
    "diffusion-models-beat-gans.md": paper("Diffusion Models Beat GANs on Image Synthesis"),
    "graph-attention-networks.md": paper("Graph Attention Networks", tag="graphs"),
    "speech-recognition-at-scale.md": paper("Robust Speech Recognition at Scale"),
}


def collection_folder(tmp_path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    for name, text in FILES.items():
        (papers / name).write_text(text, encoding="utf-8")
    return papers


def reported(collection) -> list[str]:
    return [f"{p}{' (warning)' if p.warning else ''}" for p in collection.problems]


def check_with_saved_memo(tmp_path, papers) -> tuple[list[str], list[str]]:
    """What a run that starts from the saved memo reports, and what a check from scratch reports."""
    memo = CheckMemo.load(checks_file(tmp_path))
    with_memo = reported(load_collection(papers, TAXONOMY, tmp_path, memo))
    memo.save(checks_file(tmp_path))
    return with_memo, reported(load_collection(papers, TAXONOMY, tmp_path))


def edit_title(papers, name, title):
    (papers / name).write_text(paper(title), encoding="utf-8")


EDITS = {
    "nothing": lambda papers: None,
    "an error made": lambda papers: (papers / "graph-attention-networks.md").write_text(
        "---\ntitle: Graph Attention Networks\ntags:\n- graphs\nadded: 2024-01-05\n---\nText.\n", encoding="utf-8"),
    "a near-identical title made": lambda papers: edit_title(
        papers, "diffusion-models-beat-gans.md", "Robust Speech Recognitions at Scale"),
    "a near-identical title undone": lambda papers: edit_title(
        papers, "scaling-law-for-neural-language-models.md", "Chinchilla: Compute-Optimal Training"),
    "a file removed": lambda papers: (papers / "scaling-laws-for-neural-language-models.md").unlink(),
    "a file added": lambda papers: (papers / "speech-recognition-at-scale-2.md").write_text(
        paper("Robust Speech Recognition at Scale", added="2024-02-01"), encoding="utf-8"),
    "the same abstract": lambda papers: (papers / "graph-attention-networks.md").write_text(
        paper("Graph Attention Networks", tag="graphs", abstract=ABSTRACT.format("graph attention networks")
              .replace("graph attention networks", "diffusion models beat gans on image synthesis")),
        encoding="utf-8"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_run_from_the_saved_memo_reports_what_a_check_from_scratch_reports(tmp_path, edit):
    papers = collection_folder(tmp_path)
    first, fresh = check_with_saved_memo(tmp_path, papers)
    assert first == fresh
    assert any("near-identical title" in line for line in first)  # the pair of unchanged files
    EDITS[edit](papers)
    second, fresh = check_with_saved_memo(tmp_path, papers)
    assert second == fresh
    if edit != "nothing":
        assert second != first  # every edit above changes the report: the memo did not hide it


def test_only_the_changed_file_is_read_again(tmp_path, monkeypatch):
    papers = collection_folder(tmp_path)
    check_with_saved_memo(tmp_path, papers)
    read = []
    real = validate._check_file
    monkeypatch.setattr(validate, "_check_file", lambda path, *rest: read.append(path.name) or real(path, *rest))
    edit_title(papers, "graph-attention-networks.md", "Graph Attention Networks, Revisited")
    check_with_saved_memo(tmp_path, papers)
    assert read[0] == "graph-attention-networks.md"
    assert read[1:] == sorted(FILES)  # the second call is the check from scratch


def test_a_fresh_checkout_reads_again_only_the_files_whose_bytes_changed(tmp_path, monkeypatch):
    """CI restores the memo into a new checkout: every file has new times and inode, but only the
    one whose bytes changed is checked again (and what is reported is still a full check's)."""
    papers = collection_folder(tmp_path)
    check_with_saved_memo(tmp_path, papers)
    for path in papers.iterdir():  # a checkout writes every file anew
        text = path.read_bytes()
        path.unlink()
        path.write_bytes(text)
        os.utime(path, ns=(1, 1))
    edit_title(papers, "graph-attention-networks.md", "Graph Attention Networks, Revisited")
    read = []
    real = validate._check_file
    monkeypatch.setattr(validate, "_check_file", lambda path, *rest: read.append(path.name) or real(path, *rest))
    second, fresh = check_with_saved_memo(tmp_path, papers)
    assert read == ["graph-attention-networks.md", *sorted(FILES)]  # then the check from scratch
    assert second == fresh


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(tmp_path):
    papers = collection_folder(tmp_path)
    check_with_saved_memo(tmp_path, papers)
    path = papers / "graph-attention-networks.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8").replace("- graphs", "- gra9hs")  # same length, an unknown tag
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    second, fresh = check_with_saved_memo(tmp_path, papers)
    assert second == fresh
    assert any("gra9hs" in line for line in second)


def test_a_memo_from_other_code_or_a_broken_file_is_not_used(tmp_path):
    papers = collection_folder(tmp_path)
    check_with_saved_memo(tmp_path, papers)
    path = checks_file(tmp_path)
    assert CheckMemo.load(path).files  # saved by this code: used
    header, *lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == 1 + len(FILES)  # what every check depends on, then a line a file
    saved = json.loads(header)
    for changed in ({"code": "other code"}, {"version": saved["version"] - 1}, {"kind": "memo"}):
        path.write_bytes(json.dumps({**saved, **changed}).encode() + b"\n" + b"".join(lines))
        assert CheckMemo.load(path).files == {}, changed
    for line in (b'["L",1,2]\n', b'["=Unknown",1]\n', b'not json\n', b'["T",["P","a.md"],null]\n'):
        path.write_bytes(header + lines[0] + line + b"".join(lines[2:]))
        assert CheckMemo.load(path).files == {}, line
    whole = header + b"".join(lines)
    for broken in (b"not a cache", whole[:-3], header[:-3], b"\xff\xfe", b"[]", header):
        path.write_bytes(broken)
        assert CheckMemo.load(path).files == {}
    # and a run with it still reports everything
    second, fresh = check_with_saved_memo(tmp_path, papers)
    assert second == fresh


def test_validate_and_build_remember_checks_between_runs(tmp_path):
    root = make_project(tmp_path / "project")
    first = run_generator(root, "validate")
    assert checks_file(root).is_file()
    assert "papers valid" in first.stdout
    name = sorted((root / "content" / "papers").iterdir())[0]
    name.write_text(name.read_text(encoding="utf-8").replace("added: '", "added: 'x", 1), encoding="utf-8")
    second = run_generator(root, "validate", check=False)
    assert second.returncode == 1
    assert f"content/papers/{name.name}" in second.stdout + second.stderr


def test_the_memo_is_saved_and_read_a_file_at_a_time(tmp_path):
    """Issue 25: at 50,000 papers the memo is 236 MB, and encoding it as one JSON text (or decoding
    it so) took 1.3 GB more than the memo itself, the peak of a whole build. Saved and read a
    file at a time, neither holds more than the memo and a line."""
    import dataclasses
    import tracemalloc

    papers = collection_folder(tmp_path)
    memo = CheckMemo()
    load_collection(papers, TAXONOMY, tmp_path, memo)
    signature, digest, (found, entry, one) = next(iter(memo.files.values()))
    big = "A long abstract about many things. " * 1_000  # 35 KB a paper
    memo.files = {papers / f"paper-{i:03d}.md": (signature, digest, (found, entry, dataclasses.replace(
        one, slug=f"paper-{i:03d}", abstract=big + str(i)))) for i in range(300)}
    path = checks_file(tmp_path)
    tracemalloc.start()
    try:
        memo.save(path)
        saved_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        loaded = CheckMemo.load(path)
        loaded_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert size > 10_000_000
    assert saved_peak < size / 10, (saved_peak, size)  # one file's line at a time, not the whole text
    kept = sum(len(paper.abstract) for _, _, (_, _, paper) in loaded.files.values())
    assert loaded_peak < kept + size / 5, (loaded_peak, kept, size)  # the memo, not the text beside it
    assert loaded.files == memo.files


def test_a_build_saves_the_checks_in_a_worker_and_waits_for_it(tmp_path):
    """Issue 25: writing the checks took a second of every 10,000-paper rebuild that changed a file,
    in the build's own process. `build` hands it to a forked worker and goes on (validate still
    writes them itself); what the worker writes is what the process would have written. (In a
    fresh interpreter, as `build` runs: a process with other threads never forks.)"""
    import subprocess
    import sys

    root = make_project(tmp_path / "project")
    inline = tmp_path / "inline.json"
    script = f"""
import os
from pathlib import Path
from paper_collection import cli
from paper_collection.collection.validate import CheckMemo, load_collection
from paper_collection.settings import Layout
from paper_collection.site.cache import checks_file
layout = Layout(Path({str(root)!r}))
saving = []
collection = cli._check_collection(layout, cli._taxonomy(layout), saving=saving)
print("workers", len(saving), saving[0].pid != os.getpid())
saving[0].result()
print("saved", len(CheckMemo.load(checks_file(layout.root)).files), len(collection.papers))
memo = CheckMemo.load(checks_file(layout.root))
load_collection(layout.papers_dir, cli._taxonomy(layout), layout.root, memo)
memo.updated = True
memo.save(Path({str(inline)!r}))
"""
    in_parallel = {**os.environ, "PAPER_COLLECTION_PARALLEL_FROM": "1", "PAPER_COLLECTION_WORKERS": "2"}
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=in_parallel,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    papers = len(list((root / "content" / "papers").glob("*.md")))
    assert ran.stdout.split("\n")[:2] == ["workers 1 True", f"saved {papers} {papers}"], ran.stdout
    assert inline.read_bytes() == checks_file(root).read_bytes()
    # And the command waits for it: the checks are on disk when `build` is done.
    checks_file(root).unlink()
    run_generator(root, "build", env={"PAPER_COLLECTION_PARALLEL_FROM": "1", "PAPER_COLLECTION_WORKERS": "2"})
    assert len(CheckMemo.load(checks_file(root)).files) == papers
