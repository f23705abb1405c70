"""The build cache (generator/site/cache.py): a build after changing one paper reuses the other
papers' pages, and its site is byte for byte the site a clean build of the same collection makes."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.helpers import make_project, run_generator
from tests.test_build import _tree_hash

pytestmark = pytest.mark.slow

PAPER = "poseidon-efficient-foundation-models-for-pdes"


def reused(result) -> tuple[int, int]:
    match = re.search(r"(\d+) of (\d+) paper, tag, author and listing page bodies reused", result.stderr)
    assert match, result.stderr[-2000:]
    return int(match.group(1)), int(match.group(2))


def test_rebuild_after_one_edit_reuses_the_rest_and_equals_a_clean_build(tmp_path):
    warm = make_project(tmp_path / "warm")
    first = run_generator(warm, "build")
    assert reused(first)[0] == 0
    again = run_generator(warm, "build")
    assert reused(again)[0] == reused(again)[1]  # nothing changed: every page from the cache

    path = warm / "content" / "papers" / f"{PAPER}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", "\n---\nA sentence added by the cache test. ", 1).replace(
        "tags:\n", "venue: Journal of Cache Tests\ntags:\n", 1), encoding="utf-8")
    edited = run_generator(warm, "build")
    hits, total = reused(edited)
    # Related papers: only the rows the edit changed were computed again (related.refresh).
    redone = re.search(r"related papers computed again for (\d+) of (\d+) papers", edited.stderr)
    assert redone and int(redone.group(1)) < int(redone.group(2)), edited.stderr[-2000:]
    # The edited paper and the papers that list it as related are made again; the rest is reused.
    assert total - 30 < hits < total, (hits, total)

    clean = tmp_path / "clean"
    shutil.copytree(warm, clean, ignore=shutil.ignore_patterns(".paper-collection", "site"))
    run_generator(clean, "build")
    assert _tree_hash(warm / "site") == _tree_hash(clean / "site")
    page = (warm / "site" / "papers" / PAPER / "index.html").read_text(encoding="utf-8")
    assert "A sentence added by the cache test." in page and "Journal of Cache Tests" in page
