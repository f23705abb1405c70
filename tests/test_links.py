"""Finding, repairing and classifying links in abstracts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paper_collection.collection.links import classify, extract_links
from paper_collection.collection.model import LINK_KINDS, Link


def urls(text: str) -> list[str]:
    return [link.url for link in extract_links(text)[1]]


def test_braced_url_with_generic_label_from_seed():
    text = "The code is available in this {https://github.com/ChengyinLee/MulModSeg_2024{link}}."
    repaired, links = extract_links(text)
    assert repaired == "The code is available in this https://github.com/ChengyinLee/MulModSeg_2024."
    assert links == (Link("code", "https://github.com/ChengyinLee/MulModSeg_2024"),)


def test_url_with_real_label_keeps_the_label_from_seed():
    text = "suite (https://github.com/BlueVelvetSackOfGoldPotatoes/child-play{ChildPlay GitHub Repository}) to"
    repaired, links = extract_links(text)
    assert repaired == (
        "suite (ChildPlay GitHub Repository: https://github.com/BlueVelvetSackOfGoldPotatoes/child-play) to"
    )
    assert links == (Link("code", "https://github.com/BlueVelvetSackOfGoldPotatoes/child-play"),)


def test_href_and_url_commands():
    repaired, links = extract_links(r"see \href{https://a.example.org/x}{our demo} and \url{https://b.example.org}.")
    assert repaired == "see our demo: https://a.example.org/x and https://b.example.org."
    assert [link.url for link in links] == ["https://a.example.org/x", "https://b.example.org"]


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("at https://github.com/King-HAW/GMS.", "https://github.com/King-HAW/GMS"),
        ("at https://github.com/a/b, and more", "https://github.com/a/b"),
        ("(https://yizhilll.github.io/CIF-Bench/).", "https://yizhilll.github.io/CIF-Bench/"),
        ("see https://en.wikipedia.org/wiki/Foo_(bar).", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("code: https://github.com/a/b; data: x", "https://github.com/a/b"),
        ("at https://github.com/a/b: the code", "https://github.com/a/b"),
        ('"https://example.org/page"', "https://example.org/page"),
        ("<https://example.org/x>", "https://example.org/x"),
        ("HTTPS://Example.org/X", "https://Example.org/X"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_url(text, url):
    assert urls(text) == [url]


def test_repeated_links_are_kept_once_in_order():
    text = "https://github.com/a/b and https://x.github.io/ then https://github.com/a/b/ and https://github.com/a/b."
    assert urls(text) == ["https://github.com/a/b", "https://x.github.io/"]


def test_only_http_links():
    assert urls("javascript:alert(1) ftp://x.org/f mailto:a@b.org www.example.org http:// https://") == []


def test_text_without_residue_is_unchanged():
    text = "Our code is available at https://github.com/NJU-RL/Meta-DT. Models at https://huggingface.co/x/y."
    assert extract_links(text)[0] == text


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://github.com/IBM/raven-large-language-models", "code"),
        ("https://gitlab.com/a/b", "code"),
        ("https://bitbucket.org/a/b", "code"),
        ("https://codeberg.org/a/b", "code"),
        ("https://sourceforge.net/projects/x", "code"),
        ("https://huggingface.co/camlab-ethz", "huggingface"),
        ("https://huggingface.co/spaces/a/b", "huggingface"),
        ("https://hf.co/datasets/a/b", "huggingface"),
        ("https://arxiv.org/abs/2401.00001", "arxiv"),
        ("https://arxiv.org/pdf/2401.00001", "pdf"),
        ("https://doi.org/10.1000/xyz", "doi"),
        ("https://dx.doi.org/10.1000/xyz", "doi"),
        ("https://example.org/paper.PDF", "pdf"),
        ("https://llm-authorship.github.io", "project"),
        ("https://yanqval.github.io/PAE/", "project"),
        ("https://ig-llm.is.tue.mpg.de/", "project"),
        ("https://www.example-lab.org/projects/foo", "project"),
        ("https://www.youtube.com/watch?v=x", "other"),
        ("https://twitter.com/someone", "other"),
        ("https://colab.research.google.com/drive/x", "other"),
        ("https://example.org/data/train.zip", "other"),
    ],
)
def test_classify(url, kind):
    assert classify(url) == kind
    assert extract_links(url)[1] == (Link(kind, url),)


@given(st.text())
def test_links_are_always_http(text):
    repaired, links = extract_links(text)
    assert isinstance(repaired, str)
    for link in links:
        assert link.url.startswith(("http://", "https://"))
        assert link.kind in LINK_KINDS
        assert link.url.lower() in repaired.lower()  # only the scheme's case may differ


_SOUP = st.sampled_from(["https://github.com/a/b", "http://x.org/", "(", ")", ".", " ", "{", "}", "link"])


@given(st.lists(_SOUP).map("".join))
def test_links_from_url_soup(text):
    for link in extract_links(text)[1]:
        assert link.url.startswith(("http://", "https://"))
        assert not link.url.endswith((".", ",", ";", ":")) and "{" not in link.url
