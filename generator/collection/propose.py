"""A taxonomy proposed from the papers themselves, for a curator who has papers but no taxonomy.

``propose_taxonomy(paths)`` reads dumps with the importer's readers (any format ``import`` reads),
cleans each record as the importer does, and returns the text of a ``taxonomy.yml``:

1. The papers with abstracts are clustered: TF-IDF of title (twice) and abstract, words and word
   pairs; reduced to ``LSA_DIMENSIONS`` by truncated SVD (LSA), rows normalised, then k-means with k
   from the number of papers (``tag_count``: 8 to 40). At most ``SAMPLE`` papers are clustered
   (evenly spaced); every paper then joins its nearest cluster.
2. Each cluster becomes a tag. Its phrases are word sequences (1-3 words, as written: no stems,
   never across punctuation, no fragment of a longer phrase) found in many of its papers and few
   others. The name and title are the best phrase (two- and three-word phrases weigh double), the
   description lists the next ones, and the rules are that phrase and the ones that together
   cover most of the cluster's papers (a greedy cover), each written as ``\\bphrase\\b`` (plural
   optional when the papers write both): a plain literal after ``\\b``, which the matcher's
   Aho-Corasick prefilter finds in one pass (``taxonomy._required_literal``).
3. Coverage pass: the taxonomy is parsed by the real loader and every paper is tagged by the real
   matcher (``Taxonomy.assign``, as ``import`` tags); while fewer than ``TARGET_COVERAGE`` of the
   papers get a tag, each tag adds the phrase that reaches most of its still-untagged papers,
   lowering the precision asked in steps when none does. Tags that end with fewer than
   ``MIN_TAG_PAPERS`` papers are dropped (while at least 8 remain).

Deterministic: fixed seeds, one BLAS thread, every ranking broken by the phrase itself. The YAML is
written by PyYAML (one tag at a time, so that a comment can precede each); comments hold only
numbers and file names made printable.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from slugify import slugify

from paper_collection.collection.model import Rejection
from paper_collection.collection.paper import normalize_title
from paper_collection.collection.taxonomy import UNTAGGED, parse_taxonomy
from paper_collection.errors import InputError
from paper_collection.ingest.readers.detect import read_input
from paper_collection.ingest.readers.text import decode_input
from paper_collection.ingest.records import abstract_problem, paper_from_record

MIN_PAPERS = 30  # with abstracts; fewer cannot make 8 tags of several papers each
MIN_TAGS, MAX_TAGS = 8, 40
TARGET_COVERAGE = 0.92  # share of papers the rules must tag (the goal is 90 %; a margin for rounding)
MIN_TAG_PAPERS = 3
SAMPLE = 4000  # papers (with abstracts) clustered and mined for phrases; every paper is tagged
LSA_DIMENSIONS = 100
SEED = 0
# Phrases per tag before the coverage pass: 6 -> 10 raised astro2000's rule-tagged share 94.8 -> 96.8 %
# and AMI 0.274 -> 0.277, cs2000's 96.0 -> 96.1 % (benchmarks/README.md, "Proposed taxonomy").
FIRST_RULES = 10
MAX_RULES = 25  # phrases per tag at most
MIN_PRECISION = 0.4  # share of a phrase's papers that must be in its cluster, for the first rules
COVER_PRECISION = (0.3, 0.2)  # the coverage pass lowers the bar in these steps
COVERAGE_ROUNDS = 60
# Words and phrases that carry no topic in any field: never a rule's first or last word, never alone.
_GENERIC = frozenset("""
    paper papers propose proposed proposes present presents presented result results method methods
    approach approaches study studies show shows shown using use used uses based new novel work works
    demonstrate demonstrates find finds found provide provides introduce introduces introduced develop
    developed significant significantly different various including existing recent recently however
    furthermore moreover additionally performance paper's et al compared compare high low large small
    order terms case cases number set
    well able first second two three one key main challenge challenges particular specific general
    effective efficient improve improved improves improving achieve achieves achieved experiments
    experimental extensive evaluate evaluation available code state art previous prior techniques
    technique current important increasingly widely obtained obtain observed observe given allows
    january february march april may june july august september october november december
    information encountered range ranges broad similar likely possible potential suggest suggests
    design comparative quantitative accurate comparison comparisons project page pages github repository
    https http www com org html
    outperform outperforms outperforming specifically respectively effectively substantially notably
    adaptively accurately directly typically finally simultaneously consistently robustly additional
    recover recovers quality leverage leverages leveraging enable enables enabling require requires
    achieving superior state-of-the-art comprehensive robust via across within toward towards
