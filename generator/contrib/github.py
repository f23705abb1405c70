"""Text for GitHub: workflow commands (annotations) and Markdown for job summaries and pull
requests. Titles, paths and messages come from pull requests and issues: untrusted, so every
piece is escaped here and nowhere else."""

from __future__ import annotations

import re
from urllib.parse import quote

from paper_collection.collection.validate import Problem

# GitHub's workflow-command escaping (actions/toolkit, packages/core/src/command.ts).
_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = {**_DATA, ":": "%3A", ",": "%2C"}


def escape_data(text: str) -> str:
    """The message after `::`: a `%`, CR or LF cannot end or forge the command."""
    return "".join(_DATA.get(ch, ch) for ch in text)


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`): also `:` and `,`, which end a value."""
    return "".join(_PROPERTY.get(ch, ch) for ch in text)


def annotation(level: str, message: str, *, file: str | None = None, line: int | None = None,
               title: str | None = None) -> str:
    """One workflow command, e.g. `::error file=content/papers/x.md,line=5,title=tags[1]::...`."""
    if level not in ("error", "warning", "notice"):
        raise ValueError(f"unknown annotation level {level!r}")
    properties = [(name, str(value)) for name, value in (("file", file), ("line", line), ("title", title))
                  if value is not None]
    head = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{level}{' ' + head if head else ''}::{escape_data(message)}"


def problem_annotation(problem: Problem) -> str:
    """A paper problem on its file and line, titled by the field it is about."""
    title = f"Paper check: {problem.field}" if problem.field else "Paper check"
    return annotation("warning" if problem.warning else "error", problem.message, file=problem.file,
                      line=problem.line, title=title)


_ASCII_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def markdown_text(text: str) -> str:
    """`text` as literal Markdown inline text: whitespace (newlines too) folded to one space and every
    ASCII punctuation character backslash-escaped (CommonMark allows that for each of them), so
    nothing in it becomes a link, an image, HTML, a heading, emphasis or a table cell break."""
    return _ASCII_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def annotations_for(problems, changed: set[str] | None = None) -> list[str]:
    """Workflow commands for the problems in the files a pull request changed (all problems when
    `changed` is None): GitHub shows at most 10 warning and 10 error annotations per step, so the
    contributor's own files come first and alone. Problems elsewhere become plain log lines (the job
    summary lists them too); each is one line starting with words, so none is read as a command."""
    lines = [problem_annotation(p) for p in problems if changed is None or p.file in changed]
    others = [p for p in problems if changed is not None and p.file not in changed]
    if others:
        lines.append(f"{len(others)} problem(s) in files this pull request does not change (not annotated):")
        lines += [f"elsewhere: {escape_data(str(p))}{' (warning)' if p.warning else ''}" for p in others]
    return lines


def markdown_url(url: str) -> str:
    """`url` as a Markdown link destination: in angle brackets, with the characters that could end
    it (or the line) percent-encoded; only http(s) addresses are linked."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    return "<" + quote(url, safe="/:?#[]@!$&'()*+,;=%~-._") + ">"
