"""`build`: check the collection, run `mkdocs build --strict` into a fresh folder, then swap it
in place of `site/`, so a failed build leaves the last good site as it was."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.errors import GeneratorError


def build_site(config_file: Path, site_dir: Path, *, content_date: str | None = None,
               extra_args: tuple[str, ...] = ()) -> None:
    """`content_date` (ISO, the newest paper's `added`) stands in for the build time wherever
    MkDocs would otherwise write the clock (sitemap lastmod, gzip header): same input, same bytes."""
    site_dir = site_dir.resolve()
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    try:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        if content_date and "SOURCE_DATE_EPOCH" not in env:
            moment = dt.datetime.fromisoformat(content_date).replace(tzinfo=dt.UTC)
            env["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config_file),
                   "--site-dir", str(staging), *extra_args]
        result = subprocess.run(command, check=False, env=env)
        if result.returncode != 0:
            raise GeneratorError(f"mkdocs build --strict failed (exit {result.returncode}); "
                                 f"{site_dir.name}/ was left as it was")
        swap(staging, site_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def swap(new: Path, target: Path) -> None:
    """Put `new` where `target` is, keeping the old one until the new one is in place."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
