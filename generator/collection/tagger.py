"""The tag model: proposes tags for papers the taxonomy's rules miss, learned from the collection.

TF-IDF of title (counted twice) and abstract, then one logistic regression per tag (one-vs-rest),
trained on the tags people and rules gave (``tags``; never on ``tags_suggested``, never on the
reserved ``untagged``), plus one pseudo-paper per tag written from taxonomy.yml (``rule_examples``).
A large collection trains on a bounded sample in which every tag has an equal share
(``TRAINING_SAMPLE``). A tag is learned when at least ``MIN_EXAMPLES`` papers carry it. For a new
paper the model proposes every tag whose probability reaches ``THRESHOLD`` (at most
``MAX_SUGGESTED``); when none does, its single best tag if that reaches ``FLOOR``; otherwise
nothing, and the paper stays ``untagged``.

Deterministic: the training papers are taken in the order given (callers sort them by slug), the
vocabulary is sorted, the solver (saga) is seeded; the same collection gives the same
suggestions, to the last digit the files keep. The words that drove a suggestion are the paper's
terms with the largest TF-IDF x coefficient for that tag (``explain``).
"""

from __future__ import annotations

import re
import warnings
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from paper_collection.collection.paper import SuggestedTag

MIN_EXAMPLES = 2  # papers a tag needs before the model learns it
THRESHOLD = 0.5  # probability from which a tag is proposed
FLOOR = 0.25  # the best tag is still proposed from here when no tag reaches THRESHOLD
MAX_SUGGESTED = 3
MAX_TRAINING = 2000  # papers; a larger collection trains on a sample of them (bounded time)
# How that sample is taken: "by-tag" = every tag gets an equal share (a rare tag keeps all its
# papers), spread evenly within each tag's papers; "even" = spread evenly over all the papers.
# Class weights: "balanced" when every paper is used (a small collection: a tag with a few papers
# still counts); after a by-tag sample, which has evened out the tags already, "sqrt" = a tag's papers
# weigh sqrt(others / tag's papers), half-way to balanced (balanced again proposed rare tags for far
# too many papers; no weights left many papers untagged). Measured in benchmarks/README.md ("third
# pass"): on 62,520 real arXiv records the model's macro F1 on the papers the rules miss rose from
# 0.41 (even sample, balanced) to 0.53.
TRAINING_SAMPLE = "by-tag"
CLASS_WEIGHT: str | None = "balanced"
SAMPLED_CLASS_WEIGHT: str | None = "sqrt"
# One pseudo-paper per tag made from taxonomy.yml (``rule_examples``) joins the training papers, so
# that a tag with few papers still has evidence (bundled collection, leave-one-out: macro F1 0.11 ->
# 0.42 together with MIN_DF 2).
RULE_DOCUMENTS = True
REGULARISATION = 4.0  # logistic regression's C; chosen on benchmarks/tagger.py (leave-one-out)
SEED = 0
# saga's passes over the data: a bounded time per tag. On the arXiv benchmark 15 passes score as
# well as 100 (macro F1 0.35-0.37 on the papers the rules miss) in a sixth of the time; liblinear to
# full convergence took 10-20 times longer.
MAX_EPOCHS = 15
# Terms in fewer than MIN_DF papers are left out, and at most MAX_TERMS (the most frequent) are kept,
# so that a large collection trains in bounded time and memory. MIN_DF 2 with RULE_DOCUMENTS scored
# best on both benchmarks (benchmarks/README.md, third pass).
MIN_DF = 2
MAX_TERMS = 20_000


@dataclass(frozen=True)
class Example:
    """A training paper: its text and the tags a person or a rule gave it."""

    title: str
    abstract: str | Callable[[], str]  # or what reads it, when the training sample is chosen (see `train`)
    tags: tuple[str, ...]


def paper_text(title: str, abstract: str) -> str:
    """What the model reads: the title counts twice (titles say what a paper is about)."""
    return f"{title}\n{title}\n{abstract}"