""".split())
LIFT = 2.0  # a rule's phrase is at least this many times commoner in its cluster than in the papers overall
FRAGMENT = 0.8  # a phrase found inside one longer phrase at least this often is a fragment of it
# Head nouns that end many topics ("language models", "data analysis") but name none alone or first.
_HEADS = frozenset("model models data analysis framework method methods network networks problem problems task tasks"
                   .split())
TOKEN = r"(?u)\b[^\W\d_][\w-]*\w\b"  # a word: starts with a letter, may hold hyphens and digits
_WORD = re.compile(TOKEN)
# Phrases never span punctuation or a line break (title / abstract): a rule's regex could not match them.
_BARRIER = re.compile(r"[^\w\s-]+|\n")


class ProposeError(InputError):
    """The papers cannot give a taxonomy (too few, no words); says what to do instead."""


@dataclass
class Proposal:
    text: str  # the taxonomy.yml
    papers: int  # distinct papers read
    with_abstract: int
    tagged: int  # papers the rules tag (real matcher)
    tag_papers: dict[str, int] = field(default_factory=dict)  # tag -> papers its rules tag
    clusters: dict[str, int] = field(default_factory=dict)  # normalised title -> its k-means cluster (benchmarks)

    @property
    def coverage(self) -> float:
        return self.tagged / self.papers if self.papers else 0.0


@dataclass
class _Paper:
    title: str
    abstract: str  # "" when the record's abstract is not one (the importer tags such papers by title)


@dataclass
class _Tag:
    cluster: int
    name: str
    title: str
    description: str
    phrases: list[str]


def propose_taxonomy(paths: list[Path]) -> str:
    """The text of a taxonomy.yml proposed from the papers in ``paths`` (dumps in any format
    ``import`` reads). Raises InputError for a dump that cannot be read and ProposeError when there
    are too few papers; nothing is written either way."""
    return propose(paths).text


def propose(paths: list[Path]) -> Proposal:
    """`propose_taxonomy`, with the figures the command prints."""
    from threadpoolctl import threadpool_limits

    paths = [Path(p) for p in paths]
    papers = read_papers(paths)
    shown = ", ".join(_printable(p.name) for p in paths)
    with_abstract = [i for i, p in enumerate(papers) if p.abstract]
    if len(with_abstract) < MIN_PAPERS:
        raise ProposeError(
            shown, None,
            f"needs at least {MIN_PAPERS} papers with abstracts to propose a taxonomy; found {len(with_abstract)} "
            f"(of {len(papers)} papers read)",
            "write taxonomy.yml by hand (starter: tags: [{name: my-topic, title: My topic, description: "
            "What it covers., rules: {title: ['\\bmy topic\\b']}}]; see the README, \"Tags\") or add more papers")
    with threadpool_limits(limits=1):  # the same sums in the same order on every machine
        return _propose(papers, with_abstract, paths)


def read_papers(paths: list[Path]) -> list[_Paper]:
    """Every distinct paper of the dumps (by normalised title, first kept), cleaned as ``import`` cleans it."""
    papers: list[_Paper] = []
    seen: set[str] = set()
    for path in paths:
        shown = path.as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(shown, None, f"cannot read: {error.strerror or error}",
                             "check the path; nothing was written") from None
        fmt, result = read_input(decode_input(data, shown), path.name)
        if not result.records:
            raise InputError(shown, None, f"no papers found (read as {fmt})",
                             "check that this is a paper listing or export; nothing was written")
        for raw in result.records:
            paper = paper_from_record(raw)
            if isinstance(paper, Rejection):
                continue
            key = normalize_title(paper.title)
            if not key or key in seen:
                continue
            problem = abstract_problem(paper.title, paper.abstract)
            if problem == "no abstract" and not (paper.arxiv or paper.doi):
                continue  # the importer rejects it too: nothing to find its abstract by
            seen.add(key)
            papers.append(_Paper(paper.title, "" if problem else paper.abstract))
    return papers


def tag_count(papers: int) -> int:
    """k for k-means: about sqrt(papers / 4), from 8 to 40, and at most a third of the papers."""
    return max(MIN_TAGS, min(MAX_TAGS, round(math.sqrt(papers / 4)), papers // 3))


def _propose(papers: list[_Paper], with_abstract: list[int], paths: list[Path]) -> Proposal:
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.preprocessing import normalize

    sample = _even_sample(with_abstract, SAMPLE)
    shown = ", ".join(_printable(p.name) for p in paths)
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english", ngram_range=(1, 2), min_df=2, max_df=0.5,
                            max_features=20_000, token_pattern=TOKEN, dtype=np.float64)
    try:
        weights = tfidf.fit_transform([_weighted_text(papers[i]) for i in sample])
    except ValueError:  # no word in two papers
        raise ProposeError(shown, None, "the papers share too few words to be grouped",
                           "write taxonomy.yml by hand, or add more papers on related topics") from None
    dimensions = max(2, min(LSA_DIMENSIONS, weights.shape[1] - 1, len(sample) - 1))
    svd = TruncatedSVD(n_components=dimensions, random_state=SEED)
    reduced = normalize(svd.fit_transform(weights))
    k = min(tag_count(len(with_abstract)), len(sample) // 3)  # by every paper; clustered on the sample
    kmeans = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit(reduced)

    # Every paper (sampled or not, with or without abstract) belongs to its nearest cluster.
    everyone = list(range(len(papers)))
    labels = np.empty(len(papers), dtype=np.int64)
    for start in range(0, len(papers), 2000):
        chunk = everyone[start:start + 2000]
        vectors = normalize(svd.transform(tfidf.transform([_weighted_text(papers[i]) for i in chunk])))
        labels[start:start + len(chunk)] = kmeans.predict(vectors)

    counter = CountVectorizer(binary=True, analyzer=_phrases, min_df=3, max_df=0.3, dtype=np.int32)
    counter.fit([_text(papers[i]) for i in sample])
    vocabulary = counter.get_feature_names_out()
    known = frozenset(str(term) for term in vocabulary)  # every phrase of three papers or more: plurals
    keep = np.array([_is_phrase(term) for term in vocabulary], dtype=bool)
    if not keep.any():
        raise ProposeError(shown, None, "no phrase occurs in three or more papers",
                           "write taxonomy.yml by hand, or add more papers")
    counter.vocabulary_ = {str(term): i for i, term in enumerate(vocabulary[keep])}
    phrases = vocabulary[keep]
    occurs = counter.transform([_text(p) for p in papers]).tocsc()  # papers x phrases, 0/1
    totals = np.asarray(occurs.sum(axis=0)).ravel().astype(np.float64)
    fragments = _fragments(phrases, totals)
    keys = [rule_pattern(str(term), known) for term in phrases]  # "detector" and "detectors": one rule
    variants: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        variants.setdefault(key, []).append(index)

    tags: list[_Tag] = []
    used_names: set[str] = set()
    for cluster in range(k):
        members = labels == cluster
        if members.sum() == 0:
            continue
        inside = np.asarray(occurs[members].sum(axis=0)).ravel().astype(np.float64)
        precision = np.divide(inside, totals, out=np.zeros_like(inside), where=totals > 0)
        recall = inside / members.sum()
        base = members.mean()
        ranked = _ranked(phrases, recall * precision, (inside >= 2) & (precision >= LIFT * base) & ~fragments)
        if not ranked:
            continue
        name, title, description, named = _naming(ranked, phrases, papers, members, used_names)
        bar = max(MIN_PRECISION, LIFT * base)
        # The phrase the tag is named after comes first when precise enough, then the cover's phrases
        # by how many of the cluster's papers they reach.
        rules = [named] if precision[named] >= bar else []
        rules += _cover(occurs, members, phrases, precision, bar, FIRST_RULES, min_gain=2, excluded=fragments,
                        chosen=rules, same=lambda indices: _variants(indices, keys, variants))
        rules = rules[:1] + sorted(rules[1:], key=lambda i: (-inside[i], str(phrases[i])))
        tags.append(_Tag(cluster, name, title, description, [str(phrases[i]) for i in rules or ranked[:1]]))

    return _complete(tags, known, papers, labels, occurs, phrases, totals, fragments, (keys, variants), paths,
                     len(with_abstract))


def _variants(indices, keys, variants) -> set[int]:
    """The phrases whose rule is the same regex as one of ``indices``' (singular and plural)."""
    return {other for index in indices for other in variants[keys[index]]}


