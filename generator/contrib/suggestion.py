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
        raise SuggestionError(f"the suggestion {what}; edit the issue to add it")
    authors = tuple(name for line in (answers.get("authors") or "").splitlines()
                    for name in [" ".join(line.split()).strip(" ,;")] if name)
    tags = tuple(dict.fromkeys(tag.lower() for tag in re.split(r"[\s,;]+", answers.get("tags") or "") if tag))
    return Suggestion(identifier, title, abstract, authors, tags, one_line("code"))


def is_the_form(body: str, fields: list[tuple[str, str]]) -> bool:
    """Whether the issue was written with the form: at least one of its `### Label` headings is there."""
    return any(re.search(rf"(?m)^###[ \t]+{re.escape(label)}[ \t]*$", body) for _, label in fields)


def add_arguments(suggestion: Suggestion) -> list[str]:
    """The `paper-collection add` arguments for a suggestion: by identifier when there is one
    (add fetches the rest; the form's abstract, on standard input, is used if the record has none),
    otherwise from the title, with the abstract on standard input (offline)."""
    options = [f"--tag={tag}" for tag in suggestion.tags]
    if suggestion.code:
        options.append(f"--code={suggestion.code}")
    if suggestion.identifier:
        fallback = ["--abstract-if-missing=-"] if suggestion.abstract else []
        return ["add", *options, *fallback, "--", suggestion.identifier]
    return ["add", f"--title={suggestion.title}", "--abstract-file=-",
            *[f"--author={name}" for name in suggestion.authors], *options]


def run_add(root: Path, suggestion: Suggestion) -> tuple[int, list[Path], str]:
    """Run `paper-collection add` for the suggestion; returns its exit code, the new files, and its
    error message (without the `error: ` prefix) when it failed."""
    papers = root / "content" / "papers"
    before = set(papers.glob("*.md"))
    command = [sys.executable, "-m", "paper_collection", "--root", str(root), *add_arguments(suggestion)]
    result = subprocess.run(command, cwd=root, input=(suggestion.abstract or "").encode("utf-8"),
                            capture_output=True, check=False)
    sys.stdout.write(result.stdout.decode("utf-8", "replace"))
    errors = result.stderr.decode("utf-8", "replace")
    sys.stderr.write(errors)
    message = next((line[len("error: "):] for line in errors.splitlines() if line.startswith("error: ")),
                   errors.strip().splitlines()[-1] if errors.strip() else f"add stopped (exit {result.returncode})")
    return result.returncode, sorted(set(papers.glob("*.md")) - before), message if result.returncode else ""


# -- answers on the issue (Markdown; every piece of the suggestion's text escaped) --------------------

EDIT = "edit the issue (the **⋯** menu at the top right of the issue, then **Edit**) and save"
RETRY = ("To try again, " + EDIT + " if something in it must change; then a maintainer removes the "
         "`accepted-suggestion` label and adds it again: in the side bar, open **Labels**, untick "
         "`accepted-suggestion` and click outside the menu; open **Labels** again and tick it. (Ticking a label "
         "the issue already has starts nothing.)")


def describe_paper(path: Path, root: Path) -> list[str]:
    """The written paper file, as a short list for the suggester to check."""
    from paper_collection.collection import frontmatter
    from paper_collection.contrib.github import markdown_text

    parsed = frontmatter.parse(path.read_text(encoding="utf-8"), path.name)
    meta = parsed.meta
    lines = [f"- **File**: {markdown_text(path.relative_to(root).as_posix())}",
             f"- **Title**: {markdown_text(str(meta.get('title', '')))}"]
    if meta.get("authors"):
        lines.append(f"- **Authors**: {markdown_text('; '.join(map(str, meta['authors'])))}")
    for key, name in (("year", "Year"), ("venue", "Venue"), ("arxiv", "arXiv"), ("doi", "DOI")):
        if meta.get(key):
            lines.append(f"- **{name}**: {markdown_text(str(meta[key]))}")
    lines.append(f"- **Tags**: {markdown_text(', '.join(map(str, meta.get('tags') or [])))}")
    abstract = " ".join(parsed.body.split())
    lines.append(f"- **Abstract**: {markdown_text(abstract[:300] + ('…' if len(abstract) > 300 else ''))}")
    return lines


def answer_not_the_form(form_url: str | None) -> str:
    where = f"the [Suggest a paper]({form_url}) form" if form_url else "the **Suggest a paper** form"
    return ("**This issue was not written with the paper suggestion form**, so there is nothing to add. "
            f"Please open a new issue with {where}, and give an arXiv id or link, or a DOI, or the title and the "
            "abstract.\n")


def answer_problem(problem: str, accepted: bool) -> str:
    from paper_collection.contrib.github import markdown_text

    head = ("**The accepted suggestion could not be added.**" if accepted
            else "**This suggestion cannot be added yet.**")
    fix = RETRY if accepted else "To fix it, " + EDIT + "; this comment is updated when the check runs again."
    return f"{head} {markdown_text(problem.strip().rstrip('.'))}.\n\n{fix}\n"


def answer_paper(lines: list[str], accepted: bool) -> str:
    if accepted:
        head = ("**Accepted.** The paper's file was written and checked; a pull request that adds it and closes "
                "this issue follows. Please check these against the paper:")
    else:
        head = ("**Thank you for the suggestion.** It was checked; if a maintainer accepts it (label "
                "`accepted-suggestion`), a pull request adds this paper. If something below is wrong, "
                + EDIT + ":")
    return head + "\n\n" + "\n".join(lines) + "\n"
