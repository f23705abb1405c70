"""The statistics page (/stats/): papers per tag, per year, per venue and over time (by `added`),
as SVG charts made at build time (lxml), so they show without JavaScript. Bars and text take their
colours from the page's CSS (currentColor, Material's palette variables): light and dark alike.

Each chart is an image with a title and a description for screen readers, followed by the same
numbers as a table. The page's template part passes the sanitiser like every page; the charts are
added after it, as lxml wrote them (every label is an escaped text node).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from lxml import etree
from lxml import html as lxml_html
from lxml.builder import ElementMaker

from paper_collection.collection.paper import Paper

STATS = "stats"
PAGE = f"{STATS}/index.md"
# No namespace: inline in HTML, the parser puts <svg> and its children in the SVG namespace.
S = ElementMaker()
TOP_VENUES = 25
# The charts are drawn at the page's text size at every width: an SVG scaled down by a viewBox
# draws its text smaller (5-6 px at 390 px wide), so the charts have none. They span the figure's
# width (x in percent) and have a fixed height (y in px): text keeps its CSS size (>= 12 px).
ROW = 38  # px per bar in a horizontal chart: its label above it, then the bar and its count
BAR = 85  # percent of the width the longest bar takes (its count follows it)
LABEL_CHARS = 40  # longer labels are cut (in full in the chart's description and table)
EM = 0.62  # a label's width per character, in font sizes (Roboto at 13 px, with room to spare)
FONT = 13  # px: the charts' font size (collection.css, .65rem)
NARROW = 240  # px of plot a column chart's labels must fit without overlapping (a 320 px phone)
WIDE = 576  # px of plot from which more labels show (collection.css: a 640 px chart less its padding)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(chart_id: str, title: str, rows: Sequence[tuple[str, int]], height: int, kind: str) -> etree._Element:
    return S.svg(S.title(title, id=f"{chart_id}-title"),
                 S.desc(", ".join(f"{label}: {count}" for label, count in rows), id=f"{chart_id}-desc"),
                 width="100%", height=str(height), role="img",
                 **{"class": f"stats-chart stats-chart--{kind}",
                    "aria-labelledby": f"{chart_id}-title {chart_id}-desc"})


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]]) -> etree._Element:
    """Horizontal bars: one row per (label, count), the label above its bar, so the label has the
    whole width at any screen size."""
    top = max((count for _, count in rows), default=0) or 1
    svg = _svg(chart_id, title, rows, ROW * len(rows) + 4, "bars")
    for i, (label, count) in enumerate(rows):
        y = i * ROW
        length = BAR * count / top
        shown = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
        svg.append(S.text(shown, x="0", y=str(y + 15), **{"class": "stats-chart__label"}))
        svg.append(S.rect(x="0", y=str(y + 21), width=f"{_number(max(length, 0.25))}%", height="12", rx="2",
                          **{"class": "stats-chart__bar"}))
        svg.append(S.text(str(count), x=f"{_number(length)}%", dx="6", y=str(y + 32),
                          **{"class": "stats-chart__value"}))
    return svg


def _every(columns: int, label_px: float, plot_px: int) -> int:
    """Label one column in `every` so that labels `label_px` wide fit `plot_px` without touching."""
    return max(1, math.ceil(columns * label_px / plot_px))


def column_chart(chart_id: str, title: str, columns: Sequence[tuple[str, int]], height: int = 220) -> etree._Element:
    """Vertical columns, one per (label, count), in order (years, months, days). Labels under the
    axis are thinned to fit a phone; on a wider chart (a CSS container query) more of them show."""
    top = max((count for _, count in columns), default=0) or 1
    bottom, head = 30, 22
    plot_height = height - bottom - head
    step = 100 / max(len(columns), 1)
    svg = _svg(chart_id, title, columns, height, "columns")
    svg.append(S.line(x1="0", x2="100%", y1=str(height - bottom), y2=str(height - bottom),
                      **{"class": "stats-chart__axis"}))
    svg.append(S.text(f"{top} papers", x="0", y="14", **{"class": "stats-chart__value"}))
    label_px = max((len(label) for label, _ in columns), default=0) * EM * FONT + 12
    wide = _every(len(columns), label_px, WIDE)
    narrow = wide * math.ceil(_every(len(columns), label_px, NARROW) / wide)  # a multiple: no label in between
    for i, (label, count) in enumerate(columns):
        x = i * step
        bar = plot_height * count / top
        svg.append(S.rect(x=f"{_number(x + step * 0.12)}%", y=_number(height - bottom - bar),
                          width=f"{_number(step * 0.76)}%", height=_number(bar), **{"class": "stats-chart__bar"}))
        if i % wide == 0:
            kind = "stats-chart__label" + ("" if i % narrow == 0 else " stats-chart__label--wide")
            svg.append(S.text(label, x=f"{_number(x + step / 2)}%", y=str(height - bottom + 18),
                              **{"class": kind, "text-anchor": "middle"}))
    return svg


def over_time(papers: Sequence[Paper]) -> list[tuple[str, int]]:
    """Papers added per day when the collection spans two months or less, else per month; every
    period between the first and the last is present (a gap shows as an empty column)."""
    days = sorted(dt.date.fromisoformat(p.added) for p in papers)
    if not days:
        return []
    counts = Counter(days)
    if (days[-1] - days[0]).days <= 62:
        span = [days[0] + dt.timedelta(n) for n in range((days[-1] - days[0]).days + 1)]
        return [(d.isoformat(), counts.get(d, 0)) for d in span]
    months = Counter(d.strftime("%Y-%m") for d in days)
    out, year, month = [], days[0].year, days[0].month
    while (year, month) <= (days[-1].year, days[-1].month):
        key = f"{year:04d}-{month:02d}"
        out.append((key, months.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def charts(papers: Sequence[Paper], tag_titles: Mapping[str, str]) -> list[dict]:
    """Every chart with its numbers: [{id, title, svg element, rows [(label, count)], note}]."""
    tag_counts = Counter(t for p in papers for t in p.tags)
    tags = sorted(((tag_titles[t], tag_counts[t]) for t in tag_titles), key=lambda r: (-r[1], r[0]))
    years = Counter(p.year for p in papers if p.year)
    year_rows = [(str(y), years.get(y, 0)) for y in range(min(years), max(years) + 1)] if years else []
    venue_counts = Counter(p.venue for p in papers if p.venue)
    venues = sorted(venue_counts.items(), key=lambda r: (-r[1], r[0].casefold()))[:TOP_VENUES]
    added = over_time(papers)
    out = [{"id": "tags", "title": "Papers per tag", "rows": tags,
            "svg": bar_chart("chart-tags", "Papers per tag", tags),
            "note": "A paper can have several tags."}]
    if year_rows:
        out.append({"id": "years", "title": "Papers per publication year", "rows": year_rows,
                    "svg": column_chart("chart-years", "Papers per publication year", year_rows),
                    "note": f"{sum(years.values())} of {len(papers)} papers give a year."})
    if venues:
        out.append({"id": "venues", "title": "Papers per venue", "rows": venues,
                    "svg": bar_chart("chart-venues", "Papers per venue", venues),
                    "note": f"The {len(venues)} venues with most papers; {sum(venue_counts.values())} of "
                            f"{len(papers)} papers give a venue."})
    if added:
        out.append({"id": "added", "title": "Papers added over time", "rows": added,
                    "svg": column_chart("chart-added", "Papers added over time", added),
                    "note": "By the date each paper joined the collection."})
    return out


def render_page(env, papers: Sequence[Paper], tag_titles: Mapping[str, str], sanitize: Callable[[str], str],
                links: Mapping[str, Mapping[str, str]] | None = None,
                index_links: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The page: the template's text and tables (sanitised), each chart placed before its table.
    `links`: chart id -> row label -> the address of that tag's, year's or venue's page;
    `index_links`: chart id -> {"url", "text"} of the page listing them all."""
    made = charts(papers, tag_titles)
    for chart in made:
        chart["links"] = (links or {}).get(chart["id"], {})
    page = sanitize(env.get_template("stats.html").render(count=len(papers), charts=made,
                                                                index_links=index_links or {}))
    root = lxml_html.fragment_fromstring(page, create_parent="div")
    for chart in made:
        [slot] = root.xpath("//figure[@id=$id]", id=f"figure-{chart['id']}")
        slot.insert(0, chart["svg"])
    return "".join(etree.tostring(child, encoding="unicode", method="html") for child in root)