def _fragments(phrases, totals):
    """Which phrases are fragments: found inside one longer phrase at least ``FRAGMENT`` of the time
    ("active galactic" of "active galactic nuclei"); they neither name a tag nor make a rule."""
    import numpy as np

    index = {str(term): i for i, term in enumerate(phrases)}
    fragment = np.zeros(len(phrases), dtype=bool)
    for term, i in index.items():
        words = term.split()
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                part = index.get(" ".join(words[start:start + size]))
                if part is not None and totals[i] >= FRAGMENT * totals[part]:
                    fragment[part] = True
    return fragment


def _complete(tags, known, papers, labels, occurs, phrases, totals, fragments, same, paths,
              with_abstract) -> Proposal:
    """The coverage pass, dropping tags with too few papers, and the final text."""
    import numpy as np

    phrase_index = {str(term): i for i, term in enumerate(phrases)}
    thresholds = [(bar, gain) for bar in COVER_PRECISION for gain in (2, 1)]
    step = 0
    for _ in range(COVERAGE_ROUNDS):
        assigned = _assign(tags, known, papers)
        untagged = np.array([not found for found in assigned], dtype=bool)
        if 1 - untagged.mean() >= TARGET_COVERAGE or step >= len(thresholds):
            break
        bar, min_gain = thresholds[step]
        added = 0
        for tag in tags:
            if len(tag.phrases) >= MAX_RULES:
                continue
            members = labels == tag.cluster
            open_members = members & untagged
            if not open_members.any():
                continue
            inside = np.asarray(occurs[members].sum(axis=0)).ravel().astype(np.float64)
            precision = np.divide(inside, totals, out=np.zeros_like(inside), where=totals > 0)
            gains = np.asarray(occurs[open_members].sum(axis=0)).ravel()
            gains[fragments] = 0
            chosen = _variants([phrase_index[p] for p in tag.phrases], *same)
            best = _best(phrases, gains, precision, max(bar, LIFT * members.mean()), min_gain, chosen)
            if best is not None:
                tag.phrases.append(str(phrases[best]))
                added += 1
        if not added:
            step += 1  # nothing more at this bar: lower it
    assigned = _assign(tags, known, papers)
    counts = Counter(name for found in assigned for name in found)
    # Tags the rules give to too few papers are noise; their papers keep their other tags, if any.
    for tag in sorted(tags, key=lambda t: (counts[t.name], t.name)):
        if len(tags) <= MIN_TAGS or counts[tag.name] >= MIN_TAG_PAPERS:
            break
        tags.remove(tag)
    tags.sort(key=lambda t: (-counts[t.name], t.name))
    assigned = _assign(tags, known, papers)
    counts = Counter(name for found in assigned for name in found)
    tagged = sum(1 for found in assigned if found)
    text = _render(tags, known, counts, paths, len(papers), with_abstract, tagged)
    parse_taxonomy(text, "taxonomy.yml")  # what we write must load; a bug of ours otherwise
    clusters = {normalize_title(p.title): int(label) for p, label in zip(papers, labels, strict=True)}
    return Proposal(text, len(papers), with_abstract, tagged, {t.name: counts[t.name] for t in tags}, clusters)


