"""The installable package, end to end, offline: a wheel built from this repository holds the
theme, the schemas and the collection template; installed in a clean virtual environment outside
the repository it makes a new collection (`paper-collection new`) that builds empty, imports a
real export of another field under the curator's own taxonomy, builds, and passes its own
`make test` with the wheel taken from PIP_FIND_LINKS. And the release workflow lints clean.

No network: the wheel is built with `--no-build-isolation` (this environment's setuptools), and a
new environment reaches this environment's dependencies through a .pth file listing a folder of
links to them (everything but paper_collection itself), so pip installs only the wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from paper_collection import __version__
from tests.adoption import OTHER_FIELD, OTHER_FIELD_TAXONOMY
from tests.test_workflows import find_tool

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
WHEEL = f"paper_collection-{__version__}-py3-none-any.whl"


def run(*command, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, f"{' '.join(map(str, command))}: exit {result.returncode}\n{result.stdout}\n" \
                                   f"{result.stderr}"
    return result


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built once from a copy of the sources (nothing written into the repository)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheels")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", out,
        source, cwd=source)
    return out / WHEEL


def test_the_wheel_holds_the_theme_schemas_and_collection_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "generator"
    for folder in ("theme", "templates", "site/schemas"):
        for path in (package / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"paper_collection/{path.relative_to(package).as_posix()}" in names, path
    for needed in ("theme/assets/vendor/katex/fonts/KaTeX_Main-Regular.woff2", "theme/assets/javascripts/explore.js",
                   "theme/assets/stylesheets/collection.css", "theme/collection/paper.html", "theme/main.html",
                   "site/schemas/papers.schema.json", "templates/collection/.github/workflows/deploy.yml",
                   "templates/collection/.github/ISSUE_TEMPLATE/suggest-paper.yml",
                   "templates/collection/.pre-commit-config.yaml", "templates/collection/gitignore"):
        assert f"paper_collection/{needed}" in names, needed
    assert not [n for n in names if n.startswith(("tests/", "content/", "generator/"))]
    info = zipfile.ZipFile(wheel)
    metadata = info.read(f"paper_collection-{__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {__version__}\n" in metadata and "Provides-Extra: check" in metadata
    entry_points = info.read(f"paper_collection-{__version__}.dist-info/entry_points.txt").decode()
    assert "paper-collection = paper_collection.cli:main_exit" in entry_points
    assert "paper-collection = paper_collection.site.plugin:PaperCollectionPlugin" in entry_points
    assert "paper-search = paper_collection.site.search:PaperSearchPlugin" in entry_points


def clean_environment(folder: Path, links: Path) -> Path:
    """A new virtual environment whose only view of this one is `links` (a .pth file): returns its bin/."""
    run(sys._base_executable, "-m", "venv", folder, cwd=folder.parent)
    purelib = Path(subprocess.run([folder / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()"
                                   "['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "dependencies-of-the-test-environment.pth").write_text(f"{links}\n")
    return folder / "bin"


@pytest.fixture(scope="session")
def dependency_links(tmp_path_factory) -> Path:
    """Links to every installed distribution of this environment but paper-collection itself."""
    links = tmp_path_factory.mktemp("dependencies")
    mine = ("paper_collection", "__editable__", "__editable___paper_collection")
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name.startswith(mine) or entry.suffix == ".pth" or entry.name == "__pycache__":
            continue
        (links / entry.name).symlink_to(entry)
    return links


@pytest.mark.slow
def test_a_curator_installs_the_wheel_makes_a_collection_and_its_checks_pass(wheel, dependency_links, tmp_path):
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheel.parent), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    bin_dir = clean_environment(tmp_path / "curator", dependency_links)
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path, env=offline)
    assert run(bin_dir / "paper-collection", "--version", cwd=tmp_path).stdout.strip() == \
        f"paper-collection {__version__}"
    where = run(bin_dir / "python", "-c", "import paper_collection; print(paper_collection.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(tmp_path / "curator")), "the wheel's package, not this repository's"

    run(bin_dir / "paper-collection", "new", "field-studies", "--title", "Field studies", cwd=tmp_path)
    collection = tmp_path / "field-studies"
    run(bin_dir / "paper-collection", "build", cwd=collection)
    assert (collection / "site" / "index.html").is_file()

    shutil.copyfile(OTHER_FIELD_TAXONOMY, collection / "taxonomy.yml")
    shutil.copyfile(OTHER_FIELD, tmp_path / "export.bib")
    report = run(bin_dir / "paper-collection", "import", tmp_path / "export.bib", cwd=collection).stdout
    assert "read 3, new 3" in report and "by rules 3" in report
    run(bin_dir / "paper-collection", "build", cwd=collection)
    assert len(list((collection / "site" / "papers").glob("*/index.html"))) == 3

    # The collection's own make test: it installs the pinned version (the wheel, from PIP_FIND_LINKS)
    # into its .venv, then runs paper-collection check.
    clean_environment(collection / ".venv", dependency_links)
    result = run("make", "test", f"PYTHON={sys._base_executable}", cwd=collection, env=offline)
    assert f"{collection}/.venv/bin/paper-collection check" in result.stdout or \
        ".venv/bin/paper-collection check" in result.stdout
    assert "ok: the site's links, search index, feeds and sampled pages pass" in result.stdout
    pinned = run(collection / ".venv" / "bin" / "python", "-m", "pip", "show", "paper-collection", cwd=collection)
    assert f"Version: {__version__}" in pinned.stdout
    assert f"Location: {collection / '.venv'}" in pinned.stdout


def test_the_release_workflow_builds_checks_and_publishes_with_trusted_publishing():
    result = subprocess.run([find_tool("actionlint"), "-no-color", str(RELEASE)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    for persona in ("regular", "auditor"):
        result = subprocess.run([find_tool("zizmor"), "--offline", "--no-config", f"--persona={persona}",
                                 "--format=json", str(RELEASE)], capture_output=True, text=True)
        assert result.returncode == 0 and json.loads(result.stdout) == [], result.stdout + result.stderr
    workflow = yaml.safe_load(RELEASE.read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}} and workflow["permissions"] == {}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    scripts = "\n".join(step.get("run", "") for step in build["steps"])
    for needed in ("python -m build", "twine check --strict dist/*", "python -m venv", "pip\" install --quiet "
                   "dist/*.whl", "paper-collection new", "paper-collection build"):
        assert needed in scripts, needed
    assert "${{" not in scripts
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert not any("run" in step for step in publish["steps"]), "the job that may publish runs no project code"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "password" not in json.dumps(publish) and "${{ secrets." not in RELEASE.read_text()
    for line in RELEASE.read_text().splitlines():
        if "uses:" in line:
            assert " # v" in line and len(line.split("@")[1].split()[0]) == 40, line
