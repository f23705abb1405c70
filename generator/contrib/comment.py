"""One comment, kept up to date, on a pull request or an issue: the pull-request report
(.github/workflows/pr-comment.yml) and the answers to paper suggestions (suggest-paper.yml).

Run by the jobs that hold a write token, as a file (`python3 generator/contrib/comment.py ...`) from
the default branch: standard library only, nothing installed, nothing from the pull request run.
What it posts is data: the report is Markdown written by the pull request's run (so untrusted),
read from a file and sent as the comment's body; it never reaches a shell. The pull request's
number comes from the same untrusted run: it must be a plain integer, and that pull request's head
must be the commit the checked run was for, or nothing is posted.

The comment is found again by a hidden marker (an HTML comment) in a comment by the same bot.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

REPORT_MARKER = "<!-- paper-collection-report -->"
SUGGESTION_MARKER = "<!-- paper-collection-suggestion -->"
MARKERS = {"report": REPORT_MARKER, "suggestion": SUGGESTION_MARKER}
BOT = "github-actions[bot]"
LIMIT = 60_000  # GitHub refuses comments over 65,536 characters
NUMBER = re.compile(r"[1-9][0-9]{0,9}")


class CommentError(Exception):
    """What went wrong, in words for the workflow's log."""


def read_number(text: str, where: str) -> int:
    value = text.strip()
    if not NUMBER.fullmatch(value):
        raise CommentError(f"{where}: {value[:40]!r} is not a pull request or issue number; nothing posted")
    return int(value)


def read_text(path: Path, where: str) -> str:
    """A file from the untrusted run: a regular file (not a link elsewhere), read up to 1 MB."""
    if path.is_symlink() or not path.is_file():
        raise CommentError(f"{where}: {path} is not a regular file; nothing posted")
    try:
        with path.open("rb") as handle:
            text = handle.read(1_000_000).decode("utf-8", errors="replace")
    except OSError as error:
        raise CommentError(f"{where}: cannot read {path} ({error})") from None
    return text.replace("\0", "")


def fit(body: str, run_url: str | None) -> str:
    """The body cut to what GitHub accepts, saying where the rest is."""
    if len(body) <= LIMIT:
        return body
    rest = f"the whole report is in [the run's summary]({run_url})" if run_url else "the whole report is in the run"
    return body[:LIMIT].rsplit("\n", 1)[0] + f"\n\n… (cut: too long for a comment; {rest})\n"


def report_body(report: str | None, run: dict) -> str:
    """The pull request comment: the report, or why there is none, and which run it is from."""
    run_url = run.get("html_url") if isinstance(run.get("html_url"), str) else None
    sha = str(run.get("head_sha") or "")[:7]
    footer = f"\n\n<sub>From [the checks]({run_url}) of commit {sha}; updated on every push.</sub>\n" if run_url \
        else "\n"
    if report is None or not report.strip():
        conclusion = run.get("conclusion") or "did not finish"
        text = ("## Papers in this pull request\n\nThe checks ended before writing their report "
                f"(conclusion: {conclusion}). Open the run to see which step failed; pushing again runs them again.")
    else:
        text = report.rstrip()
    return REPORT_MARKER + "\n" + fit(text, run_url) + footer