def _assign(tags: list[_Tag], known: frozenset[str], papers: list[_Paper]) -> list[tuple[str, ...]]:
    """Each paper's tags under these rules, by the real loader and matcher (as ``import`` tags)."""
    taxonomy = parse_taxonomy(_render(tags, known, Counter(), [], 0, 0, 0), "taxonomy.yml")
    return [tuple(t for t in taxonomy.assign(p.title, p.abstract) if t != UNTAGGED) for p in papers]


def _cover(occurs, members, phrases, precision, bar: float, limit: int, min_gain: int, excluded,
           chosen: list[int], same) -> list[int]:
    """Phrases (indices) that together reach most of the cluster's papers not reached by ``chosen``:
    greedy set cover, each phrase at least ``bar`` precise; ``same(indices)``: the phrases with the
    same rule as those (never chosen twice)."""
    import numpy as np

    found: list[int] = []
    open_members = members.copy()
    for index in chosen:
        open_members &= ~occurs[:, index].toarray().ravel().astype(bool)
    while len(found) < limit:
        gains = np.asarray(occurs[open_members].sum(axis=0)).ravel()
        gains[excluded] = 0
        best = _best(phrases, gains, precision, bar, min_gain, same(chosen + found))
        if best is None:
            break
        found.append(best)
        column = occurs[:, best].toarray().ravel().astype(bool)
        open_members &= ~column
    return found


def _best(phrases, gains, precision, bar: float, min_gain: int, chosen: set[int]) -> int | None:
    """The phrase that reaches most open papers (weighted by precision), ties to the phrase itself."""
    import numpy as np

    score = gains * precision
    score[(precision < bar) | (gains < min_gain)] = -1.0
    for index in chosen:
        score[index] = -1.0
    top = float(score.max()) if score.size else -1.0
    if top <= 0:
        return None
    candidates = np.flatnonzero(score == top)
    return int(min(candidates, key=lambda i: str(phrases[i])))


