"""Titles and abstracts as their authors wrote them: TeX math and TeX text commands, read once
and rendered in two forms.

- `to_html`: escaped HTML (markupsafe) where math becomes `<span class="arithmatex">\\(...\\)</span>`
  for KaTeX (assets/javascripts/math.js) and text commands become what they mean: `\\emph` -> em,
  `\\textbf` -> strong, `\\texttt` -> code, `\\url`/`\\href` -> a link (http and https only),
  `\\cite` -> a bracketed key, `~` -> no-break space, `--`/`---` -> dashes, ``` ``...'' ``` -> quotes.
- `to_plain`: readable text for places that show no markup (<title>, meta tags, feeds, search):
  no `$` and no backslashes, `$\\alpha$-rank` -> "α-rank"; math whose commands have no Unicode
  form keeps its TeX without the delimiters.

Math is found by the rule pandoc uses (`tex_math_dollars`), which is what arXiv authors write for:
an opening `$` is followed by a non-space, a closing `$` is preceded by a non-space and not
followed by a digit, and a space followed by `$` ends the attempt. One departure, for what arXiv
abstracts need: a `$` before a digit does close math that does not itself begin with a digit
(`512$\\times$512`, `$±$0.01`), since a price's amount always begins with one. So `$0$`, `$1$D`, `10$\\times$`
and `$40\\%$` are math, while "$5 and $10", "costs $5.", "US$ 3 million" and "$5–$10" stay text.
`$$...$$` and `\\[...\\]` are display math, `\\(...\\)` inline math; `\\$` is a dollar sign.

Outside math, TeX is read as authors use it in abstracts, not as TeX proper: `%` is a percent sign
(not a comment), and `&`, `#`, `_` and `^` are themselves. That is why this is a small reader of
its own rather than pylatexenc's latexwalker (which reads `40% of` as the start of a comment and
swallows the rest of the line); pylatexenc's latex2text still gives math its Unicode plain form.
Nothing here changes a paper file: rendering only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db

# -- the document tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Math:
    tex: str  # without delimiters
    display: bool
    source: str  # as the author wrote it, delimiters included


@dataclass(frozen=True)
class Styled:
    tag: str  # em, strong, code, sup, sub
    children: tuple


@dataclass(frozen=True)
class Link:
    url: str  # http(s) URL, or "" when the author's URL is not one (then the text stays text)
    children: tuple


@dataclass(frozen=True)
class Cite:
    keys: str


Node = Text | Math | Styled | Link | Cite

STYLE_COMMANDS = {"emph": "em", "textit": "em", "textsl": "em", "textbf": "strong", "texttt": "code",
                  "textsuperscript": "sup", "textsubscript": "sub"}
# Old-style switches at the start of a group: {\bf x}, {\em x}.
STYLE_SWITCH = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\s*")
STYLE_SWITCHES = {"bf": "strong", "bfseries": "strong", "it": "em", "itshape": "em", "em": "em", "sl": "em",
                  "tt": "code", "ttfamily": "code"}
CITE_COMMANDS = {"cite", "citet", "citep", "citealp", "citealt", "citeauthor", "citeyear", "parencite", "textcite",
                 "autocite", "footcite"}
# Commands whose first argument is not text to show.
FIRST_ARGUMENT_DROPPED = {"textcolor", "colorbox", "foreignlanguage"}
# Commands that show nothing (with their arguments).
DROPPED = {"label", "footnotemark", "color", "vspace", "hspace", "vskip", "hskip", "noindent", "newline",
           "linebreak", "pagebreak", "newpage", "centering", "small", "large", "Large", "footnotesize",
           "normalsize", "scriptsize", "tiny", "huge", "Huge", "relax", "protect", "xspace", "nocite"}
TEXT_SYMBOLS = {"LaTeX": "LaTeX", "TeX": "TeX", "ldots": "…", "dots": "…", "textellipsis": "…",
                "textendash": "–", "textemdash": "—", "textasciitilde": "~", "textless": "<", "textgreater": ">",
                "textbar": "|", "textbackslash": "\\", "textunderscore": "_", "textasciicircum": "^",
                "textquotedblleft": "“", "textquotedblright": "”", "textquoteleft": "‘", "textquoteright": "’",
                "S": "§", "P": "¶", "copyright": "©", "textregistered": "®", "texttrademark": "™", "textdegree": "°",
                "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
                "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ",
                "textperiodcentered": "·", "textbullet": "•", "dag": "†", "ddag": "‡", "pounds": "£", "euro": "€",
                "etal": "et al.", "eg": "e.g.", "ie": "i.e.", "wrt": "w.r.t.", "etc": "etc."}
ESCAPED_CHARS = {"%": "%", "&": "&", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": " ",
                 ";": " ", ":": " ", ">": " ", "!": "", "-": "", "/": "", "@": "", "\\": " "}
# Accent commands -> the combining character they put on the next letter.
ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a",
           "d": "\u0323", "b": "\u0331"}
LINK_SCHEMES = {"http", "https"}
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"{}]+", re.IGNORECASE)  # a bare URL: its ~, _ and % are its own
SINGLE_QUOTES = re.compile(r"(?<![\w`])`([^`'\n]+)'(?!\w)")
TEX_QUOTES = re.compile(r"``(.+?)(?:''|\")")  # authors close with '' or with "
# "1--2", "pre--post", "word -- word", "word---word": a dash between words or numbers.
DASHES = re.compile(r"(?:(?<=[^\W_])|(?<=[)%]))([ \u00a0]?)(---?)( ?)(?=[(]?[^\W_])")
TIE = re.compile(r"(?<!\s)~(?!\s)")  # a tie joins two words; "rm -rf ~/x" keeps its tilde
NBSP = "\u00a0"
TEX_COMMAND = re.compile(r"\\[A-Za-z]{2,}")
WORD = re.compile(r"[A-Za-z]{3,}")
SPECIAL = re.compile(r"[$\\{]")  # where the reader must look closer (and at "http", found with str.find)
# MathJax's \unicode{x00b0} (KaTeX has no such command): the character itself, escaped for TeX.
UNICODE_COMMAND = re.compile(r"\\unicode\s*\{\s*(x|0x|U\+)?([0-9A-Fa-f]{1,6})\s*\}")
# x^2 -> x², x_{12} -> x₁₂ in the plain form of math (Unicode has super- and subscript digits).
SCRIPT_DIGITS = re.compile(r"([\^_])(?:\{([0-9+\-=()]+)\}|([0-9]))")
SUPERSCRIPTS = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")


# -- finding math: the pandoc rule ------------------------------------------------------------


def _inline_dollar_end(text: str, start: int) -> int:
    """Index of the `$` closing inline math whose content starts at `start` (just after an opening
    `$` that is followed by a non-space), or -1 when there is none (pandoc's rule)."""
    k = start
    n = len(text)
    while k < n:
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "$":
            if text[k - 1].isspace():
                # "a space followed by $" ends the attempt ("$5 and $10" is not math), unless what came
                # before holds a TeX command and nothing glues on after: "($4.7 \\times $)".
                glued = k + 1 < n and text[k + 1].isalnum()
                return k if _formula_like(text[start:k]) and not glued else -1
            if k + 1 < n and text[k + 1].isdigit() and text[start].isdigit():
                k += 1  # "$5–$10": a `$` before a digit does not close math that began with a digit (a price)
                continue
            return k
        if ch == "\n" and text[k + 1 : k + 2] == "\n":
            return -1
        k += 1
    return -1


def _formula_like(content: str) -> bool:
    """A short formula with a TeX command and no words outside commands ("4.7 \\times "): what the
    relaxed rule for a space inside the dollars accepts. A sentence ("10. Code: \\url{...}") is not."""
    if len(content) > 80 or not TEX_COMMAND.search(content):
        return False
    return not WORD.search(TEX_COMMAND.sub(" ", content))


def _double_dollar_end(text: str, start: int) -> int:
    """Index of the `$$` closing display math opened before `start`, or -1."""
    k = start
    while k < len(text):
        if text[k] == "\\":
            k += 2
        elif text.startswith("$$", k):
            return k
        else:
            k += 1
    return -1


def math_at(text: str, i: int) -> tuple[Math, int] | None:
    """The math starting at text[i], with the index after it; None when text[i] opens no math."""
    if text.startswith("$$", i):
        end = _double_dollar_end(text, i + 2)
        if end > i + 2 and text[i + 2 : end].strip():
            return Math(text[i + 2 : end].strip(), True, text[i : end + 2]), end + 2
        return None
    if text.startswith("$", i):
        if i + 1 < len(text) and not text[i + 1].isspace():
            end = _inline_dollar_end(text, i + 1)
            if end > i + 1:
                return Math(text[i + 1 : end].strip(), False, text[i : end + 1]), end + 1
        elif i + 1 < len(text) and not (i and text[i - 1].isalnum()):
            # "$ 2.6\\times$": a space after the opening `$` is allowed when a TeX command follows
            # before a closing `$` that touches its content ("US$ 3 million" never opens).
            end = _inline_dollar_end(text, i + 1)
            if end > i + 1 and not text[end - 1].isspace() and _formula_like(text[i + 1 : end]):
                return Math(text[i + 1 : end].strip(), False, text[i : end + 1]), end + 1
        return None
    for opening, closing, display in (("\\(", "\\)", False), ("\\[", "\\]", True)):
        if text.startswith(opening, i):
            end = text.find(closing, i + 2)
            if end > i + 2 and text[i + 2 : end].strip():
                return Math(text[i + 2 : end].strip(), display, text[i : end + 2]), end + 2
    return None


# -- reading text mode ------------------------------------------------------------------------


def _group_end(text: str, i: int) -> int:
    """Index of the `}` matching the `{` at text[i], or -1 (escaped braces do not count)."""
    depth = 0
    k = i
    while k < len(text):
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    return -1


def _arguments(text: str, i: int) -> tuple[list[str], list[str], int]:
    """Optional `[...]` and braced `{...}` arguments right after a command (spaces allowed before
    braces only for the first one): (optional, required, index after them)."""
    optional: list[str] = []
    required: list[str] = []
    k = i
    while k < len(text) and text[k] == "[" and not required:
        end = text.find("]", k)
        if end < 0:
            break
        optional.append(text[k + 1 : end])
        k = end + 1
    while True:
        j = k
        if not required:
            while j < len(text) and text[j] == " ":
                j += 1
        if j < len(text) and text[j] == "{":
            end = _group_end(text, j)
            if end < 0:
                break
            required.append(text[j + 1 : end])
            k = end + 1
        else:
            break
    return optional, required, k


def _verbatim(argument: str) -> str:
    """A URL argument: TeX escapes undone, nothing else read (`%`, `_` and `~` are the URL's)."""
    return re.sub(r"\\([%&#_$~{}])", r"\1", argument).strip()


def _safe_url(url: str) -> str:
    """The URL when it is an http(s) URL with nothing that could leave an attribute, else ""."""
    if not url or any(ch.isspace() or ch in "\"'<>`\\" for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else ""


def _typographic(chunk: str) -> str:
    """TeX ligatures where they are meant: ``quotes'', dashes between words or numbers, ties
    between words. Elsewhere the characters stay as typed ("<!-- -->", "rm ~/x", "''")."""
    if "``" in chunk:
        chunk = TEX_QUOTES.sub("“\\1”", chunk)
    if "`" in chunk:
        chunk = SINGLE_QUOTES.sub("‘\\1’", chunk)
    if "~" in chunk:
        chunk = TIE.sub(NBSP, chunk)
    if "--" in chunk:
        chunk = DASHES.sub(_dash, chunk)  # after the ties: "fast~--- really"
    return chunk


def _dash(match: re.Match[str]) -> str:
    if bool(match.group(1)) != bool(match.group(3)):  # "use --help": a flag, not a dash
        return match.group()
    return match.group(1) + ("—" if len(match.group(2)) == 3 else "–") + match.group(3)


def _read(text: str) -> list[Node]:
    """Reads a title, an abstract paragraph or a command's argument into nodes."""
    nodes: list[Node] = []
    plain: list[str] = []

    def flush() -> None:
        if plain:
            nodes.append(Text(_typographic("".join(plain))))
            plain.clear()

    lower = text.lower()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "$" or ch == "\\":
            found = math_at(text, i)
            if found:
                flush()
                nodes.append(found[0])
                i = found[1]
                continue
        if ch == "\\" and i + 1 < len(text):
            flush()
            i = _command(text, i, nodes)
            continue
        if ch == "{":
            # A bare group shows its braces ("labels in {0, 1}"), except "{}" and "{\\bf ...}".
            close = _group_end(text, i)
            switch = STYLE_SWITCH.match(text, i + 1) if close > 0 else None
            if close > 0 and (close == i + 1 or (switch and switch.group(1) in STYLE_SWITCHES)):
                flush()
                if switch:
                    nodes.append(Styled(STYLE_SWITCHES[switch.group(1)], tuple(_read(text[switch.end() : close]))))
                i = close + 1
                continue
        if ch in "hH":
            match = URL_IN_TEXT.match(text, i)
            if match:
                flush()
                nodes.append(Text(_verbatim(match.group())))  # "github.com/a/Persona\\_Paradox"
                i = match.end()
                continue
        # Plain characters up to the next one that may start something: one slice, not one by one.
        special = SPECIAL.search(text, i + 1)
        stop = special.start() if special else len(text)
        url = lower.find("http", i + 1, stop)
        stop = url if url >= 0 else stop
        plain.append(text[i:stop])
        i = stop
    flush()
    return nodes


def _command(text: str, i: int, nodes: list[Node]) -> int:
    """Reads the command at text[i] (a backslash) into nodes; returns the index after it."""
    nxt = text[i + 1]
    if not nxt.isalpha():
        if nxt in ACCENTS and i + 2 < len(text):
            return _accent(text, nxt, i + 2, nodes)
        nodes.append(Text(ESCAPED_CHARS.get(nxt, nxt)))
        return i + 2
    name_match = re.match(r"[A-Za-z]+\*?", text[i + 1 : i + 40])
    name = name_match.group().rstrip("*")
    after = i + 1 + name_match.end()
    if name in ACCENTS and after < len(text) and text[after] in "{ ":
        return _accent(text, name, after + (text[after] == " "), nodes)
    _optional, required, k = _arguments(text, after)
    if name in ("url", "href") and required:
        target = _verbatim(required[0])
        label = tuple(_read(required[1])) if name == "href" and len(required) > 1 else (Text(target),)
        nodes.append(Link(_safe_url(target), label))
        return k
    if name in CITE_COMMANDS and required:
        nodes.append(Cite(", ".join(key.strip() for key in required[-1].split(",") if key.strip())))
        return k
    if name in STYLE_COMMANDS and required:
        nodes.append(Styled(STYLE_COMMANDS[name], tuple(_read(required[0]))))
        return k
    if name in DROPPED:
        return k
    if name in FIRST_ARGUMENT_DROPPED:
        required = required[1:]
    if not any(argument.strip() for argument in required):  # "\\LaTeX{} is": the braces only end the word
        # An author's own macro ("\\ModelName~outperforms") shows its name rather than nothing.
        symbol = TEXT_SYMBOLS.get(name) or _symbol_text(name) or ("" if _is_known(name) else name)
        if symbol:
            nodes.append(Text(symbol))
        return k
    for argument in required:  # an unknown command: its argument text stays, the command goes
        nodes.extend(_read(argument))
    return k


def _accent(text: str, accent: str, k: int, nodes: list[Node]) -> int:
    """`\\'e`, `\\'{e}`, `\\c{c}` -> the letter with its accent."""
    if k < len(text) and text[k] == "{":
        close = _group_end(text, k)
        if close < 0:
            return k
        base = text[k + 1 : close].strip()
        k = close + 1
    else:
        base = text[k : k + 1]
        k += 1
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    if len(base) == 1 and base.isalpha():
        nodes.append(Text(unicodedata.normalize("NFC", base + ACCENTS[accent])))
    else:
        nodes.extend(_read(base))
    return k


@lru_cache(maxsize=512)
def _symbol_text(name: str) -> str:
    """A known argument-less text command as Unicode (pylatexenc), or "" when unknown."""
    if name in ACCENTS or _LATEX_DB.get_macro_spec(name) is None:  # an accent with no letter shows nothing
        return ""
    try:
        return _TEXT.latex_to_text("\\" + name).strip()
    except Exception:  # noqa: BLE001 - an unreadable command shows nothing rather than failing the build
        return ""


_LATEX_DB = get_default_latex_context_db()
_TEXT = LatexNodes2Text(math_mode="text", strict_latex_spaces="based-on-source")


def _is_known(name: str) -> bool:
    return name in ACCENTS or _LATEX_DB.get_macro_spec(name) is not None


def cached_when_short(maxsize: int) -> Callable:
    """`lru_cache` for texts of at most `SHORT_TEXT` characters; a longer one is worked out each
    time. A build asks for each title many times (pages, lists, feeds, BibTeX, search) and for an
    abstract once or twice, and at 50,000 papers the abstracts' entries in these caches were
    hundreds of megabytes in each of the build's processes."""
    def wrap(function: Callable) -> Callable:
        cached = lru_cache(maxsize=maxsize)(function)

        @functools.wraps(function)
        def call(text: str) -> Any:
            return cached(text) if len(text) <= SHORT_TEXT else function(text)
        return call
    return wrap


SHORT_TEXT = 400  # characters: every title, and an abstract's first sentence


@cached_when_short(maxsize=32768)  # titles and short paragraphs: pages, feeds and search share them
def parse(text: str) -> tuple[Node, ...]:
    """The nodes of one paragraph (whitespace already normalised)."""
    return tuple(_read(text))


# -- rendering --------------------------------------------------------------------------------


def _html(nodes) -> Markup:
    parts: list[Markup] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(escape(node.text))
        elif isinstance(node, Math):
            opening, closing = ("\\[", "\\]") if node.display else ("\\(", "\\)")
            css = "arithmatex arithmatex--display" if node.display else "arithmatex"
            parts.append(Markup('<span class="{}">{}{}{}</span>').format(css, opening, katex_tex(node.tex), closing))
        elif isinstance(node, Styled):
            inner = _html(node.children) if node.tag != "code" else escape(_plain(node.children))
            parts.append(Markup("<{0}>{1}</{0}>").format(Markup(node.tag), inner))
        elif isinstance(node, Link):
            label = _html(node.children)
            if node.url:
                parts.append(Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(node.url, label))
            else:
                parts.append(label)
        elif isinstance(node, Cite):
            parts.append(escape(f"[{node.keys}]"))
    return Markup("").join(parts)


def _plain(nodes) -> str:
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Math):
            parts.append(math_plain(node.tex))
        elif isinstance(node, (Styled, Link)):
            parts.append(_plain(node.children))
        elif isinstance(node, Cite):
            parts.append(f"[{node.keys}]")
    return "".join(parts)


def _unicode_char(match: re.Match[str]) -> str:
    try:
        char = chr(int(match.group(2), 16 if match.group(1) else 10))
    except (ValueError, OverflowError):
        return match.group()
    if not char.isprintable():
        return ""
    return "\\" + char if char in "%$#&_{}" else {"\\": "\\backslash ", "~": "\\sim ", "^": "\\wedge "}.get(char, char)


BARE_PERCENT = re.compile(r"(?<!\\)%")
UNKNOWN_MATH_COMMAND = re.compile(r"\\([A-Za-z]+)(\s*\{)?")


def _unknown_math_command(match: re.Match[str]) -> str:
    if _is_known(match.group(1)):
        return match.group()
    return "{" if match.group(2) else f"\\text{{{match.group(1)}}}"


def katex_tex(tex: str) -> str:
    """The math as KaTeX will read it: MathJax's `\\unicode{...}` becomes its character, `%` a percent sign."""
    if "\\unicode" in tex:
        tex = UNICODE_COMMAND.sub(_unicode_char, tex)
    # A bare % would start a TeX comment and swallow the rest: abstracts mean a percent sign ("$6%$").
    return BARE_PERCENT.sub(r"\\%", tex) if "%" in tex else tex


@lru_cache(maxsize=8192)
def math_plain(tex: str) -> str:
    """Math as readable text, without `$` or backslashes: `\\alpha` -> α, `\\times` -> ×, `n^2` -> n²,
    `\\mathcal{O}` -> 𝒪 (pylatexenc's latex2text); a command with no Unicode form shows its name. Should
    pylatexenc fail, the author's TeX without its delimiters."""
    tex = katex_tex(tex)
    source = " ".join(tex.split())
    # A command with no Unicode form reads as its name (`\\projectname`), or as its argument (`\\mathds{1}`).
    tex = UNKNOWN_MATH_COMMAND.sub(_unknown_math_command, tex)
    scripted = SCRIPT_DIGITS.sub(
        lambda m: (m.group(2) or m.group(3)).translate(SUPERSCRIPTS if m.group(1) == "^" else SUBSCRIPTS), tex)
    try:
        text = " ".join(_TEXT.latex_to_text(scripted).split())
    except Exception:  # noqa: BLE001 - pylatexenc is lenient; if it ever fails, the TeX is still readable
        return source
    return text or source


def paragraphs(text: str) -> list[str]:
    """Paragraphs (blank-line separated), each with its whitespace normalised."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def to_html(text: str) -> Markup:
    """One paragraph's (or title's) escaped HTML with math marked for KaTeX."""
    return _html(parse(" ".join(text.split())))


@cached_when_short(maxsize=65_536)  # a build asks for each title many times (pages, lists, feeds, BibTeX, search)
def to_plain(text: str) -> str:
    """A title or abstract for places that show no markup (<title>, meta tags, feeds, search):
    readable text without `$` or TeX commands, paragraphs joined by a space."""
    return " ".join(_plain(parse(p)) for p in paragraphs(text))


def math_words(text: str) -> str:
    """Names of the Greek letters in the text's plain form ("σ" -> "sigma"), so that search finds
    `$\\sigma$-rank` by "sigma" as well as by "σ"."""
    names = []
    for ch in dict.fromkeys(to_plain(text)):
        name = unicodedata.name(ch, "") if ord(ch) > 0x36F else ""
        if name.startswith("GREEK") and "LETTER" in name:
            names.append(name.rsplit(" ", 1)[-1].lower())
    return " ".join(names)


def math_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every math span in the text, for cutting text without cutting math."""
    spans = []
    i = 0
    while (candidate := _MATH_OR_COMMAND.search(text, i)) is not None:  # skip plain text at C speed
        i = candidate.start()
        found = math_at(text, i)
        if found:
            spans.append((i, found[1]))
            i = found[1]
        else:
            i += 2 if text[i] == "\\" else 1
    return spans


_MATH_OR_COMMAND = re.compile(r"[$\\]")
