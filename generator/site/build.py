"""`build`: MkDocs, run in this process on the collection the CLI has just checked, into a
staging folder (generator/atomic.py) that is then swapped in place of the site folder: a
failed or interrupted build leaves the last good site as it was, and no child process is ever
left running (there is none; it also saves MkDocs' start-up).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from paper_collection import parallel
from paper_collection.atomic import Workspace
from paper_collection.collection.paper import Paper
from paper_collection.collection.taxonomy import Taxonomy
from paper_collection.errors import GeneratorError
from paper_collection.site import session
from paper_collection.site.authors import AuthorIndex


@contextlib.contextmanager
def _source_date(content_date: str | None):
    """`content_date` (ISO, the newest paper's `added`) stands in for the build time wherever
    MkDocs would otherwise write the clock (sitemap lastmod, gzip header): same input, same bytes."""
    if not content_date or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    moment = dt.datetime.fromisoformat(content_date).replace(tzinfo=dt.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


@contextlib.contextmanager
def _mkdocs_log():
    """MkDocs' messages on standard error, as `mkdocs build` prints them."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s -  %(message)s"))
    handler.setLevel(logging.INFO)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def build_site(workspace: Workspace, config_file: Path, site_dir: Path, papers: Sequence[Paper],
               taxonomy: Taxonomy, *, content_date: str | None = None, people: AuthorIndex | None = None) -> None:
    """Build the checked `papers` with MkDocs (strict) and swap the result in for `site_dir`."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    staging = workspace.new_dir("site")
    kept = f"{site_dir.name}/ was left as it was"
    with _mkdocs_log(), _source_date(content_date):
        try:
            config = load_config(str(config_file), site_dir=str(staging), strict=True)
            session.start(config, papers, taxonomy, previous_site=site_dir if site_dir.is_dir() else None,
                          people=people)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
                parallel.stop_children()  # a failed build's workers end with it
        except KeyboardInterrupt:
            raise
        except (MkDocsException, SystemExit) as error:
            raise GeneratorError(f"mkdocs build --strict failed ({error}); {kept}") from None
        except Exception as error:  # noqa: BLE001 - a broken theme or plugin: say so, keep the site
            raise GeneratorError(f"mkdocs build --strict failed ({type(error).__name__}: {error}); {kept}") \
                from None
    workspace.replace_dir(staging, site_dir)
