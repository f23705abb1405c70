"""Read an "abstract dump": the text of a Hugging Face Papers listing page copied from a browser.

The page is blocks of lines separated by blank lines: a title block, then its abstract block.
Page chrome and per-paper chrome (vote counts, "Submitted by ...") are recognised by what they
say, not where they stand, so dumps copied from a slightly different page still read right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from paper_collection.collection.model import Origin, RawRecord, ReadResult, Rejection

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"(?:{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?"  # Mar 20 / March 20, 2024
    rf"|{_DAY}\s+{_MONTH}(?:,?\s+\d{{4}})?"  # 20 Mar 2024
    r"|\d{4}-\d{2}-\d{2}"  # 2024-03-20
    r"|\d{4}/\d{1,2}/\d{1,2})",  # 2024/03/20
    re.IGNORECASE,
)

# Whole lines that are page or per-paper chrome, never a title or an abstract.
_BOILERPLATE = re.compile(
    r"(?:new|subscribe|submit(?:\s+(?:a\s+)?paper)?|sign\s*up|log\s*in|sign\s*in|log\s*out"
    r"|previous|next|load\s+more|show\s+more|see\s+more|view\s+more|more"
    r"|papers|daily\s+papers|trending\s+papers|trending|daily|weekly|monthly"
    r"|hugging\s*face|models|datasets|spaces|posts|docs|enterprise|pricing|collections|community"
    r"|get\s+trending\s+papers\s+in\s+your\s+email\s+inbox!?"
    r"|(?:daily\s+papers\s+)?by\s*ak\s+and\s+the\s+research\s+community"
    r"|join\s+the\s+community|search(?:\s+(?:models|papers|datasets)\b.*)?|paper\s+page|view\s+(?:arxiv\s+page|pdf)|add\s+to\s+collection"
    r"|upvotes?(?:\s+\d+)?|\d+(?:\.\d+)?k?\s*(?:upvotes?|votes?|comments?|likes?)?"  # bare vote counts
    r"|[·•\s]*\d+\s+authors?|[·•|-]+|authors?:?"  # "· 10 authors"
    r"|(?:submitted|posted)\s+by\s+\S.*|published\s+on\s+.+|follow|share|copy\s+link"
    r"|[←→«»<>\s]*(?:previous|next|prev)[←→«»<>\s]*)",
    re.IGNORECASE,
)

_MAX_TITLE = 300  # characters; every real title is far shorter, every real abstract far longer
_MAX_TITLE_LINES = 3  # a title hard-wrapped at a narrow width
_UNWRAPPED = 200  # a line this long was not hard-wrapped, so a short line above it is a title


@dataclass(frozen=True)
class _Block:
    line: int  # 1-based line of the first line
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _is_date(line: str) -> bool:
    return _DATE.fullmatch(line) is not None


def _is_boilerplate(line: str) -> bool:
    return _BOILERPLATE.fullmatch(line) is not None


def _title_like(block: _Block) -> bool:
    """Short, few lines, and not ending like a sentence."""
    text = block.text
    return len(block.lines) <= _MAX_TITLE_LINES and len(text) <= _MAX_TITLE and not text.endswith(".")


def _could_be_title(block: _Block) -> bool:
    """Short enough to be a title even if it ends with a period (a few titles do)."""
    return len(block.lines) <= _MAX_TITLE_LINES and len(block.text) <= _MAX_TITLE


def _scan(lines: Iterable[str], notes: list[str]) -> Iterator[_Block | str]:
    """Split into blocks; chrome lines separate blocks, date lines become markers (strings).
    ``lines``: the text split at "\n" (the first may start with a BOM); notes go to ``notes``."""
    current: list[str] = []
    start = 0

    def flush() -> Iterator[_Block]:
        if current:
            yield _Block(start, tuple(current))
            current.clear()

    for number, raw in enumerate(lines, start=1):
        line = (raw.removeprefix("\ufeff") if number == 1 else raw).strip()
        if not line:
            yield from flush()
        elif _is_date(line):
            yield from flush()
            yield line
            notes.append(f"line {number}: listing date {line!r}")
        elif _is_boilerplate(line):
            # Chrome between title and abstract (votes, "Submitted by") must not glue them together.
            yield from flush()
            notes.append(f"line {number}: skipped page boilerplate {line!r}")
        else:
            if not current:
                start = number
            current.append(line)
    yield from flush()


def _with_next_block(items: Iterator[_Block | str]) -> Iterator[tuple[_Block | str, _Block | None]]:
    """Each item with the block after it (date markers skipped), looking one block ahead."""
    waiting: list[_Block | str] = []  # items up to and including the last block, not yet given
    for item in items:
        if isinstance(item, _Block):
            if waiting:
                for earlier in waiting:
                    yield earlier, item
                waiting.clear()
            waiting.append(item)
        elif waiting:
            waiting.append(item)
        else:
            yield item, None  # a date before any block: nothing looks ahead from it
    for earlier in waiting:
        yield earlier, None


def _split_unblanked(block: _Block) -> tuple[_Block, _Block] | None:
    """A title directly above an unwrapped abstract with no blank line between them."""
    if len(block.lines) < 2 or len(block.lines[0]) > _MAX_TITLE or block.lines[0].endswith("."):
        return None
    if not any(len(line) > _UNWRAPPED for line in block.lines[1:]):
        return None  # looks like one hard-wrapped paragraph
    return _Block(block.line, block.lines[:1]), _Block(block.line + 1, block.lines[1:])


def read_listing(text: str, file: str) -> ReadResult:
    """Read titles and abstracts from a listing dump; report every block that is not a paper."""
    rejected: list[Rejection] = []
    notes: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    records = tuple(iter_listing(lines, file, rejected, notes))
    if not records:
        notes.append("no papers found")
    return ReadResult(records, tuple(rejected), tuple(notes))


def iter_listing(lines: Iterable[str], file: str, rejected: list[Rejection], notes: list[str]) -> Iterator[RawRecord]:
    """The records of a listing dump given line by line (split at "\n", as `text.lines_of` gives
    them), one at a time as they are read: a whole dump is never held. Blocks that are not papers
    go to ``rejected``, the page's dates and chrome to ``notes``; `read_listing` on the same text
    gives the same records, rejections and notes."""
    listed: str | None = None
    title: _Block | None = None
    title_listed: str | None = None

    def no_abstract(block: _Block) -> None:
        rejected.append(Rejection(file, block.line, f"title with no abstract: {block.text!r}"))

    for item, nxt in _with_next_block(_scan(lines, notes)):
        if isinstance(item, str):
            listed = item
            continue
        block = item
        if title is None:
            split = _split_unblanked(block)
            if split is not None and not _title_like(block):
                head, body = split
                yield _record(head, body, file, listed)
            elif _title_like(block) or (_could_be_title(block) and nxt is not None and not _could_be_title(nxt)):
                title, title_listed = block, listed
            else:
                rejected.append(Rejection(file, block.line, f"paragraph with no title above it: {block.text[:60]!r}"))
        elif _title_like(block):
            no_abstract(title)  # a title right after a title: the first one lost its abstract
            title, title_listed = block, listed
        else:
            yield _record(title, block, file, title_listed)
            title = None
    if title is not None:
        no_abstract(title)


def _record(title: _Block, abstract: _Block, file: str, listed: str | None) -> RawRecord:
    return RawRecord(
        title=title.text,
        abstract=abstract.text,
        origin=Origin(file=file, line=title.line, format="listing"),
        listed=listed,
    )
