"""How to cite a paper: its BibTeX entry (written by bibtexparser) and the page metadata that
reference managers and link previews read (Highwire `citation_*`, JSON-LD, OpenGraph, Twitter).

Only what the collection knows is written: no year, venue or URL is ever guessed. Titles and
descriptions are plain text (math as Unicode, TeX commands read; see `render.to_plain`); the
BibTeX title keeps the author's TeX.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence

import bibtexparser
from bibtexparser import model

from paper_collection.collection.links import arxiv_abs_url, arxiv_pdf_url, doi_url, paper_links
from paper_collection.collection.paper import Paper
from paper_collection.site.render import first_sentence
from paper_collection.site.tex import to_plain

CONFERENCE = re.compile(r"conference|proceedings|workshop|symposium|\b(NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|"
                        r"EMNLP|NAACL|AAAI|IJCAI|KDD|COLING|AISTATS|UAI|CoRL|COLT|MICCAI|SIGIR|WWW)\b", re.I)
KEY_STOP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "via", "from", "by", "at", "is",
                  "are", "do", "does", "can", "how", "what", "why", "when", "towards", "toward"}
# Links that point at the paper itself (not its code, models or project), best first: the BibTeX `url`.
PAPER_LINK_KINDS = ("arxiv", "doi", "pdf", "huggingface")


BIBTEX_FORMAT = bibtexparser.BibtexFormat()
BIBTEX_FORMAT.indent = "  "
BIBTEX_FORMAT.block_separator = "\n"


def ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", folded).lower()


def last_name(author: str) -> str:
    """"Ada Lovelace" -> "lovelace"; "Lovelace, Ada" -> "lovelace"."""
    name = author.split(",")[0] if "," in author else (author.split() or [""])[-1]
    return ascii_word(name)


def base_key(paper: Paper) -> str:
    """`lastname` + `year` + first significant title word, when author and year are known;
    otherwise the slug (already unique in the collection)."""
    if paper.authors and paper.year:
        words = [ascii_word(w) for w in re.split(r"[\s\-:]+", to_plain(paper.title))]
        word = next((w for w in words if w and w not in KEY_STOP_WORDS), "")
        author = last_name(paper.authors[0])
        if author:
            return f"{author}{paper.year}{word}"
    return paper.slug


def bibtex_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """Unique, stable keys for the whole collection. When two papers would share a key, the one
    added first (then by slug) keeps it and the others get b, c, ...: adding papers never
    changes an existing paper's key unless it was added on the same day with a smaller slug."""
    keys: dict[str, str] = {}
    used: set[str] = set()
    ordered = sorted(papers, key=lambda p: (p.added, p.slug))
    # Slug keys first: they are unique and must never be taken by a suffixed author-year key.
    for paper in ordered:
        key = base_key(paper)
        if key == paper.slug:
            keys[paper.slug] = key
            used.add(key)
    for paper in ordered:
        if paper.slug in keys:
            continue
        key = base = base_key(paper)
        suffix = 0
        while key in used:
            suffix += 1
            key = f"{base}{_letters(suffix)}"
        keys[paper.slug] = key
        used.add(key)
    return keys


def _letters(n: int) -> str:
    """1 -> "b", 2 -> "c", ..., 25 -> "z", 26 -> "ba": the first holder keeps the bare key ("a")."""
    digits = ""
    while n:
        n, rest = divmod(n, 26)
        digits = "abcdefghijklmnopqrstuvwxyz"[rest] + digits
    return digits


def bib_text(text: str) -> str:
    """A text value BibTeX reads back as it is: LaTeX specials escaped, braces kept only when balanced."""
    text = " ".join(text.split())
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "(").replace("}", ")")
    return re.sub(r"(?<!\\)([&%#])", r"\\\1", text)


def paper_url(paper: Paper) -> str | None:
    """The paper's own URL, when the collection knows one."""
    if paper.arxiv:
        return arxiv_abs_url(paper.arxiv)
    if paper.doi:
        return doi_url(paper.doi)
    for kind in PAPER_LINK_KINDS:
        for link in paper_links(paper):
            # A Hugging Face link is the paper's only when it is its Papers page (not models or data).
            if link.kind == kind and (kind != "huggingface" or "huggingface.co/papers/" in link.url):
                return link.url
    return None


def pdf_url(paper: Paper) -> str | None:
    link = next((link.url for link in paper_links(paper) if link.kind == "pdf"), None)
    if link:
        return link
    return arxiv_pdf_url(paper.arxiv) if paper.arxiv else None


