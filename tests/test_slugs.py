from hypothesis import given
from hypothesis import strategies as st

from paper_collection.collection.slugs import MAX_LENGTH, base_slug, unique_slug


def test_slug_is_python_slugify_of_the_title():
    title = "Poseidon: Efficient Foundation Models for PDEs"
    assert base_slug(title) == "poseidon-efficient-foundation-models-for-pdes"


def test_titles_that_slugify_to_nothing_or_to_reserved_names_get_safe_names():
    assert base_slug("../..") == "paper"
    assert base_slug("!!!") == "paper"
    assert base_slug("Index") == "index-paper"
    assert base_slug("CON") == "con-paper"


def test_collision_gets_a_deterministic_suffix_independent_of_order():
    taken = {"hello-world"}
    first = unique_slug("Hello, World!", taken)
    assert first.startswith("hello-world-") and first != "hello-world"
    assert unique_slug("Hello, World!", taken) == first
    assert unique_slug("Hello World?", taken) != first  # a different title gets a different suffix


@given(st.text(max_size=3000), st.sets(st.text(max_size=20), max_size=5))
def test_slugs_are_safe_and_bounded(title, taken):
    slug = unique_slug(title, taken)
    assert slug not in taken
    assert 0 < len(slug) <= MAX_LENGTH
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert slug not in {".", ".."} and not slug.startswith("-")