def _ranked(phrases, score, allowed) -> list[int]:
    """Phrase indices by score, best first; longer phrases weigh more (names are phrases, not single words)."""
    import numpy as np

    lengths = np.array([len(str(p).split()) for p in phrases])
    weighted = score * np.where(lengths > 1, 2.0, 1.0)
    order = [int(i) for i in np.flatnonzero(allowed & (weighted > 0))]
    order.sort(key=lambda i: (-weighted[i], str(phrases[i])))
    return order


def _naming(ranked: list[int], phrases, papers, members, used: set[str]) -> tuple[str, str, str, int]:
    """A tag's name (a slug), title and description from its best phrases, as the papers write them;
    and the index of the phrase it is named after."""
    import numpy as np

    texts = [(text, text.lower()) for text in (_text(papers[i]) for i in np.flatnonzero(members)[:300])]
    name, title, named = "", "", ranked[0]
    for index in ranked[:30]:
        phrase = str(phrases[index])
        slug = slugify(phrase)
        surface = _surface(phrase, texts)
        if slug and slug not in used and slug != UNTAGGED and surface:
            name, title, named = slug, surface, index
            break
    if not name:  # every good phrase names another tag already: number this one
        phrase = str(phrases[named])
        base = slugify(phrase) or "topic"
        number = 2
        while f"{base}-{number}" in used:
            number += 1
        name, title = f"{base}-{number}", f"{_surface(phrase, texts) or phrase} ({number})"
    used.add(name)
    title = title[:1].upper() + title[1:]
    others: list[str] = []
    for index in ranked[:40]:
        phrase = str(phrases[index])
        surface = _surface(phrase, texts)
        if surface and not any(_overlap(phrase, other) for other in [title, *others]):
            others.append(surface)
        if len(others) == 3:
            break
    subject = title if _has_capitals(title[1:]) else title[:1].lower() + title[1:]  # keep "Milky Way", "JWST"
    listed = " and ".join([", ".join(others[:-1]), others[-1]]) if len(others) > 1 else "".join(others)
    return name, title, f"Papers on {subject}" + (f": {listed}." if listed else "."), named


_BEFORE = re.compile(r"([\w-]+)[ \t]+$")
_AFTER = re.compile(r"[ \t]+([\w-]+)")


def _surface(phrase: str, texts: list[tuple[str, str]]) -> str | None:
    """How the papers (``texts``: each text and its lowercase) most often write ``phrase`` (its capitals:
    'JWST', 'Gaussian processes'); None when it is a fragment of a longer phrase (most often with the
    same word just before or after it: "resonance imaging" in "magnetic resonance imaging") or is never
    written as such."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    pattern = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"\b", re.IGNORECASE)
    first = phrase.split()[0]
    forms: Counter[str] = Counter()
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for text, lowered in texts:
        if first not in lowered:
            continue
        for match in pattern.finditer(text):
            forms[" ".join(match.group().split())] += 1
            word = _BEFORE.search(text, max(0, match.start() - 40), match.start())
            # Singular and plural are one neighbour: "baryon acoustic" + "oscillation(s)".
            before[word.group(1).lower().removesuffix("s") if word else ""] += 1
            word = _AFTER.match(text, match.end(), match.end() + 40)
            after[word.group(1).lower().removesuffix("s") if word else ""] += 1
    total = sum(forms.values())
    if total == 0:
        return None
    for neighbours in (before, after):
        word, count = min(neighbours.items(), key=lambda item: (-item[1], item[0]))
        if len(word) > 2 and word not in ENGLISH_STOP_WORDS and count >= FRAGMENT * total:
            return None
    best = min(forms.items(), key=lambda item: (-item[1], item[0]))[0]
    # A sentence's first word has a capital that is not the phrase's: prefer the lowercase form then.
    if best[:1].isupper() and not _has_capitals(best[1:]) and forms.get(best.lower()):
        return best.lower()
    return best


def _overlap(phrase: str, other: str) -> bool:
    """Whether two phrases share a word (ignoring a plural 's'): "black holes" and "Black hole"."""
    def stems(text: str) -> set[str]:
        return {w.lower().removesuffix("s") for w in text.split()}
    return bool(stems(phrase) & stems(other))


def _has_capitals(text: str) -> bool:
    return any(ch.isupper() for ch in text)


def _is_phrase(term: str) -> bool:
    """Whether a word sequence can name or rule a topic: no stop word or generic word at either end (a
    head noun such as "models" may end one), no word of fewer than three letters at an end, no single
    word shorter than four letters."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    words = term.split()
    first, last = words[0], words[-1]
    if any(w in ENGLISH_STOP_WORDS or w in _GENERIC or len(w) < 3 for w in (first, last)):
        return False
    if first in _HEADS or (len(words) == 1 and len(term) < 4):
        return False
    return len(set(words)) == len(words)  # "galaxy galaxy" is tokenisation noise


