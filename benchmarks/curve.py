"""The cost curve (issue 25): `benchmarks.scale` on real papers at several sizes, each against
plain MkDocs + Material on the same paper files in the same run, drawn as one SVG.

    .venv/bin/python -m benchmarks.curve --sizes 10000 30000 50000 --out benchmarks/curve
    .venv/bin/python -m benchmarks.curve --redraw benchmarks/curve   # the SVG again from curve.json

Writes OUT/curve.json (every run's figures, as `benchmarks.scale --json` gives them) and
OUT/curve.svg: three panels against the number of papers, build time per paper (ms), the build's
peak memory (MB) and site size per paper (KB), ours and plain MkDocs'. A size is measured once
(`--runs 1`): the curve is for its shape; medians of repeated runs are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from benchmarks import scale

PANELS = [  # (title, ours, plain, unit)
    ("Build time per paper", lambda r: 1000 * r["build_s"] / r["papers_written"],
     lambda r: 1000 * r["plain_mkdocs_s"] / r["papers_written"], "ms"),
    ("Peak memory of the build", lambda r: r["build_peak_mb"], lambda r: r["plain_mkdocs_peak_mb"], "MB"),
    ("Site per paper", lambda r: r["site_kb_per_paper"], lambda r: r.get("plain_site_kb_per_paper"), "KB"),
]
WIDTH, HEIGHT, MARGIN = 300, 220, 48
LEFT, RIGHT, BOTTOM, UPPER = MARGIN, WIDTH - 16, HEIGHT - 24, 28  # a panel's plotting area
COLOURS = {"ours": "#1f5fbf", "plain": "#b35900"}


def measure(sizes: list[int], out: Path) -> list[dict]:
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        result = scale.run(size, runs=1, browser=False, real=True, default_tag=False)
        result.pop("search_cases", None)
        results.append(result)
        (out / "curve.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"{size}: build {result['build_s']} s, plain {result.get('plain_mkdocs_s')} s, "
              f"peak {result['build_peak_mb']} MB, {result['site_kb_per_paper']} KB/paper", flush=True)
    return results


def _text(parent: ET.Element, x: float, y: float, content: str, **attributes: str) -> None:
    element = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "font-size": "11",
                                             "font-family": "sans-serif", **attributes})
    element.text = content


def draw(results: list[dict]) -> bytes:
    """One SVG, three panels side by side; points joined in order of size, labelled with values."""
    svg = ET.Element("svg", {"xmlns": "http://www.w3.org/2000/svg", "width": str(WIDTH * len(PANELS)),
                             "height": str(HEIGHT + 30), "viewBox": f"0 0 {WIDTH * len(PANELS)} {HEIGHT + 30}",
                             "role": "img"})
    title = ET.SubElement(svg, "title")
    title.text = "paper-collection against plain MkDocs + Material, real arXiv papers"
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    runs = sorted(results, key=lambda r: r["papers_written"])
    xs = [r["papers_written"] for r in runs]
    for index, (name, ours, plain, unit) in enumerate(PANELS):
        panel = ET.SubElement(svg, "g", {"transform": f"translate({index * WIDTH},0)"})
        _text(panel, MARGIN, 16, f"{name} ({unit})", **{"font-weight": "bold"})
        series = {"ours": [ours(r) for r in runs], "plain": [plain(r) for r in runs]}
        values = [v for vs in series.values() for v in vs if v is not None]
        top = max(values) * 1.15 if values else 1.0
        left, right, bottom, upper = LEFT, RIGHT, BOTTOM, UPPER

        def at(x: float, y: float, top: float = top) -> tuple[float, float]:
            span = (max(xs) - min(xs)) or 1
            return (LEFT + (x - min(xs)) / span * (RIGHT - LEFT) if len(xs) > 1 else (LEFT + RIGHT) / 2,
                    BOTTOM - y / top * (BOTTOM - UPPER))

        ET.SubElement(panel, "line", {"x1": str(left), "y1": str(bottom), "x2": str(right), "y2": str(bottom),
                                      "stroke": "#444"})
        ET.SubElement(panel, "line", {"x1": str(left), "y1": str(bottom), "x2": str(left), "y2": str(upper),
                                      "stroke": "#444"})
        for x in xs:
            _text(panel, at(x, 0)[0], bottom + 14, f"{x // 1000}k", **{"text-anchor": "middle"})
        for label, ys in series.items():
            points = [at(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
            if not points:
                continue
            ET.SubElement(panel, "polyline", {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                                              "fill": "none", "stroke": COLOURS[label], "stroke-width": "2"})
            for (x, y), value in zip(points, [y for y in ys if y is not None], strict=True):
                ET.SubElement(panel, "circle", {"cx": f"{x:.1f}", "cy": f"{y:.1f}", "r": "3",
                                                "fill": COLOURS[label]})
                near_edge = x > RIGHT - 40  # the last point's label goes to its left, inside the panel
                _text(panel, x - 4 if near_edge else x + 4, y - 5, f"{value:,.0f}" if value >= 100 else f"{value:.3g}",
                      fill=COLOURS[label], **({"text-anchor": "end"} if near_edge else {}))
    legend = ET.SubElement(svg, "g", {"transform": f"translate({MARGIN},{HEIGHT + 20})"})
    for offset, (label, words) in enumerate([("ours", "paper-collection build"),
                                             ("plain", "plain MkDocs + Material, same paper files")]):
        ET.SubElement(legend, "rect", {"x": str(offset * 220), "y": "-9", "width": "10", "height": "10",
                                       "fill": COLOURS[label]})
        _text(legend, offset * 220 + 14, 0, words)
    ET.indent(svg)
    return ET.tostring(svg, encoding="utf-8", xml_declaration=True) + b"\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 50_000])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/curve"))
    parser.add_argument("--redraw", type=Path, help="draw the SVG again from DIR/curve.json")
    args = parser.parse_args()
    folder = args.redraw or args.out
    results = (json.loads((folder / "curve.json").read_text(encoding="utf-8")) if args.redraw
               else measure(args.sizes, folder))
    (folder / "curve.svg").write_bytes(draw(results))
    print(f"wrote {folder / 'curve.svg'}")


if __name__ == "__main__":
    main()
