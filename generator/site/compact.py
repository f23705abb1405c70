"""The theme's templates without their indentation (issue #25). Material's templates, and ours
that extend them, are indented for reading; that indentation was copied into every page, a tenth
of a paper page. It is dropped from each template's source once, when the template is compiled
(and the compiled template is kept between builds), so no page costs a thing more to write.

Only spaces and tabs right after a line break go, and blank lines: a run of whitespace that
separated two words still does (as a line break), so nothing is glued, and a Jinja `-` trims the
same whitespace as before. (Line breaks after statement-only lines stay: when the line before
belongs to a block left out, such a break can be all that separates two words.) A template
with <pre> or <textarea>, whose text keeps its indentation, is left as it is. Page bodies
(paper abstracts, BibTeX) are values, not template source: never touched."""

from __future__ import annotations

import re

from jinja2.ext import Extension

_INDENT = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n{2,}")
_KEEPS_WHITESPACE = re.compile(r"<(?:pre|textarea)\b", re.I)


def compact_source(source: str) -> str:
    if _KEEPS_WHITESPACE.search(source):
        return source
    return _BLANK_LINES.sub("\n", _INDENT.sub("\n", source))


class CompactTemplates2(Extension):
    """Added to an environment before its templates are loaded. Its import path names the folder
    of the compiled templates kept between builds (render.keep_compiled_templates): change the
    number in its name when compact_source changes what it makes."""

    def preprocess(self, source, name, filename=None):
        return compact_source(source)

