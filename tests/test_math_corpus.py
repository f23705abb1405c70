"""benchmarks/math_corpus.py's own logic at a small size (the full run needs the fetched snapshot):
which records count as math-bearing, and which dollar amounts must stay visible as prices."""

from __future__ import annotations

import json

from benchmarks.math_corpus import RAW_COMMAND, RAW_PAIR, corpus_lines, prices, select


def test_selection_keeps_math_bearing_records_spread_over_the_listing():
    records = [{"id": f"2501.{i:05d}", "title": f"Paper {i}",
                "summary": f"We bound it by $O({i})$." if i % 2 else "No math, costs $5."} for i in range(100)]
    chosen = select(records, 10)
    assert len(chosen) == 10 and all("$O(" in r["summary"] for r in chosen)
    assert chosen[0]["id"] == "2501.00001" and chosen[-1]["id"] > "2501.00080"
    rows = [json.loads(line) for line in corpus_lines(chosen).splitlines()]
    assert rows[0]["abstract"] == chosen[0]["summary"] and rows[0]["url"] == "https://arxiv.org/abs/2501.00001"


def test_prices_are_the_dollar_amounts_outside_math():
    text = "A GPU hour costs $5 and a TPU hour $10, over $1 billion; $x$ and $2$D and 10$\\times$ and \\$148K."
    assert prices(text) == ["$5", "$10", "$1 billion"]


def test_the_detectors_see_raw_tex_but_not_prices():
    assert RAW_PAIR.search("shown as $O(n)$ raw") and RAW_COMMAND.search("a \\textbf command")
    assert not RAW_PAIR.search("costs $5 and $10, or $5–$10") and not RAW_COMMAND.search("costs $5")
