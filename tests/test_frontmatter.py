"""Paper files: what `dump` writes, `parse` reads back to the same values."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paper_collection.collection import frontmatter
from paper_collection.errors import InputError

TRICKY_TITLES = ["no", "yes", "null", "~", "1.5", "2024-01-05", "- leading dash", "# hash", "a: colon",
                 "'single' \"double\"", "Ünïcödé — ✓", "[brackets]", "{braces}", "*star", "&amp", "!tag", "%pct",
                 "@at", "`tick`", "| pipe", "> gt", "0x10", "1e3", ".inf", "NaN", "on", "off", "  padded  "]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_tricky_titles_round_trip(title):
    text = frontmatter.dump({"title": title, "tags": ["x"]}, "Abstract.")
    parsed = frontmatter.parse(text, "t.md")
    assert parsed.meta["title"] == title
    assert isinstance(parsed.meta["title"], str)
    assert parsed.body == "Abstract."


text_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=300, deadline=None)
@given(title=text_values, tags=st.lists(text_values, max_size=5), line=st.integers(0, 10**9),
       body=text_values.filter(lambda s: "\n---" not in s))
def test_front_matter_round_trip(title, tags, line, body):
    meta = {"title": title, "tags": tags, "sources": [{"file": title, "line": line}]}
    parsed = frontmatter.parse(frontmatter.dump(meta, body), "p.md")
    assert parsed.meta == meta
    # Line endings are normalised to \n; surrounding whitespace is not part of the abstract.
    assert parsed.body == body.strip().replace("\r\n", "\n").replace("\r", "\n").strip("\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: x\n", "p.md:1: no front matter (start the file with a '---' line)"),
        ("---\ntitle: x\n", "p.md:1: front matter is not closed (end it with a '---' line)"),
        ("---\n- a\n- b\n---\nbody", "p.md:2: front matter must be a mapping of fields, found list "
                                     "(write 'title: ...' style fields between the '---' lines)"),
        ("---\n---\nbody", "p.md:2: front matter must be a mapping of fields, found empty "
                           "(write 'title: ...' style fields between the '---' lines)"),
        ("---\ntitle: a\ntags: [x]\ntitle: b\n---\n", "p.md:4: this field is given twice; keep one of the two lines"),
        ("---\na: &x [1, 2]\nb: *x\n---\n",
         "p.md:3: invalid YAML: YAML aliases (*name) are not allowed in paper files"),
        ("---\ntitle: [unclosed\n---\n", "p.md:2: the list opened here is not closed; end it with ']' on this line"),
    ],
)
def test_bad_front_matter_is_reported_with_line(text, message):
    with pytest.raises(InputError) as caught:
        frontmatter.parse(text, "p.md")
    assert str(caught.value) == message


def test_deep_nesting_is_refused():
    text = "---\nx: " + "[" * 100 + "]" * 100 + "\n---\n"
    with pytest.raises(InputError, match="nesting deeper than 20 levels"):
        frontmatter.parse(text, "p.md")


def test_dump_is_deterministic_and_keeps_key_order():
    meta = {"title": "T", "tags": ["b", "a"], "added": "2024-01-01"}
    assert frontmatter.dump(meta, "x") == frontmatter.dump(dict(meta), "x")
    assert frontmatter.dump(meta, "x").splitlines()[1:5] == ["title: T", "tags:", "- b", "- a"]


FRAGMENTS = ["title: Foo: a study", "\t- vision", "title: 'It's here'", 'title: "open', "title: 'open", "- a", "  b: c",
             "key", "[", "{", "'", '"', "tags:", "- 'x", "a: [1, 2", ": x", "? x", "&a x", "*a", "!tag x",
             'title: "a\\q"', "  - b", " - c", "x: 'y' z", "added: '2024-01-05'", "- \tx", "a:\tb", "- [x: y"]


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8))
def test_any_broken_front_matter_is_explained_not_raw(lines):
    """Whatever a contributor writes, the answer is a parsed file or an InputError on a line of the file, and
    the two PyYAML phrases contributors cannot act on never reach them."""
    text = "---\n" + "\n".join(lines) + "\n---\nabstract"
    try:
        frontmatter.parse(text, "p.md")
    except InputError as error:
        assert 1 <= error.line <= len(lines) + 2
        assert "mapping values are not allowed here" not in str(error)
        assert "expected <block end>" not in str(error)
