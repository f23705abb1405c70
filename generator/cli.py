"""The command line: a thin layer over the pipeline. Errors are messages, never tracebacks."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shlex
import sys
from pathlib import Path

from paper_collection import __version__
from paper_collection.errors import GeneratorError
from paper_collection.settings import Layout, find_root

# Exit codes, the same for every command (README, "Exit codes").
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _taxonomy(layout: Layout):
    from paper_collection.collection.taxonomy import load_taxonomy

    return load_taxonomy(layout.taxonomy)


def _removed(layout: Layout):
    from paper_collection.collection.removed import REMOVED_FILE, load_removed

    return load_removed(layout.root / REMOVED_FILE)


def cmd_import(args, layout: Layout) -> int:
    from paper_collection.atomic import Workspace
    from paper_collection.ingest.importer import run_import, stderr_progress

    # The lock covers reading the collection too: two imports never both take a paper for new.
    with Workspace(layout.root, "import"):
        report = run_import([Path(p) for p in args.paths], layout.papers_dir, _taxonomy(layout),
                            added=args.added, fmt=args.format, listed_year=args.year,
                            default_tag=args.default_tag, suggest=not args.no_suggest,
                            mapping=_field_map(args.map), progress=stderr_progress, removed=_removed(layout))
    print(report.render())
    print(f"wrote {len(report.written)} file(s) under {layout.shown(layout.papers_dir)}/"
          if report.written else "no file changed")
    return 0


def _field_map(items: list[str]) -> dict[str, str]:
    """``--map title=details.title`` options as {field: path}."""
    mapping: dict[str, str] = {}
    for item in items:
        field, sep, path = item.partition("=")
        if not sep or not field.strip() or not path.strip():
            raise GeneratorError(f"--map {item}: write FIELD=PATH, e.g. --map abstract=details.abstract")
        mapping[field.strip()] = path.strip()
    return mapping


def cmd_add(args, layout: Layout) -> int:
    from paper_collection.atomic import Workspace
    from paper_collection.ingest.add import add_paper, read_abstract

    if args.identifier or args.saved:
        return cmd_add_by_identifier(args, layout)
    if not args.title:
        raise GeneratorError("add needs an arXiv id or DOI (paper-collection add arXiv:2401.10010), "
                             "or --title and --abstract-file")
    abstract, _ = read_abstract(args.abstract_file)  # its file name is not published: sources say "add"
    with Workspace(layout.root, "add"):
        result = add_paper(layout.papers_dir, _taxonomy(layout), title=args.title, abstract=abstract,
                           tags=args.tag, links=args.link, code=args.code, project=args.project,
                           authors=args.author, arxiv=args.arxiv, doi=args.doi, year=args.year, added=args.added,
                           root=layout.root)
    _print_added(args, layout, result)
    return 0


def _print_added(args, layout: Layout, result) -> None:
    print(f"wrote {layout.shown(result.path)}")
    suggested = ", ".join(f"{s.tag} ({s.confidence:.2f})" for s in result.paper.tags_suggested)
    if args.tag:
        print(f"tags: {', '.join(result.paper.tags)} (taxonomy.yml suggests: {', '.join(result.suggested) or 'none'})")
    elif result.suggested:
        print(f"tags: {', '.join(result.paper.tags)} (suggested by taxonomy.yml; change them in the file if they "
              "do not fit)")
    else:
        print(f"tags: {', '.join(result.paper.tags)} (no rule in taxonomy.yml matches; the tag model suggests: "
              f"{suggested or 'nothing'}); accept or choose tags with paper-collection tags review, "
              "or add again with --tag NAME")
    for note in result.notes:
        print(f"note: {note}")
    print("next: paper-collection validate, then paper-collection serve to preview")


def _lookup_client(args, layout: Layout):
    from paper_collection.ingest.importer import stderr_progress
    from paper_collection.ingest.lookup.client import LookupClient, LookupSettings

    settings = LookupSettings.from_environment(
        layout.root, endpoints={"arxiv": args.arxiv_api, "crossref": args.crossref_api, "openalex": args.openalex_api,
                                "huggingface": getattr(args, "huggingface_api", None)},
        mailto=args.mailto, min_interval=args.min_interval, cache_dir=args.cache, no_cache=args.no_cache)
    return LookupClient(settings, progress=stderr_progress)


def cmd_add_by_identifier(args, layout: Layout) -> int:
    """`add IDENTIFIER`: the paper's fields from the arXiv API, Crossref or OpenAlex (or a saved
    response), combined with the options given; options win over what the lookup found."""
    from paper_collection.atomic import Workspace
    from paper_collection.ingest.add import add_paper, read_abstract
    from paper_collection.ingest.lookup.resolve import look_up, parse_identifier, pick, records_from_file

    identifier = parse_identifier(args.identifier) if args.identifier else None
    if args.saved:
        record = pick(records_from_file(Path(args.saved)), identifier, args.saved)
    else:
        with _lookup_client(args, layout) as client:
            record = look_up(identifier, client)
    abstract = record.abstract
    if args.abstract_file:
        abstract, _ = read_abstract(args.abstract_file)
    elif not abstract.strip() and args.abstract_if_missing:
        abstract, _ = read_abstract(args.abstract_if_missing)
    elif not abstract.strip():
        raise GeneratorError(f"{identifier or args.saved}: the lookup found no abstract; "
                             "give it with --abstract-file PATH (or '-' for standard input)")
    same_year = args.year is None or args.year == record.year
    with Workspace(layout.root, "add"):
        result = add_paper(layout.papers_dir, _taxonomy(layout), title=args.title or record.title,
                           abstract=abstract, tags=args.tag, links=args.link, code=args.code, project=args.project,
                           authors=args.author or record.authors, arxiv=args.arxiv or record.arxiv,
                           doi=args.doi or record.doi, year=args.year or record.year,
                           month=record.month if same_year else None, day=record.day if same_year else None,
                           venue=record.venue, added=args.added, source_file=record.origin.file, root=layout.root)
    _print_added(args, layout, result)
    return 0


def cmd_enrich(args, layout: Layout) -> int:
    from paper_collection.atomic import Workspace
    from paper_collection.ingest.enrich import ASKED_FILE, AskedRecord, run_enrich
    from paper_collection.ingest.importer import stderr_progress
    from paper_collection.ingest.lookup.resolve import OnlineFinder, SavedFinder, records_from_file

    if args.time_limit is not None and args.time_limit <= 0:
        raise GeneratorError(f"--time-limit {args.time_limit:g}: give a number of seconds above 0")
    if args.recheck_days is not None and args.recheck_days < 0:
        raise GeneratorError(f"--recheck-days {args.recheck_days}: give 0 or more days")
    with Workspace(layout.root, "enrich"):
        record = None
        if args.recheck_days is not None:
            record = AskedRecord.load(layout.root / ASKED_FILE, ASKED_FILE)
        options = {"root": layout.root, "dry_run": args.dry_run, "progress": stderr_progress, "record": record,
                   "recheck_days": args.recheck_days or 0, "time_limit": args.time_limit}
        if args.saved:
            finder = SavedFinder(records_from_file(Path(args.saved)), Path(args.saved).name)
            report = run_enrich(layout.papers_dir, finder, **options)
        else:
            with _lookup_client(args, layout) as client:
                report = run_enrich(layout.papers_dir, OnlineFinder(client), **options)
    print(report.render())
    return 0


def cmd_update(args, layout: Layout) -> int:
    """`update [--dry-run] [--since DATE] [WATCH...]`: run the watches of watch.yml (ingest/update.py)."""
    from paper_collection.atomic import Workspace
    from paper_collection.ingest.importer import stderr_progress
    from paper_collection.ingest.update import run_update
    from paper_collection.ingest.watch import WATCH_FILE, load_watches

    with Workspace(layout.root, "update"):
        taxonomy = _taxonomy(layout)
        config = load_watches(layout.taxonomy.parent / WATCH_FILE, taxonomy)
        watches = config.named(args.watches)
        with _lookup_client(args, layout) as client:
            report = run_update(layout.taxonomy.parent, layout.papers_dir, taxonomy, config, watches, client,
                                today=dt.date.fromisoformat(args.today), since=args.since, dry_run=args.dry_run,
                                removed=_removed(layout), progress=stderr_progress)
    print(report.render())
    if args.report_file:
        Path(args.report_file).write_text(report.markdown(), encoding="utf-8")
    if not args.dry_run:
        print(f"wrote {len(report.written)} file(s)" if report.written else "no file changed")
    return EXIT_OK


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-01-05") from None


def _add_update_command(sub) -> None:
    upd = sub.add_parser("update", help="run the watches of watch.yml: import the new papers of arXiv searches, "
                                        "Hugging Face daily papers and feeds")
    upd.add_argument("watches", nargs="*", metavar="WATCH", help="run only these watches (default: all)")
    upd.add_argument("--dry-run", action="store_true", help="print the report; write nothing")
    upd.add_argument("--since", type=_iso_date, metavar="DATE",
                     help="ask for papers from this date (YYYY-MM-DD) instead of each watch's last newest date")
    upd.add_argument("--today", default=dt.date.today().isoformat(), type=lambda t: _iso_date(t).isoformat(),
                     help=argparse.SUPPRESS)  # tests and reruns: the date the papers are added
    upd.add_argument("--report-file", metavar="PATH", help="also write the report as Markdown (a pull request body)")
    upd.add_argument("--arxiv-api", metavar="URL", help="arXiv API query address (env PAPER_COLLECTION_ARXIV_API)")
    upd.add_argument("--huggingface-api", metavar="URL",
                     help="Hugging Face API address (env PAPER_COLLECTION_HUGGINGFACE_API)")
    upd.add_argument("--mailto", metavar="EMAIL", help="contact sent to the services (env PAPER_COLLECTION_MAILTO)")
    upd.add_argument("--min-interval", type=float, metavar="SECONDS",
                     help="seconds between two requests to one service (default 3; env PAPER_COLLECTION_MIN_INTERVAL)")
    upd.add_argument("--cache", type=Path, metavar="DIR",
                     help="HTTP cache folder (default .cache/lookup/; env PAPER_COLLECTION_CACHE)")
    upd.add_argument("--no-cache", action="store_true", help="neither read nor write the HTTP cache")
    upd.set_defaults(func=cmd_update, crossref_api=None, openalex_api=None)


def _lookup_options(command: argparse.ArgumentParser) -> None:
    """Options of the commands that look papers up (see README, "Looking papers up")."""
    command.add_argument("--from", dest="saved", metavar="FILE",
                         help="use a saved response (arXiv API Atom, Crossref or OpenAlex JSON) instead of the network")
    command.add_argument("--arxiv-api", metavar="URL", help="arXiv API query address (env PAPER_COLLECTION_ARXIV_API)")
    command.add_argument("--crossref-api", metavar="URL", help="Crossref API (env PAPER_COLLECTION_CROSSREF_API)")
    command.add_argument("--openalex-api", metavar="URL", help="OpenAlex API (env PAPER_COLLECTION_OPENALEX_API)")
    command.add_argument("--mailto", metavar="EMAIL",
                         help="contact sent to the services: User-Agent and Crossref's polite pool "
                              "(env PAPER_COLLECTION_MAILTO)")
    command.add_argument("--min-interval", type=float, metavar="SECONDS",
                         help="seconds between two requests to one service (default 3, as arXiv asks; "
                              "env PAPER_COLLECTION_MIN_INTERVAL)")
    command.add_argument("--cache", type=Path, metavar="DIR",
                         help="HTTP cache folder (default .cache/lookup/; env PAPER_COLLECTION_CACHE)")
    command.add_argument("--no-cache", action="store_true", help="neither read nor write the HTTP cache")


def _selected_files(paths: list[str], layout: Layout) -> set[str]:
    """`validate FILE...`: the files as the problems name them (relative to the project folder)."""
    selected = set()
    for name in paths:
        path = Path(name).resolve()
        if not path.is_file():
            raise GeneratorError(f"{name}: no such file")
        try:
            selected.add(path.relative_to(layout.root).as_posix())
        except ValueError:
            raise GeneratorError(f"{name}: not inside the collection at {layout.root}") from None
    return selected


def cmd_validate(args, layout: Layout, collection=None, people=None) -> int:
    files = getattr(args, "files", None)
    selected = _selected_files(files, layout) if files else None
    base = getattr(args, "base", None)
    changed = _changed_since(layout, base) if base else None
    if collection is None:
        from paper_collection.atomic import Workspace

        with Workspace(layout.root, "validate"):  # finishes or undoes what a killed run left first
            collection = _check_collection(layout, _taxonomy(layout), base)
    if selected is not None:  # duplicates were still looked for across the whole collection
        return _report_selected(args, layout, collection, selected)
    _print_problems(args, collection.problems, changed)
    if getattr(args, "format", "text") != "github":
        _author_notes(collection, layout, people)
    if collection.errors:
        print(f"{len(collection.errors)} problem(s) in {layout.shown(layout.papers_dir)}/; "
              "nothing was built", file=sys.stderr)
        return 1
    warnings = len(collection.problems)
    print(f"ok: {len(collection.papers)} papers valid" + (f", {warnings} warning(s)" if warnings else ""))
    return 0


def _changed_since(layout: Layout, base: str) -> set[str]:
    """The project's files that differ from `base` (as problems name them), for `validate --base`."""
    from paper_collection.contrib.pr_report import changed_files

    _, changes = changed_files(layout.root, base, ".")
    return {path for change in changes for path in (change.path, change.old_path) if path}