def bibtex_entry(paper: Paper, key: str) -> model.Entry:
    fields: list[tuple[str, str]] = [("title", bib_text(paper.title))]  # BibTeX reads TeX: kept as written
    if paper.authors:
        names = [f"{{{a}}}" if " and " in a else a for a in (bib_text(a) for a in paper.authors)]
        fields.append(("author", " and ".join(names)))
    entry_type = "misc"
    if paper.venue:
        entry_type = "inproceedings" if CONFERENCE.search(paper.venue) else "article"
        fields.append(("booktitle" if entry_type == "inproceedings" else "journal", bib_text(paper.venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
        if paper.month:
            fields.append(("month", str(paper.month)))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", paper.doi))
    url = paper_url(paper)
    if url:
        fields.append(("url", url))
    return model.Entry(entry_type, key, [model.Field(name, value) for name, value in fields])


def bibtex(entries: Sequence[model.Entry]) -> str:
    """BibTeX text of freshly made entries. They are ours to change, so the writer may work in
    place (its default deep-copies every entry: seconds at 10,000 papers)."""
    library = bibtexparser.Library()
    for entry in entries:
        library.add(entry)
    stack = bibtexparser.middlewares.default_unparse_stack(allow_inplace_modification=True)
    return bibtexparser.write_string(library, unparse_stack=stack, bibtex_format=BIBTEX_FORMAT)


# -- page metadata -------------------------------------------------------------------------


def publication_date(paper: Paper, sep: str) -> str | None:
    if not paper.year:
        return None
    parts = [f"{paper.year:04d}"]
    if paper.month:
        parts.append(f"{paper.month:02d}")
        if paper.day:
            parts.append(f"{paper.day:02d}")
    return sep.join(parts)


def description(paper: Paper) -> str:
    return to_plain(first_sentence(paper.abstract))


def highwire(paper: Paper, page_url: str | None) -> list[tuple[str, str]]:
    """(name, content) pairs for <meta name=... content=...>, in Google Scholar's vocabulary."""
    meta = [("citation_title", to_plain(paper.title))]
    meta += [("citation_author", author) for author in paper.authors]
    date = publication_date(paper, "/")
    if date:
        meta.append(("citation_publication_date", date))
    if paper.venue:
        kind = "citation_conference_title" if CONFERENCE.search(paper.venue) else "citation_journal_title"
        meta.append((kind, paper.venue))
    if paper.arxiv:
        meta.append(("citation_arxiv_id", paper.arxiv))
    if paper.doi:
        meta.append(("citation_doi", paper.doi))
    if page_url:
        meta.append(("citation_abstract_html_url", page_url))
    pdf = pdf_url(paper)
    if pdf:
        meta.append(("citation_pdf_url", pdf))
    return meta


def opengraph(paper: Paper, page_url: str | None, site_name: str) -> list[tuple[str, str]]:
    """(property, content) pairs for <meta property=... content=...>."""
    meta = [("og:type", "article"), ("og:title", to_plain(paper.title)), ("og:description", description(paper)),
            ("og:site_name", site_name)]
    if page_url:
        meta.append(("og:url", page_url))
    return meta


def twitter(paper: Paper) -> list[tuple[str, str]]:
    # Only the card type: for its title and description X reads og:title and og:description when
    # twitter:title and twitter:description are absent, and each page carried them twice (issue #25).
    return [("twitter:card", "summary")]


def json_ld(paper: Paper, page_url: str | None, tag_titles: Sequence[str] = ()) -> dict:
    data: dict = {"@context": "https://schema.org", "@type": "ScholarlyArticle",
                  "name": to_plain(paper.title), "headline": to_plain(paper.title)[:110],
                  "abstract": to_plain(" ".join(paper.abstract.split())), "description": description(paper)}
    if page_url:
        data["url"] = page_url
        data["mainEntityOfPage"] = page_url
    if paper.authors:
        data["author"] = [{"@type": "Person", "name": a} for a in paper.authors]
    date = publication_date(paper, "-")
    if date:
        data["datePublished"] = date
    if paper.venue and not CONFERENCE.search(paper.venue):
        data["isPartOf"] = {"@type": "Periodical", "name": paper.venue}
    identifiers = []
    same_as = []
    if paper.arxiv:
        identifiers.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv})
        same_as.append(arxiv_abs_url(paper.arxiv))
    if paper.doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi})
        same_as.append(doi_url(paper.doi))
    if identifiers:
        data["identifier"] = identifiers
        data["sameAs"] = same_as
    if tag_titles:
        data["keywords"] = list(tag_titles)
    return data


def script_json(data: dict) -> str:
    """JSON safe inside <script>: no `<`, `>` or `&` can close the element or start markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
