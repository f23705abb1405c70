"""Render paper, tag and home page bodies to HTML.

Templates live in `theme_overrides/collection/` and run in a Jinja environment with
autoescaping on, so text from dumps and pull requests always arrives as text. The abstract is
turned into HTML here by escaping, never by passing it through Markdown (which would let raw
HTML and Markdown links from an untrusted file through).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

# `$...$` counts as math when it holds TeX-like content: a command, ^, _, braces, or a
# relation/operator between operands. A lone dollar ("costs $5") or a pair of prices
# ("$5 and $10") does not, and stays text.
INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?!\s)([^$\n]{1,300}?)(?<![\s\\])\$(?![\w$])")
MATHLIKE = re.compile(r"\\[A-Za-z]+|[\^_{}]|[A-Za-z]\s*[=<>+\-*/]\s*[A-Za-z0-9]|^[A-Za-z]$|\d\s*[x×]\s*\d")
SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bet al)(?<!\bcf)[.!?](?=\s+[A-Z(\"“])")


def is_math(content: str) -> bool:
    return bool(MATHLIKE.search(content)) and not re.fullmatch(r"[\d.,\s]+", content)


def text_with_math(text: str) -> Markup:
    """Escape text; wrap TeX math in the markup arithmatex's client script renders."""
    parts: list[str] = []
    last = 0
    for match in INLINE_MATH.finditer(text):
        if not is_math(match.group(1)):
            continue
        parts.append(str(escape(text[last : match.start()])))
        parts.append(str(Markup('<span class="arithmatex">\\({}\\)</span>').format(match.group(1))))
        last = match.end()
    parts.append(str(escape(text[last:])))
    return Markup("".join(parts))


@lru_cache(maxsize=65_536)  # a build asks for each title many times (pages, lists, feeds, BibTeX)
def plain_title(text: str) -> str:
    """A title for places that show no math (<title>, feeds, BibTeX): TeX delimiters dropped."""
    return INLINE_MATH.sub(lambda m: m.group(1) if is_math(m.group(1)) else m.group(0), text)


def abstract_html(abstract: str) -> Markup:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", abstract) if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(text_with_math(" ".join(p.split())))
                             for p in paragraphs)


@lru_cache(maxsize=65_536)  # each paper's summary shows in tag lists, related lists and <meta>
def first_sentence(abstract: str, limit: int = 300) -> str:
    text = " ".join(abstract.split())
    match = SENTENCE_END.search(text)
    sentence = text[: match.end()] if match else text
    if len(sentence) > limit:
        cut = sentence[:limit].rsplit(" ", 1)[0]
        sentence = cut.rstrip(",;:") + "…"
    return sentence


def environment(template_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["math"] = text_with_math
    env.filters["first_sentence"] = first_sentence
    return env