def learning_parts():
    """The parts of scikit-learn `TagModel.fit` uses, imported on first use rather than with this module:
    they take about a second to load (with SciPy), which `tag_model.warm_up` spends early."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    return ConvergenceWarning, TfidfVectorizer, LogisticRegression


class TagModel:
    """A trained model; build it with ``TagModel.train`` (None when there is nothing to learn)."""

    def __init__(self, vectorizer, tags: tuple[str, ...], weights: np.ndarray, intercepts: np.ndarray) -> None:
        self.vectorizer = vectorizer
        self.tags = tags  # the tags learned, in the order of weights' rows
        self.weights = weights  # (tags, terms)
        self.intercepts = intercepts  # (tags,)
        self.terms = vectorizer.get_feature_names_out()

    @classmethod
    def train(cls, examples: Sequence[Example], tag_order: Sequence[str],
              extra: Sequence[Example] = ()) -> TagModel | None:
        """Learn every tag of ``tag_order`` that at least ``MIN_EXAMPLES`` examples carry. ``extra``
        examples (for example ``rule_examples``) are always kept, after the bounded sample of ``examples``."""
        examples = list(examples)
        positions, class_weight = training_sample([e.tags for e in examples])
        return cls.fit([examples[i] for i in positions] + list(extra), tag_order, class_weight)

    @classmethod
    def fit(cls, examples: Sequence[Example], tag_order: Sequence[str],
            class_weight: str | None) -> TagModel | None:
        """Learn every tag of ``tag_order`` that at least ``MIN_EXAMPLES`` of ``examples`` (all of them,
        no sample taken) carry; ``class_weight``: as `training_sample` says."""
        ConvergenceWarning, TfidfVectorizer, LogisticRegression = learning_parts()
        # Abstracts are read for the sample only: an import of 100,000 papers need not hold them all.
        examples = [replace(e, abstract=e.abstract()) if callable(e.abstract) else e for e in examples]
        if len(examples) < 2 * MIN_EXAMPLES:
            return None
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2), min_df=MIN_DF,
                                     max_df=0.5, max_features=MAX_TERMS, dtype=np.float64,
                                     token_pattern=r"(?u)\b[^\W\d_][\w-]*\w\b")
        try:
            matrix = vectorizer.fit_transform([paper_text(e.title, e.abstract) for e in examples])
        except ValueError:  # no words at all (every text empty or stop words)
            return None
        # Every term left out (rare, too common, beyond MAX_TERMS): for introspection only, and as large
        # as the vocabulary of the sample; sklearn's documentation says it can be removed.
        vectorizer.stop_words_ = None
        learned, weights, intercepts = [], [], []
        for tag in tag_order:
            labels = np.fromiter((tag in e.tags for e in examples), dtype=bool, count=len(examples))
            positives = int(labels.sum())
            if positives < MIN_EXAMPLES or positives == len(examples):
                continue
            tag_weights = ({True: float(np.sqrt((len(examples) - positives) / positives)), False: 1.0}
                           if class_weight == "sqrt" else class_weight)
            model = LogisticRegression(C=REGULARISATION, class_weight=tag_weights, solver="saga",
                                       max_iter=MAX_EPOCHS, tol=1e-3, random_state=SEED)
            with warnings.catch_warnings():  # stopping before full convergence is the point of MAX_EPOCHS
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(matrix, labels)
            learned.append(tag)
            weights.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
        if not learned:
            return None
        return cls(vectorizer, tuple(learned), np.vstack(weights), np.asarray(intercepts))

    def probabilities(self, texts: Sequence[tuple[str, str]]) -> np.ndarray:
        """(papers, tags) probabilities for (title, abstract) pairs."""
        matrix = self.vectorizer.transform([paper_text(title, abstract) for title, abstract in texts])
        scores = np.asarray(matrix @ self.weights.T) + self.intercepts
        return 1.0 / (1.0 + np.exp(-scores))

    def suggest(self, texts: Sequence[tuple[str, str]]) -> list[tuple[SuggestedTag, ...]]:
        """The tags proposed for each (title, abstract), best first; () when none is confident enough."""
        if not texts:
            return []
        found = []
        for row in self.probabilities(texts):
            order = sorted(range(len(self.tags)), key=lambda i: (-row[i], i))
            chosen = [i for i in order[:MAX_SUGGESTED] if row[i] >= THRESHOLD]
            if not chosen and row[order[0]] >= FLOOR:
                chosen = [order[0]]
            found.append(tuple(SuggestedTag(self.tags[i], round(float(row[i]), 2)) for i in chosen))
        return found

    def explain(self, title: str, abstract: str, tag: str, count: int = 5) -> list[str]:
        """The paper's words that pushed hardest towards ``tag`` (TF-IDF x coefficient), strongest first."""
        if tag not in self.tags:
            return []
        row = self.vectorizer.transform([paper_text(title, abstract)])
        weights = self.weights[self.tags.index(tag)]
        contributions = [(float(value * weights[index]), self.terms[index])
                         for index, value in zip(row.indices, row.data, strict=True)]
        contributions = [item for item in contributions if item[0] > 0]
        contributions.sort(key=lambda item: (-item[0], item[1]))
        return [term for _, term in contributions[:count]]