def _print_problems(args, problems, changed: set[str] | None = None) -> None:
    if getattr(args, "format", "text") == "github":
        from paper_collection.contrib.github import annotations_for

        for line in annotations_for(problems, changed):
            print(line)
        return
    for problem in problems:
        print(f"{problem}{' (warning)' if problem.warning else ''}")


def _report_selected(args, layout: Layout, collection, selected: set[str]) -> int:
    problems = [p for p in collection.problems if p.file in selected]
    _print_problems(args, problems)
    errors = [p for p in problems if not p.warning]
    if errors:
        print(f"{len(errors)} problem(s) in {len(selected)} file(s)", file=sys.stderr)
        return EXIT_PROBLEMS
    warnings = len(problems)
    print(f"ok: {len(selected)} file(s) valid" + (f", {warnings} warning(s)" if warnings else ""))
    return EXIT_OK


def _author_notes(collection, layout: Layout, people=None) -> None:
    """Author spellings that fit several people (see generator/site/authors.py); `people`, the
    collection's `people_of` if made already."""
    from paper_collection.site.authors import ambiguous_notes
    from paper_collection.site.model import people_of

    folder = layout.papers_dir.relative_to(layout.root)
    people = people if people is not None else people_of(collection.papers, layout.root)
    for note in ambiguous_notes(people, collection.papers, lambda paper: f"{folder}/{paper.slug}.md"):
        print(note)


