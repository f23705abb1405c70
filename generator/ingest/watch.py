"""`watch.yml`: the searches and feeds `update` runs to keep the collection current.

    keep: tagged            # tagged (default): keep what a rule tags or the tag model is sure of; all: keep all
    min_confidence: 0.5     # for `keep: tagged`: the tag model's confidence that keeps a paper no rule tagged
    watches:
      - name: generalization
        arxiv: "cat:cs.LG AND abs:generalization"   # arXiv API search_query syntax
        tags: [learning-theory]                     # given to every paper it brings (optional)
        max: 200                                    # papers per run (optional, default 200)
      - name: hf-daily
        huggingface: daily                          # the Hugging Face daily papers
      - name: cs-cl
        feed: https://rss.arxiv.org/rss/cs.CL       # any RSS or Atom feed of papers

Every problem is collected and reported at once, each with the watch, the line and the fix, as
`validate` does for paper files. `update` remembers what each watch has seen in `watch-state.yml`
(`ingest/update.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from paper_collection.collection import frontmatter
from paper_collection.errors import GeneratorError, InputError

WATCH_FILE = "watch.yml"
SOURCES = ("arxiv", "huggingface", "feed")
KEEP = ("tagged", "all")
DEFAULT_MAX = 200
DEFAULT_MIN_CONFIDENCE = 0.5
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}\Z")
# The arXiv API's field prefixes (arxiv.org/help/api/user-manual, "query interface").
ARXIV_FIELDS = ("ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "submittedDate", "lastUpdatedDate")
_ARXIV_TOKEN = re.compile(r'[^\s()"]*"[^"]*"|\(|\)|\[[^\]]*\]|[^\s()"]+')
_ARXIV_OPERATORS = ("AND", "OR", "ANDNOT")
_WATCH_KEYS = ("name", *SOURCES, "tags", "max")


SOURCE_PREFIX = "watch:"  # `sources[].file` of a paper a watch brought: watch:NAME


def source_file(watch_name: str) -> str:
    """What a paper's `sources[].file` says when the watch `watch_name` brought it (the Latest page and
    the per-watch feeds read it back: `watch_of`)."""
    return f"{SOURCE_PREFIX}{watch_name}"


def watch_of(source_file_value: str) -> str | None:
    """The watch named in a paper's `sources[].file`, or None; only a well-formed name (paper files are
    edited by hand, and the name becomes a path of the site: `watches/NAME/feed.xml`)."""
    name = source_file_value.removeprefix(SOURCE_PREFIX)
    return name if source_file_value.startswith(SOURCE_PREFIX) and NAME.match(name) else None


@dataclass(frozen=True)
class Watch:
    name: str
    source: str  # one of SOURCES
    query: str  # the arXiv search_query, "daily" for Hugging Face, or the feed's URL
    tags: tuple[str, ...] = ()
    max: int = DEFAULT_MAX
    line: int = 0  # where the watch starts in watch.yml


@dataclass(frozen=True)
class WatchConfig:
    watches: tuple[Watch, ...]
    keep: str = "tagged"
    min_confidence: float = DEFAULT_MIN_CONFIDENCE

    def named(self, names: list[str]) -> tuple[Watch, ...]:
        """The watches called ``names`` (all when none is given); an unknown name is an error."""
        if not names:
            return self.watches
        known = {watch.name: watch for watch in self.watches}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise GeneratorError(f"{WATCH_FILE}: no watch named {', '.join(map(repr, unknown))}; "
                                 f"the watches are: {', '.join(known) or 'none'}")
        return tuple(known[name] for name in dict.fromkeys(names))


class WatchProblems(GeneratorError):
    """Every problem of watch.yml, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in {WATCH_FILE}:\n" + "\n".join(problems))


def arxiv_query_problem(query: str) -> str | None:
    """Why ``query`` is not an arXiv API search_query (unbalanced parentheses or quotes, an unknown field
    prefix, an operator with nothing on one side), or None."""
    if not query.strip():
        return "the query is empty"
    if query.count('"') % 2:
        return "a double quote is not closed"
    depth = 0
    tokens = _ARXIV_TOKEN.findall(query)
    expect_term = True
    for token in tokens:
        if token == "(":
            if not expect_term:
                return "'(' follows a term; join them with AND, OR or ANDNOT"
            depth += 1
        elif token == ")":
            depth -= 1
            if depth < 0 or expect_term:
                return "a ')' closes nothing, or follows an operator"
        elif token in _ARXIV_OPERATORS:
            if expect_term:
                return f"'{token}' has no term before it"
            expect_term = True
        else:
            field, sep, value = token.partition(":")
            if sep and not token.startswith('"') and field not in ARXIV_FIELDS:
                return (f"'{field}:' is not an arXiv field; use one of {', '.join(f + ':' for f in ARXIV_FIELDS)}")
            if sep and not value:
                return f"'{token}' has no value after the ':'"
            if not expect_term:
                continue  # arXiv reads "ti:deep learning" as two terms joined by OR; allowed
            expect_term = False
    if depth:
        return "a '(' is not closed"
    if expect_term:
        return "the query ends with an operator"
    return None


def _feed_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{url}' is not an http(s) address"
    return None


