"""This version reads every paper file release 0.1.0 wrote (tests/fixtures/release-0.1.0/README.md):
a new collection holding them, under 0.1.0's taxonomy, validates and builds, one page per file."""

from __future__ import annotations

import shutil

import pytest

from tests.adoption import RELEASE_0_1_0, cli, new_collection, ok

pytestmark = pytest.mark.slow


def test_the_paper_files_0_1_0_wrote_validate_and_build(tmp_path):
    root = new_collection(tmp_path, "upgraded")
    shutil.copyfile(RELEASE_0_1_0 / "taxonomy.yml", root / "taxonomy.yml")
    files = sorted((RELEASE_0_1_0 / "papers").glob("*.md"))
    assert len(files) >= 20
    for path in files:
        shutil.copyfile(path, root / "content" / "papers" / path.name)
    result = ok(cli("validate", cwd=root))
    assert f"ok: {len(files)} papers valid" in result.stdout
    ok(cli("build", cwd=root))
    for path in files:
        page = (root / "site" / "papers" / path.stem / "index.html").read_text(encoding="utf-8")
        title = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("title: "))
        assert "paper__title" in page, path.name
        assert title.removeprefix("title: ").strip("\"'")[:20].replace("&", "&amp;") in page.replace("&#39;", "'")
    # the files are read as they are: building rewrote none of them
    for path in files:
        assert (root / "content" / "papers" / path.name).read_bytes() == path.read_bytes()