def _check_collection(layout: Layout, taxonomy, base: str | None = None, *, saving: list | None = None):
    """`load_collection`, remembering each file's check between runs (in the git-ignored cache):
    a file is read again only when it changed. With `saving` (a list), a large collection's checks
    are written by a forked worker added to it while the caller goes on (a second at 10,000 papers
    that the build's other CPU has time for then): the caller waits for it (`result()`)."""
    from paper_collection import parallel
    from paper_collection.collection.validate import CheckMemo, load_collection
    from paper_collection.site.cache import checks_file

    path = checks_file(layout.root)
    memo = CheckMemo.load(path)
    collection = load_collection(layout.papers_dir, taxonomy, layout.root, memo, base=base)
    if saving is not None and memo.must_save(path) and parallel.worth_forking(len(memo.files)):
        saving.append(parallel.Child(lambda: memo.save(path), "saving the paper files' checks",
                                     stopped_with_build=False))
    else:
        memo.save(path)
    return collection


def _make_docs_dir(layout: Layout) -> None:
    """A collection with no paper yet may have no docs folder (`content/`) at all; MkDocs refuses
    to load a configuration whose docs_dir is missing, before any plugin runs, so it is made here
    (empty: the folder `import` and `add` write into)."""
    try:
        layout.docs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GeneratorError(f"{layout.shown(layout.docs_dir)}: cannot make the folder mkdocs.yml names as docs_dir "
                             f"({error.strerror}); make it, or set docs_dir in mkdocs.yml to a folder") from None


