"""Cleaning copy-paste residue out of titles and abstracts."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paper_collection.ingest.clean import clean_text
from tests.helpers import SEED_LISTING

SEED = SEED_LISTING


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (r"a 64\% success rate", "a 64% success rate"),
        (
            r"in their paper ``Fantastic Generalization Measures,'' Jiang",
            "in their paper \u201cFantastic Generalization Measures,\u201d Jiang",
        ),
        ('While ``instruction-tuned" generative', "While \u201cinstruction-tuned\u201d generative"),
        ("referred to as ''LLMs-as-judges''. This", "referred to as \u201cLLMs-as-judges\u201d. This"),
        ("forget (or \"unlearn'') a skill", "forget (or \u201cunlearn\u201d) a skill"),
        ("Generative Bias-transformation~(CDvG) which", "Generative Bias-transformation (CDvG) which"),
        (r"(LLMs, e.g., \textgreater 13B).", "(LLMs, e.g., > 13B)."),
        (r"a \textless b", "a < b"),
        (
            r"fine-tuning of $textbf{specialist} and textbf{generalist}$ models",
            "fine-tuning of specialist and generalist models",
        ),
        (r"assumptions, e.g.\ that the answer", "assumptions, e.g. that the answer"),
        ("7.1% AUC gain on LaSOT_{ext} and", "7.1% AUC gain on LaSOT_ext and"),
        (r"achieving 8\% -- 30\% relative", "achieving 8% \u2013 30% relative"),
        ("pages 10--20", "pages 10\u201320"),
        ("a claim --- and more", "a claim \u2014 and more"),
        (r"an \emph{important} and \textit{new idea} here", "an important and new idea here"),
        (r"\textbf{\emph{nested}} words", "nested words"),
        (r"see \cite{smith2020} for", "see smith2020 for"),
        (r"\'Ecole and na\"ive", "\u00c9cole and na\u00efve"),
        ("a `quoted' word", "a \u2018quoted\u2019 word"),
        ("  many   spaces\n\tand lines  ", "many spaces and lines"),
        ("zero\u200bwidth \u202ebidi\u202c \ufefftext", "zerowidth bidi text"),
        # arXiv abstracts underline the letters of an acronym; written without braces, pylatexenc
        # gave its template back ("the %s ab") and printed a warning in the middle of an import.
        (r"the \underline ab and \underline\textbf{X}y", "the ab and Xy"),
        (r"\underline{\textbf{Fed}}erated tuning", "Federated tuning"),
    ],
)
def test_residue_is_cleaned(raw, clean):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    "math",
    [
        r"$O(n^2)$",
        r"$16 \times 16$",
        r"$\mathcal{O}(\log n)$",
        r"$$\sum_i x_i$$",
        r"\(a+b\)",
        r"$\textbf{x}^2$",
        r"$\mathbf{W}_i$",
    ],
)
def test_genuine_math_is_left_as_is(math):
    assert clean_text(f"cost {math} per step") == f"cost {math} per step"


def test_dollar_amounts_are_not_math():
    assert clean_text("costs $5 and $10 per run") == "costs $5 and $10 per run"
    assert clean_text("a lone $5") == "a lone $5"


def test_urls_are_untouched():
    text = "see https://example.org/~user/a--b_{x}/ and {https://github.com/a/b{link}}"
    assert clean_text(text) == text


def test_seed_abstracts_have_no_residue_left():
    text = SEED.read_text(encoding="utf-8")
    cleaned = clean_text(text)
    for residue in (r"\%", "``", "''", r"\textgreater", "textbf", r"e.g.\ ", "_{ext}", "~(CDvG)"):
        assert residue in text  # the seed really has it
        assert residue not in cleaned, residue
    assert "8% \u2013 30%" in cleaned


# --- no word is ever lost -------------------------------------------------------------------

_FORMAT_RESIDUE = {"textbf", "textit", "textrm", "texttt", "textsc", "emph", "text", "mathrm", "mathbf", "underline"}


def words(text: str) -> list[str]:
    """Alphanumeric runs, accents stripped, that are not LaTeX command names."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    found = []
    for match in re.finditer(r"[^\W_]+", text):
        after_backslash = match.start() > 0 and text[match.start() - 1] == "\\"
        residue = match.group() in _FORMAT_RESIDUE and text[match.end() : match.end() + 1] == "{"
        if not (after_backslash or residue):
            found.append(match.group())
    return found


def assert_no_word_lost(text: str) -> None:
    """Every word of the input appears in the output, in the same order."""
    out = clean_text(text)
    plain = "".join(c for c in unicodedata.normalize("NFKD", out) if not unicodedata.combining(c))
    position = 0
    for word in words(text):
        found = plain.find(word, position)
        assert found >= 0, (word, text, out)
        position = found + len(word)


def test_seed_loses_no_word():
    assert_no_word_lost(SEED.read_text(encoding="utf-8"))


_LATEXY = st.lists(
    st.sampled_from(
        list("ab1 \\{}$~`'\"-_^%.") + ["textbf", "emph", "textgreater", "cite", "\u00e9", "\n", "http://x"]
    ),
    max_size=40,
).map("".join)


@given(st.text() | _LATEXY)
@example(r"\cite{smith2020} \foo{bar}{baz} \begin{x} \url{y}")
@example(r"$textbf{a} and \emph{b}$ \'{e} \v{c} \\ \textbackslash x")
def test_clean_text_never_loses_words(text):
    assert_no_word_lost(text)


@given(st.text())
def test_clean_text_is_stable_and_trimmed(text):
    out = clean_text(text)
    assert out == out.strip()
    assert "  " not in out
    assert not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", out)


def test_a_command_pylatexenc_cannot_fill_prints_nothing(capfd):
    import logging

    logging.basicConfig(force=True)  # the root logger prints warnings, as a command-line run would
    clean_text(r"the \underline ab")
    assert "failed its substitution" not in capfd.readouterr().err


def test_an_underlined_url_in_a_real_abstract_comes_out_whole():
    """arXiv:2505.05189 (daily arXiv listings, github.com/dw-dengwei/daily-arXiv-ai-enhanced) ends
    "Our code are available at\\n\\underline{https://...}.": the importer takes the link out of
    the braces and then cleaned "%shttps://..." into the abstract."""
    from paper_collection.collection.links import extract_links

    text, links = extract_links("Our code are available at\n\\underline{https://github.com/Kanyooo/Biomed-DPT}.")
    assert [link.url for link in links] == ["https://github.com/Kanyooo/Biomed-DPT"]
    assert clean_text(text) == "Our code are available at https://github.com/Kanyooo/Biomed-DPT."
