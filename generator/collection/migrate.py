"""The format of a collection's files, and `paper-collection migrate`.

A collection records the format of its files (paper files, taxonomy.yml, mkdocs.yml, the site's
`custom_dir`) in `.paper-collection.yml` (`format: N`, written by `paper-collection new`); a
collection without that file was made before 0.2.0 and is format 1. A release that changes the
format adds one `Migration` from the previous format to `MIGRATIONS` and raises `CURRENT_FORMAT`.

`migrate` runs each migration from the collection's format to the current one, gathers every
file change, and writes them with the one atomic writer (`Workspace.replace_files`): all or none.
With nothing to migrate it says the collection is current and writes nothing.

Paper files: every format so far reads the paper files 0.1.0 wrote unchanged
(tests/fixtures/release-0.1.0/ and tests/test_release_fixtures.py hold the proof).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from paper_collection.errors import GeneratorError

FORMAT_FILE = ".paper-collection.yml"
CURRENT_FORMAT = 2
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass
class Plan:
    """What a migration changes: file texts by path relative to the collection (None: delete the
    file), and one line per change for the person running it."""

    changes: dict[str, str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Migration:
    source: int  # the format it reads; it writes source + 1
    summary: str
    plan: Callable[[Path, dict], Plan]  # (collection root, mkdocs.yml as data) -> changes


def read_format(root: Path) -> int:
    """The collection's format: `format:` in .paper-collection.yml, 1 without that file."""
    path = root / FORMAT_FILE
    if not path.is_file():
        return 1
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise GeneratorError(f"{FORMAT_FILE}: cannot read it ({error}); restore it from git") from None
    value = data.get("format") if isinstance(data, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise GeneratorError(f"{FORMAT_FILE}: expected 'format: N' with a whole number N from 1; restore it from git")
    return value


def format_file_text(fmt: int) -> str:
    """.paper-collection.yml as `new` writes it."""
    from paper_collection import __version__
    from paper_collection.scaffold import template_environment

    return template_environment().get_template("paper-collection.yml.jinja").render(
        {"version": __version__, "format": fmt})


def check_format(root: Path) -> str | None:
    """A problem with the collection's format, in the user's words, or None when it is current."""
    fmt = read_format(root)
    if fmt > CURRENT_FORMAT:
        from paper_collection import __version__

        return (f"{FORMAT_FILE}: this collection's files are format {fmt}, made by a newer paper-collection than "
                f"this one ({__version__}, format {CURRENT_FORMAT}); install the version requirements.txt pins "
                "(make site)")
    if fmt < CURRENT_FORMAT:
        return (f"{FORMAT_FILE}: this collection's files are format {fmt}; this paper-collection writes format "
                f"{CURRENT_FORMAT}: run paper-collection migrate, check what it says, and commit the result")
    return None


# --- the migrations --------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _theme_0_1_0() -> dict[str, str]:
    """The generator's theme files as 0.1.0 shipped them in the repository's custom_dir: {path: sha256}."""
    lines = (TEMPLATES / "migrations" / "theme-0.1.0.sha256").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line.strip())}


def _custom_dir(root: Path, config: dict) -> Path | None:
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    return (root / custom).resolve() if isinstance(custom, str) and custom else None


def _theme_moved_into_the_package(root: Path, config: dict) -> Plan:
    """1 -> 2 (0.2.0): the theme comes with the package and lies under the site's custom_dir. A
    0.1.0 collection's custom_dir held a copy of the whole theme: left there, every copied file
    would hide the generator's newer one for good. Copies that are byte for byte 0.1.0's are
    deleted; changed ones are kept (they are the curator's) and named."""
    plan = Plan()
    custom = _custom_dir(root, config)
    if custom is None or not custom.is_dir():
        return plan
    shipped = _theme_0_1_0()
    for path in sorted(p for p in custom.rglob("*") if p.is_file()):
        name = path.relative_to(custom).as_posix()
        shown = path.relative_to(root).as_posix()
        if name not in shipped:
            continue
        if _sha256(path) == shipped[name]:
            plan.changes[shown] = None
            plan.notes.append(f"deleted {shown}: the generator's own 0.1.0 file, now installed with the package")
        else:
            plan.notes.append(f"kept {shown}: you changed it, so it still replaces the generator's file; compare it "
                              f"with paper_collection/theme/{name} of the installed version and keep only your change")
    return plan


MIGRATIONS: dict[int, Migration] = {
    1: Migration(1, "0.2.0: the theme is installed with the generator; copies of it in the site's custom_dir go",
                 _theme_moved_into_the_package),
}


@dataclass
class MigrationReport:
    source: int
    target: int
    changes: dict[str, str | None]
    notes: list[str]

    def render(self) -> str:
        if self.source == self.target:
            return f"the collection is current (format {self.target}); nothing to migrate, no file written"
        lines = [f"migrated the collection from format {self.source} to {self.target}:", *self.notes]
        lines.append(f"{len(self.changes)} file(s) changed; check them (git diff) and commit")
        return "\n".join(lines)


def plan_migration(root: Path, config: dict) -> MigrationReport:
    """Every change from the collection's format to CURRENT_FORMAT, nothing written."""
    source = read_format(root)
    if source > CURRENT_FORMAT:
        raise GeneratorError(check_format(root))
    changes: dict[str, str | None] = {}
    notes: list[str] = []
    for fmt in range(source, CURRENT_FORMAT):
        migration = MIGRATIONS[fmt]
        plan = migration.plan(root, config)
        notes.append(f"format {fmt} -> {fmt + 1} ({migration.summary}):")
        notes.extend(f"  {note}" for note in plan.notes)
        changes.update(plan.changes)
    if source < CURRENT_FORMAT:
        changes[FORMAT_FILE] = format_file_text(CURRENT_FORMAT)
        notes.append(f"  wrote {FORMAT_FILE}: format {CURRENT_FORMAT}")
    return MigrationReport(source, CURRENT_FORMAT, changes, notes)


def run_migration(root: Path, config: dict, *, dry_run: bool = False) -> MigrationReport:
    """Plan, then write every change all or none (generator/atomic.py)."""
    from paper_collection.atomic import Workspace

    with Workspace(root, "migrate") as workspace:
        report = plan_migration(root, config)
        if report.changes and not dry_run:
            workspace.replace_files({root / name: text for name, text in report.changes.items()})
    return report