def train_on(rows: Iterable[tuple[str, str | Callable[[], str], object]], taxonomy) -> TagModel | None:
    """The model for a collection: ``rows`` are (title, abstract or what reads it, tags as found in a
    file), in slug order; rows whose tags are not a list of text are skipped (validate reports them)."""
    rows = list(rows)
    return train_sampled((tags for _, _, tags in rows), lambda position: rows[position][:2], taxonomy)


def train_sampled(tags: Iterable[object], read: Callable[[int], tuple[str, str | Callable[[], str]]],
                  taxonomy) -> TagModel | None:
    """`train_on` for a collection too large to hold as rows: ``tags`` gives each paper's tags as found
    in its file, in slug order, and ``read(position)`` its (title, abstract), called for the papers of
    the training sample only (see `training_examples`)."""
    return TagModel.fit(*training_examples(tags, read, taxonomy))


def training_examples(tags: Iterable[object], read: Callable[[int], tuple[str, str | Callable[[], str]]],
                      taxonomy) -> tuple[list[Example], tuple[str, ...], str | None]:
    """What `TagModel.fit` takes to learn a collection's tags, as plain data (a process that has not
    loaded scikit-learn can hand it to one that has): the examples of the training sample, abstracts
    read, then the taxonomy's pseudo-papers; the tags to learn; the class weights. What is kept per
    paper meanwhile: its position and its tags (one tuple for every paper with the same tags)."""
    from paper_collection.collection.taxonomy import UNTAGGED

    known = frozenset(taxonomy.names) - {UNTAGGED}
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    positions, kept_tags = array("q"), []
    for position, found in enumerate(tags):
        if not isinstance(found, list | tuple) or not all(isinstance(t, str) for t in found):
            continue
        kept = _known_tags(found, known)
        if kept:
            positions.append(position)
            kept_tags.append(shared.setdefault(kept, kept))
    chosen, class_weight = training_sample(kept_tags)
    examples = []
    for i in chosen:
        title, abstract = read(positions[i])
        examples.append(Example(title, abstract() if callable(abstract) else abstract, kept_tags[i]))
    del positions, kept_tags, shared
    extra = rule_examples(taxonomy) if RULE_DOCUMENTS else []
    return examples + extra, tuple(taxonomy.topic_names), class_weight


def training_sample(tags: Sequence[tuple[str, ...]]) -> tuple[list[int], str | None]:
    """Which examples (their positions, in order) a model trains on, given each example's tags, and the
    class weights to train with: every example up to ``MAX_TRAINING``, else a bounded sample."""
    by_tag = TRAINING_SAMPLE == "by-tag" and len(tags) > MAX_TRAINING
    positions = _sample_by_tag(tags, MAX_TRAINING) if by_tag else _even_sample(len(tags), MAX_TRAINING)
    return positions, SAMPLED_CLASS_WEIGHT if by_tag else CLASS_WEIGHT


def rule_examples(taxonomy) -> list[Example]:
    """One pseudo-paper per tag made of what the maintainer wrote for it (title; description and the
    words of its title and abstract rules), so that a tag with few papers still has evidence."""
    from paper_collection.collection.taxonomy import UNTAGGED

    examples = []
    for tag in taxonomy.tags:
        if tag.name == UNTAGGED:
            continue
        words = [word for pattern in (*tag.title_patterns, *tag.abstract_patterns)
                 for word in _pattern_words(pattern.pattern)]
        examples.append(Example(tag.title, " ".join([tag.description, *words]), (tag.name,)))
    return examples


