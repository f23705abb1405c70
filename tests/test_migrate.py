"""`paper-collection migrate`: the collection's format (.paper-collection.yml, absent = 1), the
migration registry, and a real migration: a 0.1.0 collection whose custom_dir held a copy of the
generator's theme (tests/fixtures/release-0.1.0/)."""

from __future__ import annotations

import shutil

import yaml

from paper_collection.collection.migrate import CURRENT_FORMAT, FORMAT_FILE, MIGRATIONS, read_format
from tests.adoption import RELEASE_0_1_0, cli, new_collection, ok, tree


def collection_0_1_0(tmp_path):
    """A collection as 0.1.0 left it: its mkdocs.yml, taxonomy, custom_dir and paper files."""
    root = tmp_path / "old"
    root.mkdir()
    for name in ("mkdocs.yml", "taxonomy.yml"):
        shutil.copyfile(RELEASE_0_1_0 / name, root / name)
    shutil.copytree(RELEASE_0_1_0 / "theme_overrides", root / "theme_overrides")
    shutil.copytree(RELEASE_0_1_0 / "papers", root / "content" / "papers")
    return root


def test_every_format_up_to_the_current_one_has_a_migration():
    assert sorted(MIGRATIONS) == list(range(1, CURRENT_FORMAT))
    assert all(MIGRATIONS[n].source == n and MIGRATIONS[n].summary for n in MIGRATIONS)


def test_a_current_collection_is_left_alone(tmp_path):
    root = new_collection(tmp_path, "current")
    before = tree(root)
    result = ok(cli("migrate", cwd=root))
    assert result.stdout.strip() == (f"the collection is current (format {CURRENT_FORMAT}); nothing to migrate, "
                                     "no file written")
    assert tree(root) == before


def test_a_0_1_0_collection_loses_its_copies_of_the_theme_and_keeps_what_the_curator_changed(tmp_path):
    root = collection_0_1_0(tmp_path)
    assert read_format(root) == 1
    before = tree(root)
    dry = ok(cli("migrate", "--dry-run", cwd=root))
    assert "(dry run: nothing written)" in dry.stdout
    assert tree(root) == before

    result = ok(cli("migrate", cwd=root))
    out = result.stdout
    assert out.startswith(f"migrated the collection from format 1 to {CURRENT_FORMAT}:")
    for unchanged in ("main.html", "partials/header.html", "partials/top.html", "assets/stylesheets/collection.css"):
        assert f"deleted theme_overrides/{unchanged}: the generator's own 0.1.0 file" in out
        assert not (root / "theme_overrides" / unchanged).exists()
    assert "kept theme_overrides/collection/paper.html: you changed it" in out
    after = tree(root)
    assert after["theme_overrides/collection/paper.html"] == before["theme_overrides/collection/paper.html"]
    assert after["theme_overrides/assets/stylesheets/reading-group.css"] == \
        before["theme_overrides/assets/stylesheets/reading-group.css"]
    assert "reading-group.css" not in out, "a file that was never the generator's is not mentioned"
    assert yaml.safe_load(after[FORMAT_FILE]) == {"format": CURRENT_FORMAT}
    assert "5 file(s) changed" in out  # four deleted, one written
    assert {k: v for k, v in after.items() if k.startswith("content/")} == \
        {k: v for k, v in before.items() if k.startswith("content/")}, "the paper files need no change"

    again = ok(cli("migrate", cwd=root))
    assert again.stdout.startswith("the collection is current")
    ok(cli("build", cwd=root))
    page = next((root / "site" / "papers").glob("*/index.html")).read_text()
    assert '<p class="curator-note">Reviewed by the reading group.</p>' in page, "the curator's change still shows"


def test_a_failed_migration_writes_nothing(tmp_path):
    root = collection_0_1_0(tmp_path)
    (root / FORMAT_FILE).mkdir()  # in the way of the file the migration writes last
    before = tree(root)
    result = cli("migrate", cwd=root)
    assert result.returncode == 2 and "nothing was changed" in result.stderr and "Traceback" not in result.stderr
    assert tree(root) == before, "the theme copies it would delete are all still there"