def rule_pattern(phrase: str, known: frozenset[str] = frozenset()) -> str:
    """A rule's regex for a phrase: ``\\bwords\\b``, the last word's plural optional when the papers
    write both forms (``known``: every phrase found): "black holes?". re.escape makes each word literal;
    its escapes of '-' and ' ' are undone (neither is special outside a character class), so that the
    phrase is the literal the matcher's prefilter looks for (``taxonomy._required_literal``)."""
    words = phrase.split()
    plural = ""
    if phrase + "s" in known:
        plural = "s?"
    elif phrase.endswith("s") and phrase[:-1] in known:
        words[-1], plural = words[-1][:-1], "s?"  # "waves" -> "waves?" matches "wave" too
    escaped = [re.escape(word).replace("\\-", "-") for word in words]
    return r"\b" + " ".join(escaped) + plural + r"\b"


class _Regex(str):
    """A rule, written in single quotes (backslashes stay as typed; the bundled taxonomy's style)."""


class _Dumper(yaml.SafeDumper):
    pass


class _Flow(list):
    """A list written on one line, in brackets (the bundled taxonomy's style)."""


_Dumper.add_representer(_Flow, lambda dumper, value: dumper.represent_sequence("tag:yaml.org,2002:seq", value,
                                                                               flow_style=True))
_Dumper.add_representer(_Regex, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value),
                                                                              style="'"))


def _render(tags: list[_Tag], known: frozenset[str], counts: Counter, paths: list[Path], papers: int,
            with_abstract: int, tagged: int) -> str:
    lines = []
    if paths:
        share = f"{100 * tagged / papers:.1f} %" if papers else "0 %"
        lines += [
            "# Proposed by `paper-collection taxonomy propose` from "
            + ", ".join(_printable(p.name) for p in paths) + f": {papers} papers, {with_abstract} with abstracts.",
            "# Each tag is a cluster of the papers' words (TF-IDF, k-means); its name, description and rules are",
            "# the phrases that set the cluster apart. Rename, merge, split or delete tags as you see fit: this is",
            f"# a first draft. With these rules {tagged} of the {papers} papers ({share}) get at least one tag.",
            "# Format: name (a slug), title, description, rules. rules.title / rules.abstract: regexes,",
            "# case-insensitive (\\b = word edge); a tag applies when a title regex matches or the abstract",
            "# regexes match min_abstract_hits times (default 1). Score: 5 per title match + 1 per abstract match.",
        ]
    lines.append("tags:")
    for tag in tags:
        patterns = _Flow(_Regex(rule_pattern(p, known)) for p in tag.phrases)
        item = {"name": tag.name, "title": tag.title, "description": tag.description,
                "rules": {"title": patterns, "abstract": _Flow(patterns)}}  # a copy: no YAML alias
        if paths:
            lines.append("")
            lines.append(f"# {counts[tag.name]} of the {papers} papers matched these rules when proposed.")
        dumped = yaml.dump([item], Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None,
                           width=100)
        lines += ["  " + line if line else line for line in dumped.rstrip("\n").split("\n")]
    return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    """Text safe inside a one-line YAML comment: characters that are not printable become '?'."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _phrases(text: str) -> list[str]:
    """Every 1- to 3-word sequence of ``text``, lowercase, within stretches free of punctuation."""
    found = []
    for stretch in _BARRIER.split(text.lower()):
        words = _WORD.findall(stretch)
        for size in (1, 2, 3):
            found += [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]
    return found


def _text(paper: _Paper) -> str:
    return f"{paper.title}\n{paper.abstract}"


def _weighted_text(paper: _Paper) -> str:
    return f"{paper.title}\n{paper.title}\n{paper.abstract}"  # titles say what a paper is about


def _even_sample(items: list[int], limit: int) -> list[int]:
    if len(items) <= limit:
        return list(items)
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]