def _pattern_words(source: str) -> list[str]:
    """The literal words of a rule's regex: escapes, groups' flags and character classes removed."""
    plain = re.sub(r"\\[bBwWdDsS]|\(\?[-a-zA-Z]*:?|\[[^\]]*\]", " ", source)
    return [word.strip("-") for word in re.findall(r"[^\W\d_][\w-]*", plain) if len(word.strip("-")) > 2]


def _even_sample(count: int, limit: int) -> list[int]:
    """The positions of at most ``limit`` of ``count`` examples, spread evenly (deterministic)."""
    if count <= limit:
        return list(range(count))
    step = count / limit
    return [int(i * step) for i in range(limit)]


def _sample_by_tag(tags: Sequence[tuple[str, ...]], limit: int) -> list[int]:
    """The positions of at most ``limit`` examples, given each example's tags: grouped by each example's
    rarest tag, every group gets an equal share (a group smaller than its share gives all it has, the rest
    goes to the others), spread evenly within the group; in the order given (deterministic)."""
    if len(tags) <= limit:
        return list(range(len(tags)))
    counts: dict[str, int] = {}
    for example_tags in tags:
        for tag in example_tags:
            counts[tag] = counts.get(tag, 0) + 1
    groups: dict[str, list[int]] = {}
    for index, example_tags in enumerate(tags):
        rarest = min(example_tags, key=lambda tag: (counts[tag], tag)) if example_tags else ""
        groups.setdefault(rarest, []).append(index)
    chosen: list[int] = []
    remaining = limit
    ordered = sorted(groups, key=lambda tag: (len(groups[tag]), tag))
    for position, tag in enumerate(ordered):
        members = groups[tag]
        share = min(len(members), remaining // (len(ordered) - position))
        step = len(members) / share if share else 0
        chosen += [members[int(i * step)] for i in range(share)]
        remaining -= share
    return sorted(chosen)


def examples_from(papers: Iterable[tuple[str, str, Sequence[str]]], known_tags: Iterable[str]) -> list[Example]:
    """Training examples from (title, abstract, tags): only tags of the taxonomy, never ``untagged``."""
    from paper_collection.collection.taxonomy import UNTAGGED

    known = frozenset(known_tags) - {UNTAGGED}
    examples = []
    for title, abstract, tags in papers:
        kept = _known_tags(tags, known)
        if kept:
            examples.append(Example(title, abstract, kept))
    return examples


def _known_tags(tags: Iterable[str], known: frozenset[str]) -> tuple[str, ...]:
    return tuple(tag for tag in tags if tag in known)


def distinguishing_words(examples: Sequence[Example], tag: str, count: int = 8) -> list[tuple[str, float, float]]:
    """Words (single words, lowercase) that separate ``tag``'s papers from the rest:
    (word, share of the tag's papers holding it, share of the other papers), best first.
    Ranked by the difference of shares, so a word must be common in the tag and rare elsewhere."""
    from sklearn.feature_extraction.text import CountVectorizer

    inside = [e for e in examples if tag in e.tags]
    if not inside or len(inside) == len(examples):
        return []
    vectorizer = CountVectorizer(binary=True, stop_words="english", token_pattern=r"(?u)\b[^\W\d_][\w-]*\w\b",
                                 min_df=2)
    try:
        matrix = vectorizer.fit_transform([paper_text(e.title, e.abstract) for e in examples]).tocsc()
    except ValueError:
        return []
    labels = np.fromiter((tag in e.tags for e in examples), dtype=bool, count=len(examples))
    inside_share = np.asarray(matrix[labels].mean(axis=0)).ravel()
    outside_share = np.asarray(matrix[~labels].mean(axis=0)).ravel()
    terms = vectorizer.get_feature_names_out()
    ranked = sorted(range(len(terms)), key=lambda i: (-(inside_share[i] - 2 * outside_share[i]), terms[i]))
    return [(str(terms[i]), float(inside_share[i]), float(outside_share[i])) for i in ranked[:count]
            if inside_share[i] >= 0.2 and inside_share[i] > 2 * outside_share[i]]
