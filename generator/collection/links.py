"""Find the http(s) links in an abstract, repair LaTeX link residue around them, and classify them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from paper_collection.collection.model import Link
from paper_collection.collection.paper import Paper, is_web_url

_URL_CHARS = r"[^\s<>\"{}\\^`|]+"
_URL = re.compile(rf"https?://{_URL_CHARS}", re.IGNORECASE)
# "\href{url}{label}", "{url{label}}", "url{label}": residue of LaTeX links whose backslash was lost.
_HREF = re.compile(rf"\\?href\{{(https?://{_URL_CHARS})\}}\{{([^{{}}]*)\}}", re.IGNORECASE)
_URL_CMD = re.compile(rf"\\?url\{{(https?://{_URL_CHARS})\}}", re.IGNORECASE)
_LABELLED = re.compile(rf"(\{{)?(https?://{_URL_CHARS})\{{([^{{}}]*)\}}(?(1)\}})", re.IGNORECASE)
_BRACED = re.compile(rf"\{{(https?://{_URL_CHARS})\}}", re.IGNORECASE)
_GENERIC_LABELS = {"", "link", "here", "this link", "url", "this url", "website", "webpage", "link here"}
_TRAILING = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "["}

_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sourceforge.net", "gitee.com")
_HF_HOSTS = ("huggingface.co", "hf.co")
_PROJECT_HOSTS = (".github.io", ".gitlab.io", ".pages.dev", ".netlify.app", ".vercel.app", ".readthedocs.io")
# Platforms whose pages are not a paper's own project page.
_PLATFORMS = (
    "google.com", "youtube.com", "youtu.be", "twitter.com", "x.com", "kaggle.com", "openreview.net",
    "paperswithcode.com", "zenodo.org", "figshare.com", "wikipedia.org", "medium.com", "reddit.com",
    "linkedin.com", "facebook.com", "dropbox.com", "aclanthology.org", "acm.org", "ieee.org",
    "springer.com", "sciencedirect.com", "nature.com", "semanticscholar.org", "pypi.org", "npmjs.com",
    "arxiv.org", "doi.org", "bit.ly", "discord.gg", "discord.com", "colab.research.google.com",
    "modelscope.cn", "docker.com", "osf.io", "microsoft.com", "openai.com", "amazon.com",
)  # fmt: skip
_DOWNLOAD = re.compile(r"\.(?:zip|tar|gz|tgz|bz2|xz|7z|rar|csv|tsv|jsonl?|parquet|pt|pth|bin|ckpt|h5)$", re.I)


def extract_links(text: str) -> tuple[str, tuple[Link, ...]]:
    """Return ``text`` with link residue repaired, and its http(s) links in order, without repeats."""
    if "://" not in text:  # every rule below needs a URL: skip them for most abstracts
        return text, ()
    text = _HREF.sub(lambda m: _labelled(m.group(1), m.group(2)), text)
    text = _URL_CMD.sub(r"\1", text)
    text = _LABELLED.sub(lambda m: _labelled(m.group(2), m.group(3)), text)
    text = _BRACED.sub(r"\1", text)
    links: list[Link] = []
    seen: set[str] = set()
    for match in _URL.finditer(text):
        url = _trim(match.group())
        url = url[: url.index(":")].lower() + url[url.index(":") :]  # "HTTPS://" -> "https://"
        if not _host(url) or not is_web_url(url):
            continue
        key = _key(url)
        if key not in seen:
            seen.add(key)
            links.append(Link(kind=classify(url), url=url))
    return text, tuple(links)


def _labelled(url: str, label: str) -> str:
    """Keep a real label as text ("Repo: url"); a generic one ("link") says nothing and goes."""
    label = label.strip()
    return url if label.lower() in _GENERIC_LABELS else f"{label}: {url}"


def _trim(url: str) -> str:
    """Drop sentence punctuation after a URL, and closing brackets the URL did not open."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a usable link
        return ""


def _key(url: str) -> str:
    parts = urlsplit(url)
    return f"{_host(url)}{parts.path.rstrip('/')}?{parts.query}"


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def classify(url: str) -> str:
    """One of ``model.LINK_KINDS`` for an http(s) URL."""
    parts = urlsplit(url)
    host = _host(url)
    path = parts.path.lower()
    if _on(host, _CODE_HOSTS) or host in ("raw.githubusercontent.com", "gist.github.com"):
        return "code"
    if _on(host, _HF_HOSTS):
        return "huggingface"
    if _on(host, ("arxiv.org",)) and re.match(r"/pdf/", path):
        return "pdf"  # the paper's PDF: never a second "arXiv" button beside its abstract page
    if _on(host, ("arxiv.org",)) and re.match(r"/(?:abs|html)/", path):
        return "arxiv"
    if _on(host, ("doi.org",)):
        return "doi"
    if path.endswith(".pdf"):
        return "pdf"
    if host.endswith(_PROJECT_HOSTS) or host == "sites.google.com":
        return "project"
    if _on(host, _PLATFORMS) or _DOWNLOAD.search(path) or parts.query:
        return "other"
    return "project"  # a page on a personal or lab domain, e.g. https://ig-llm.is.tue.mpg.de/


def unique_links(links: Iterable[Link | None]) -> tuple[Link, ...]:
    """The links without Nones and without repeated URLs, in first-seen order."""
    seen: set[str] = set()
    out: list[Link] = []
    for link in links:
        if link is not None and link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return tuple(out)


# The addresses an arXiv id and a DOI define: built here only (paper pages, exports, citations).
def arxiv_abs_url(arxiv: str) -> str:
    return f"https://arxiv.org/abs/{arxiv}"


def arxiv_pdf_url(arxiv: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv}"


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def derived_links(arxiv: str | None, doi: str | None, links: tuple[Link, ...]) -> tuple[Link, ...]:
    """The arXiv abstract and PDF links and the doi.org link that the identifiers define, for
    those the paper does not link yet (any version, http or https)."""
    urls = [link.url.lower() for link in links]

    def has(*fragments: str) -> bool:
        return any(fragment in url for url in urls for fragment in fragments)

    derived: list[Link] = []
    if arxiv:
        if not has(f"arxiv.org/abs/{arxiv.lower()}"):
            derived.append(Link("arxiv", arxiv_abs_url(arxiv)))
        if not has(f"arxiv.org/pdf/{arxiv.lower()}"):
            derived.append(Link("pdf", arxiv_pdf_url(arxiv)))
    if doi and not has(f"doi.org/{doi.lower()}"):
        derived.append(Link("doi", doi_url(doi)))
    return tuple(derived)


def paper_links(paper: Paper) -> tuple[Link, ...]:
    """The links a paper's page and exports show: its own, then the arXiv, PDF and DOI links its
    identifiers define. Derived at build time, so a file written by hand with `arxiv:` gets the same
    buttons as one written by `add` or an import, and fixing the id fixes the links."""
    own = tuple(Link("pdf", link.url) if link.kind == "arxiv" and classify(link.url) == "pdf" else link
                for link in paper.links)  # files written before arXiv PDF links were told apart
    return unique_links(own + derived_links(paper.arxiv, paper.doi, own))
