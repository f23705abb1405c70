"""The tag taxonomy: which tags exist, what they mean, and the rules that assign them.

The maintainer edits ``taxonomy.yml`` (its header comments explain the format). ``load_taxonomy``
reads and checks it, reporting every problem at once with its line; ``Taxonomy.assign`` tags a
paper from its title and abstract with precompiled regexes, so tagging is deterministic and costs
O(papers x patterns).

Scoring, per tag: if an ``exclude`` pattern matches the title or abstract the tag is out. Otherwise
each matching ``title`` pattern scores ``TITLE_WEIGHT``; each match of an ``abstract`` pattern
(every occurrence, every pattern) scores 1. The tag is assigned when a title pattern matched or the
abstract matches reach ``min_abstract_hits``. Tags are ordered by score, then taxonomy order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import yaml
from rapidfuzz import fuzz, process
from slugify import slugify

from paper_collection.errors import InputError

TITLE_WEIGHT = 5
MAX_TAGS = 5
SUGGEST_CUTOFF = 70.0
# The reserved tag of papers that no rule matched and no person has tagged yet. Every taxonomy has
# it (after the maintainer's tags), so it gets a tag page and a count like any other tag; it has no
# rules, and taxonomy.yml may not define it.
UNTAGGED = "untagged"
UNTAGGED_TITLE = "Papers that need tags"
UNTAGGED_DESCRIPTION = ("Papers no rule in taxonomy.yml matched and no person has tagged yet; "
                        "tag them with paper-collection tags review.")

_TOP_KEYS = ("tags",)
_TAG_KEYS = ("name", "title", "description", "rules")
_RULE_KEYS = ("title", "abstract", "exclude", "min_abstract_hits")
_PATTERN_KEYS = ("title", "abstract", "exclude")


class TaxonomyError(InputError):
    """``taxonomy.yml`` cannot be used; ``problems`` lists every problem found, each with its line."""

    def __init__(self, file: str, problems: list[str], line: int | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the taxonomy"
        super().__init__(file, line, summary, "fix the taxonomy file and run again")

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class Tag:
    name: str  # a slug, e.g. "language-models"
    title: str  # shown to readers, e.g. "Language models"
    description: str  # one line
    title_patterns: tuple[re.Pattern[str], ...] = ()
    abstract_patterns: tuple[re.Pattern[str], ...] = ()
    exclude_patterns: tuple[re.Pattern[str], ...] = ()
    min_abstract_hits: int = 1
    # Each pattern with the text every match of it starts with (see `_required_literal`), to skip
    # most regex runs; "" = run the pattern over the whole text.
    _title: tuple[tuple[re.Pattern[str], str], ...] = field(init=False, repr=False, compare=False, hash=False)
    _abstract: tuple[tuple[re.Pattern[str], str], ...] = field(init=False, repr=False, compare=False, hash=False)
    _exclude: tuple[tuple[re.Pattern[str], str], ...] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for name, patterns in (("_title", self.title_patterns), ("_abstract", self.abstract_patterns),
                               ("_exclude", self.exclude_patterns)):
            object.__setattr__(self, name, tuple((p, _required_literal(p.pattern)) for p in patterns))


# The only characters outside ASCII that re.IGNORECASE matches with an ASCII letter: U+0130 and
# U+0131 (dotted capital and dotless i) with 'i', U+017F (long s) with 's', U+212A (Kelvin) with 'k'.
# str.lower() maps the Kelvin sign to 'k' and keeps every other character one character long
# except U+0130; tests/test_taxonomy.py checks both facts over every code point.
_FOLD_FIRST = str.maketrans({"\u0130": "i"})
_FOLD_AFTER = str.maketrans({"\u0131": "i", "\u017f": "s"})


def _fold(text: str) -> str:
    """``text`` lowercased for the literal search, character for character (the same length, so a
    position in it is the same position in ``text``): wherever a pattern's ASCII literal matches
    ``text`` under re.IGNORECASE, the literal itself is found here at that position."""
    if "\u0130" in text:
        text = text.translate(_FOLD_FIRST)
    text = text.lower()
    if "\u0131" in text or "\u017f" in text:
        text = text.translate(_FOLD_AFTER)
    return text


Starts = dict[str, list[int]]  # literal -> where it starts in a folded text, in order


def _count(pattern: re.Pattern[str], literal: str, text: str, key: str, starts=None) -> int:
    """How many matches ``pattern.findall(text)`` finds (leftmost, non-overlapping), trying the
    pattern only where ``literal``, which every match starts with, occurs in ``key`` (= _fold(text)).
    ``starts``: every place ``literal`` starts in ``key``, in order, when already known."""
    if not literal:
        return len(pattern.findall(text))
    count = 0
    if starts is not None:
        after = 0  # findall's next match starts at or after the end of the last one
        for start in starts:
            if start >= after:
                match = pattern.match(text, start)
                if match is not None:
                    count += 1
                    after = match.end()
        return count
    start = key.find(literal)
    while start >= 0:
        match = pattern.match(text, start)  # match(text, pos) sees text[pos - 1] for \b, as findall does
        if match is None:
            start = key.find(literal, start + 1)
        else:  # a match holds the literal, so it is not empty and the next one starts after it
            count += 1
            start = key.find(literal, match.end())
    return count


def _found(pattern: re.Pattern[str], literal: str, text: str, key: str, starts=None) -> bool:
    """Whether ``pattern.search(text)`` would find a match (see `_count`)."""
    if not literal:
        return pattern.search(text) is not None
    if starts is not None:
        return any(pattern.match(text, start) is not None for start in starts)
    start = key.find(literal)
    while start >= 0:
        if pattern.match(text, start) is not None:
            return True
        start = key.find(literal, start + 1)
    return False


_LITERAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_,:;'\"/!@%&=<>~`")


def _required_literal(source: str) -> str:
    """A lowercase ASCII text every match of ``source`` starts with (after a leading ``\\b``): its
    leading literal run, or "" when there is none."""
    depth = 0
    in_class = False
    escaped = False
    for char in source:  # a top-level '|' means the leading run is not required
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return ""
    rest = source[2:] if source.startswith("\\b") else source
    run = ""
    for char in rest:
        if char not in _LITERAL_CHARS:
            break
        run += char
    following = rest[len(run) : len(run) + 1]
    if following in ("?", "*", "{"):
        run = run[:-1]  # the last character is optional
    return run.casefold()


_EXCLUDE, _TITLE, _ABSTRACT = range(3)


class _Rules:
    """Every tag's rules by their literal (see `_required_literal`; "" for rules without one), and an
    Aho-Corasick automaton that finds where every literal starts in a text in one pass over it,
    instead of one search per rule."""

    def __init__(self, tags: tuple[Tag, ...]) -> None:
        self.by_literal: dict[str, list[tuple[int, int, re.Pattern[str]]]] = {}
        for i, tag in enumerate(tags):
            for kind, rules in ((_EXCLUDE, tag._exclude), (_TITLE, tag._title), (_ABSTRACT, tag._abstract)):
                for pattern, literal in rules:
                    self.by_literal.setdefault(literal, []).append((i, kind, pattern))
        self.automaton = ahocorasick.Automaton()
        for literal in sorted(self.by_literal):
            if literal:
                self.automaton.add_word(literal, (len(literal) - 1, literal))
        if len(self.automaton):
            self.automaton.make_automaton()

    def starts(self, key: str) -> Starts:
        found: Starts = {}
        if len(self.automaton):
            for end, (back, literal) in self.automaton.iter(key):
                found.setdefault(literal, []).append(end - back)  # ends come in order, so do starts
        return found


@dataclass(frozen=True)
class Taxonomy:
    tags: tuple[Tag, ...]
    _by_name: dict[str, Tag] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {tag.name: tag for tag in self.tags})
        object.__setattr__(self, "_rules", None)

    def _rule_index(self) -> _Rules:
        if self._rules is None:
            object.__setattr__(self, "_rules", _Rules(self.tags))
        return self._rules

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(tag.name for tag in self.tags)

    @property
    def topic_names(self) -> tuple[str, ...]:
        """The maintainer's tags: every tag but the reserved ``untagged``."""
        return tuple(tag.name for tag in self.tags if tag.name != UNTAGGED)

    def get(self, name: str) -> Tag | None:
        return self._by_name.get(name)

    def scores(self, title: str, abstract: str) -> tuple[tuple[str, int], ...]:
        """Every tag that applies with its score, best first (ties keep taxonomy order)."""
        title_key, abstract_key = _fold(title), _fold(abstract)
        rules = self._rule_index()
        title_at, abstract_at = rules.starts(title_key), rules.starts(abstract_key)
        count = len(self.tags)
        excluded, title_hits, abstract_hits = [False] * count, [0] * count, [0] * count
        # Only the rules whose literal is in the title or abstract, and those without one, can match.
        for literal, t_starts, a_starts in [*((lit, title_at.get(lit), abstract_at.get(lit))
                                              for lit in title_at.keys() | abstract_at.keys()),
                                            ("", None, None)]:
            for i, kind, pattern in rules.by_literal.get(literal, ()):
                if kind == _EXCLUDE:
                    if not excluded[i] and (
                            (literal == "" or t_starts) and _found(pattern, literal, title, title_key, t_starts)
                            or (literal == "" or a_starts) and _found(pattern, literal, abstract, abstract_key,
                                                                      a_starts)):
                        excluded[i] = True
                elif kind == _TITLE:
                    if (literal == "" or t_starts) and _found(pattern, literal, title, title_key, t_starts):
                        title_hits[i] += 1
                elif literal == "" or a_starts:
                    abstract_hits[i] += _count(pattern, literal, abstract, abstract_key, a_starts)
        scored = []
        for i, tag in enumerate(self.tags):
            if excluded[i] or (title_hits[i] == 0 and abstract_hits[i] < tag.min_abstract_hits):
                continue
            scored.append((tag.name, TITLE_WEIGHT * title_hits[i] + abstract_hits[i], i))
        scored.sort(key=lambda item: (-item[1], item[2]))
        return tuple((name, score) for name, score, _ in scored)

    def assign(self, title: str, abstract: str, max_tags: int = MAX_TAGS) -> tuple[str, ...]:
        """The tags for a paper, best first, at most ``max_tags``; () when no rule matches."""
        return tuple(name for name, _ in self.scores(title, abstract)[: max(max_tags, 0)])

    def suggest(self, unknown: str) -> str | None:
        """The tag name closest to ``unknown`` (for "did you mean ...?"), or None."""
        if not self.tags:
            return None
        query = slugify(unknown) or unknown.strip().lower()
        if query in self._by_name:
            return query
        match = process.extractOne(query, self.names, scorer=fuzz.ratio, score_cutoff=SUGGEST_CUTOFF)
        return match[0] if match else None


