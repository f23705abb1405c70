"""`tags review` and `tags suggest-rules`: the maintainer's side of the tag model.

``review`` lists the papers that need tags (those carrying ``untagged`` or ``tags_suggested``), with
each suggestion's confidence and the words that drove it, and accepts or rejects suggestions in
bulk. Accepting moves a suggestion into ``tags`` (dropping ``untagged``); rejecting removes the
paper's suggestions (it keeps ``untagged`` until a person tags it). Papers tagged ``untagged``
without stored suggestions (imported with ``--no-suggest``, or before the collection had enough
tagged papers) get the current model's suggestions. Files are rewritten all-or-nothing.

``suggest_rules`` proposes, per tag, the words common in its papers and rare in the others, as
YAML to copy into ``taxonomy.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from paper_collection.collection import frontmatter
from paper_collection.collection.paper import FIELD_NAMES, Paper, SuggestedTag
from paper_collection.collection.tagger import distinguishing_words, examples_from, train_on
from paper_collection.collection.taxonomy import UNTAGGED
from paper_collection.errors import GeneratorError

WORDS_SHOWN = 5


@dataclass(frozen=True)
class Pending:
    """A paper that needs tags, and what the model suggests for it."""

    paper: Paper
    suggestions: tuple[SuggestedTag, ...]
    stored: bool  # the suggestions are in the file (else the current model made them just now)
    words: dict[str, list[str]]  # tag -> the words that drove it


def needs_review(paper: Paper) -> bool:
    return bool(paper.tags_suggested) or UNTAGGED in paper.tags


def pending_papers(papers: tuple[Paper, ...], taxonomy) -> list[Pending]:
    """Every paper that needs tags, in slug order, with its suggestions and their words."""
    ordered = sorted(papers, key=lambda p: p.slug)
    waiting = [p for p in ordered if needs_review(p)]
    if not waiting:
        return []
    model = train_on(((p.title, p.abstract, p.tags) for p in ordered), taxonomy)
    fresh_for = [p for p in waiting if not p.tags_suggested]
    fresh = dict(zip([p.slug for p in fresh_for], model.suggest([(p.title, p.abstract) for p in fresh_for]),
                     strict=True)) if model and fresh_for else {}
    result = []
    for paper in waiting:
        suggestions = paper.tags_suggested or fresh.get(paper.slug, ())
        words = {s.tag: model.explain(paper.title, paper.abstract, s.tag, WORDS_SHOWN) if model else []
                 for s in suggestions}
        result.append(Pending(paper, tuple(suggestions), bool(paper.tags_suggested), words))
    return result


def render_pending(pending: list[Pending]) -> str:
    if not pending:
        return "no paper needs tags"
    lines = []
    for item in pending:
        paper = item.paper
        lines.append(f"{paper.slug}: {paper.title[:100]}")
        current = [t for t in paper.tags if t != UNTAGGED]
        if current:
            lines.append(f"  tags: {', '.join(current)}")
        if not item.suggestions:
            lines.append("  no suggestion: tag it by hand in its file")
        for suggestion in item.suggestions:
            words = ", ".join(item.words.get(suggestion.tag, [])) or "-"
            when = "" if item.stored else " (suggested now)"
            lines.append(f"  suggested: {suggestion.tag} {suggestion.confidence:.2f}{when}  words: {words}")
    with_suggestions = sum(1 for item in pending if item.suggestions)
    lines.append(f"{len(pending)} paper(s) need tags; {with_suggestions} with suggestions. Accept with "
                 "--accept SLUG... or --accept-above 0.8, reject with --reject SLUG...")
    return "\n".join(lines)


def decide(pending: list[Pending], papers_dir: Path, *, accept: list[str], reject: list[str],
           accept_above: float | None) -> tuple[dict[Path, str], list[str]]:
    """The new text of every paper file the decisions change, and one line per decision."""
    by_slug = {item.paper.slug: item for item in pending}
    unknown = [slug for slug in [*accept, *reject] if slug not in by_slug]
    if unknown:
        raise GeneratorError(f"not a paper that needs tags: {', '.join(unknown)} "
                             "(paper-collection tags review lists them)")
    both = sorted(set(accept) & set(reject))
    if both:
        raise GeneratorError(f"both accepted and rejected: {', '.join(both)}; choose one")
    changes: dict[Path, str] = {}
    report: list[str] = []
    for item in pending:
        slug = item.paper.slug
        if slug in reject:
            taken: tuple[SuggestedTag, ...] = ()
            kept: tuple[SuggestedTag, ...] = ()
        elif slug in accept:
            if not item.suggestions:
                report.append(f"{slug}: no suggestion to accept; tag it by hand in its file")
                continue
            taken, kept = item.suggestions, ()
        elif accept_above is not None:
            taken = tuple(s for s in item.suggestions if s.confidence >= accept_above)
            kept = tuple(s for s in item.suggestions if s.confidence < accept_above)
            if not taken:
                continue
        else:
            continue
        path = papers_dir / f"{slug}.md"
        changes[path] = _rewrite(path, taken, kept if item.stored else ())
        if taken:
            report.append(f"{slug}: accepted {', '.join(s.tag for s in taken)}")
        else:
            report.append(f"{slug}: rejected the suggestions; it keeps '{UNTAGGED}'")
    return changes, report


def _rewrite(path: Path, taken: tuple[SuggestedTag, ...], kept: tuple[SuggestedTag, ...]) -> str:
    parsed = frontmatter.parse(path.read_text(encoding="utf-8"), str(path))
    meta = dict(parsed.meta)
    tags = [t for t in meta.get("tags") or [] if t != UNTAGGED]
    tags += [s.tag for s in taken if s.tag not in tags]
    meta["tags"] = tags or [UNTAGGED]
    if kept:
        meta["tags_suggested"] = [{"tag": s.tag, "confidence": s.confidence} for s in kept]
    else:
        meta.pop("tags_suggested", None)
    ordered = {key: meta[key] for key in FIELD_NAMES if key in meta}
    ordered.update((key, value) for key, value in meta.items() if key not in ordered)
    return frontmatter.dump(ordered, parsed.body)


def suggest_rules(papers: tuple[Paper, ...], taxonomy, only: list[str] | None = None,
                  count: int = 6) -> str:
    """Proposed abstract rules per tag, as taxonomy.yml YAML, with comments giving each word's shares."""
    ordered = sorted(papers, key=lambda p: p.slug)
    examples = examples_from(((p.title, p.abstract, p.tags) for p in ordered), taxonomy.names)
    names = only or list(taxonomy.topic_names)
    unknown = [name for name in names if name not in taxonomy.topic_names]
    if unknown:
        raise GeneratorError(f"not a tag in taxonomy.yml: {', '.join(unknown)}")
    out = ["# Proposed rules: words common in a tag's papers and rare in the others.",
           "# Check each word, then copy the ones you want into the tag's rules in taxonomy.yml."]
    for name in names:
        words = distinguishing_words(examples, name, count)
        members = sum(1 for e in examples if name in e.tags)
        if not words:
            out.append(f"# {name}: no word separates its {members} paper(s) from the rest")
            continue
        shares = "; ".join(f"{w}: {inside:.0%} of its papers, {outside:.0%} of others" for w, inside, outside in words)
        out.append(f"# {name} ({members} papers): {shares}")
        block = {"name": name, "rules": {"abstract": [rf"\b{_regex_word(w)}\b" for w, _, _ in words]}}
        out.append(yaml.safe_dump([block], sort_keys=False, allow_unicode=True, width=10_000,
                                  default_style=None).rstrip())
    return "\n".join(out)


def _regex_word(word: str) -> str:
    return re.escape(word).replace(r"\-", "-")