class GitHub:
    """The few REST calls needed, with the job's token."""

    def __init__(self, api: str, repository: str, token: str) -> None:
        if not re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+", repository):
            raise CommentError(f"GITHUB_REPOSITORY {repository!r} is not owner/name")
        self.api = api.rstrip("/")
        self.repository = repository
        self.token = token

    def call(self, method: str, path: str, payload: dict | None = None):
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(f"{self.api}/repos/{self.repository}{path}", data=data, method=method,
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Accept": "application/vnd.github+json",
                                                  "X-GitHub-Api-Version": "2022-11-28",
                                                  "User-Agent": "paper-collection-comment",
                                                  **({"Content-Type": "application/json"} if data else {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read().decode("utf-8") or "null")
        except urllib.error.HTTPError as error:
            raise CommentError(f"GitHub answered HTTP {error.code} to {method} {path}: "
                               f"{error.read().decode('utf-8', 'replace')[:300]}") from None
        except urllib.error.URLError as error:
            raise CommentError(f"cannot reach GitHub at {self.api} ({error.reason})") from None

    def find_comment(self, number: int, marker: str) -> int | None:
        """The id of this bot's comment with `marker` on issue or pull request `number`."""
        page = 1
        while True:
            comments = self.call("GET", f"/issues/{number}/comments?per_page=100&page={page}")
            for comment in comments:
                user = comment.get("user") or {}
                if user.get("login") == BOT and user.get("type") == "Bot" and \
                        str(comment.get("body", "")).startswith(marker):
                    return int(comment["id"])
            if len(comments) < 100:
                return None
            page += 1

    def upsert(self, number: int, marker: str, body: str) -> str:
        """Update the comment with `marker`, or create it; returns what was done, for the log."""
        found = self.find_comment(number, marker)
        if found is None:
            made = self.call("POST", f"/issues/{number}/comments", {"body": body})
            return f"created comment {made.get('html_url', made.get('id'))}"
        made = self.call("PATCH", f"/issues/comments/{found}", {"body": body})
        return f"updated comment {made.get('html_url', found)}"

    def head_of(self, number: int) -> str:
        pull = self.call("GET", f"/pulls/{number}")
        return str((pull.get("head") or {}).get("sha", ""))


def post_report(github: GitHub, event: dict, report_dir: Path) -> str:
    """The pull-request report of the run `event` (a workflow_run event) as the pull request's comment."""
    run = event.get("workflow_run") or {}
    if run.get("event") != "pull_request":
        return f"the checked run was started by {run.get('event')!r}, not a pull request: nothing to post"
    number_file = report_dir / "pr-number.txt"
    if number_file.is_file():
        number = read_number(read_text(number_file, "pr-number.txt"), "pr-number.txt")
    else:  # the run ended before its report; GitHub lists the pull request only for same-repository branches
        listed = run.get("pull_requests") or []
        if not listed:
            return "the run left no report and names no pull request (a fork's): nothing to post"
        number = read_number(str(listed[0].get("number", "")), "workflow_run.pull_requests")
    head = github.head_of(number)
    if head != run.get("head_sha"):
        raise CommentError(f"pull request #{number}'s head is {head[:7] or 'unknown'}, not the checked commit "
                           f"{str(run.get('head_sha'))[:7]} (a newer push, or a wrong number): nothing posted")
    report_file = report_dir / "report.md"
    report = read_text(report_file, "report.md") if report_file.is_file() else None
    return f"#{number}: " + github.upsert(number, REPORT_MARKER, report_body(report, run))


def post_answer(github: GitHub, number: int, kind: str, body_file: Path) -> str:
    marker = MARKERS[kind]
    body = marker + "\n" + fit(read_text(body_file, "--body-file"), None)
    return f"#{number}: " + github.upsert(number, marker, body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="post the pull-request report of a workflow_run event")
    report.add_argument("--report-dir", type=Path, required=True, help="the downloaded pr-report artifact")
    answer = sub.add_parser("answer", help="post an answer on an issue")
    answer.add_argument("--number", required=True, help="the issue's number")
    answer.add_argument("--kind", choices=sorted(MARKERS), default="suggestion")
    answer.add_argument("--body-file", type=Path, required=True, help="the answer, in Markdown")
    args = parser.parse_args(argv)
    try:
        token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")
        if not token:
            raise CommentError("no token: set GH_TOKEN to the job's github.token")
        github = GitHub(os.environ.get("GITHUB_API_URL", "https://api.github.com"),
                        os.environ.get("GITHUB_REPOSITORY", ""), token)
        if args.command == "report":
            event_path = os.environ.get("GITHUB_EVENT_PATH", "")
            try:
                event = json.loads(Path(event_path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommentError(f"GITHUB_EVENT_PATH {event_path!r}: cannot read the event ({error})") from None
            print(post_report(github, event, args.report_dir))
        else:
            print(post_answer(github, read_number(args.number, "--number"), args.kind, args.body_file))
    except CommentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
