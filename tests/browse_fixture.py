"""A small collection for the browsing features (accessibility, explorer, reading list, authors,
statistics): authors written differently by different sources, venues, years, code links."""

from __future__ import annotations

from pathlib import Path

from tests.test_exports import build_fixture


def _paper(title, tags, added, abstract, **fields):
    return {"title": title, "tags": tags, "added": added, "abstract": abstract, **fields}


BROWSE = (
    _paper("Neural Operators Solve Fluid PDEs", ["pdes-scientific-ml"], "2026-01-02",
           "We train neural operators as PDE solvers for fluid dynamics; they generalize to unseen flows.",
           authors=["Ada Lovelace", "Bernd Götz"], year=2024, month=3, venue="NeurIPS", arxiv="2405.19101",
           links=[{"kind": "code", "url": "https://github.com/example/operators"}]),
    _paper("Neural PDE Solvers: A Fluid Dynamics Benchmark", ["pdes-scientific-ml", "benchmarks"], "2026-01-03",
           "A benchmark of fluid dynamics problems for neural PDE solvers and neural operators.",
           authors=["Götz, B.", "Alan Turing"], year=2023, venue="ICLR"),
    _paper("Generative Tumor Segmentation in CT", ["medicine", "segmentation"], "2026-01-01",
           "Medical image segmentation of tumors in CT scans with a generative segmentation model.",
           authors=["Grace Hopper"], year=2022, venue="MICCAI",
           links=[{"kind": "code", "url": "https://github.com/example/tumor"}]),
    _paper("Multi-Modal Medical Image Segmentation", ["medicine", "segmentation"], "2026-01-01",
           "Medical image segmentation across CT and MRI scans: one segmentation model for organs.",
           authors=["Grace Hopper", "Ada Lovelace"], year=2024, venue="MICCAI"),
    _paper("Fast $O(n^2)$ Attention & <Friends>", ["transformers"], "2026-01-04",
           "Attention costs $O(n^2)$ for $n$ tokens; markup such as <b>bold</b> & </script> stays text.",
           authors=["Alan Turing"], year=2021,
           links=[{"kind": "pdf", "url": "https://example.org/fast.pdf"}]),
    _paper("Scaling Laws for Language Models on Benchmarks", ["language-models", "benchmarks"], "2026-01-05",
           "We fit scaling laws for large language models and evaluate them on reasoning benchmarks.",
           authors=["Ada Lovelace"], year=2023, venue="ICLR",
           links=[{"kind": "code", "url": "https://github.com/example/scaling"}]),
)


def build_browse_site(tmp: Path, papers=BROWSE) -> Path:
    """Build the collection in `tmp`; returns the built site folder."""
    return build_fixture(tmp, papers)
