"""The command line: a thin layer over the pipeline. Errors are messages, never tracebacks."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from generator.errors import GeneratorError
from generator.settings import Layout


def _taxonomy(layout: Layout):
    from generator.collection.taxonomy import load_taxonomy

    return load_taxonomy(layout.taxonomy)


def cmd_import(args, layout: Layout) -> int:
    from generator.ingest.importer import run_import, stderr_progress

    report = run_import([Path(p) for p in args.paths], layout.papers_dir, _taxonomy(layout),
                        added=args.added, fmt=args.format, listed_year=args.year, default_tag=args.default_tag,
                        progress=stderr_progress)
    print(report.render())
    print(f"wrote {len(report.written)} file(s) under {layout.papers_dir.relative_to(layout.root)}/"
          if report.written else "no file changed")
    return 0


def cmd_add(args, layout: Layout) -> int:
    from generator.ingest.add import add_paper, read_abstract

    abstract, source = read_abstract(args.abstract_file)
    result = add_paper(layout.papers_dir, _taxonomy(layout), title=args.title, abstract=abstract, tags=args.tag,
                       links=args.link, code=args.code, project=args.project, authors=args.author,
                       arxiv=args.arxiv, doi=args.doi, year=args.year, added=args.added, source_file=source,
                       root=layout.root)
    print(f"wrote {result.path.relative_to(layout.root).as_posix()}")
    print(f"tags: {', '.join(result.paper.tags)}"
          + (f" (taxonomy.yml suggests: {', '.join(result.suggested) or 'none'})" if args.tag else
             " (suggested by taxonomy.yml; change them in the file if they do not fit)"))
    for note in result.notes:
        print(f"note: {note}")
    print("next: python -m generator validate, then python -m generator serve to preview")
    return 0


def cmd_validate(args, layout: Layout, collection=None) -> int:
    from generator.collection.validate import load_collection

    if collection is None:
        collection = load_collection(layout.papers_dir, _taxonomy(layout), layout.root)
    for problem in collection.problems:
        print(f"{problem}{' (warning)' if problem.warning else ''}")
    _author_notes(collection, layout)
    if collection.errors:
        print(f"{len(collection.errors)} problem(s) in {layout.papers_dir.relative_to(layout.root)}/; "
              "nothing was built", file=sys.stderr)
        return 1
    warnings = len(collection.problems)
    print(f"ok: {len(collection.papers)} papers valid" + (f", {warnings} warning(s)" if warnings else ""))
    return 0


def _author_notes(collection, layout: Layout) -> None:
    """Author spellings that fit several people (see generator/site/authors.py)."""
    from generator.site.authors import ambiguous_notes

    folder = layout.papers_dir.relative_to(layout.root)
    for note in ambiguous_notes(collection.papers, lambda paper: f"{folder}/{paper.slug}.md"):
        print(note)


def cmd_build(args, layout: Layout) -> int:
    from generator.collection.validate import load_collection
    from generator.site.build import build_site

    collection = load_collection(layout.papers_dir, _taxonomy(layout), layout.root)
    if cmd_validate(args, layout, collection) != 0:
        return 1
    newest = max((p.added for p in collection.papers), default=None)
    build_site(layout.config_file, layout.site_dir, content_date=newest)
    print(f"built {layout.site_dir.relative_to(layout.root)}/")
    return 0


def cmd_serve(args, layout: Layout) -> int:
    command = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(layout.config_file),
               "--dev-addr", args.dev_addr]
    # Become the server (no child left behind when this process is stopped).
    os.execv(sys.executable, command)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m generator", description="Build a paper collection site.")
    top.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: current folder)")
    sub = top.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import papers from dumps and exports into content/papers/")
    imp.add_argument("paths", nargs="+", help="input files (listing text, BibTeX, JSON, JSONL, Atom, CSV)")
    imp.add_argument("--format", choices=["listing", "bibtex", "json", "jsonl", "atom", "csv"],
                     help="force an input format instead of detecting it")
    imp.add_argument("--year", type=int, help="the year of a listing's dates like 'Mar 20' (never guessed)")
    imp.add_argument("--added", default=dt.date.today().isoformat(),
                     help="date the papers join the collection, YYYY-MM-DD (default: today)")
    imp.add_argument("--default-tag", help="tag for papers no taxonomy rule matches (otherwise they are rejected)")
    imp.set_defaults(func=cmd_import)

    add = sub.add_parser("add", help="write a new paper file under content/papers/")
    add.add_argument("--title", required=True, help="the paper's title")
    add.add_argument("--abstract-file", metavar="PATH",
                     help="file holding the abstract, or '-' for standard input (default: piped standard input)")
    add.add_argument("--tag", action="append", default=[], metavar="NAME",
                     help="a tag from taxonomy.yml (repeatable; default: the tags its rules suggest)")
    add.add_argument("--link", action="append", default=[], metavar="URL", help="a link (repeatable; kind guessed)")
    add.add_argument("--code", action="append", default=[], metavar="URL", help="the code repository")
    add.add_argument("--project", action="append", default=[], metavar="URL", help="the project page")
    add.add_argument("--author", action="append", default=[], metavar="NAME", help="an author (repeatable, in order)")
    add.add_argument("--arxiv", help="arXiv id such as 2401.10010")
    add.add_argument("--doi", help="DOI such as 10.1000/xyz123")
    add.add_argument("--year", type=int, help="publication year")
    add.add_argument("--added", default=dt.date.today().isoformat(),
                     help="date the paper joins the collection, YYYY-MM-DD (default: today)")
    add.set_defaults(func=cmd_add)

    val = sub.add_parser("validate", help="check every paper file and report all problems")
    val.set_defaults(func=cmd_validate)

    bld = sub.add_parser("build", help="validate, then build the site into site/ with mkdocs --strict")
    bld.set_defaults(func=cmd_build)

    srv = sub.add_parser("serve", help="preview the site with live reload")
    srv.add_argument("--dev-addr", default="127.0.0.1:8000")
    srv.set_defaults(func=cmd_serve)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    layout = Layout(args.root.resolve())
    try:
        return args.func(args, layout)
    except GeneratorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was left half-written", file=sys.stderr)
        return 130
