"""Render paper, tag and home page bodies to HTML.

Templates live in the package's `theme/collection/` (a site's own `collection/` templates
come first) and run in a Jinja environment with
autoescaping on, so text from dumps and pull requests always arrives as text. Titles and
abstracts become HTML through tex.py (escaped text, math marked for KaTeX, TeX text commands
rendered with markupsafe), never through Markdown (which would let raw HTML and Markdown links
from an untrusted file through).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from paper_collection.site import tex

SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bet al)(?<!\bcf)[.!?](?=\s+[A-Z(\"“])")


@lru_cache(maxsize=65_536)  # a title shows on its paper's page and in the lists of related papers and tags
def text_with_math(text: str) -> Markup:
    """A title or one paragraph as escaped HTML: math marked for KaTeX, TeX text commands rendered
    (see tex.py)."""
    return tex.to_html(text)


def abstract_html(abstract: str) -> Markup:
    return Markup("\n").join(Markup("<p>{}</p>").format(tex.to_html(p)) for p in tex.paragraphs(abstract))


@lru_cache(maxsize=65_536)  # each paper's summary shows in tag lists, related lists and <meta>
def first_sentence(abstract: str, limit: int = 300) -> str:
    """The abstract's first sentence (at most `limit` characters), never cut inside math."""
    text = " ".join(abstract.split())
    spans = tex.math_spans(text)

    def in_math(index: int) -> bool:
        return any(start <= index < end for start, end in spans)

    match = next((m for m in SENTENCE_END.finditer(text) if not in_math(m.start())), None)
    sentence = text[: match.end()] if match else text
    if len(sentence) > limit:
        cut = max((i for i in range(min(limit, len(sentence))) if sentence[i] == " " and not in_math(i)), default=0)
        # With no space outside math before the limit, cut after the math that crosses it.
        end = cut or next((e for s, e in spans if s < limit <= e), limit)
        sentence = sentence[:end].rstrip(",;: ") + "…"
    return sentence


def keep_compiled_templates(env: jinja2.Environment, cache: Path) -> None:
    """Keep `env`'s compiled templates in `cache` between builds (compiling Material's and ours
    took about a second of every build and every preview). Jinja keys an entry by the template's
    name, file and source, not by the environment's settings: these name the folder."""
    settings = (jinja2.__version__, repr(env.autoescape), env.trim_blocks, env.lstrip_blocks,
                env.keep_trailing_newline, env.newline_sequence, sorted(env.extensions), env.block_start_string,
                env.block_end_string, env.variable_start_string, env.variable_end_string,
                env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
                env.line_comment_prefix, env.optimized)
    folder = cache / "templates" / hashlib.sha256(repr(settings).encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # no cache: compiled each time
    env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))


def environment(*template_dirs: Path) -> jinja2.Environment:
    """Templates are looked for in `template_dirs` in order: a site's own overrides, then the theme's."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["math"] = text_with_math
    env.filters["first_sentence"] = first_sentence
    return env