# --- loading -------------------------------------------------------------------------------


def _line(node: yaml.Node | None, default: int | None = None) -> int | None:
    return node.start_mark.line + 1 if node is not None else default


def _mapping_items(node: yaml.Node) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) for a mapping node's scalar keys."""
    items = []
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        items.append((key, key_node, value_node))
    return items


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.messages: list[str] = []
        self.first_line: int | None = None

    def add(self, line: int | None, where: str, message: str) -> None:
        place = f"{self.file}:{line}" if line else self.file
        text = f"{place}: {where}: {message}" if where else f"{place}: {message}"
        self.messages.append(text)
        if self.first_line is None:
            self.first_line = line


def _check_keys(
    node: yaml.MappingNode, allowed: tuple[str, ...], where: str, problems: _Problems
) -> dict[str, yaml.Node]:
    """The mapping's values by key; reports unknown and duplicate keys."""
    values: dict[str, yaml.Node] = {}
    for key, key_node, value_node in _mapping_items(node):
        path = f"{where}.{key}" if where else key
        if key not in allowed:
            expected = ", ".join(allowed)
            problems.add(_line(key_node), path, f"unknown key (expected one of: {expected})")
            continue
        if key in values:
            problems.add(_line(key_node), path, "duplicate key")
            continue
        values[key] = value_node
    return values


