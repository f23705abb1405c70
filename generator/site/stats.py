"""The statistics page (/stats/): papers per tag, per year, per venue and over time (by `added`),
as SVG charts made at build time (lxml), so they show without JavaScript. Bars and text take their
colours from the page's CSS (currentColor, Material's palette variables): light and dark alike.

Each chart is an image with a title and a description for screen readers, followed by the same
numbers as a table. The page's template part passes the sanitiser like every page; the charts are
added after it, as lxml wrote them (every label is an escaped text node).
"""

from __future__ import annotations

import datetime as dt
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
ROW = 22  # px per bar in a horizontal chart
LABEL = 230  # px for labels left of the bars


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, int]], width: int = 720) -> etree._Element:
    """Horizontal bars: one row per (label, count)."""
    top = max((count for _, count in rows), default=0) or 1
    span = width - LABEL - 60
    height = ROW * len(rows) + 8
    svg = S.svg(S.title(title, id=f"{chart_id}-title"),
                S.desc(", ".join(f"{label}: {count}" for label, count in rows), id=f"{chart_id}-desc"),
                viewBox=f"0 0 {width} {height}", width=str(width), height=str(height), role="img",
                **{"class": "stats-chart", "aria-labelledby": f"{chart_id}-title {chart_id}-desc"})
    for i, (label, count) in enumerate(rows):
        y = 4 + i * ROW
        length = span * count / top
        shown = label if len(label) <= 34 else label[:33] + "…"
        svg.append(S.text(shown, x=str(LABEL - 8), y=_number(y + ROW * 0.68), **{"class": "stats-chart__label",
                                                                                   "text-anchor": "end"}))
        svg.append(S.rect(x=str(LABEL), y=_number(y + 3), width=_number(max(length, 1)), height=str(ROW - 6),
                          rx="2", **{"class": "stats-chart__bar"}))
        svg.append(S.text(str(count), x=_number(LABEL + length + 6), y=_number(y + ROW * 0.68),
                          **{"class": "stats-chart__value"}))
    return svg


def column_chart(chart_id: str, title: str, columns: Sequence[tuple[str, int]], width: int = 720,
                 height: int = 220) -> etree._Element:
    """Vertical columns, one per (label, count), in order (years, months, days)."""
    top = max((count for _, count in columns), default=0) or 1
    left, bottom, head = 40, 34, 16
    plot_height = height - bottom - head
    step = (width - left - 8) / max(len(columns), 1)
    svg = S.svg(S.title(title, id=f"{chart_id}-title"),
                S.desc(", ".join(f"{label}: {count}" for label, count in columns), id=f"{chart_id}-desc"),
                viewBox=f"0 0 {width} {height}", width=str(width), height=str(height), role="img",
                **{"class": "stats-chart", "aria-labelledby": f"{chart_id}-title {chart_id}-desc"})
    svg.append(S.line(x1=str(left), x2=str(width - 4), y1=str(height - bottom), y2=str(height - bottom),
                      **{"class": "stats-chart__axis"}))
    svg.append(S.text(str(top), x=str(left - 6), y=str(head + 4), **{"class": "stats-chart__value",
                                                                  "text-anchor": "end"}))
    svg.append(S.text("0", x=str(left - 6), y=str(height - bottom), **{"class": "stats-chart__value",
                                                                    "text-anchor": "end"}))
    every = max(1, round(len(columns) / 12))  # at most about 12 labels under the axis
    for i, (label, count) in enumerate(columns):
        x = left + i * step
        bar = plot_height * count / top
        svg.append(S.rect(x=_number(x + step * 0.12), y=_number(height - bottom - bar), width=_number(step * 0.76),
                          height=_number(bar), **{"class": "stats-chart__bar"}))
        if i % every == 0:
            svg.append(S.text(label, x=_number(x + step / 2), y=str(height - bottom + 16),
                              **{"class": "stats-chart__label", "text-anchor": "middle"}))
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