def load_watches(path: Path, taxonomy=None, shown: str = WATCH_FILE) -> WatchConfig:
    """The watches in ``path``. Raises WatchProblems listing every problem, each with its line and fix
    (tags are checked against ``taxonomy`` when given)."""
    if not path.exists():
        raise GeneratorError(f"no {shown} in the collection: write one beside taxonomy.yml (see README, "
                             "\"Keeping the collection current\")")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(shown, None, "not UTF-8 text", fix="save the file as UTF-8") from None
    data = frontmatter.load_document(text, shown)
    node = yaml.compose(text, Loader=yaml.SafeLoader) if data is not None else None
    problems: list[str] = []

    def problem(line: int, watch: str | None, message: str) -> None:
        problems.append(f"{shown}:{line}: " + (f"watch '{watch}': " if watch else "") + message)

    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WatchProblems([f"{shown}:1: expected 'watches:' and a list of watches ('- name: ...')"])
    lines = _key_lines(node)
    for key in data:
        if key not in ("watches", "keep", "min_confidence"):
            problem(lines.get(key, 1), None, f"unknown setting '{key}'; the settings are watches, keep, min_confidence")
    keep = data.get("keep", "tagged")
    if keep not in KEEP:
        problem(lines.get("keep", 1), None, f"keep: '{keep}' is not one of: tagged (keep papers a rule tags or "
                                            "the tag model is sure of), all (keep every paper)")
    confidence = data.get("min_confidence", DEFAULT_MIN_CONFIDENCE)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        problem(lines.get("min_confidence", 1), None,
                f"min_confidence: '{confidence}' is not a number from 0 to 1; write e.g. min_confidence: 0.5")
        confidence = DEFAULT_MIN_CONFIDENCE
    items = data.get("watches") or []
    item_nodes = _watch_nodes(node)
    if not isinstance(items, list):
        problem(lines.get("watches", 1), None, "watches: expected a list, one '- name: ...' item per watch")
        items = []
    watches: list[Watch] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        item_node = item_nodes[index] if index < len(item_nodes) else None
        line = item_node.start_mark.line + 1 if item_node is not None else 1
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name in seen:
            problem(line, name, f"the name is used twice (first on line {seen[name]}); give each watch its own name")
        elif isinstance(name, str):
            seen[name] = line
        watch = _watch(item, line, _key_lines(item_node), problem, taxonomy)
        if watch is not None:
            watches.append(watch)
    if problems:
        raise WatchProblems(problems)
    return WatchConfig(tuple(watches), keep, float(confidence))


def _watch(item, line: int, lines: dict[str, int], problem, taxonomy) -> Watch | None:
    if not isinstance(item, dict):
        problem(line, None, "each watch is a mapping: '- name: NAME' then one of 'arxiv: QUERY', "
                            "'huggingface: daily', 'feed: URL'")
        return None
    name = item.get("name")
    label = name if isinstance(name, str) and name else f"#{line}"
    ok = True

    def bad(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        problem(lines.get(key, line), label, message)

    if not isinstance(name, str) or not NAME.match(name):
        bad("name", f"name: '{name}' is not a name of lowercase letters, digits and hyphens (at most 80); write e.g. "
                    "name: hf-daily")
    for key in item:
        if key not in _WATCH_KEYS:
            bad(key, f"unknown key '{key}'; a watch has name, one of arxiv / huggingface / feed, tags and max")
    sources = [key for key in SOURCES if key in item]
    query = ""
    if len(sources) != 1:
        bad("name", ("no source" if not sources else f"{len(sources)} sources ({', '.join(sources)})")
            + "; give exactly one of 'arxiv: QUERY', 'huggingface: daily', 'feed: URL'")
    else:
        source = sources[0]
        query = item[source]
        if not isinstance(query, str) or not query.strip():
            bad(source, f"{source}: expected text, found {type(query).__name__ if query is not None else 'nothing'}")
        elif source == "arxiv" and (why := arxiv_query_problem(query)):
            bad(source, f"arxiv: '{query}' is not an arXiv query: {why} (syntax: "
                        "https://info.arxiv.org/help/api/user-manual.html#query_details)")
        elif source == "huggingface" and query != "daily":
            bad(source, f"huggingface: '{query}' is not known; write huggingface: daily")
        elif source == "feed" and (why := _feed_problem(query)):
            bad(source, f"feed: {why}; write the feed's full address, e.g. https://rss.arxiv.org/rss/cs.LG")
    tags = item.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        bad("tags", "tags: expected a list of tag names, e.g. tags: [vision, language-models]")
        tags = []
    elif taxonomy is not None:
        for tag in tags:
            if taxonomy.get(tag) is None:
                hint = taxonomy.suggest(tag)
                bad("tags", f"tags: '{tag}' is not a tag in taxonomy.yml"
                            + (f"; did you mean '{hint}'?" if hint else "; add it to taxonomy.yml first"))
    limit = item.get("max", DEFAULT_MAX)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        bad("max", f"max: '{limit}' is not a whole number of papers above 0; write e.g. max: 100")
    if not ok:
        return None
    return Watch(name, sources[0], query.strip(), tuple(tags), limit, line)


def _key_lines(node) -> dict[str, int]:
    """Each key of a YAML mapping node -> its 1-based line."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def _watch_nodes(node) -> list:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "watches" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []
