"""`paper-collection new DIR`: a collection repository pinned to this version, holding no copy of
the generator; refusals that write nothing; its workflows pass actionlint and zizmor; a site's
custom_dir override of a stable template is used."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from paper_collection import __version__
from paper_collection.scaffold import TEMPLATE
from tests.adoption import FIXTURES, cli, new_collection, ok, other_field_collection, tree
from tests.test_workflows import find_tool

HOSTILE_TITLE = 'Papers: "quoted" <b>bold</b> # not a comment\n[link](http://x)'
EXPECTED = {
    "mkdocs.yml", "taxonomy.yml", "README.md", "CONTRIBUTING.md", "Makefile", "requirements.txt", ".gitignore",
    ".pre-commit-config.yaml", ".paper-collection.yml", "content/papers/.gitkeep", "theme_overrides/README.md",
    ".github/dependabot.yml", ".github/pull_request_template.md", ".github/ISSUE_TEMPLATE/paper-problem.yml",
    ".github/ISSUE_TEMPLATE/suggest-paper.yml", ".github/workflows/deploy.yml", ".github/workflows/pull-request.yml",
    ".github/workflows/suggest-paper.yml", ".github/workflows/enrich.yml",
}


def test_new_makes_a_collection_pinned_to_this_version_without_the_generators_code(tmp_path):
    root = new_collection(tmp_path, "reading-list")
    files = set(tree(root))
    assert files == EXPECTED
    assert not [name for name in files if name.endswith(".py")], "a collection holds no copy of the generator"
    pins = [line for line in (root / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    assert pins == [f"paper-collection=={__version__}"]
    assert yaml.safe_load((root / ".paper-collection.yml").read_text()) == {"format": 2}
    assert list((root / "content" / "papers").glob("*.md")) == []
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^site: .*\n\t\$\(BIN\)/paper-collection build$", makefile, re.M)
    assert re.search(r"^test: .*\n\t\$\(BIN\)/paper-collection check$", makefile, re.M)
    assert "-r requirements.txt" in makefile and "pip install" in makefile
    assert "PIP_FIND_LINKS" in makefile  # said where a person reads it: pip reads the variable itself
    text = (root / "mkdocs.yml").read_text()
    for setting in ("site_url", "repo_url"):  # each explained in a comment just above it
        comment = text.split(f"\n{setting}:")[0].rsplit("\n\n", 1)[-1]
        assert comment.startswith(f"# {setting}:") and len(comment.splitlines()) >= 3, comment
    assert "theme_overrides/collection" not in text and "templates" not in text.split("plugins:")[0].split("#")[0]
    dependabot = yaml.safe_load((root / ".github" / "dependabot.yml").read_text())
    assert {u["package-ecosystem"] for u in dependabot["updates"]} == {"pip", "github-actions"}
    assert "paper-collection suggestion" in (root / ".github" / "ISSUE_TEMPLATE" / "suggest-paper.yml").read_text()
    ignored = (root / ".gitignore").read_text().splitlines()
    assert {".venv/", "/site/", ".paper-collection/"} <= set(ignored)


def test_the_title_is_written_as_data_never_as_yaml_or_markdown(tmp_path):
    from markdown_it import MarkdownIt
    from mkdocs.utils.yaml import yaml_load

    root = new_collection(tmp_path, "c", "--title", HOSTILE_TITLE)
    with (root / "mkdocs.yml").open("rb") as handle:
        config = yaml_load(handle)
    assert config["site_name"] == HOSTILE_TITLE
    assert config["site_url"] == "https://example.github.io/c/" and config["docs_dir"] == "content"
    heading = (root / "README.md").read_text().splitlines()[0]
    html = MarkdownIt("commonmark").render(heading)
    assert "<b>" not in html and "<a " not in html and "bold" in html
    assert html.startswith("<h1>") and html.count("<h1>") == 1


def test_the_default_title_comes_from_the_folder(tmp_path):
    root = new_collection(tmp_path, "robot-learning_papers")
    with (root / "mkdocs.yml").open("rb") as handle:
        from mkdocs.utils.yaml import yaml_load

        assert yaml_load(handle)["site_name"] == "Robot learning papers"


def test_new_into_a_folder_that_is_not_empty_writes_nothing(tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    result = cli("new", "busy", cwd=tmp_path)
    assert result.returncode == 2
    assert "busy: the folder is not empty" in result.stderr and "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(target) == {"notes.txt": b"mine\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"], "no staging folder left behind"


def test_new_into_an_empty_folder_keeps_the_folder(tmp_path):
    """`new .` in an empty folder: the shell's current folder stays the collection's folder."""
    (tmp_path / "empty").mkdir()
    inode = (tmp_path / "empty").stat().st_ino
    ok(cli("new", ".", "--title", "Here", cwd=tmp_path / "empty"))
    assert set(tree(tmp_path / "empty")) == EXPECTED
    assert (tmp_path / "empty").stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_new_with_an_unknown_option_or_an_unreadable_dump_writes_nothing(tmp_path):
    result = cli("new", "c", "--colour", "blue", cwd=tmp_path)
    assert result.returncode == 2 and "unrecognized arguments: --colour" in result.stderr
    result = cli("new", "c", "--from", "missing.bib", cwd=tmp_path)
    assert result.returncode == 2
    assert "--from missing.bib: no such file" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_from_a_dump_the_taxonomy_cannot_be_proposed_from_leaves_no_folder(tmp_path):
    """All or nothing: when the proposer refuses (two papers are too few to propose tags from, or
    the proposer is not in this version), DIR is not created."""
    dump = tmp_path / "dump.bib"
    dump.write_text("@article{a, title={One}, abstract={A paper about a thing, in more than eight words.}}\n")
    result = cli("new", "c", "--from", str(dump), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.bib"]


def test_a_new_collection_builds_empty_then_with_a_curators_taxonomy_and_papers(tmp_path):
    empty = new_collection(tmp_path, "empty")
    ok(cli("build", cwd=empty))
    assert (empty / "site" / "index.html").is_file()
    root = other_field_collection(tmp_path)
    slugs = sorted(p.stem for p in (root / "content" / "papers").glob("*.md"))
    assert len(slugs) == 3
    ok(cli("build", cwd=root))
    for slug in slugs:
        assert (root / "site" / "papers" / slug / "index.html").is_file()
    for tag in ("ecology", "economics", "public-health"):
        assert (root / "site" / "tags" / tag / "index.html").is_file()


@pytest.mark.slow
def test_a_custom_dir_override_of_a_stable_template_is_used(tmp_path):
    """README, "Stable template blocks": the site's own collection/paper.html and
    partials/paper-meta.html (in theme_overrides/) replace the generator's."""
    from paper_collection.site.plugin import THEME_DIR

    root = other_field_collection(tmp_path)
    overrides = root / "theme_overrides"
    (overrides / "collection").mkdir()
    (overrides / "partials").mkdir()
    paper = (THEME_DIR / "collection" / "paper.html").read_text()
    (overrides / "collection" / "paper.html").write_text(
        paper.replace('<article class="paper">', '<article class="paper">\n<p class="curator-marker">ours</p>', 1))
    meta = (THEME_DIR / "partials" / "paper-meta.html").read_text()
    (overrides / "partials" / "paper-meta.html").write_text('<meta name="curator-marker" content="ours">\n' + meta)
    ok(cli("build", cwd=root))
    page = next((root / "site" / "papers").glob("*/index.html")).read_text()
    assert '<p class="curator-marker">ours</p>' in page
    assert '<meta name="curator-marker" content="ours">' in page
    assert 'class="paper__title"' in page, "the rest of the generator's template is still there"


WORKFLOWS = sorted((TEMPLATE / ".github" / "workflows").glob("*.yml"))


def test_the_collections_workflows_pass_actionlint():
    result = subprocess.run([find_tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_the_collections_workflows_and_dependabot_pass_zizmor(persona):
    import json

    dependabot = TEMPLATE / ".github" / "dependabot.yml"
    result = subprocess.run([find_tool("zizmor"), "--offline", "--no-config", f"--persona={persona}",
                             "--format=json", *map(str, WORKFLOWS), str(dependabot)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and json.loads(result.stdout) == [], result.stdout + result.stderr


def test_the_collections_workflows_use_the_installed_command_and_the_makefile():
    texts = {path.name: path.read_text() for path in WORKFLOWS}
    assert set(texts) == {"deploy.yml", "pull-request.yml", "suggest-paper.yml", "enrich.yml"}
    for name, text in texts.items():
        assert "python -m generator" not in text, f"{name} runs the generator's source, not the installed command"
        assert "pull_request_target" not in str(yaml.safe_load(text).get(True))  # YAML 1.1 reads `on` as True
        for line in text.splitlines():
            if "uses:" in line:
                assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), f"{name}: {line.strip()}"
    pull_request = yaml.safe_load(texts["pull-request.yml"])
    assert set(pull_request["jobs"]) == {"papers", "checks"}, "no job runs the generator's own tests"
    runs = [s["run"] for s in pull_request["jobs"]["checks"]["steps"] if "run" in s]
    assert runs == ["make test"]
    assert pull_request["jobs"]["checks"]["steps"][-1]["env"] == {"CI": "true"}
    runs = [s["run"] for s in pull_request["jobs"]["papers"]["steps"] if "run" in s]
    assert runs[:3] == ["make .venv/.installed", ".venv/bin/paper-collection validate --format github",
                        ".venv/bin/paper-collection build"]
    deploy = yaml.safe_load(texts["deploy.yml"])
    assert [s["run"] for s in deploy["jobs"]["build"]["steps"] if "run" in s] == ["make site"]


@pytest.mark.slow
def test_new_from_a_real_export_proposes_the_taxonomy_and_imports_its_papers(tmp_path):
    """`new --from`: 300 real astro-ph papers (tests/fixtures/propose/) give a proposed taxonomy.yml,
    and every paper is imported under it, most of them tagged by its rules."""
    dump = FIXTURES / "propose" / "astro-ph.jsonl"
    records = sum(1 for line in dump.read_text(encoding="utf-8").splitlines() if line.strip())
    result = cli("new", "sky", "--title", "Sky papers", "--from", str(dump), "--added", "2026-12-01", cwd=tmp_path)
    ok(result)
    root = tmp_path / "sky"
    taxonomy = yaml.safe_load((root / "taxonomy.yml").read_text(encoding="utf-8"))
    names = {tag["name"] for tag in taxonomy["tags"]}
    assert 8 <= len(names) <= 40
    papers = list((root / "content" / "papers").glob("*.md"))
    assert len(papers) == records
    tagged = 0
    for paper in papers:
        meta = yaml.safe_load(paper.read_text(encoding="utf-8").split("---\n")[1])
        assert meta["added"] == "2026-12-01"
        tagged += bool(set(meta["tags"]) & names)
    assert tagged >= 0.9 * records
    assert not (root / ".paper-collection" / "lock").exists()
    ok(cli("build", cwd=root))
    assert (root / "site" / "tags" / sorted(names)[0] / "index.html").is_file()


def test_taxonomy_propose_needs_no_collection(tmp_path):
    result = cli("taxonomy", "propose", str(FIXTURES / "propose" / "cs.jsonl"), cwd=tmp_path)
    ok(result)
    assert yaml.safe_load(result.stdout)["tags"]
