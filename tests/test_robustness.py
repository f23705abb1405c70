"""Issue 7: broken input never crashes import, validate or build, never writes outside content/
or site/, and a failure leaves the collection and the last good site exactly as they were.

Every run goes through the real command line (`python -m generator ...`): exit code 0, 1 or 2,
no traceback, and a message naming the file.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_collection.collection import frontmatter
from paper_collection.collection.model import Origin, RawRecord, Rejection
from paper_collection.collection.paper import from_front_matter, to_front_matter
from paper_collection.collection.slugs import unique_slug
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import check_paper
from paper_collection.ingest.readers.listing import read_listing
from paper_collection.ingest.records import paper_from_record
from tests.helpers import ROOT, SEED_TAXONOMY, make_project, run_generator

TAG = "language-models"
ABSTRACT = "This abstract is long enough to count as one, and it talks about language models."


def tree_hash(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def all_paths(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def check_clean_exit(result: subprocess.CompletedProcess, *names: str) -> None:
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]
    if result.returncode != 0:
        said = result.stdout + result.stderr
        assert any(name in said for name in names), f"no mention of {names}:\n{said[-2000:]}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A built project to copy: each test gets its own copy with a good site/."""
    root = make_project(tmp_path_factory.mktemp("built"))
    run_generator(root, "build")
    return root


@pytest.fixture
def project(built, tmp_path) -> Path:
    import shutil

    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


# --- import: broken dumps ---------------------------------------------------------------------

LISTING = f"Mar 20\n\nA Title About Language Models\n\n{ABSTRACT}\n"

# name -> (bytes, must import the paper?)
DUMPS: dict[str, tuple[bytes, bool]] = {
    "empty.txt": (b"", False),
    "blank-lines.txt": (b"\n\n \n\t\n", False),
    "binary.bin": (bytes(range(256)) * 64, False),
    "png.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, False),
    "pdf.txt": (b"%PDF-1.7\n" + b"\x00\x01" * 100, False),
    "latin1.txt": (LISTING.replace("Title", "Titl\xe9").encode("latin-1"), False),
    "utf16.txt": (LISTING.encode("utf-16"), False),
    "truncated-utf8.txt": (LISTING.encode() + "é".encode()[:1], False),
    "bom.txt": (b"\xef\xbb\xbf" + LISTING.encode(), True),
    "crlf.txt": (LISTING.replace("\n", "\r\n").encode(), True),
    "lone-cr.txt": (LISTING.replace("\n", "\r").encode(), True),
    "bom-crlf.txt": (b"\xef\xbb\xbf" + LISTING.replace("\n", "\r\n").encode(), True),
    "nul-and-controls.txt": (LISTING.replace("Title", "Ti\x00t\x07l\x1be").encode(), True),
    "rtl-zero-width.txt": (LISTING.replace("Title", "Ti\u202etle\u200b\u2066x\u2069").encode(), True),
    "only-boilerplate.txt": (b"new\n\nSubmit\n\nLog In\n", False),
    "broken.json": (b'[{"title": "A", "abstract": ', False),
    "deep.json": (b"[" * 100_000 + b"]" * 100_000, False),
    "scalar.json": (b'"just a string"', False),
    "broken.bib": (b"@article{x, title={unclosed", False),
    "broken.xml": (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>", False),
    "billion-laughs.xml": (b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                           b"<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                           b"<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
                           b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>&lol3;</title>"
                           b"<summary>&lol3;</summary></entry></feed>", False),
    "csv-only-header.csv": (b"title,abstract\n", False),
    "csv-ragged.csv": (b'title,abstract\n"unclosed,\n', False),
}


KNOWN_BUGS: dict[str, str] = {}  # name -> reason, for inputs that still crash a tool


def params(names):
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[n])) if n in KNOWN_BUGS else n
            for n in sorted(names)]


@pytest.mark.parametrize("name", params(DUMPS))
def test_broken_dump_imports_or_fails_cleanly(project, name):
    data, imports = DUMPS[name]
    (project / name).write_bytes(data)
    before = tree_hash(project / "content")
    paths = all_paths(project)
    result = run_generator(project, "import", name, "--added", "2024-01-01", "--default-tag", TAG, check=False)
    check_clean_exit(result, name)
    new = all_paths(project) - paths
    # Paper files, and the importer's index in the commands' git-ignored working folder (atomic.py).
    new -= {".paper-collection/cache/import-index.json"}
    assert all(p.startswith("content/papers/") for p in new), new
    if imports:
        assert result.returncode == 0, result.stderr
        assert len(new) == 1 and "new 1" in result.stdout, result.stdout
        written = project / sorted(new)[0]
        assert re.fullmatch(r"[a-z0-9-]+\.md", written.name)
        check_clean_exit(run_generator(project, "validate", check=False), written.name)
        assert run_generator(project, "validate", check=False).returncode == 0
    elif result.returncode != 0:
        assert tree_hash(project / "content") == before


