"""`suggestion`: a "Suggest a paper" issue (.github/ISSUE_TEMPLATE/suggest-paper.yml) turned into an
`add` call. GitHub writes each form answer under its label (`### Label`, a blank line, the answer;
`_No response_` for an empty one). The labels are read from the form itself, so the two never
drift apart. The answers are untrusted text: they reach `add` as separate arguments (no shell),
each in `--name=value` form so that none can be read as an option."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from paper_collection.errors import GeneratorError

FORM = Path(".github") / "ISSUE_TEMPLATE" / "suggest-paper.yml"
NO_RESPONSE = "_No response_"
_ANSWERED = ("input", "textarea", "dropdown")


class SuggestionError(GeneratorError):
    """The issue does not hold a usable suggestion (said in words the suggester understands)."""


def form_fields(form_file: Path) -> list[tuple[str, str]]:
    """(id, label) of each answer in the issue form, in the form's order."""
    try:
        form = yaml.safe_load(form_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise GeneratorError(f"{form_file}: cannot read the issue form ({error})") from None
    fields = [(item["id"], item["attributes"]["label"]) for item in form.get("body", [])
              if item.get("type") in _ANSWERED and "id" in item]
    if not fields:
        raise GeneratorError(f"{form_file}: the issue form has no answer fields")
    return fields


def parse_issue_body(body: str, fields: list[tuple[str, str]]) -> dict[str, str | None]:
    """Answers by field id (None when empty or missing). Read from the last field back to the first,
    each at the last `### Label` line before the next field's: text inside an answer that looks like
    a later field's heading cannot move that field."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    answers: dict[str, str | None] = {}
    end = len(body)
    for field_id, label in reversed(fields):
        headings = list(re.finditer(rf"(?m)^###[ \t]+{re.escape(label)}[ \t]*$", body[:end]))
        if not headings:
            answers[field_id] = None
            continue
        heading = headings[-1]
        value = body[heading.end():end].strip()
        answers[field_id] = None if value in ("", NO_RESPONSE) else value
        end = heading.start()
    return {field_id: answers[field_id] for field_id, _ in fields}


@dataclass(frozen=True)
class Suggestion:
    identifier: str | None  # arXiv id or link, or DOI (or DOI link)
    title: str | None
    abstract: str | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    code: str | None


def suggestion_from_answers(answers: dict[str, str | None]) -> Suggestion:
    def one_line(key: str) -> str | None:
        value = answers.get(key)
        if value is None:
            return None
        value = " ".join(value.split())
        return value or None

    identifier = one_line("arxiv") or one_line("doi")
    if identifier and (" " in identifier):
        raise SuggestionError(f"'{identifier}' is not one identifier; give one arXiv id, arXiv link or DOI")
    title, abstract = one_line("title"), (answers.get("abstract") or "").strip() or None
    if not identifier and not (title and abstract):
        what = ("has a title but no abstract" if title else "has an abstract but no title" if abstract
                else "gives no arXiv id, no DOI, and no title and abstract")
        raise SuggestionError(f"the suggestion {what}; edit the issue to add it, then label it again")
    authors = tuple(name for line in (answers.get("authors") or "").splitlines()
                    for name in [" ".join(line.split()).strip(" ,;")] if name)
    tags = tuple(dict.fromkeys(tag.lower() for tag in re.split(r"[\s,;]+", answers.get("tags") or "") if tag))
    return Suggestion(identifier, title, abstract, authors, tags, one_line("code"))


def add_arguments(suggestion: Suggestion) -> list[str]:
    """The `paper-collection add` arguments for a suggestion: by identifier when there is one
    (add fetches the rest), otherwise from the title, with the abstract on standard input (offline)."""
    options = [f"--tag={tag}" for tag in suggestion.tags]
    if suggestion.code:
        options.append(f"--code={suggestion.code}")
    if suggestion.identifier:
        return ["add", *options, "--", suggestion.identifier]
    return ["add", f"--title={suggestion.title}", "--abstract-file=-",
            *[f"--author={name}" for name in suggestion.authors], *options]


def run_add(root: Path, suggestion: Suggestion) -> tuple[int, list[Path]]:
    """Run `paper-collection add` for the suggestion; returns its exit code and the new files."""
    papers = root / "content" / "papers"
    before = set(papers.glob("*.md"))
    command = [sys.executable, "-m", "paper_collection", "--root", str(root), *add_arguments(suggestion)]
    stdin = "" if suggestion.identifier else suggestion.abstract or ""
    code = subprocess.run(command, cwd=root, input=stdin.encode("utf-8"), check=False).returncode
    return code, sorted(set(papers.glob("*.md")) - before)
