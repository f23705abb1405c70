"""The taxonomy file, its loader, and how it tags the seed Hugging Face Papers listing (the tests'
copies in tests/fixtures/seed/)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paper_collection.collection.taxonomy import Tag, Taxonomy, TaxonomyError, load_taxonomy, parse_taxonomy
from paper_collection.errors import GeneratorError, InputError
from tests.helpers import SEED_LISTING, SEED_TAXONOMY

TAXONOMY = SEED_TAXONOMY
SEED = SEED_LISTING


def seed_papers() -> list[tuple[str, str]]:
    """(title, abstract) pairs: after 9 header lines, non-empty lines alternate title / abstract."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()[9:]]
    lines = [line for line in lines if line]
    assert len(lines) % 2 == 0
    return list(zip(lines[0::2], lines[1::2], strict=True))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(TAXONOMY)


@pytest.fixture(scope="module")
def papers() -> list[tuple[str, str]]:
    return seed_papers()


@pytest.fixture(scope="module")
def assigned(taxonomy: Taxonomy, papers: list[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    return {title: taxonomy.assign(title, abstract) for title, abstract in papers}


def tags_of(assigned: dict[str, tuple[str, ...]], title_start: str) -> tuple[str, ...]:
    matches = [title for title in assigned if title.startswith(title_start)]
    assert len(matches) == 1, f"{title_start!r} matches {matches}"
    return assigned[matches[0]]


# --- the seed collection -----------------------------------------------------------------------


def test_seed_has_110_papers(papers: list[tuple[str, str]]) -> None:
    assert len(papers) == 110
    assert papers[0][0].startswith("Authorship Attribution in the Era of LLMs")


def test_every_seed_paper_gets_one_to_five_tags(assigned: dict[str, tuple[str, ...]]) -> None:
    bad = {title: tags for title, tags in assigned.items() if not 1 <= len(tags) <= 5}
    assert bad == {}


def test_no_tag_covers_more_than_half_the_collection(
    assigned: dict[str, tuple[str, ...]],
) -> None:
    counts = Counter(tag for tags in assigned.values() for tag in tags)
    limit = len(assigned) // 2
    assert {tag: n for tag, n in counts.items() if n > limit} == {}


def test_every_tag_is_used_by_a_seed_paper(taxonomy: Taxonomy, assigned: dict[str, tuple[str, ...]]) -> None:
    used = {tag for tags in assigned.values() for tag in tags}
    assert [name for name in taxonomy.topic_names if name not in used] == []


def test_assigned_tags_are_known_and_unique(taxonomy: Taxonomy, assigned: dict[str, tuple[str, ...]]) -> None:
    for tags in assigned.values():
        assert len(set(tags)) == len(tags)
        assert all(taxonomy.get(tag) is not None for tag in tags)


# Papers from the seed, with tags a reader would expect (must) and tags that would be wrong (must not).
EXPECTED = [
    ("Authorship Attribution in the Era of LLMs", {"language-models", "surveys"}, {"vision"}),
    ("Meta Flow Matching", {"generative-models"}, {"language-models", "vision"}),
    ("Fighting Fire with Fire", {"distribution-shift"}, {"language-models"}),
    ("Towards Building the Federated GPT", {"language-models", "instruction-tuning"}, {"vision"}),
    (
        "The Impact of Positional Encoding",
        {"transformers", "compositional-generalization"},
        {"vision", "graphs"},
    ),
    (
        "CIF-Bench",
        {"benchmarks", "language-models", "multilingual", "instruction-tuning"},
        {"code", "vision"},
    ),
    (
        "Graph Density-Aware Losses",
        {"vision", "compositional-generalization"},
        {"graphs", "language-models"},
    ),
    ("Generative Medical Segmentation", {"medicine", "segmentation", "vision"}, {"language-models"}),
    ("SAMURAI", {"vision", "segmentation"}, {"medicine", "language-models"}),
    ("LLMs-as-Judges", {"language-models", "surveys"}, {"vision", "medicine"}),
    ("ObjectVLA", {"robotics", "vision"}, {"language-models", "medicine"}),
    ("Generalization in Healthcare AI", {"medicine", "language-models"}, {"vision"}),
    ("Learning Neural PDE Solvers", {"pdes-scientific-ml"}, {"transformers", "vision"}),
    ("SegPrompt", {"segmentation", "vision"}, {"prompting", "language-models"}),
    ("Aligning to Thousands of Preferences", {"alignment", "language-models"}, {"vision"}),
    ("Enhancing Code Generation for Low-Resource", {"code", "language-models"}, {"multilingual"}),
    ("Deep Learning-Based Object Pose Estimation", {"vision", "surveys"}, {"language-models"}),
    ("Towards Unified Music Emotion Recognition", {"speech-audio"}, {"vision", "medicine"}),
    (
        "MulModSeg",
        {"medicine", "segmentation", "vision", "multimodal"},
        {"language-models"},
    ),
    ("SWE-bench Multimodal", {"code", "benchmarks", "multimodal"}, {"medicine"}),
    ("Learning to Navigate the Web", {"agents", "reinforcement-learning"}, {"vision"}),
    ("ToolLLM", {"agents", "language-models"}, {"vision", "robotics"}),
    ("Fantastic Generalization Measures", {"generalization-theory"}, {"language-models"}),
    ("Failing Forward", {"speech-audio"}, {"generative-models", "vision"}),
    ("Systematic Relational Reasoning", {"graphs", "reasoning"}, {"vision"}),
    ("Poseidon", {"pdes-scientific-ml"}, {"language-models", "vision"}),
    ("CFDBench", {"pdes-scientific-ml", "benchmarks"}, {"language-models"}),
    ("Online GNN Evaluation", {"graphs", "distribution-shift"}, {"vision"}),
    (
        "Model-agnostic Measure of Generalization Difficulty",
        {"generalization-theory"},
        {"society-ethics", "few-shot-meta-learning"},
    ),
    ("Specializing Smaller Language Models", {"knowledge-distillation", "reasoning"}, {"vision"}),
    ("Meta-DT", {"reinforcement-learning", "few-shot-meta-learning"}, {"language-models"}),
    ("Can Generalist Foundation Models", {"medicine", "prompting"}, {"vision"}),
    ("RS-GPT4V", {"multimodal", "vision", "instruction-tuning"}, {"medicine"}),
    ("On the Measure of Intelligence", {"general-intelligence"}, {"language-models"}),
    (
        "On the Compositional Generalization of Multimodal LLMs",
        {"medicine", "multimodal", "compositional-generalization"},
        {"code"},
    ),
    (
        "How Abilities in Large Language Models are Affected",
        {"language-models", "instruction-tuning"},
        {"compositional-generalization", "vision"},
    ),
    ("Weak-to-Strong Generalization", {"alignment"}, {"vision", "reinforcement-learning"}),
    ("GeniL", {"society-ethics", "multilingual"}, {"vision"}),
    ("LIMO", {"reasoning", "mathematics"}, {"vision"}),
    ("Latent Compass", {"generative-models"}, {"medicine", "robotics", "agents"}),
    ("Are Emergent Abilities", {"scaling", "language-models"}, {"vision"}),
    ("LeanAgent", {"mathematics"}, {"vision"}),
    ("Looking Inward", {"interpretability", "language-models"}, {"vision"}),
    ("Towards Generalist Biomedical AI", {"medicine", "multimodal"}, {"code"}),
    (
        "Understanding the Effects of RLHF",
        {"alignment", "language-models"},
        {"reinforcement-learning", "vision"},
    ),
    ("Scalable and Equitable Math", {"education", "mathematics"}, {"knowledge-distillation"}),
    ("ToolAlpaca", {"agents", "language-models"}, {"vision"}),
    ("Evaluation of OpenAI o1", {"language-models", "general-intelligence"}, {"graphs"}),
    ("GraphFM", {"graphs", "benchmarks"}, {"vision", "language-models"}),
    ("The Generalization Gap in Offline Reinforcement", {"reinforcement-learning"}, {"vision"}),
]


@pytest.mark.parametrize(("title_start", "must", "must_not"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_seed_paper_tags(
    assigned: dict[str, tuple[str, ...]], title_start: str, must: set[str], must_not: set[str]
) -> None:
    tags = set(tags_of(assigned, title_start))
    assert must <= tags, f"missing {must - tags}; got {sorted(tags)}"
    assert not must_not & tags, f"unexpected {must_not & tags}"


def test_expected_table_names_only_known_tags(taxonomy: Taxonomy) -> None:
    for _, must, must_not in EXPECTED:
        assert all(taxonomy.get(name) for name in must | must_not)


# --- the taxonomy API --------------------------------------------------------------------------


def test_names_and_get(taxonomy: Taxonomy) -> None:
    assert taxonomy.names[0] == "language-models"
    tag = taxonomy.get("vision")
    assert isinstance(tag, Tag)
    assert tag.title == "Computer vision"
    assert tag.description
    assert taxonomy.get("no-such-tag") is None


def test_assign_is_deterministic(taxonomy: Taxonomy, papers: list[tuple[str, str]]) -> None:
    first = [taxonomy.assign(t, a) for t, a in papers]
    again = [load_taxonomy(TAXONOMY).assign(t, a) for t, a in papers]
    assert first == again


def test_assign_orders_by_score_and_respects_max_tags(taxonomy: Taxonomy) -> None:
    title = "Generative Medical Segmentation"
    abstract = dict(seed_papers())[title]
    scores = taxonomy.scores(title, abstract)
    values = [score for _, score in scores]
    assert values == sorted(values, reverse=True)
    assert taxonomy.assign(title, abstract) == tuple(name for name, _ in scores[:5])
    assert taxonomy.assign(title, abstract, max_tags=2) == tuple(name for name, _ in scores[:2])
    assert taxonomy.assign(title, abstract, max_tags=0) == ()


def test_assign_may_return_nothing(taxonomy: Taxonomy) -> None:
    assert taxonomy.assign("On Cooking Pasta", "We boil water and add salt.") == ()


def test_ties_keep_taxonomy_order() -> None:
    tax = parse_taxonomy(
        "tags:\n"
        "  - {name: b, title: B, description: d, rules: {title: ['x']}}\n"
        "  - {name: a, title: A, description: d, rules: {title: ['x']}}\n"
    )
    assert tax.assign("x", "") == ("b", "a")


def test_exclude_vetoes_a_tag(taxonomy: Taxonomy) -> None:
    assert "graphs" in taxonomy.assign("Graph neural networks for molecules", "")
    assert "graphs" not in taxonomy.assign("Scene graph generation with graph losses", "")


def test_abstract_needs_enough_hits() -> None:
    tax = parse_taxonomy(
        "tags:\n"
        "  - name: speech\n"
        "    title: Speech\n"
        "    description: d\n"
        "    rules: {abstract: ['\\bspeech\\b'], min_abstract_hits: 2}\n"
    )
    assert tax.assign("A paper", "About speech.") == ()
    assert tax.assign("A paper", "About speech and more speech.") == ("speech",)


@pytest.mark.parametrize(
    ("unknown", "expected"),
    [
        ("vison", "vision"),
        ("Vision", "vision"),
        ("segmentaton", "segmentation"),
        ("language-model", "language-models"),
        ("robotic", "robotics"),
        ("zzzzzz", None),
    ],
)
def test_suggest(taxonomy: Taxonomy, unknown: str, expected: str | None) -> None:
    assert taxonomy.suggest(unknown) == expected


# --- loader errors -----------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.yml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(write(tmp_path, text))
    return info.value.problems


def test_loads_a_minimal_file(tmp_path: Path) -> None:
    tax = load_taxonomy(
        write(
            tmp_path,
            "tags:\n"
            "  - name: vision\n"
            "    title: Vision\n"
            "    description: Images.\n"
            "    rules:\n"
            "      title: ['\\bimage']\n",
        )
    )
    assert tax.names == ("vision", "untagged")  # the reserved tag comes with every taxonomy
    assert tax.topic_names == ("vision",)
    assert tax.get("untagged").title == "Papers that need tags"
    assert tax.assign("Image models", "") == ("vision",)
    assert tax.assign("Untagged papers", "") == ()


def test_untagged_is_reserved(tmp_path: Path) -> None:
    text = ("tags:\n  - name: untagged\n    title: Misc\n    description: Other.\n    rules:\n"
            "      title: ['x']\n")
    assert problems_of(tmp_path, text) == [
        "taxonomy.yml:2: tags[0].name: 'untagged' is reserved for papers that need tags; choose another name"]


def test_invalid_regex_names_line_path_and_error(tmp_path: Path) -> None:
    text = "tags:\n  - name: vision\n    title: Vision\n    description: Images.\n    rules:\n      title: ['(']\n"
    assert problems_of(tmp_path, text) == [
        "taxonomy.yml:6: tags[0].rules.title[0]: invalid regex '(' (missing ), unterminated subpattern)"
    ]


def test_collects_every_problem(tmp_path: Path) -> None:
    text = (
        "tags:\n"  # 1
        "  - name: Vision Models\n"  # 2
        "    title: Vision\n"  # 3
        "    description: Images.\n"  # 4
        "    colour: blue\n"  # 5
        "    rules:\n"  # 6
        "      title: ['ok']\n"  # 7
        "      abstract: ['[a-']\n"  # 8
        "      min_abstract_hits: 0\n"  # 9
        "  - name: speech\n"  # 10
        "    rules:\n"  # 11
        "      abstract:\n"  # 12
        "        - 'speech'\n"  # 13
        "        - '*'\n"  # 14
        "  - name: speech\n"  # 15
        "    title: Speech again\n"  # 16
        "    description: Twice.\n"  # 17
        "    rules: {title: ['x']}\n"  # 18
    )
    assert problems_of(tmp_path, text) == [
        "taxonomy.yml:5: tags[0].colour: unknown key (expected one of: name, title, description, rules)",
        "taxonomy.yml:2: tags[0].name: 'Vision Models' is not a valid tag name: "
        "use lowercase letters, digits and hyphens (use 'vision-models')",
        "taxonomy.yml:8: tags[0].rules.abstract[0]: invalid regex '[a-' (unterminated character set)",
        "taxonomy.yml:9: tags[0].rules.min_abstract_hits: must be a whole number >= 1",
        "taxonomy.yml:10: tags[1]: missing 'title'",
        "taxonomy.yml:10: tags[1]: missing 'description'",
        "taxonomy.yml:14: tags[1].rules.abstract[1]: invalid regex '*' (nothing to repeat)",
        "taxonomy.yml:15: tags[2].name: duplicate tag name 'speech' (first defined at line 10)",
    ]


def test_missing_name_and_rules(tmp_path: Path) -> None:
    text = "tags:\n  - title: Vision\n    description: Images.\n"
    assert problems_of(tmp_path, text) == [
        "taxonomy.yml:2: tags[0]: missing 'name'",
        "taxonomy.yml:2: tags[0]: missing 'rules'",
    ]


def test_rules_need_patterns_and_known_keys(tmp_path: Path) -> None:
    text = "tags:\n  - name: vision\n    title: Vision\n    description: Images.\n    rules:\n      titel: ['image']\n"
    assert problems_of(tmp_path, text) == [
        "taxonomy.yml:6: tags[0].rules.titel: unknown key "
        "(expected one of: title, abstract, exclude, min_abstract_hits)",
        "taxonomy.yml:6: tags[0].rules: needs 'title' or 'abstract' patterns",
    ]


def test_unknown_top_level_key_and_missing_tags(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "tag:\n  - name: x\n") == [
        "taxonomy.yml:1: tag: unknown key (expected one of: tags)",
        "taxonomy.yml:1: missing 'tags'",
    ]


def test_not_yaml(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "tags:\n  - name: [unclosed\n")
    assert len(problems) == 1
    assert problems[0].startswith("taxonomy.yml:3: not valid YAML: ")


def test_empty_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "") == ["taxonomy.yml:1: must be a mapping with a 'tags' list"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(tmp_path / "taxonomy.yml")
    assert info.value.problems == ["taxonomy.yml: cannot read the taxonomy: No such file or directory"]


def test_error_is_an_input_error_with_all_problems_in_its_text(tmp_path: Path) -> None:
    text = "tags:\n  - name: Bad Name\n    title: T\n    description: D\n    rules: {title: ['(']}\n"
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(write(tmp_path, text))
    err = info.value
    assert isinstance(err, InputError)
    assert isinstance(err, GeneratorError)
    assert err.file == "taxonomy.yml"
    assert err.line == 2
    assert str(err) == "\n".join(err.problems)
    assert len(err.problems) == 2


# --- the literal prefilter must never change a result ------------------------------------------


@pytest.mark.parametrize(
    ("source", "literal"),
    [
        (r"\bsocial norms?\b", "social norm"),
        (r"\bmath(ematics|s)?\b", "math"),
        (r"\bLLMs?\b", "llm"),
        (r"bench", "bench"),
        (r"ab{0,2}", "a"),
        (r"\b(a|b)c", ""),
        (r"foo|bar", ""),
        (r"foo(x|y)", "foo"),
        (r"[|]x", ""),
        (r"\Bfoo", ""),
        (r"(?x) foo", ""),
    ],
)
def test_required_literal(source: str, literal: str) -> None:
    from paper_collection.collection.taxonomy import _required_literal

    assert _required_literal(source) == literal


def plain_score(tag: Tag, title: str, abstract: str) -> int:
    """A tag's score by the rule as taxonomy.yml's header states it, with plain regex runs."""
    if any(p.search(title) or p.search(abstract) for p in tag.exclude_patterns):
        return 0
    title_hits = sum(1 for p in tag.title_patterns if p.search(title))
    abstract_hits = sum(len(list(p.finditer(abstract))) for p in tag.abstract_patterns)
    if title_hits == 0 and abstract_hits < tag.min_abstract_hits:
        return 0
    return 5 * title_hits + abstract_hits


def assert_plain_scores(taxonomy: Taxonomy, title: str, abstract: str) -> None:
    fast = dict(taxonomy.scores(title, abstract))
    for tag in taxonomy.tags:
        assert fast.get(tag.name, 0) == plain_score(tag, title, abstract), (tag.name, title, abstract)


def test_prefilter_matches_plain_regex_scoring(taxonomy: Taxonomy, papers: list[tuple[str, str]]) -> None:
    odd = ("SOCIAL NORMS and \u017focial norms", "The LLM-ba\u017fed \u0131ntrospection of \u212aELVIN-\u017fcaling")
    turkish = ("\u0130nstruction following for \u0130nstruction-tuned LLMs", "\u0130NSTRUCTION tuning. " * 3)
    for title, abstract in [*papers, odd, (odd[1], odd[0]), turkish]:
        assert_plain_scores(taxonomy, title, abstract)


def test_fold_is_one_character_per_character_and_keeps_every_ignorecase_match() -> None:
    """Over every code point: _fold keeps the length (positions carry over to the text), and each
    character that re.IGNORECASE matches with an ASCII literal character folds to that character."""
    import re
    import sys

    from paper_collection.collection.taxonomy import _LITERAL_CHARS, _fold

    literal_chars = sorted(_LITERAL_CHARS)
    any_literal = re.compile("[" + "".join(re.escape(c) for c in literal_chars) + "]", re.IGNORECASE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        folded = _fold(char)
        assert len(folded) == 1, hex(code)
        if any_literal.fullmatch(char):
            for literal in literal_chars:
                if re.fullmatch(re.escape(literal), char, re.IGNORECASE):
                    assert folded == literal.lower(), (hex(code), literal)


WORDS = [
    "LLM",
    "llms",
    "social",
    "norms",
    "\u017focial",
    "\u0131ntrospection",
    "KELVIN",
    "\u212aELVIN",
    "math",
    "ematics",
    "bench",
    "Vision",
    "segment",
    "scene graph",
    "graph",
    "-",
    " ",
    ".",
    "PDE",
    "RLHF",
    "\u0130",
    "\u0130nstruction",
    "\u00df",
    "\ufb01",
    "Eval",
    "retrieval",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.lists(st.sampled_from(WORDS), max_size=8), abstract=st.lists(st.sampled_from(WORDS), max_size=30))
def test_prefilter_never_changes_scores(taxonomy: Taxonomy, title: list[str], abstract: list[str]) -> None:
    assert_plain_scores(taxonomy, " ".join(title), "".join(abstract))


def _literal_words(taxonomy: Taxonomy) -> list[str]:
    """Every pattern's literal, as it could appear in a paper (any case)."""
    from paper_collection.collection.taxonomy import _required_literal

    tags = taxonomy.tags
    return sorted({_required_literal(p.pattern) for t in tags for p in t.title_patterns + t.abstract_patterns} - {""})


SEED_SENTENCES = sorted({s for _, abstract in seed_papers() for s in abstract.split(". ") if s})
LITERALS = _literal_words(load_taxonomy(TAXONOMY))


@st.composite
def abstracts(draw) -> str:
    """Text like an import's: seed sentences, the rules' own words in any case, odd characters."""
    pieces = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            pieces.append(draw(st.sampled_from(SEED_SENTENCES)))
        elif kind == 1:
            word = draw(st.sampled_from(LITERALS))
            case = draw(st.sampled_from([str.lower, str.upper, str.title, str.swapcase]))
            pieces.append(case(word) + draw(st.sampled_from(["", "s", "ing", "-based", "al", "8K", "4"])))
        elif kind == 2:
            pieces.append(draw(st.sampled_from(WORDS)))
        else:
            pieces.append(draw(st.text(alphabet="aEiIkKsS \u0130\u0131\u017f\u212a-.,()'0123456789", max_size=6)))
        pieces.append(draw(st.sampled_from([" ", "", ". ", "-", "\n"])))
    return "".join(pieces)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=abstracts(), abstract=abstracts())
def test_scores_equal_plain_regex_counting_on_generated_abstracts(taxonomy: Taxonomy, title: str,
                                                                  abstract: str) -> None:
    assert_plain_scores(taxonomy, title[:200], abstract)


PATTERN_PIECES = ["\\b", "ab", "AB", "a b", "a-b", "s", "i", "k", "x?", "y*", "(c|d)", "[ab]", "\\w*", "\\d", "+",
                  "{0,2}", "|", "e", ".", "(?:ab)?", "\\b"]


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(st.sampled_from(PATTERN_PIECES), min_size=1, max_size=6),
       text=st.text(alphabet="abABsSiIkK \u0130\u0131\u017f\u212acdexy-.1", max_size=60))
def test_literal_search_counts_what_findall_counts(pieces: list[str], text: str) -> None:
    """For any pattern: the literal-guided count and search equal findall and search."""
    import re

    from paper_collection.collection.taxonomy import _count, _fold, _found, _required_literal

    source = "".join(pieces)
    try:
        pattern = re.compile(source, re.IGNORECASE)
    except re.error:
        return
    literal = _required_literal(source)
    key = _fold(text)
    assert _count(pattern, literal, text, key) == len(pattern.findall(text)), (source, literal)
    assert _found(pattern, literal, text, key) == (pattern.search(text) is not None), (source, literal)
    # The same with the literal's places given (as the taxonomy's Aho-Corasick pass finds them).
    starts = [i for i in range(len(key)) if literal and key.startswith(literal, i)]
    if literal:
        assert _count(pattern, literal, text, key, starts) == len(pattern.findall(text)), (source, literal)
        assert _found(pattern, literal, text, key, starts) == (pattern.search(text) is not None), (source, literal)
