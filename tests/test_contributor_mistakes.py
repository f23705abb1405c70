"""Every mistake a contributor makes gets its own message, in their words, on the right line:
one row per mistake, with the exact text `validate` prints (file, line, field, fix)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from paper_collection.collection import frontmatter
from paper_collection.collection.removed import RemovedPaper, removed_text
from paper_collection.collection.taxonomy import load_taxonomy
from paper_collection.collection.validate import load_collection
from tests.helpers import SEED_TAXONOMY

TAXONOMY = load_taxonomy(SEED_TAXONOMY)
PAPERS = "content/papers"


def paper(title_line: str = 'title: "Learning to Generalize"', *extra: str, tags: tuple[str, ...] = ("vision",),
          added: str = "2024-01-05", body: str | None = None) -> str:
    """A paper file: line 1 '---', 2 the title line, 3 'tags:', then one line per tag, then 'added:'."""
    lines = ["---", title_line, "tags:", *(f"- {t}" for t in tags), f"added: '{added}'", *extra, "---",
             body or f"The study behind '{title_line}' shows that models trained on a few tasks generalize widely."]
    return "\n".join(lines) + "\n"


GOOD = paper()
OTHER = paper('title: "Scaling Laws"', body="Loss falls as a power law of model size, data and compute used.")
REMOVED = [RemovedPaper(slug="old-paper", title="An Old Paper", reason="not about generalization",
                        date="2024-02-01", arxiv="2401.00001")]
TOMORROW_PLUS = (dt.date.today() + dt.timedelta(days=30)).isoformat()

# (id, files by path under the project, removed.yml entries, the exact problems)
MISTAKES = [
    # -- YAML, explained ------------------------------------------------------------------------------
    ("tab indents a line", {f"{PAPERS}/x.md": GOOD.replace("- vision", "\t- vision")}, [],
     [f"{PAPERS}/x.md:4: tags: this line is indented with a tab, which YAML does not allow; indent with spaces"]),
    ("unquoted colon in the title", {f"{PAPERS}/x.md": paper("title: Foo: a study")}, [],
     [f"{PAPERS}/x.md:2: title: a ': ' inside the value reads as a new field; put the title in double quotes: "
      'title: "Foo: a study"']),
    ("apostrophe in single quotes", {f"{PAPERS}/x.md": paper("title: 'Don't Stop Pretraining'")}, [],
     [f"{PAPERS}/x.md:2: title: an apostrophe ends a value in single quotes; write it twice ('') or use double "
      'quotes: title: "Don\'t Stop Pretraining"']),
    ("apostrophe at the end of a word", {f"{PAPERS}/x.md": paper("title: 'Models' Minds'")}, [],
     [f"{PAPERS}/x.md:2: title: an apostrophe ends a value in single quotes; write it twice ('') or use double "
      'quotes: title: "Models\' Minds"']),
    ("unclosed double quote", {f"{PAPERS}/x.md": paper('title: "Learning to Generalize')}, [],
     [f"{PAPERS}/x.md:2: title: the \" that opens the value is never closed; close it on the same line, best "
      'with double quotes: title: "Learning to Generalize"']),
    ("unclosed single quote closed by a later one", {f"{PAPERS}/x.md": paper("title: 'Learning to Generalize")}, [],
     [f"{PAPERS}/x.md:2: title: the ' that opens the value is never closed; close it on the same line, best "
      'with double quotes: title: "Learning to Generalize"']),
    ("text after the closing quote", {f"{PAPERS}/x.md": paper('title: "Learning" to Generalize')}, [],
     [f"{PAPERS}/x.md:2: title: text follows the closing quote; put the whole value in double quotes: "
      'title: "\\"Learning\\" to Generalize"']),
    ("backslash in double quotes", {f"{PAPERS}/x.md": paper('title: "Fast $\\mathcal{O}(n)$ Attention"')}, [],
     [f"{PAPERS}/x.md:2: title: inside double quotes a backslash starts an escape such as \\n; write each "
      'backslash twice: title: "Fast $\\\\mathcal{O}(n)$ Attention"']),
    ("list item out of line", {f"{PAPERS}/x.md": paper(tags=("vision", "segmentation")).replace(
        "- segmentation", " - segmentation").replace("- vision", "  - vision")}, [],
     [f"{PAPERS}/x.md:5: tags: this line is not lined up with the lines above; start each field at the beginning "
      "of a line and line up the '- ' items of a list under each other"]),
    ("value continued with a colon", {f"{PAPERS}/x.md": paper("title: Learning\n  to Generalize: a study")}, [],
     [f"{PAPERS}/x.md:3: title: this line has ': ' but continues the value of the line above; start a field at "
      "the beginning of its line, or put a long value in double quotes on one line"]),
    ("line that is no field", {f"{PAPERS}/x.md": paper(GOOD.split("\n")[1], "venue NeurIPS")}, [],
     [f"{PAPERS}/x.md:6: this line is neither a field ('name: value') nor a list item ('- value'); add the ': ' "
      "or remove the line"]),
    ("field given twice", {f"{PAPERS}/x.md": paper('title: "Learning to Generalize"', 'title: "Again"')}, [],
     [f"{PAPERS}/x.md:6: title: this field is given twice; keep one of the two lines"]),
    # -- files in the wrong place ---------------------------------------------------------------------------
    ("paper at the top of content/", {"content/learning-to-generalize.md": GOOD}, [],
     ["content/learning-to-generalize.md:1: file: only paper files belong under content/, and they go in "
      f"{PAPERS}/; move it to {PAPERS}/learning-to-generalize.md"]),
    ("paper in a year folder", {f"{PAPERS}/2024/learning-to-generalize.md": GOOD}, [],
     [f"{PAPERS}/2024/learning-to-generalize.md:1: file: paper files go directly in {PAPERS}/, not in a "
      f"subfolder; move it to {PAPERS}/learning-to-generalize.md"]),
    ("paper ending in .markdown", {f"{PAPERS}/learning-to-generalize.markdown": GOOD}, [],
     [f"{PAPERS}/learning-to-generalize.markdown:1: file: a paper file's name ends in '.md'; rename it to "
      f"{PAPERS}/learning-to-generalize.md"]),
    ("stray file", {"content/Figure 1.png": "not a paper"}, [],
     ["content/Figure 1.png:1: file: not a paper file; only paper files (content/papers/NAME.md) belong under "
      f"content/: move it to {PAPERS}/figure-1.md if it is a paper, otherwise delete it"]),
    ("file name that is no address", {f"{PAPERS}/Learning To Generalize.md": GOOD}, [],
     [f"{PAPERS}/Learning To Generalize.md:1: file name: 'Learning To Generalize.md' cannot be a paper's address: "
      "use only lowercase letters, digits and single hyphens; rename it to 'learning-to-generalize.md'"]),
    # -- duplicates: reported on the newer file, which is told to go ----------------------------------------
    ("same title, added later", {f"{PAPERS}/a-copy.md": paper(added="2024-03-01"), f"{PAPERS}/learning.md": GOOD},
     [], [f"{PAPERS}/a-copy.md:2: title: same title as {PAPERS}/learning.md ('Learning to Generalize'): the paper "
          f"is already in the collection; keep {PAPERS}/learning.md (move anything this file adds into it) and "
          "delete this file"]),
    ("same abstract under another title", {
        f"{PAPERS}/scaling.md": OTHER,
        f"{PAPERS}/power-laws.md": OTHER.replace("Scaling Laws", "Power Laws of Models").replace(
            "2024-01-05", "2024-02-05")}, [],
     [f"{PAPERS}/power-laws.md:7: abstract: the same abstract under another title as {PAPERS}/scaling.md: the "
      f"paper is already in the collection; keep {PAPERS}/scaling.md (move anything this file adds into it) and "
      "delete this file"]),
    # -- dates ----------------------------------------------------------------------------------------------
    ("31 February", {f"{PAPERS}/x.md": paper(GOOD.split("\n")[1], "year: 2024", "month: 2", "day: 31")}, [],
     [f"{PAPERS}/x.md:8: day: February 2024 has 29 days, not 31; check day and month"]),
    ("day without a month", {f"{PAPERS}/x.md": paper(GOOD.split("\n")[1], "year: 2024", "day: 5")}, [],
     [f"{PAPERS}/x.md:7: day: a day without a month; add month: (1-12) or remove day"]),
    ("added in the future", {f"{PAPERS}/x.md": paper(added=TOMORROW_PLUS)}, [],
     [f"{PAPERS}/x.md:5: added: '{TOMORROW_PLUS}' is in the future; write the date the paper joins the "
      "collection (today, for a new paper)"]),
    # -- addresses that never break ---------------------------------------------------------------------------
    ("new paper takes an old address", {
        f"{PAPERS}/learning-to-generalize.md": paper(GOOD.split("\n")[1], "aliases:", "- scaling"),
        f"{PAPERS}/scaling.md": OTHER}, [],
     [f"{PAPERS}/scaling.md:1: file name: 'scaling' is an old address of {PAPERS}/learning-to-generalize.md (in "
      "its aliases) and must keep leading there; rename this file, e.g. to 'scaling-2.md'"]),
    ("two papers claim one old address", {
        f"{PAPERS}/learning-to-generalize.md": paper(GOOD.split("\n")[1], "aliases:", "- old-name"),
        f"{PAPERS}/scaling.md": OTHER.replace("added: '2024-01-05'", "added: '2024-02-05'\naliases:\n- old-name")},
     [], [f"{PAPERS}/scaling.md:7: aliases[0]: 'old-name' is already an old address of "
          f"{PAPERS}/learning-to-generalize.md; remove it here"]),
    ("old address that is no file name", {f"{PAPERS}/x.md": paper(GOOD.split("\n")[1], "aliases:", "- Old Name")},
     [], [f"{PAPERS}/x.md:7: aliases[0]: 'Old Name' is not an old file name: use only lowercase letters, digits "
          "and single hyphens"]),
    ("new paper takes a removed paper's address", {f"{PAPERS}/old-paper.md": GOOD}, REMOVED,
     [f"{PAPERS}/old-paper.md:1: file name: 'old-paper' was the address of 'An Old Paper', removed on 2024-02-01 "
      "(not about generalization); rename this file, e.g. to 'old-paper-2.md', so old links do not lead to "
      "another paper"]),
    ("removed paper comes back", {f"{PAPERS}/an-old-paper-again.md": paper('title: "An old paper"')}, REMOVED,
     [f"{PAPERS}/an-old-paper-again.md:2: title: this paper was removed on 2024-02-01 (not about generalization) "
      "(removed.yml, slug 'old-paper'); delete this file, or delete its entry in removed.yml if it should come "
      "back (warning)"]),
]


def problems_in(tmp_path, files: dict[str, str], removed: list[RemovedPaper]) -> list[str]:
    (tmp_path / PAPERS).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    if removed:
        (tmp_path / "removed.yml").write_text(removed_text(removed), encoding="utf-8")
    collection = load_collection(tmp_path / PAPERS, TAXONOMY, tmp_path)
    return [str(p) + (" (warning)" if p.warning else "") for p in collection.problems]


@pytest.mark.parametrize(("files", "removed", "expected"), [row[1:] for row in MISTAKES],
                         ids=[row[0] for row in MISTAKES])
def test_each_mistake_gets_its_message(tmp_path, files, removed, expected):
    assert problems_in(tmp_path, files, removed) == expected


RAW_PYYAML = ("mapping values are not allowed here", "expected <block end>", "could not find expected",
              "found character", "while scanning", "while parsing")


@pytest.mark.parametrize("expected", [row[3] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_no_message_is_pyyaml_s_own(expected):
    assert not any(raw in message for raw in RAW_PYYAML for message in expected)


FIXABLE = [row for row in MISTAKES if re.search(r"(?:quotes|backslash twice): \S", row[3][0])]


@pytest.mark.parametrize("row", FIXABLE, ids=[row[0] for row in FIXABLE])
def test_the_suggested_line_fixes_the_file(tmp_path, row):
    """Doing what the message says (replacing the reported line with the suggested one) gives a valid file."""
    _, files, removed, expected = row
    (name, text), = files.items()
    line = int(expected[0].split(":")[1])
    suggested = re.split(r"(?:double quotes|quotes|backslash twice): ", expected[0], maxsplit=1)[1]
    lines = text.split("\n")
    lines[line - 1] = suggested
    fixed = "\n".join(lines)
    assert problems_in(tmp_path, {name: fixed}, removed) == []
    assert isinstance(frontmatter.parse(fixed, name).meta["title"], str)