def _text(values: dict[str, yaml.Node], key: str, where: str, owner: yaml.Node, problems: _Problems) -> str | None:
    node = values.get(key)
    if node is None:
        problems.add(_line(owner), where, f"missing '{key}'")
        return None
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        problems.add(_line(node), f"{where}.{key}", "must be a text")
        return None
    text = " ".join(str(node.value).split())
    if not text:
        problems.add(_line(node), f"{where}.{key}", "must not be empty")
        return None
    return text


def _patterns(node: yaml.Node, where: str, problems: _Problems) -> tuple[re.Pattern[str], ...]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        items = [node]  # a single pattern without brackets
    elif isinstance(node, yaml.SequenceNode):
        items = list(node.value)
    else:
        problems.add(_line(node), where, "must be a list of regexes")
        return ()
    compiled = []
    for i, item in enumerate(items):
        place = f"{where}[{i}]" if isinstance(node, yaml.SequenceNode) else where
        if not isinstance(item, yaml.ScalarNode) or item.tag != "tag:yaml.org,2002:str":
            problems.add(_line(item), place, "must be a regex in quotes")
            continue
        source = str(item.value)
        if not source:
            problems.add(_line(item), place, "empty regex (it would match every paper)")
            continue
        try:
            compiled.append(re.compile(source, re.IGNORECASE))
        except re.error as err:
            problems.add(_line(item), place, f"invalid regex {source!r} ({err.msg})")
    return tuple(compiled)