def test_missing_and_directory_inputs_fail_cleanly(project):
    (project / "folder").mkdir()
    for name in ("missing.txt", "folder"):
        result = run_generator(project, "import", name, "--added", "2024-01-01", check=False)
        check_clean_exit(result, name)
        assert result.returncode == 2


def test_one_bad_input_means_no_file_is_written(project):
    (project / "good.txt").write_text(LISTING, encoding="utf-8")
    (project / "bad.bin").write_bytes(bytes(range(256)) * 8)
    before = tree_hash(project / "content")
    result = run_generator(project, "import", "good.txt", "bad.bin", "--added", "2024-01-01",
                           "--default-tag", TAG, check=False)
    check_clean_exit(result, "bad.bin")
    assert result.returncode == 2
    assert tree_hash(project / "content") == before


def test_ten_megabyte_single_line_abstract(project):
    words = "generalization of language models " * (10 * 1024 * 1024 // 35)
    (project / "huge.txt").write_text(f"Mar 20\n\nA Paper With a Huge Abstract\n\n{words}.\n", encoding="utf-8")
    started = time.monotonic()
    result = run_generator(project, "import", "huge.txt", "--added", "2024-01-01", "--default-tag", TAG, check=False)
    check_clean_exit(result, "huge.txt")
    assert result.returncode == 0 and "new 1" in result.stdout
    assert time.monotonic() - started < 60
    check_clean_exit(run_generator(project, "build", check=False), "a-paper-with-a-huge-abstract")


# --- safe, unique file names ------------------------------------------------------------------

NASTY_TITLES = ["", "!!!", "...", "..", ".", "/", "\\", "../../etc/passwd", "..\\..\\windows", "index", "INDEX",
                "tags", "search", "assets", "404", "con", "CON.txt", "nul", "com1", "LPT9", "aux", "papers",
                "sitemap", "feed", "\u202e\u200b", "日本語の論文", "Ελληνικά", "ﬁ ligature", "x" * 5000,
                "word " * 2000, "a" * 79 + "-" + "b" * 79, "-leading-and-trailing-", "emoji 🚀🚀🚀",
                ".hidden", "~backup", "$(rm -rf)", "`id`", "null", "a/b/c", "%2e%2e%2f"]


def test_titles_that_slugify_badly_get_safe_unique_names(project):
    import json

    papers = [{"title": f"{title} language models {n}" if n % 2 else title or "\u200b",
               "abstract": f"{ABSTRACT} Number {n}."} for n, title in enumerate(NASTY_TITLES)]
    papers += [{"title": title, "abstract": f"{ABSTRACT} Bare {n}."} for n, title in enumerate(NASTY_TITLES)]
    (project / "nasty.json").write_text(json.dumps(papers), encoding="utf-8")
    paths = all_paths(project)
    result = run_generator(project, "import", "nasty.json", "--added", "2024-01-01", "--default-tag", TAG,
                           check=False)
    check_clean_exit(result, "nasty.json")
    new = sorted(all_paths(project) - paths - {".paper-collection/cache/import-index.json"})
    assert all(p.startswith("content/papers/") and p.count("/") == 2 for p in new), new
    names = [Path(p).name for p in new]
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*\.md", n) and len(n) <= 100 for n in names), names
    assert len(set(names)) == len(names)
    # Every record is a new paper, a duplicate, or rejected with a reason.
    counts = re.search(r"read (\d+), new (\d+), merged (\d+), unchanged (\d+), duplicate (\d+), rejected (\d+)",
                       result.stdout)
    read, new_count, merged, unchanged, duplicate, rejected = map(int, counts.groups())
    assert read == len(papers) == new_count + merged + unchanged + duplicate + rejected
    assert new_count == len(new)
    validated = run_generator(project, "validate", check=False)
    check_clean_exit(validated, "content/papers")
    assert validated.returncode == 0, validated.stdout[-3000:]


# --- validate and build: broken paper files ---------------------------------------------------

GOOD_META = f"title: A Broken Paper\ntags: [{TAG}]\nadded: '2024-01-01'\n"
PAPER_FILES: dict[str, bytes] = {
    "empty": b"",
    "binary": bytes(range(256)) * 16,
    "latin1": f"---\n{GOOD_META}---\nAbstract caf\xe9.\n".encode("latin-1"),
    "no-front-matter": ABSTRACT.encode(),
    "unclosed": f"---\n{GOOD_META}{ABSTRACT}\n".encode(),
    "list-front-matter": b"---\n- a\n- b\n---\nAbstract.\n",
    "scalar-front-matter": b"---\njust text\n---\nAbstract.\n",
    "empty-front-matter": b"---\n---\nAbstract.\n",
    "deep-nesting": b"---\ntitle: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nAbstract.\n",
    "deep-mapping": b"---\n" + b"".join(b"  " * i + b"k:\n" for i in range(500)) + b"---\nA.\n",
    "alias-bomb": (b"---\na: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n"
                   b"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                   b"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ntitle: *d\n---\nAbstract.\n"),
    "merge-key": b"---\nbase: &b {title: x}\n<<: *b\n---\nAbstract.\n",
    "duplicate-keys": f"---\n{GOOD_META}title: Again\n---\n{ABSTRACT}\n".encode(),
    "python-tag": b"---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\nAbstract.\n",
    "binary-tag": b"---\ntitle: !!binary aGVsbG8=\ntags: [x]\nadded: '2024-01-01'\n---\nAbstract.\n",
    "title-list": f"---\ntitle: [a, b]\ntags: [{TAG}]\nadded: '2024-01-01'\n---\n{ABSTRACT}\n".encode(),
    "tags-mapping": f"---\ntitle: A Broken Paper\ntags: {{a: 1}}\nadded: '2024-01-01'\n---\n{ABSTRACT}\n".encode(),
    "links-scalar": f"---\n{GOOD_META}links: https://example.org\n---\n{ABSTRACT}\n".encode(),
    "links-list-of-lists": f"---\n{GOOD_META}links: [[1, 2]]\n---\n{ABSTRACT}\n".encode(),
    "sources-garbage": f"---\n{GOOD_META}sources: [{{file: x, line: [1]}}, 3, null]\n---\n{ABSTRACT}\n".encode(),
    "unhashable-key": f"---\n{GOOD_META}? [a, b]\n: c\n---\n{ABSTRACT}\n".encode(),
    "null-key": f"---\n{GOOD_META}~: c\n---\n{ABSTRACT}\n".encode(),
    "huge-int": f"---\n{GOOD_META}year: {'9' * 5000}\n---\n{ABSTRACT}\n".encode(),
    "float-nan": f"---\n{GOOD_META}year: .nan\n---\n{ABSTRACT}\n".encode(),
    "bad-date": f"---\ntitle: A Broken Paper\ntags: [{TAG}]\nadded: 2024-13-45\n---\n{ABSTRACT}\n".encode(),
    "tab-indent": f"---\n{GOOD_META}authors:\n\t- x\n---\n{ABSTRACT}\n".encode(),
    "no-abstract": f"---\n{GOOD_META}---\n".encode(),
    "nul-in-yaml": f"---\n{GOOD_META}venue: a\x00b\n---\n{ABSTRACT}\n".encode(),
}


@pytest.mark.parametrize("name", params(PAPER_FILES))
def test_broken_paper_file_fails_validate_and_build_cleanly(project, name):
    path = project / "content" / "papers" / "a-broken-paper.md"
    path.write_bytes(PAPER_FILES[name])
    site_before = tree_hash(project / "site")
    content_before = tree_hash(project / "content")
    validated = run_generator(project, "validate", check=False)
    check_clean_exit(validated, "content/papers/a-broken-paper.md")
    assert validated.returncode == 1, validated.stdout[-2000:]
    assert "content/papers/a-broken-paper.md" in validated.stdout
    started = time.monotonic()
    built = run_generator(project, "build", check=False)
    check_clean_exit(built, "content/papers/a-broken-paper.md")
    assert built.returncode == 1
    assert time.monotonic() - started < 60
    assert tree_hash(project / "site") == site_before
    assert tree_hash(project / "content") == content_before
    assert not [p for p in project.iterdir() if p.name.startswith((".site", ".import-"))]


@pytest.mark.parametrize("variant", ["bom", "crlf", "lone-cr", "bom-crlf"])
def test_paper_file_with_bom_or_other_line_breaks_is_valid(project, variant):
    text = f"---\ntitle: A Broken Paper\ntags: [{TAG}]\nadded: '2024-01-01'\n---\n{ABSTRACT}\n"
    data = {"bom": "\ufeff" + text, "crlf": text.replace("\n", "\r\n"), "lone-cr": text.replace("\n", "\r"),
            "bom-crlf": "\ufeff" + text.replace("\n", "\r\n")}[variant]
    (project / "content" / "papers" / "a-broken-paper.md").write_bytes(data.encode())
    result = run_generator(project, "build", check=False)
    check_clean_exit(result, "a-broken-paper")
    assert result.returncode == 0, result.stdout[-2000:]
    assert (project / "site" / "papers" / "a-broken-paper" / "index.html").exists()


def test_failing_mkdocs_build_keeps_the_last_good_site(project):
    """A failure after validation (here: a broken theme template) leaves site/ as it was."""
    site_before = tree_hash(project / "site")
    override = project / "theme_overrides" / "collection" / "paper.html"  # the site's own layer over the theme
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("{% if %}", encoding="utf-8")
    result = run_generator(project, "build", check=False)
    # A broken theme is not input: MkDocs may print its own traceback; what matters is site/.
    assert result.returncode == 2 and "site/ was left as it was" in result.stderr, result.stderr[-2000:]
    assert tree_hash(project / "site") == site_before
    assert not [p for p in project.iterdir() if p.name.startswith((".site",))]


# --- a 100,000-paper dump ---------------------------------------------------------------------


def big_listing(count: int) -> str:
    return "Mar 20\n\n" + "\n\n".join(
        f"Paper number {i} about generalization\n\nThis is the abstract of paper {i}, which studies "
        "language models and how they generalize, at some length." for i in range(count))


@pytest.mark.slow
def test_listing_parser_reads_100000_papers_quickly():
    text = big_listing(100_000)
    started = time.monotonic()
    result = read_listing(text, "big.txt")
    elapsed = time.monotonic() - started
    assert len(result.records) == 100_000 and not result.rejected
    assert result.records[-1].origin.line == 3 + 4 * (100_000 - 1)
    assert elapsed < 30, elapsed


# --- properties: import + validate round trip -------------------------------------------------

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
unicode_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=unicode_text, abstract=st.lists(unicode_text, min_size=1, max_size=4).map(" ".join),
       authors=st.lists(unicode_text, max_size=3), venue=st.none() | unicode_text)
def test_imported_paper_validates_and_reads_back_the_same(title, abstract, authors, venue):
    raw = RawRecord(title=title, abstract=abstract + " " + ABSTRACT, authors=tuple(authors), venue=venue,
                    origin=Origin(file=title[:40] or "f", line=1, format="json"))
    paper = paper_from_record(raw, added="2024-01-01")
    if isinstance(paper, Rejection):
        assert paper.reason
        return
    paper = replace(paper, tags=paper.tags or (TAG,))  # tags are the importer's job
    slug = unique_slug(paper.title, set())
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) and len(slug) <= 80
    text = frontmatter.dump(to_front_matter(paper), paper.abstract)
    parsed = frontmatter.parse(text, f"{slug}.md")
    problems = check_paper(f"content/papers/{slug}.md", parsed, frozenset(TAXONOMY.names))
    # Warnings (an author entry of eight words is "more than a name") do not fail validation.
    assert not [p for p in problems if not p.warning], problems
    assert all(p.field.startswith("authors[") for p in problems), problems
    again = from_front_matter(slug, parsed.meta, parsed.body)
    assert again.title == paper.title and again.authors == paper.authors and again.venue == paper.venue
    assert again.abstract == paper.abstract.strip()
    assert again.links == paper.links and again.sources == paper.sources


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_decode_and_read_never_raise_anything_but_input_errors(data):
    from paper_collection.errors import InputError
    from paper_collection.ingest.readers.detect import read_input
    from paper_collection.ingest.readers.text import decode_input

    try:
        text = decode_input(data, "f")
        read_input(text, "f")
    except InputError as error:
        assert str(error).startswith("f")


# --- the fuzzer runs ----------------------------------------------------------------------------


def test_fuzz_listing_script_runs_for_a_few_seconds():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "fuzz_listing.py"), "--seconds", "3"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"tried \d+ inputs", result.stdout), result.stdout
