"""Helpers shared by the tests of `new`, `check`, `migrate` and the release fixtures: a new
collection made by the generator itself (so no test reads the repository's own mkdocs.yml,
taxonomy or papers), and the papers of tests/fixtures/ imported into it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RELEASE_0_1_0 = FIXTURES / "release-0.1.0"
# Three papers from ecology, economics and public health (tests/fixtures/shapes/README.md).
OTHER_FIELD = FIXTURES / "shapes" / "unmatched.bib"
OTHER_FIELD_TAXONOMY = FIXTURES / "adoption" / "taxonomy.yml"


def cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`paper-collection ARGS` in `cwd`, as a person runs it."""
    return subprocess.run([sys.executable, "-m", "paper_collection", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def new_collection(parent: Path, name: str = "collection", *options: str) -> Path:
    ok(cli("new", name, *options, cwd=parent))
    return parent / name


def other_field_collection(parent: Path) -> Path:
    """A new collection under a curator's own taxonomy, with the three papers of another field imported."""
    root = new_collection(parent, "field-studies", "--title", "Field studies")
    shutil.copyfile(OTHER_FIELD_TAXONOMY, root / "taxonomy.yml")
    ok(cli("import", str(OTHER_FIELD), "--added", "2026-11-30", cwd=root))
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes (the generator's working folder left out)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".paper-collection" not in p.relative_to(root).parts}