def _tag(node: yaml.Node, where: str, problems: _Problems) -> Tag | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(_line(node), where, "must be a mapping with name, title, description, rules")
        return None
    count = len(problems.messages)
    values = _check_keys(node, _TAG_KEYS, where, problems)
    name = _text(values, "name", where, node, problems)
    if name is not None and slugify(name) != name:
        suggestion = slugify(name)
        fix = f" (use '{suggestion}')" if suggestion else ""
        problems.add(
            _line(values["name"]),
            f"{where}.name",
            f"{name!r} is not a valid tag name: use lowercase letters, digits and hyphens{fix}",
        )
    title = _text(values, "title", where, node, problems)
    description = _text(values, "description", where, node, problems)

    rules_node = values.get("rules")
    patterns: dict[str, tuple[re.Pattern[str], ...]] = {key: () for key in _PATTERN_KEYS}
    min_hits = 1
    if rules_node is None:
        problems.add(_line(node), where, "missing 'rules'")
    elif not isinstance(rules_node, yaml.MappingNode):
        problems.add(_line(rules_node), f"{where}.rules", "must be a mapping")
    else:
        rules_where = f"{where}.rules"
        rules = _check_keys(rules_node, _RULE_KEYS, rules_where, problems)
        for key in _PATTERN_KEYS:
            if key in rules:
                patterns[key] = _patterns(rules[key], f"{rules_where}.{key}", problems)
        if "title" not in rules and "abstract" not in rules:
            problems.add(_line(rules_node), rules_where, "needs 'title' or 'abstract' patterns")
        hits = rules.get("min_abstract_hits")
        if hits is not None:
            value = _whole_number(hits)
            if value is None or value < 1:
                problems.add(_line(hits), f"{rules_where}.min_abstract_hits", "must be a whole number >= 1")
            else:
                min_hits = value
    if len(problems.messages) > count or name is None:
        return None
    return Tag(
        name=name,
        title=title or "",
        description=description or "",
        title_patterns=patterns["title"],
        abstract_patterns=patterns["abstract"],
        exclude_patterns=patterns["exclude"],
        min_abstract_hits=min_hits,
    )


def _whole_number(node: yaml.Node) -> int | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
        return None
    try:
        return int(str(node.value).replace("_", ""), 0)
    except ValueError:
        return None


def _text_value(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return " ".join(str(node.value).split()) or None
    return None


def parse_taxonomy(text: str, file: str = "taxonomy.yml") -> Taxonomy:
    """Build a taxonomy from the text of a taxonomy file; raises ``TaxonomyError`` listing every problem."""
    problems = _Problems(file)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(err, "problem", None) or str(err)
        problems.add(line, "", f"not valid YAML: {reason}")
        raise TaxonomyError(file, problems.messages, problems.first_line) from None
    if root is None or not isinstance(root, yaml.MappingNode):
        problems.add(_line(root, 1), "", "must be a mapping with a 'tags' list")
        raise TaxonomyError(file, problems.messages, problems.first_line)
    top = _check_keys(root, _TOP_KEYS, "", problems)
    tags_node = top.get("tags")
    tags: list[Tag] = []
    if tags_node is None:
        problems.add(_line(root), "", "missing 'tags'")
    elif not isinstance(tags_node, yaml.SequenceNode) or not tags_node.value:
        problems.add(_line(tags_node), "tags", "must be a non-empty list of tags")
    else:
        seen: dict[str, int | None] = {}
        for i, tag_node in enumerate(tags_node.value):
            where = f"tags[{i}]"
            tag = _tag(tag_node, where, problems)
            name = tag.name if tag else _name_of(tag_node)
            if name == UNTAGGED:
                problems.add(_line(tag_node), f"{where}.name",
                             f"'{UNTAGGED}' is reserved for papers that need tags; choose another name")
                continue
            if name is not None:
                if name in seen:
                    problems.add(
                        _line(tag_node),
                        f"{where}.name",
                        f"duplicate tag name {name!r} (first defined at line {seen[name]})",
                    )
                    continue
                seen[name] = _line(tag_node)
            if tag is not None:
                tags.append(tag)
    if problems.messages:
        raise TaxonomyError(file, problems.messages, problems.first_line)
    return Taxonomy(tags=(*tags, untagged_tag()))


def untagged_tag() -> Tag:
    """The reserved tag (see ``UNTAGGED``): no rules, so ``assign`` never gives it."""
    return Tag(name=UNTAGGED, title=UNTAGGED_TITLE, description=UNTAGGED_DESCRIPTION)


def _name_of(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.MappingNode):
        for key, _, value in _mapping_items(node):
            if key == "name":
                return _text_value(value)
    return None


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check ``taxonomy.yml``; raises ``TaxonomyError`` listing every problem with its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise TaxonomyError(path.name, [f"{path.name}: cannot read the taxonomy: {reason}"]) from None
    return parse_taxonomy(text, path.name)
