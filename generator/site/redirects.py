"""Old addresses keep working: a renamed (or merged) paper lists its earlier file names in
`aliases:`, and each gets a small page at the old address that sends the browser on to the paper.

The pages are written after the build, next to the real ones; they are not MkDocs pages, so they
are not in sitemap.xml (the paper is listed there once, under its address) and search engines are
told not to index them (`noindex`) and where the content lives (`rel=canonical`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import jinja2
from mkdocs.utils import get_relative_url

from paper_collection.collection.paper import Paper
from paper_collection.settings import PAPERS
from paper_collection.site.model import SiteSettings
from paper_collection.site.tex import to_plain

_TEMPLATE = jinja2.Environment(autoescape=True, keep_trailing_newline=True).from_string("""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }} (moved)</title>
<link rel="canonical" href="{{ canonical }}">
<meta http-equiv="refresh" content="0; url={{ target }}">
</head>
<body>
<main>
<h1>{{ title }}</h1>
<p>This paper has a new address: <a href="{{ target }}">{{ title }}</a>.</p>
</main>
</body>
</html>
""")


def redirect_url(alias: str, paper_url: str) -> str:
    """The site path of an old address, shaped like the paper's own ("papers/x/" or "papers/x.html")."""
    return f"{PAPERS}/{alias}/" if paper_url.endswith("/") else f"{PAPERS}/{alias}.html"


def redirect_files(papers: Iterable[Paper], urls: Mapping[str, str], site: SiteSettings) -> dict[str, bytes]:
    """{path inside the site: page} for every old address of every paper, in a stable order."""
    files: dict[str, bytes] = {}
    for paper in sorted(papers, key=lambda p: p.slug):
        paper_url = urls[paper.slug]
        for alias in sorted(set(paper.aliases)):
            old_url = redirect_url(alias, paper_url)
            target = get_relative_url(paper_url, old_url)
            path = f"{old_url}index.html" if old_url.endswith("/") else old_url
            page = _TEMPLATE.render(title=to_plain(paper.title), target=target,
                                    canonical=site.absolute(paper_url) if site.url else target)
            files[path] = page.encode("utf-8")
    return files