def cmd_build(args, layout: Layout) -> int:
    from paper_collection.atomic import Workspace
    from paper_collection.site.build import build_site
    from paper_collection.site.model import people_of

    with Workspace(layout.root, "build") as workspace:
        taxonomy = _taxonomy(layout)
        saving: list = []  # the checks being written meanwhile
        try:
            collection = _check_collection(layout, taxonomy, saving=saving)
            # validate's notes and the author pages read the same people
            people = people_of(collection.papers, layout.root)
            if cmd_validate(args, layout, collection, people) != 0:
                return 1
            _make_docs_dir(layout)
            newest = max((p.added for p in collection.papers), default=None)
            # MkDocs runs in this process and is handed the checked papers: they are not read twice.
            build_site(workspace, layout.config_file, layout.site_dir, collection.papers, taxonomy,
                       content_date=newest, people=people)
        finally:
            for worker in saving:
                worker.result()
    print(f"built {layout.shown(layout.site_dir)}/")
    return 0


def _check_port_free(dev_addr: str) -> None:
    """Say a busy port in words before mkdocs would end in a traceback."""
    import errno
    import socket

    host, sep, port_text = dev_addr.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise GeneratorError(f"--dev-addr {dev_addr}: expected HOST:PORT, e.g. --dev-addr 127.0.0.1:8001")
    host, port = host.strip("[]") or "127.0.0.1", int(port_text)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise GeneratorError(f"--dev-addr {dev_addr}: unknown host {host!r} ({error.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # as the server will: a port left in TIME_WAIT by a stopped preview is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise GeneratorError(f"--dev-addr {dev_addr}: cannot listen there ({error.strerror})") from None
            raise GeneratorError(f"port {port} on {host} is already in use (is another preview running?); "
                                 f"stop it, or preview on another port: paper-collection serve "
                                 f"--dev-addr {host}:{port + 1 if port < 65535 else 8001}") from None


def cmd_tags_review(args, layout: Layout) -> int:
    from paper_collection.collection.review import decide, pending_papers, render_pending
    from paper_collection.collection.validate import load_collection
    from paper_collection.ingest.importer import write_all

    taxonomy = _taxonomy(layout)
    collection = load_collection(layout.papers_dir, taxonomy, layout.root)
    if collection.errors:
        cmd_validate(args, layout, collection)
        return 1
    pending = pending_papers(collection.papers, taxonomy)
    if not (args.accept or args.reject or args.accept_above is not None):
        print(render_pending(pending))
        return 0
    changes, decisions = decide(pending, layout.papers_dir, accept=args.accept, reject=args.reject,
                                accept_above=args.accept_above)
    write_all(changes)
    for line in decisions:
        print(line)
    print(f"rewrote {len(changes)} file(s)" if changes else "no file changed")
    return 0


def cmd_tags_suggest_rules(args, layout: Layout) -> int:
    from paper_collection.collection.review import suggest_rules
    from paper_collection.collection.validate import load_collection

    taxonomy = _taxonomy(layout)
    collection = load_collection(layout.papers_dir, taxonomy, layout.root)
    print(suggest_rules(collection.papers, taxonomy, args.tag or None, args.words))
    return 0


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number from 0 to 1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not from 0 to 1")
    return value


def _add_tags_commands(sub) -> None:
    tags = sub.add_parser("tags", help="review the tag model's suggestions; propose taxonomy rules")
    tags_sub = tags.add_subparsers(dest="tags_command", required=True)
    review = tags_sub.add_parser("review", help="list papers that need tags; accept or reject suggestions")
    review.add_argument("--accept", nargs="+", default=[], metavar="SLUG", help="accept these papers' suggestions")
    review.add_argument("--reject", nargs="+", default=[], metavar="SLUG", help="drop these papers' suggestions")
    review.add_argument("--accept-above", type=_confidence, metavar="CONFIDENCE",
                        help="accept every suggestion at least this confident (0-1), e.g. 0.8")
    review.set_defaults(func=cmd_tags_review)
    rules = tags_sub.add_parser("suggest-rules", help="propose taxonomy rules from the words that separate tags")
    rules.add_argument("--tag", action="append", default=[], metavar="NAME", help="only this tag (repeatable)")
    rules.add_argument("--words", type=int, default=6, help="words proposed per tag (default 6)")
    rules.set_defaults(func=cmd_tags_suggest_rules)


def cmd_taxonomy_propose(args, layout: Layout) -> int:
    """`taxonomy propose DUMP...`: a taxonomy.yml drafted from the papers of dumps (collection/propose.py)."""
    from paper_collection.atomic import write_text_atomic
    from paper_collection.collection.propose import propose

    output = args.output
    if output is not None and output.exists() and not args.force:
        raise GeneratorError(f"{output}: the file exists; nothing was written (give another --output, or add "
                             "--force to replace it)")
    proposal = propose([Path(p) for p in args.paths])
    summary = (f"{len(proposal.tag_papers)} tags; their rules tag {proposal.tagged} of {proposal.papers} papers "
               f"({100 * proposal.coverage:.1f} %)")
    if output is None:
        sys.stdout.write(proposal.text)
        print(summary, file=sys.stderr)
    else:
        write_text_atomic(output, proposal.text)
        print(f"wrote {output}: {summary}. Rename, merge or split its tags, then paper-collection import the dumps")
    return 0


def _add_taxonomy_commands(sub) -> None:
    taxonomy = sub.add_parser("taxonomy", help="draft a taxonomy.yml from papers")
    taxonomy_sub = taxonomy.add_subparsers(dest="taxonomy_command", required=True)
    propose = taxonomy_sub.add_parser("propose", help="propose tags (names, descriptions, rules) from the papers "
                                                      "of dumps, in any format import reads")
    propose.add_argument("paths", nargs="+", metavar="DUMP",
                         help="input files (listing, BibTeX, JSON, JSONL, Atom, CSV)")
    propose.add_argument("--output", "-o", type=Path, metavar="FILE",
                         help="write the taxonomy here (default: print it)")
    propose.add_argument("--force", action="store_true", help="replace --output if it exists")
    propose.set_defaults(func=cmd_taxonomy_propose, needs_layout=False)  # works before a collection exists


def cmd_serve(args, layout: Layout) -> int:
    _check_port_free(args.dev_addr)
    _make_docs_dir(layout)
    # --dirty: each preview writes only the pages whose content changed (the paper-collection plugin
    # decides which), so an edit shows in seconds at 10,000 papers.
    # generator.site.preview_server: `mkdocs serve`, told of changes by the system instead of polling.
    command = [sys.executable, "-m", "paper_collection.site.preview_server", "serve", "--dirty",
               "--config-file", str(layout.config_file), "--dev-addr", args.dev_addr]
    # Become the server (no child left behind when this process is stopped).
    os.execv(sys.executable, command)


def cmd_pr_report(args, layout: Layout) -> int:
    from paper_collection.collection.validate import load_collection
    from paper_collection.contrib.pr_report import LOCAL_PREVIEW, Preview, changed_files, render_report

    merge_base, changes = changed_files(layout.root, args.base, layout.docs_dir.relative_to(layout.root).as_posix())
    collection = load_collection(layout.papers_dir, _taxonomy(layout), layout.root, base=args.base)
    site = args.site.resolve() if args.site else layout.site_dir
    for option, url in (("--artifact-url", args.artifact_url), ("--preview-url", args.preview_url)):
        if url and not url.startswith(("https://", "http://")):
            raise GeneratorError(f"{option} {url}: not an http(s) address")
    preview = Preview(url=(args.preview_url.rstrip("/") + "/") if args.preview_url else LOCAL_PREVIEW,
                      artifact_url=args.artifact_url or None, published=bool(args.preview_url))
    print(render_report(layout, collection, changes, args.base_name or args.base, merge_base,
                        (site / "index.html").is_file(), preview), end="")
    return EXIT_PROBLEMS if collection.errors else EXIT_OK


def cmd_suggestion(args, layout: Layout) -> int:
    from paper_collection.contrib import suggestion as suggest
    from paper_collection.contrib.github import markdown_text

    try:
        body = Path(args.issue_body_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GeneratorError(f"--issue-body-file {args.issue_body_file}: cannot read it ({error})") from None
    if args.form_url and not args.form_url.startswith("https://"):
        raise GeneratorError(f"--form-url {args.form_url}: not an https address")
    accepted = not args.check

    def answer(text: str) -> None:
        if args.answer_file:
            Path(args.answer_file).write_text(text, encoding="utf-8")

    fields = suggest.form_fields(args.form or layout.root / suggest.FORM)
    if not suggest.is_the_form(body, fields):
        answer(suggest.answer_not_the_form(args.form_url))
        print("error: the issue was not written with the paper suggestion form", file=sys.stderr)
        return EXIT_PROBLEMS
    try:
        suggestion = suggest.suggestion_from_answers(suggest.parse_issue_body(body, fields))
    except suggest.SuggestionError as error:
        answer(suggest.answer_problem(str(error), accepted))
        print(f"error: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.dry_run:
        print(shlex.join(["paper-collection", *suggest.add_arguments(suggestion)]))
        return EXIT_OK
    code, written, message = suggest.run_add(layout.root, suggestion)
    if code != 0:
        answer(suggest.answer_problem(message, accepted))
        return code
    answer(suggest.answer_paper([line for path in written for line in suggest.describe_paper(path, layout.root)],
                                accepted))
    if args.check:  # the check writes nothing: the paper is added once accepted
        for path in written:
            path.unlink()
        return EXIT_OK
    if args.pr_body_file:
        issue = f"#{args.issue}" if args.issue else "an issue"
        files = ", ".join(markdown_text(p.relative_to(layout.root).as_posix()) for p in written) or "no file"
        text = (f"Adds {files}, the paper suggested in {issue}.\n\n"
                + (f"Closes #{args.issue}\n\n" if args.issue else "")
                + "Written by `paper-collection suggestion` from the issue form; `validate` and a strict build "
                  "passed. Before merging, check the title, authors, abstract, links and tags against the paper.\n")
        Path(args.pr_body_file).write_text(text, encoding="utf-8")
    return EXIT_OK


def cmd_rename(args, layout: Layout) -> int:
    from paper_collection.atomic import Workspace
    from paper_collection.collection.rename import rename_paper

    with Workspace(layout.root, "rename"):
        target = rename_paper(layout.papers_dir, args.old, args.new, layout.root)
    shown = target.relative_to(layout.root).as_posix()
    print(f"renamed to {shown}; '{args.old.removesuffix('.md')}' is kept in its aliases, "
          "so the old address redirects to the new one")
    return 0


def cmd_remove(args, layout: Layout) -> int:
    from paper_collection.atomic import Workspace
    from paper_collection.collection.rename import remove_paper

    with Workspace(layout.root, "remove"):
        record = remove_paper(layout.papers_dir, args.slug, args.reason, layout.root)
    print(f"removed {layout.papers_dir.relative_to(layout.root).as_posix()}/{record.slug}.md and recorded it in "
          "removed.yml; imports will skip it")
    return 0


def add_address_commands(sub) -> None:
    """`rename` and `remove`: change addresses and the collection without breaking links."""
    ren = sub.add_parser("rename", help="rename a paper file; its old address keeps working (recorded in aliases)")
    ren.add_argument("old", help="the paper's file name now, without .md")
    ren.add_argument("new", help="the new file name, without .md (lowercase letters, digits, hyphens)")
    ren.set_defaults(func=cmd_rename)
    rem = sub.add_parser("remove", help="delete a paper file and record it in removed.yml so imports skip it")
    rem.add_argument("slug", help="the paper's file name, without .md")
    rem.add_argument("--reason", required=True, help="why it is removed (kept in removed.yml)")
    rem.set_defaults(func=cmd_remove)


def cmd_new(args, layout: Layout | None) -> int:
    """`new DIR`: a new collection repository, pinned to this version (generator/scaffold.py)."""
    from paper_collection.scaffold import new_collection

    result = new_collection(args.folder, title=args.title, dumps=[Path(p) for p in args.dumps], added=args.added)
    if result.import_report:
        print(result.import_report)
    shown = args.folder
    print(f"made the collection {shown}/ ({len(result.files)} files; paper-collection=={__version__} in "
          "requirements.txt)" + ("; taxonomy.yml proposed from the papers" if result.proposed else ""))
    print(f"next: cd {shlex.quote(str(shown))} && git init && make site   (then make test; see its README.md)")
    return EXIT_OK


def cmd_check(args, layout: Layout) -> int:
    """`check`: validate, the strict build, then the site checks (generator/site/check.py)."""
    from paper_collection.collection.migrate import check_format
    from paper_collection.site.check import check_site

    problem = check_format(layout.root)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.no_build:
        code = cmd_build(args, layout)
        if code != EXIT_OK:
            return code
    report = check_site(layout, browser=args.browser, pages=args.axe_pages)
    print(report.render())
    return EXIT_PROBLEMS if report.problems else EXIT_OK


def cmd_migrate(args, layout: Layout) -> int:
    from paper_collection.collection.migrate import run_migration

    report = run_migration(layout.root, layout.config, dry_run=args.dry_run)
    print(report.render() + (" (dry run: nothing written)" if args.dry_run and report.changes else ""))
    return EXIT_OK


def add_adoption_commands(sub) -> None:
    """`new`, `check` and `migrate`: start a collection, check it as its CI does, upgrade its files."""
    new = sub.add_parser("new", help="make a new collection repository in an empty or new folder")
    new.add_argument("folder", type=Path, metavar="DIR", help="the new collection's folder (absent or empty)")
    new.add_argument("--title", help="the site's name (default: from the folder's name)")
    new.add_argument("--from", dest="dumps", nargs="+", default=[], metavar="DUMP",
                     help="exports or listings to propose taxonomy.yml from, then import")
    new.add_argument("--added", help="date the imported papers join the collection, YYYY-MM-DD (default: today)")
    new.set_defaults(func=cmd_new, needs_layout=False)

    chk = sub.add_parser("check", help="the collection's checks: validate, strict build, links, search index, "
                                       "feeds, axe-core in Chromium")
    chk.add_argument("--no-build", action="store_true", help="check the site/ already built instead of building")
    chk.add_argument("--browser", metavar="PATH",
                     help="Chromium or Chrome for the accessibility check (env PAPER_COLLECTION_CHROMIUM; default: "
                          "chromium, chromium-browser, google-chrome on PATH)")
    chk.add_argument("--axe-pages", type=int, default=8, metavar="N",
                     help="pages the accessibility check opens (default 8: one of each kind; 0 skips it)")
    chk.set_defaults(func=cmd_check)

    mig = sub.add_parser("migrate", help="rewrite the collection's files for this version's format (all or none)")
    mig.add_argument("--dry-run", action="store_true", help="say what would change without writing")
    mig.set_defaults(func=cmd_migrate)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="paper-collection", description="Build a paper collection site.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top.add_argument("--root", type=Path, default=None,
                     help="project folder (default: the nearest folder holding mkdocs.yml, from the current one up)")
    sub = top.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import papers from dumps and exports into content/papers/")
    imp.add_argument("paths", nargs="+", help="input files (listing text, BibTeX, JSON, JSONL, Atom, CSV)")
    imp.add_argument("--format", choices=["listing", "bibtex", "json", "jsonl", "atom", "csv"],
                     help="force an input format instead of detecting it")
    imp.add_argument("--year", type=int, help="the year of a listing's dates like 'Mar 20' (never guessed)")
    imp.add_argument("--added", default=dt.date.today().isoformat(),
                     help="date the papers join the collection, YYYY-MM-DD (default: today)")
    imp.add_argument("--default-tag",
                     help="tag for papers no taxonomy rule matches (otherwise the tag model suggests tags "
                          "and the paper is tagged 'untagged' until a person reviews it)")
    imp.add_argument("--map", action="append", default=[], metavar="FIELD=PATH",
                     help="where a field is: a JSON path (details.abstract, metadata.authors[].name) or a CSV "
                          "column name; repeatable. Fields: title, abstract, authors, arxiv, doi, year, date, "
                          "venue, keywords, url, code, project")
    imp.add_argument("--no-suggest", action="store_true",
                     help="do not run the tag model: papers no rule matches are just tagged 'untagged'")
    imp.set_defaults(func=cmd_import)

    add = sub.add_parser("add", help="write a new paper file under content/papers/")
    add.add_argument("identifier", nargs="?",
                     help="arXiv id or DOI to look the paper up by (arXiv:2401.10010, an arxiv.org, "
                          "huggingface.co/papers or doi.org link, 10.1000/xyz)")
    add.add_argument("--title", help="the paper's title (required without an identifier)")
    add.add_argument("--abstract-file", metavar="PATH",
                     help="file holding the abstract, or '-' for standard input (default: piped standard input)")
    add.add_argument("--abstract-if-missing", metavar="PATH",
                     help="with an identifier: the abstract to use when the lookup finds none ('-' for standard input)")
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
    _lookup_options(add)
    add.set_defaults(func=cmd_add)

    enr = sub.add_parser("enrich", help="fill missing fields of existing papers from arXiv, Crossref or a saved file")
    enr.add_argument("--dry-run", action="store_true", help="show the changes without writing them")
    enr.add_argument("--recheck-days", type=int, metavar="DAYS",
                     help="ask only about papers not asked about in the last DAYS days, keeping when each was asked "
                          "in enrich-asked.json (never asked first, then the oldest: a cut-short run is resumed)")
    enr.add_argument("--time-limit", type=float, metavar="SECONDS",
                     help="stop looking up after SECONDS and write what was found (with --recheck-days, the next "
                          "run continues where this one stopped)")
    _lookup_options(enr)
    enr.set_defaults(func=cmd_enrich)

    val = sub.add_parser("validate", help="check every paper file and report all problems")
    val.add_argument("files", nargs="*", metavar="FILE",
                     help="check just these files (duplicates are still looked for in the whole collection)")
    val.add_argument("--base", metavar="REF",
                     help="the branch a pull request goes into (a git commit, e.g. origin/main): of two duplicates, "
                          "the file it lacks is the one to remove; with --format github, only the files changed "
                          "since it get annotations")
    val.add_argument("--format", choices=["text", "github"], default="text",
                     help="github: one GitHub Actions annotation (::error file=...,line=...::) per problem")
    val.set_defaults(func=cmd_validate)

    bld = sub.add_parser("build", help="validate, then build the site into site/ with mkdocs --strict")
    bld.set_defaults(func=cmd_build)

    _add_tags_commands(sub)
    _add_taxonomy_commands(sub)

    srv = sub.add_parser("serve", help="preview the site with live reload")
    srv.add_argument("--dev-addr", default="127.0.0.1:8000")
    srv.set_defaults(func=cmd_serve)

    rep = sub.add_parser("pr-report", help="Markdown summary of the papers added, changed and removed since a base")
    rep.add_argument("--base", default="origin/main",
                     help="the branch or commit the pull request goes into (default: origin/main)")
    rep.add_argument("--base-name", metavar="NAME",
                     help="how the report names the base, e.g. the branch behind HEAD^1 (default: --base)")
    rep.add_argument("--artifact-url", metavar="URL",
                     help="the address of the run's site artifact, linked in the report (empty: not linked)")
    rep.add_argument("--preview-url", metavar="URL",
                     help="where this pull request's site is published for review; pages are linked there "
                          "(default: the artifact served with python -m http.server, http://localhost:8000/)")
    rep.add_argument("--site", type=Path, help="the built site folder, to say whether pages can be looked at "
                                               "(default: site/)")
    rep.set_defaults(func=cmd_pr_report)

    sug = sub.add_parser("suggestion", help="turn a 'Suggest a paper' issue body into a paper file (runs add)")
    sug.add_argument("--issue-body-file", required=True, metavar="PATH", help="the issue's body (Markdown)")
    sug.add_argument("--issue", type=int, help="the issue number, linked from the pull request body")
    sug.add_argument("--pr-body-file", metavar="PATH", help="write a pull request description here")
    sug.add_argument("--form", type=Path, help="the issue form (default: .github/ISSUE_TEMPLATE/suggest-paper.yml)")
    sug.add_argument("--dry-run", action="store_true", help="print the add command instead of running it")
    sug.add_argument("--check", action="store_true",
                     help="look the paper up and check it as if accepted, write nothing (the answer says what would "
                          "be added)")
    sug.add_argument("--answer-file", metavar="PATH",
                     help="write the answer for the issue here (Markdown): what is (or would be) added, or what is "
                          "wrong, how to fix it and how to try again")
    sug.add_argument("--form-url", metavar="URL", help="the issue form's address, linked when an issue is not the form")
    sug.set_defaults(func=cmd_suggestion)

    add_address_commands(sub)
    add_adoption_commands(sub)
    _add_update_command(sub)
    return top


def main_exit() -> None:
    """The `paper-collection` command (and `python -m paper_collection`): run, then end the process.
    Every file is written and every child process ended by then. Freeing a build's objects one by one
    (hundreds of MB at 10,000 papers) took half a second of every run: the process just ends, once
    what it printed is out."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)  # usage errors exit with EXIT_USAGE (argparse's own 2)
    try:
        if not getattr(args, "needs_layout", True):  # `new`: there is no collection yet
            return args.func(args, None)
        layout = Layout(args.root.resolve() if args.root else find_root(Path.cwd()))
        return args.func(args, layout)
    except GeneratorError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; nothing was left half-written", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - a bug of ours: a message, then the details only on request
        if os.environ.get("PAPER_COLLECTION_DEBUG"):
            raise
        print(f"error: unexpected {type(error).__name__}: {error}. Nothing was left half-written. This is a bug "
              "in the generator; please report it with the command you ran (set PAPER_COLLECTION_DEBUG=1 "
              "to see the traceback)", file=sys.stderr)
        return EXIT_USAGE
