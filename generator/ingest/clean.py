"""Repair copy-paste residue (LaTeX markup, TeX quotes, stray ties) in titles and abstracts.

Genuine math (``$O(n^2)$``) and URLs are protected and left exactly as given: a later stage
renders math, and ``links`` reads URLs. pylatexenc converts only small LaTeX fragments, and a
fragment whose words it would drop is kept as its arguments instead, so no word is ever lost.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable

from pylatexenc.latex2text import LatexNodes2Text

from paper_collection.site.tex import math_spans

# Zero-width and direction controls, and C0/C1 control characters (JSON escapes bring them in).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_URL = re.compile(r"https?://[^\s{}]+", re.IGNORECASE)  # braces: "\url{...}" and "{url{label}}" residue
# Text-formatting commands; residue may have lost its backslash ("$textbf{x}$").
_FORMAT_NAMES = (
    r"(?:textbf|textit|textrm|textsf|texttt|textsc|textup|textmd|textnormal|emph|text"
    r"|mathrm|mathbf|mathit|mathsf|mathtt|underline)"
)
_FORMAT = re.compile(rf"\\?\b{_FORMAT_NAMES}\{{([^{{}}]*)\}}")
_PLAIN_MATH = re.compile(r"(?:[^\W_]|[\s,.;:!?'\"()/&%-])*")  # words and punctuation, no _ ^ \\ =
_SYMBOLS = {
    "textgreater": ">",
    "textless": "<",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbar": "|",
    "textbackslash": "\\",
    "textunderscore": "_",
    "textendash": "–",
    "textemdash": "—",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
}
_ESCAPES = re.compile(r"\\([%&#_])")  # not \\$: "\\$5 and $x$" must not become math
_SPACE = re.compile(r"\\[ ,;:]")  # TeX spaces: "e.g.\ that", "a\,b"
_NOSPACE = re.compile(r"\\[!@/]")  # negative space, \@, italic correction
_ACCENT = re.compile(r"(?<!\\)\\['\"`^~=.](?:\{\\?[A-Za-z]\}|[A-Za-z])")
# A command with all its brace-free arguments; a nested one waits until its inner commands are done.
_COMMAND = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\*?((?:\{[^{}]*\})*)(?!\{)")
_WORD = re.compile(r"[^\W_]+")
_LOST_BACKSLASH = re.compile(rf"(?<![\w\\]){_FORMAT_NAMES}\{{([^{{}}]*)\}}")
_QUOTES_TEX = re.compile(r"``([^\n]*?)(?:''|\")")
_QUOTES_MIXED = re.compile(r"(?<!\w)\"([^\"\n]*?)''")
_QUOTES_SINGLE_PAIRS = re.compile(r"(?<!\w)''([^'\n]+?)''")
_QUOTES_SINGLE = re.compile(r"(?<![\w`])`([^`'\n]+)'(?!\w)")
_TIE = re.compile(r"(?<=\S)~(?=\S)")
_EM_DASH = re.compile(r"(?<=[\s\d%])---(?=[\s\d])")
_EN_DASH = re.compile(r"(?<=[\s\d%])--(?=[\s\d])")
_BRACED_SCRIPT = re.compile(r"([_^])\{([\w.,+-]*)\}")

_latex = LatexNodes2Text()
# pylatexenc reports a command it cannot fill ("macro '\underline' failed its substitution") on the
# console, in the middle of an import's progress; `_command` deals with it, so only errors are shown.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)


def clean_text(text: str) -> str:
    """Return ``text`` with LaTeX residue turned into plain Unicode and whitespace collapsed."""
    text = _INVISIBLE.sub("", text)
    mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    kept: list[str] = []

    def protect(value: str) -> str:
        kept.append(value)
        return f"{mark}{len(kept) - 1}{mark}"

    # Each rule runs only when the text holds the characters it needs (most abstracts hold no
    # LaTeX at all): the same result, several times faster on a large import.
    if "://" in text:
        text = _URL.sub(lambda m: protect(m.group()), text)
    if "$" in text or "\\" in text:
        # The renderer's rule for math (pandoc's; generator/site/tex.py), so that what it will read as
        # math is never cleaned as text ("512$\\times$512" keeps its \\times).
        parts, last = [], 0
        for start, end in math_spans(text):
            parts += [text[last:start], _unwrap_math(text[start:end], protect)]
            last = end
        text = "".join(parts) + text[last:]
    text = _clean_plain(text, protect)
    if kept:
        placeholder = re.compile(rf"{mark}(\d+){mark}")
        while placeholder.search(text):  # a protected span may hold another (a URL inside math)
            text = placeholder.sub(lambda m: kept[int(m.group(1))], text)
    return " ".join(text.split())  # the same as collapsing r"\s+" and stripping


def _unwrap_math(math: str, protect: Callable[[str], str]) -> str:
    """Math that only holds formatted words ("$textbf{a} and textbf{b}$") becomes those words."""
    inner = math[1:-1]
    if math.startswith("$") and not math.startswith("$$") and _FORMAT.search(inner):
        words = inner
        while (unwrapped := _FORMAT.sub(r"\1", words)) != words:
            words = unwrapped
        if _PLAIN_MATH.fullmatch(words):
            return words
    return protect(math)


def _clean_plain(text: str, protect: Callable[[str], str]) -> str:
    """Clean text that is known to hold no math and no URLs."""
    if "\\" in text:
        text = _ESCAPES.sub(r"\1", text)
        text = _ACCENT.sub(_accent, text)

        # Commands go first and innermost first, so no later rule can create a command that eats a word.
        # A result holding a backslash ("\\textbackslash") is protected: it must not start a new command.
        def command(match: re.Match[str]) -> str:
            converted = _command(match)
            return protect(converted) if "\\" in converted else converted

        while (converted := _COMMAND.sub(command, text)) != text:
            text = converted
    if "{" in text:
        text = _LOST_BACKSLASH.sub(r"\1", text)
    if "\\" in text:
        text = _SPACE.sub(" ", text)
        text = _NOSPACE.sub("", text)
    # TeX quotes, and the mixed forms copy-paste leaves: ``a'', ``a", "a'', ''a''.
    if "``" in text:
        text = _QUOTES_TEX.sub("\u201c\\1\u201d", text)
    if "''" in text:
        text = _QUOTES_MIXED.sub("\u201c\\1\u201d", text)
        text = _QUOTES_SINGLE_PAIRS.sub("\u201c\\1\u201d", text)
    text = text.replace("``", "\u201c").replace("''", "\u201d")
    if "`" in text:
        text = _QUOTES_SINGLE.sub("\u2018\\1\u2019", text)
    if "~" in text:
        text = _TIE.sub(" ", text)  # a TeX tie between words
    if "--" in text:
        text = _EM_DASH.sub("\u2014", text)
        text = _EN_DASH.sub("\u2013", text)
    if "{" in text:
        text = _BRACED_SCRIPT.sub(r"\1\2", text)  # LaSOT_{ext} -> LaSOT_ext
    return text


def _accent(match: re.Match[str]) -> str:
    """``\\'e`` -> é; the bare letter if pylatexenc gives nothing usable."""
    letter = match.group()[-1] if match.group()[-1] != "}" else match.group()[-2]
    converted = _latex.latex_to_text(match.group())
    return converted if _words(converted) == {letter} else letter


def _command(match: re.Match[str]) -> str:
    """Convert one ``\\name{arg}...`` with pylatexenc; keep its arguments if that would lose words."""
    fragment = match.group()
    if match.group(1) in _SYMBOLS:  # pylatexenc renders these as nothing
        return _SYMBOLS[match.group(1)]
    args = re.findall(r"\{([^{}]*)\}", match.group(2))
    try:
        converted = _latex.latex_to_text(fragment)
    except Exception:  # pylatexenc is lenient, but a parse failure must never lose the text
        converted = ""
    if "%s" in converted and "%s" not in fragment:
        # A command written without the argument pylatexenc expects ("\underline word"): its
        # template is given back unfilled ("%s word" ended up in an abstract). Left out instead.
        converted = ""
    wanted = _words(" ".join(args))
    if converted.strip() and wanted <= _words(converted) and not converted.lstrip().startswith("<"):
        return converted
    return " ".join(args) if args else ""


def _words(text: str) -> set[str]:
    """Alphanumeric runs, accents stripped, for checking that nothing was dropped."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return set(_WORD.findall(plain))
