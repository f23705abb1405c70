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
    process = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(root), "serve",
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
