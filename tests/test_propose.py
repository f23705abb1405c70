"""`taxonomy propose`: a taxonomy.yml proposed from real papers (tests/fixtures/propose/, see its README).

Each check runs on copies of the fixtures in tmp folders; the coverage figure comes from importing
the fixture with the real importer under the proposed taxonomy, not from the clustering."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from paper_collection.collection.identity import load_meta
from paper_collection.collection.propose import (
    MIN_PAPERS,
    ProposeError,
    _render,
    _Tag,
    propose,
    propose_taxonomy,
    rule_pattern,
)
from paper_collection.collection.taxonomy import UNTAGGED, _required_literal, parse_taxonomy
from paper_collection.errors import InputError
from paper_collection.ingest.importer import run_import

FIXTURES = Path(__file__).parent / "fixtures" / "propose"
ASTRO = FIXTURES / "astro-ph.jsonl"  # 300 real astro-ph papers


@functools.cache
def _proposal(name: str):
    """The proposal for a fixture, computed once per test process from a copy in a tmp folder."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="propose-"))
    copy = folder / name
    shutil.copy(FIXTURES / name, copy)
    return propose([copy])


def _texts(path: Path) -> list[str]:
    return [f"{r['title']}\n{r['summary']}" for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def test_the_proposal_loads_as_a_taxonomy_with_8_to_40_tags():
    proposal = _proposal(ASTRO.name)
    taxonomy = parse_taxonomy(proposal.text, "taxonomy.yml")
    names = taxonomy.topic_names
    assert 8 <= len(names) <= 40
    assert list(names) == list(proposal.tag_papers)
    assert sum(count >= 3 for count in proposal.tag_papers.values()) == len(names)
    for tag in taxonomy.tags:
        if tag.name == UNTAGGED:
            continue
        assert tag.title and tag.description.startswith("Papers on ") and tag.title_patterns
        assert "\n" not in tag.description


def test_names_are_phrases_the_papers_write_not_stems():
    proposal = _proposal(ASTRO.name)
    texts = " \n".join(_texts(ASTRO)).lower()
    for tag in parse_taxonomy(proposal.text).tags:
        if tag.name == UNTAGGED:
            continue
        # The title as written, whole words: a stem ("galaxi") or a made-up word would not be found.
        assert re.search(r"\b" + r"\s+".join(map(re.escape, tag.title.lower().split())) + r"\b", texts), tag.title
    titles = [t.title for t in parse_taxonomy(proposal.text).tags]
    assert any(len(t.split()) > 1 for t in titles), "names prefer phrases of two or three words"


def test_rules_are_literal_phrases_the_prefilter_finds():
    taxonomy = parse_taxonomy(_proposal(ASTRO.name).text)
    for tag in taxonomy.tags:
        for pattern in (*tag.title_patterns, *tag.abstract_patterns):
            literal = _required_literal(pattern.pattern)
            assert literal and pattern.pattern.startswith(r"\b" + literal), pattern.pattern
    assert rule_pattern("black holes", frozenset({"black hole"})) == r"\bblack holes?\b"
    assert rule_pattern("x-ray", frozenset({"x-rays"})) == r"\bx-rays?\b"
    assert rule_pattern("c++ (code)") == r"\bc\+\+ \(code\)\b"  # metacharacters escaped


@pytest.mark.parametrize("name", ["astro-ph.jsonl", "cs.jsonl", "eess.jsonl"])  # three fields
def test_at_least_90_percent_of_papers_get_a_rule_tag_when_imported(tmp_path, name):
    proposal = _proposal(name)
    assert 8 <= len(proposal.tag_papers) <= 40
    dump = tmp_path / name
    shutil.copy(FIXTURES / name, dump)
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    report = run_import([dump], papers, parse_taxonomy(proposal.text), added="2026-12-01", suggest=False)
    files = sorted(papers.glob("*.md"))
    assert len(files) == len(report.files[0].new) == 300
    tagged = sum(load_meta(f)[0]["tags"] != [UNTAGGED] for f in files)
    assert tagged / len(files) >= 0.9
    assert tagged == report.files[0].by_rules == proposal.tagged  # the header's figure is the importer's
    assert f"With these rules {tagged} of the 300 papers" in proposal.text


def test_same_input_same_bytes_through_the_command(tmp_path):
    dump = tmp_path / ASTRO.name
    shutil.copy(ASTRO, dump)
    output = tmp_path / "taxonomy.yml"
    done = subprocess.run([sys.executable, "-m", "paper_collection", "--root", str(tmp_path), "taxonomy", "propose",
                           str(dump), "--output", str(output)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert output.read_bytes() == _proposal(ASTRO.name).text.encode("utf-8")  # another process, same bytes
    assert re.match(r"wrote .*taxonomy.yml: \d+ tags; their rules tag \d+ of 300 papers", done.stdout)
    again = subprocess.run([sys.executable, "-m", "paper_collection", "--root", str(tmp_path), "taxonomy", "propose",
                            str(dump), "--output", str(output)], capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and "the file exists; nothing was written" in again.stderr


def test_too_few_papers_is_a_clear_error_and_nothing_is_written(tmp_path):
    dump = tmp_path / "few.jsonl"
    dump.write_text("".join(ASTRO.read_text(encoding="utf-8").splitlines(keepends=True)[:12]), encoding="utf-8")
    with pytest.raises(ProposeError) as raised:
        propose_taxonomy([dump])
    message = str(raised.value)
    assert f"needs at least {MIN_PAPERS} papers with abstracts" in message and "found 12" in message
    assert "write taxonomy.yml by hand" in message and "add more papers" in message
    output = tmp_path / "taxonomy.yml"
    done = subprocess.run([sys.executable, "-m", "paper_collection", "--root", str(tmp_path), "taxonomy", "propose",
                           str(dump), "-o", str(output)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("error: few.jsonl: needs at least")
    assert "Traceback" not in done.stderr and not output.exists()


@pytest.mark.parametrize("make", ["truncated", "missing", "binary"])
def test_an_unreadable_dump_is_a_clear_error(tmp_path, make):
    dump = tmp_path / "dump.json"
    if make == "truncated":
        shutil.copy(Path(__file__).parent / "fixtures" / "formats" / "truncated.json", dump)
    elif make == "binary":
        dump.write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    good = tmp_path / "cs.jsonl"
    shutil.copy(FIXTURES / "cs.jsonl", good)
    with pytest.raises(InputError) as raised:
        propose_taxonomy([good, dump])  # one bad dump among good ones: still an error
    assert str(raised.value).startswith(str(dump.as_posix()) if make != "truncated" else "dump.json")
    done = subprocess.run([sys.executable, "-m", "paper_collection", "--root", str(tmp_path), "taxonomy", "propose",
                           str(dump), "-o", str(tmp_path / "taxonomy.yml")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("error: ") and "Traceback" not in done.stderr
    assert not (tmp_path / "taxonomy.yml").exists()


def test_untrusted_text_is_escaped_in_yaml_and_comments():
    tag = _Tag(0, "odd", "Title: with # and 'quotes' [x]", 'Papers on "this": {a}, *b & c', ["dark matter"])
    text = _render([tag], frozenset(), {"odd": 3}, [Path("we\nird: name.jsonl")], 3, 3, 3)
    taxonomy = parse_taxonomy(text)
    assert taxonomy.tags[0].title == "Title: with # and 'quotes' [x]"
    assert taxonomy.tags[0].description == 'Papers on "this": {a}, *b & c'
    header = text.split("tags:\n")[0].splitlines()
    assert header and all(line.startswith("# ") for line in header)  # the newline in the name did not escape
    assert "we?ird: name.jsonl" in header[0]
    assert yaml.safe_load(text)["tags"][0]["rules"]["title"] == [r"\bdark matter\b"]


@pytest.mark.parametrize("name", ["arxiv_api.atom", "arxiv_snapshot.jsonl", "hf_daily_papers.json", "papers.bib",
                                  "papers.csv", "plain_list.json"])
def test_every_format_import_reads_is_read(tmp_path, name):
    from paper_collection.collection.propose import read_papers

    dump = tmp_path / name
    shutil.copy(Path(__file__).parent / "fixtures" / "formats" / name, dump)
    papers = read_papers([dump])
    assert papers and all(p.title for p in papers)
    # As the importer: an abstract of fewer than 8 words is no abstract (plain_list.json has only such).
    assert all(p.abstract == "" or len(p.abstract.split()) >= 8 for p in papers)
    assert any(p.abstract for p in papers) == (name != "plain_list.json")


def test_the_benchmark_measures_a_real_export(tmp_path):
    from benchmarks.propose import sample

    dump = tmp_path / "eess.jsonl"
    shutil.copy(FIXTURES / "eess.jsonl", dump)
    # The fixtures' selection is reproducible: sampling a fixture for all of it gives it back, line for line.
    assert sample(dump, "eess", None) == dump.read_text(encoding="utf-8").splitlines()
    done = subprocess.run([sys.executable, "-m", "benchmarks.propose", "measure", str(dump)], capture_output=True,
                          text=True, timeout=600, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["papers"] == 300 and result["rule_tagged"] == result["proposal_says_tagged"]
    assert result["rule_tagged_share"] >= 0.9 and 8 <= result["tags"] == result["tags_with_3_papers"] <= 40
    assert 0 < result["ami_first_tag_vs_primary_category"] < 1 and 0.79 < result["purity_first_tag"] <= 1
