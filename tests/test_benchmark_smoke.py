"""The scale benchmark (benchmarks/scale.py) end to end at a small size: generate, import,
build, plain-MkDocs comparison, sizes, and search in headless Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from benchmarks import scale
from benchmarks.curve import draw
from tests.helpers import ROOT, require_chromium

pytestmark = pytest.mark.slow


def test_generated_collection_is_distinct_and_deterministic():
    dump, papers = scale.generate(50)
    assert len({t.casefold() for t, _ in papers}) == 50
    assert scale.generate(50)[0] == dump
    cases = scale.queries(papers, 6)
    assert {c["kind"] for c in cases} == {"title", "abstract"}
    assert all(len(c["query"].split()) >= 2 for c in cases)


def test_scale_benchmark_runs_at_300_papers(tmp_path):
    require_chromium()
    # its own process: the session's Playwright (the `browser` fixture) may already be running here
    out = tmp_path / "result.json"
    run = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--papers", "300", "--runs", "1", "--queries", "4",
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "build / plain" in run.stdout
    result = json.loads(out.read_text())
    assert result["papers_written"] == 300
    assert result["paper_pages"] == 300
    assert 0 < result["import_s"] and 0 < result["build_s"] and 0 < result["plain_mkdocs_s"]
    assert 0 < result["build_peak_mb"] < 1024
    assert result["largest_paper_page_kb"] <= 30
    assert result["search_index_bytes"] > 0 and result["search_manifest_bytes"] < 20_000
    assert result["search_queries"] == 4
    assert result["search_top10"] >= 3, result["search_cases"]
    assert result["search_first_result_median_s"] < 3  # generous: a shared CI machine
    assert result["search_bytes_before_first_result_max"] < 1_000_000
    assert result["search_only_bytes_before_first_result_median"] > 0
    # the size by part adds up to the whole site, and names the largest file
    assert abs(sum(part["bytes"] for part in result["parts"].values()) / 2**20 - result["site_mb"]) <= 0.05
    assert result["parts"]["papers/"]["files"] == 300
    assert result["site_files"] == sum(part["files"] for part in result["parts"].values())
    assert 0 < result["largest_file"]["bytes"] <= 25 * 2**20
    assert 0 < result["plain_site_kb_per_paper"] and 0 < result["site_kb_per_paper"]
    # last, a newer paper merged and the site built again (as a deploy would)
    assert result["merge_rebuild_papers"] == 301 and 0 < result["merge_rebuild_s"]
    curve = ET.fromstring(draw([result, {**result, "papers_written": 600, "build_s": 2 * result["build_s"]}]))
    panels = curve.findall("{http://www.w3.org/2000/svg}g")
    assert len(panels) == 4  # three panels and the legend
    assert len(curve.findall(".//{http://www.w3.org/2000/svg}polyline")) == 6  # ours and plain in each


def test_explore_benchmark_runs_at_200_papers(tmp_path):
    require_chromium()
    out = tmp_path / "explore.json"
    run = subprocess.run([sys.executable, "-m", "benchmarks.explore", "--papers", "200", "--runs", "1",
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    for shape in ("listing", "full"):
        load = result[shape]["load"]
        assert 0 < load["first rows visible"] <= load["filters live"]
        assert 0 < load["bytes at first rows"] <= load["bytes when live"]  # small data may be in by then
        assert result[shape]["build"]["citation chunks"] == 1
        assert result[shape]["script ms"]["tag on"] > 0  # the change redrew the list
    assert result["full"]["script ms"]["venue on"] > 0


def test_map_benchmark_runs_at_small_sizes(tmp_path):
    require_chromium()
    out = tmp_path / "map.json"
    run = subprocess.run([sys.executable, "-m", "benchmarks.map", "--sizes", "60", "200", "--runs", "1",
                          "--browser-runs", "1", "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    for size in ("60", "200"):
        build = result["build"][size]
        assert build["map, cache warm"] < build["map alone (TF-IDF fitted again)"]
        assert build["points.json bytes"] > 0
    page = result["page"]
    assert page["papers"] == 200 and page["map drawn ms"] > 0
    assert page["bytes until drawn"] <= page["bytes once idle"] < 2_000_000
    assert any(name.endswith("/map/points.json") for name, _ in page["files"])
    # a text filter fetches every title chunk (200 papers: 2), and only then
    assert page["bytes once idle"] < page["bytes after query"] and page["title chunks after query"] == 2


def test_memory_timeline_names_the_process_that_held_the_memory(tmp_path):
    """benchmarks/memory_timeline.py found which of a build's processes reached its peak (issue 25):
    here a forked child holds 80 MB while its parent holds little."""
    from benchmarks import memory_timeline

    script = ("import os, sys, time\n"
              "print('starting', file=sys.stderr, flush=True)\n"
              "if os.fork() == 0:\n"
              "    block = b'x' * 80_000_000  # written, so resident\n"
              "    time.sleep(1.5)\n"
              "    os._exit(0)\n"
              "os.wait()\n"
              "print('done', file=sys.stderr, flush=True)\n")
    out = tmp_path / "timeline.json"
    assert memory_timeline.main(["--json", str(out), "--every", "0.1", "--", sys.executable, "-c", script]) == 0
    result = json.loads(out.read_text())
    peaks: dict[str, int] = {}
    for _, row in result["samples"]:
        for pid, mb in row.items():
            peaks[pid] = max(peaks.get(pid, 0), mb)
    parent = str(result["pid"])
    children = {pid: mb for pid, mb in peaks.items() if pid != parent}
    assert children and max(children.values()) >= 80 > peaks[parent]
    assert [line for _, line in result["lines"]] == ["starting", "done"]


def test_the_related_refit_benchmark_runs_on_a_project(tmp_path):
    """benchmarks/related_refit.py (issue 25): a fit from nothing, then with the kept counts."""
    import re

    from tests.helpers import make_project

    root = make_project(tmp_path / "project")
    papers = len(list((root / "content" / "papers").glob("*.md")))
    run = subprocess.run([sys.executable, "-m", "benchmarks.related_refit", "--project", str(root), "--runs", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert re.search(rf"run 1: {papers} papers; fit from nothing [\d.]+ s; with the counts [\d.]+ s to read them",
                     run.stdout), run.stdout
