"""`python -m generator serve` previews the collection with live reload."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.helpers import make_project

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:  # not listening yet, or busy rebuilding
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_serve_previews_the_collection_and_reloads_on_change(tmp_path):
    root = make_project(tmp_path)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "paper_collection", "--root", str(root), "serve",
                                "--dev-addr", f"127.0.0.1:{port}"], cwd=root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        base = f"http://127.0.0.1:{port}/paper-collection/"
        page = _get(f"{base}papers/poseidon-efficient-foundation-models-for-pdes/", time.monotonic() + 90)
        assert "Poseidon: Efficient Foundation Models for PDEs" in page
        assert "livereload" in page  # mkdocs serve injects its reload script
        paper = root / "content" / "papers" / "poseidon-efficient-foundation-models-for-pdes.md"
        title = "title: 'Poseidon: Efficient Foundation Models for PDEs'"
        text = paper.read_text(encoding="utf-8").replace(title, f"{title}\nvenue: Preview Venue", 1)
        paper.write_text(text, encoding="utf-8")
        deadline = time.monotonic() + 90
        while "Preview Venue" not in _get(f"{base}papers/poseidon-efficient-foundation-models-for-pdes/", deadline):
            assert time.monotonic() < deadline, "the edit never showed up in the preview"
            time.sleep(1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_preview_rewrites_only_the_pages_an_edit_touches(tmp_path):
    """`serve` runs MkDocs' dirty build: an edited paper's page and the pages that show it (its
    related papers' lists) are written again, the others are not; the search index follows."""
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.collection.validate import load_collection
    from paper_collection.site.related import related_papers

    root = make_project(tmp_path)
    collection = load_collection(root / "content" / "papers", load_taxonomy(root / "taxonomy.yml"), root)
    related = related_papers(collection.papers, 5)
    edited = next(slug for slug, listed in sorted(related.items()) if listed)
    lister = next(slug for slug, listed in sorted(related.items()) if edited in listed and slug != edited)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "paper_collection", "--root", str(root), "serve",
                                "--dev-addr", f"127.0.0.1:{port}"], cwd=root, stdout=log, stderr=log,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        base = f"http://127.0.0.1:{port}/paper-collection/"
        _get(f"{base}papers/{edited}/", time.monotonic() + 90)
        paper = root / "content" / "papers" / f"{edited}.md"
        text = paper.read_text(encoding="utf-8")
        old_title = next(line for line in text.splitlines() if line.startswith("title: "))
        paper.write_text(text.replace(old_title, "title: Zyxwv Preview Retitled Paper", 1), encoding="utf-8")
        deadline = time.monotonic() + 90
        while "Zyxwv Preview Retitled Paper" not in _get(f"{base}papers/{edited}/", deadline):
            assert time.monotonic() < deadline, "the edit never showed up in the preview"
            time.sleep(0.5)
        assert "Zyxwv Preview Retitled Paper" in _get(f"{base}papers/{lister}/", deadline)
        while "Zyxwv Preview Retitled Paper" not in "".join(
                _get(f"{base}search/docs/{n}.json", deadline) for n in range(len(collection.papers) // 16 + 1)):
            assert time.monotonic() < deadline, "the search index never caught up with the edit"
            time.sleep(0.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text(encoding="utf-8")
    counts = [line.split("preview: ")[1] for line in output.splitlines() if "preview: " in line]
    total = len(collection.papers)
    assert counts[0] == f"{total} of {total} paper pages to write again", output[-3000:]
    written_again = int(counts[-1].split()[0])
    assert 2 <= written_again <= 1 + sum(1 for listed in related.values() if edited in listed) + 5, counts
    assert "Traceback" not in output and "ERROR" not in output, output[-3000:]


def test_the_taxonomy_is_read_again_only_when_its_file_changed(tmp_path):
    from mkdocs.config import load_config

    from paper_collection.site import session

    root = make_project(tmp_path / "project")
    config = load_config(str(root / "mkdocs.yml"))
    first = session.taxonomy_for(config)
    assert session.taxonomy_for(config) is first  # the preview's next build: not parsed again
    path = root / "taxonomy.yml"
    text = path.read_text(encoding="utf-8")
    tag = first.tags[0]
    path.write_text(text.replace(f"title: {tag.title}", f"title: {tag.title} Renamed", 1), encoding="utf-8")
    again = session.taxonomy_for(config)
    assert again is not first and again.tags[0].title == f"{tag.title} Renamed"
