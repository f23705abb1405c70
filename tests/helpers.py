"""Shared test helpers: build a site from a collection, serve it (optionally under a subpath),
and drive headless Chromium.

Tests own their inputs (issue #22): they never read the repository root's `content/`,
`sources/`, `taxonomy.yml` or `mkdocs.yml`, which a curator replaces with their own collection.
Projects are made from tests/fixtures/seed/ (a fixed copy of the example's site configuration,
taxonomy and seed listing), with the tests' own papers or the seed collection: the seed listing
imported into a temporary folder (110 papers, fixed dates). The one exception is
tests/test_build.py's check that the example collection, whatever it holds, validates and builds
(counts taken from its files); tests/test_pull_request.py and tests/test_new_collection.py work
on copies of the repository, as a contributor or a curator would."""

from __future__ import annotations

import atexit
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]


FIXTURES = ROOT / "tests" / "fixtures"
SEED = FIXTURES / "seed"  # fixed copies of the example's inputs (see its README.md)
SEED_LISTING = SEED / "huggingface-papers-mar-20.txt"
SEED_TAXONOMY = SEED / "taxonomy.yml"
SEED_CONFIG = SEED / "mkdocs.yml"
SEED_ADDED = "2026-11-27"


@functools.cache
def seed_papers() -> Path:
    """The seed listing imported once per test process into a temporary folder: 110 papers listed
    "Mar 20", tagged by SEED_TAXONOMY's rules, added on SEED_ADDED. Returns the papers folder."""
    from paper_collection.collection.taxonomy import load_taxonomy
    from paper_collection.ingest.importer import run_import

    folder = Path(tempfile.mkdtemp(prefix="seed-collection-"))
    atexit.register(shutil.rmtree, folder, True)
    papers = folder / "papers"
    papers.mkdir()
    report = run_import([SEED_LISTING], papers, load_taxonomy(SEED_TAXONOMY), added=SEED_ADDED)
    assert report.written, "the seed listing imported no paper"
    return papers


def make_project(tmp: Path, papers: Path | None = None) -> Path:
    """A project in `tmp` from the seed fixture's site configuration and taxonomy, with an empty
    `theme_overrides/` (its custom_dir) and the seed collection's papers (or those in `papers`)."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED_CONFIG, tmp / "mkdocs.yml")
    shutil.copy(SEED_TAXONOMY, tmp / "taxonomy.yml")
    (tmp / "theme_overrides").mkdir()
    (tmp / "content").mkdir()
    shutil.copytree(papers or seed_papers(), tmp / "content" / "papers")
    return tmp


def internal_links(site: Path) -> tuple[int, list[str]]:
    """Every link, stylesheet, script and image address between the built pages of `site` (the
    404 page's are absolute, for any depth): how many were checked, and those that lead nowhere."""
    from urllib.parse import unquote, urljoin, urlsplit

    from bs4 import BeautifulSoup

    checked, broken = 0, []
    for html in site.rglob("*.html"):
        if html.name == "404.html":
            continue
        base = "/" + html.relative_to(site).as_posix()
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for element in soup.select("a[href], link[href], script[src], img[src]"):
            target = element.get("href") or element.get("src")
            if urlsplit(target).scheme or target.startswith(("#", "mailto:")):
                continue
            path = unquote(urlsplit(urljoin(base, target)).path)
            resolved = site / path.lstrip("/")
            if path.endswith("/"):
                resolved = resolved / "index.html"
            checked += 1
            if not resolved.exists():
                broken.append(f"{base}: {target}")
    return checked, broken


def link_environment(root: Path) -> None:
    """Give the project copy at `root` this interpreter's environment as `.venv` (what `make` would
    install), so commands written as `.venv/bin/python -m generator ...` run without installing."""
    environment = Path(sys.prefix)
    if environment == Path(sys.base_prefix):  # not a virtual environment: .venv/bin/python is this interpreter
        (root / ".venv" / "bin").mkdir(parents=True)
        (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    else:
        (root / ".venv").symlink_to(environment, target_is_directory=True)


def run_generator(root: Path, *args: str, env: dict | None = None,
                  check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "paper_collection", "--root", str(root), *args], cwd=root,
                            capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"generator {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextmanager
def serve(directory: Path, prefix: str = "/"):
    """Serve `directory` at http://127.0.0.1:PORT{prefix}; anything outside the prefix is a 404,
    as on GitHub Pages for a project site."""
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"

    class Handler(_QuietHandler):
        def translate_path(self, path):
            if not path.startswith(prefix):
                return str(directory / "__outside_prefix__")
            return super().translate_path("/" + path[len(prefix):])

        def send_error(self, code, message=None, explain=None):
            page = directory / "404.html"
            if code == 404 and page.exists():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().send_error(code, message, explain)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


def require_chromium():
    """Skip outside CI when there is no browser; in CI a missing browser is a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium")
        pytest.skip(f"no browser at {CHROMIUM} (install Debian's chromium, or run make test as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is a test dependency: pip install -e '.[test]'")


CUT_SHORT = ("net::ERR_CONNECTION_REFUSED", "net::ERR_CONNECTION_RESET", "net::ERR_ABORTED", "net::ERR_EMPTY_RESPONSE")


def console_problem(message) -> bool:
    """A console error that is the page's fault. A request cut short because the test navigated
    on or stopped its server (the search index the page fetches when idle, say) is not."""
    return message.type == "error" and not (message.text.startswith("Failed to load resource")
                                            and any(code in message.text for code in CUT_SHORT))


def similar_titles(seed: int, count: int, shortest: int, longest: int, variants: int) -> list[str]:
    """Random titles from a few words, plus near-identical copies of the first ones: `variants`
    with the last letter cut, then `variants` with the first space removed (for the title index)."""
    import random

    rng = random.Random(seed)
    words = "graph neural language model vision sparse dense learning attention tokens robot policy".split()
    titles = [" ".join(rng.choice(words) for _ in range(rng.randint(shortest, longest))) for _ in range(count)]
    return titles + [t[:-1] for t in titles[:variants]] + [t.replace(" ", "", 1) for t in titles[variants:2 * variants]]


def empty_project(tmp_path: Path) -> Path:
    """A project (site configuration, taxonomy, theme) whose collection has no paper yet."""
    empty = tmp_path / "empty"
    empty.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    return make_project(root, papers=empty)
