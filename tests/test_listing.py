"""Reading abstract dumps (Hugging Face Papers listing pages copied as text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paper_collection.errors import InputError
from paper_collection.ingest.readers.listing import read_listing
from paper_collection.ingest.readers.text import decode_input
from tests.helpers import SEED_LISTING

SEED = SEED_LISTING
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "listing"


def read(path: Path):
    return read_listing(decode_input(path.read_bytes(), path.name), path.name)


def expected_seed_titles() -> list[tuple[int, str]]:
    """Independently: the odd non-empty lines after the "Mar 20" line, with their line numbers."""
    lines = SEED.read_text(encoding="utf-8").split("\n")
    start = lines.index("Mar 20") + 1
    nonempty = [(number, line) for number, line in enumerate(lines, start=1) if number > start and line.strip()]
    return nonempty[::2]


# --- the real seed dump --------------------------------------------------------------------


def test_seed_has_110_papers_with_exact_titles_and_lines():
    result = read(SEED)
    expected = expected_seed_titles()
    assert len(result.records) == 110 == len(expected)
    assert [r.title for r in result.records] == [title for _, title in expected]
    assert [r.origin.line for r in result.records] == [line for line, _ in expected]
    assert result.rejected == ()


def test_seed_first_and_last_titles():
    titles = [r.title for r in read(SEED).records]
    assert titles[:3] == [
        "Authorship Attribution in the Era of LLMs: Problems, Methodologies, and Challenges",
        "Meta Flow Matching: Integrating Vector Fields on the Wasserstein Manifold",
        "Fighting Fire with Fire: Contrastive Debiasing without Bias-free Data via Generative Bias-transformation",
    ]
    assert titles[-3:] == [
        "Meta-training with Demonstration Retrieval for Efficient Few-shot Learning",
        "The Generalization Gap in Offline Reinforcement Learning",
        "LEVI: Generalizable Fine-tuning via Layer-wise Ensemble of Different Views",
    ]


def test_seed_records_fields():
    result = read(SEED)
    first = result.records[0]
    assert first.origin.line == 11
    assert first.origin.file == SEED.name
    assert first.origin.format == "listing"
    assert first.abstract.startswith("Accurate attribution of authorship is crucial")
    assert first.abstract.endswith("https://llm-authorship.github.io")
    for record in result.records:
        assert record.abstract.strip()
        assert record.listed == "Mar 20"
        assert "\n" not in record.abstract


def test_seed_boilerplate_is_noted_not_dropped_silently():
    notes = read(SEED).notes
    assert "line 1: skipped page boilerplate 'new'" in notes
    assert "line 7: skipped page boilerplate 'byAK and the research community'" in notes
    assert any("line 9" in note and "Mar 20" in note for note in notes)


# --- fixtures: other pages, other files -----------------------------------------------------


def test_other_boilerplate_and_per_paper_lines_and_dates():
    result = read(FIXTURES / "variant_boilerplate.txt")
    assert [(r.title, r.listed, r.origin.line) for r in result.records] == [
        ("Sparse Mixtures of Tiny Experts", "March 20, 2024", 20),
        ("Why Do Probes Work?", "March 20, 2024", 28),
        ("A Benchmark for Long-Context Retrieval", "2024-03-21", 37),
    ]
    assert result.records[0].abstract.startswith("We study sparse mixtures")
    assert result.records[1].abstract.startswith("Linear probes")
    assert result.rejected == ()
    skipped = " ".join(result.notes)
    for chrome in ("Submitted by akhaliq", "· 5 authors", "'42'", "Upvote", "Load more", "Sign Up", "Trending"):
        assert chrome in skipped


def test_crlf_and_bom():
    data = (FIXTURES / "crlf_bom.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # the fixture really is CRLF + BOM
    result = read(FIXTURES / "crlf_bom.txt")
    assert [r.title for r in result.records] == ["A CRLF Title: With a Colon", "Second CRLF Title"]
    assert result.records[1].abstract == "A second abstract, wrapped over two lines."
    assert result.records[0].origin.line == 5


def test_crlf_and_bom_without_decode_input():
    text = "\ufeffMar 20\r\n\r\nTitle Here\r\n\r\nAn abstract.\rSecond line.\r\n"
    result = read_listing(text, "x.txt")
    assert [(r.title, r.abstract, r.origin.line) for r in result.records] == [
        ("Title Here", "An abstract. Second line.", 3)
    ]


def test_hard_wrapped_abstracts_and_title():
    result = read(FIXTURES / "wrapped.txt")
    assert [r.title for r in result.records] == [
        "Learning to Route Tokens Between Experts in Large Sparse Language Models at Scale",
        "A Short Title",
    ]
    assert result.records[0].abstract == (
        "Sparse language models send each token to a few experts. We show that "
        "learned routers collapse early in training, and propose a balancing loss "
        "that keeps all experts in use while improving perplexity by 4 percent."
    )
    assert result.records[1].abstract == "Another abstract that is wrapped over three lines and ends with a period."
    assert all(r.listed == "Mar 20, 2024" for r in result.records)


def test_title_without_abstract_is_rejected_with_line():
    result = read(FIXTURES / "missing_abstract.txt")
    assert [(r.title, r.origin.line) for r in result.records] == [("Second Title With Abstract", 5)]
    assert [(r.line, r.reason.split(":")[0]) for r in result.rejected] == [
        (3, "title with no abstract"),
        (9, "title with no abstract"),
    ]
    assert "First Title Without Abstract" in result.rejected[0].reason
    assert all(r.file == "missing_abstract.txt" for r in result.rejected)


def test_paragraph_without_title_is_reported():
    result = read(FIXTURES / "stray_paragraph.txt")
    assert [r.title for r in result.records] == ["A Paper With Two Paragraphs", "A Following Paper"]
    assert result.records[0].listed == "20 Mar"
    assert len(result.rejected) == 1
    assert result.rejected[0].line == 7
    assert "no title" in result.rejected[0].reason


def test_title_directly_above_unwrapped_abstract():
    result = read(FIXTURES / "unblanked.txt")
    assert [(r.title, r.origin.line) for r in result.records] == [("A Title Directly Above Its Abstract", 2)]
    assert result.records[0].abstract.startswith("This abstract follows its title")


@pytest.mark.parametrize("name", ["only_boilerplate.txt", "empty.txt"])
def test_no_papers(name):
    result = read(FIXTURES / name)
    assert result.records == ()
    assert result.rejected == ()
    assert "no papers found" in result.notes


def test_no_date_line_gives_no_listed():
    result = read_listing("A Title\n\nAn abstract that is long enough and ends with a period.\n", "x")
    assert result.records[0].listed is None


def test_title_text_kept_exactly():
    title = r"Fast $O(n^2)$ \emph{Attention}~for ``All'' -- 8\% Faster?"
    result = read_listing(f"Mar 20\n\n{title}\n\nAbstract text here.\n", "x")
    assert result.records[0].title == title


def test_paper_titled_like_a_date_word_is_not_boilerplate():
    result = read_listing("Next-Token Prediction Is Enough\n\nWe show it is.\n", "x")
    assert [r.title for r in result.records] == ["Next-Token Prediction Is Enough"]


# --- decode_input ---------------------------------------------------------------------------


def test_decode_strips_bom_and_normalises_line_breaks_and_controls():
    assert decode_input(b"\xef\xbb\xbfa\r\nb\rc\x00d\x07e\tf\n", "f") == "a\nb\ncde\tf\n"


def test_decode_refuses_non_utf8_with_line():
    with pytest.raises(InputError) as info:
        decode_input("line one\nline two caf\u00e9\n".encode("cp1252"), "dump.txt")
    assert info.value.line == 2
    assert "not UTF-8" in info.value.message
    assert info.value.fix == "save the file as UTF-8"
    assert str(info.value).startswith("dump.txt:2: ")


def test_decode_refuses_binary():
    with pytest.raises(InputError, match="binary"):
        decode_input(b"PK\x03\x04" + b"\x00" * 200 + b"abc", "x.zip")


def test_decode_refuses_utf16():
    with pytest.raises(InputError, match="UTF-16"):
        decode_input("Mar 20\n".encode("utf-16"), "x.txt")


# --- properties ----------------------------------------------------------------------------

_LINES = st.sampled_from(
    ["", "", "Mar 20", "new", "42", "A Title", "An abstract sentence.", "x" * 400, "Submitted by X", " "]
)


@given(st.text())
def test_read_listing_never_raises_on_any_text(text):
    result = read_listing(text, "f")
    for record in result.records:
        assert record.title and record.abstract


@given(st.lists(_LINES | st.text(max_size=40), max_size=30))
def test_every_block_is_a_record_or_reported(lines):
    text = "\n".join(lines)
    result = read_listing(text, "f")
    noted = {int(n.split(":")[0].removeprefix("line ")) for n in result.notes if n.startswith("line ")}
    # Blocks computed independently: runs of non-blank lines that were not noted as chrome or dates.
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    lines_read = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff").split("\n")
    for number, line in enumerate(lines_read, start=1):
        if line.strip() and number not in noted:
            if not current:
                blocks.append((number, ""))
            current.append(line.strip())
            blocks[-1] = (blocks[-1][0], " ".join(current))
        else:
            current = []
    kept = [r.title for r in result.records] + [r.abstract for r in result.records]
    rejected_lines = {r.line for r in result.rejected}
    for start, block in blocks:
        assert start in rejected_lines or any(block in k or k in block for k in kept), block
