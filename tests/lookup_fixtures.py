"""Real recorded responses of the arXiv API and Crossref (tests/fixtures/lookup/README.md says where
each came from), served to the lookup client without a network."""

from __future__ import annotations

import http.server
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import yaml

FIXTURES = Path(__file__).parent / "fixtures" / "lookup"


@dataclass(frozen=True)
class Recorded:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, content=self.body, headers=list(self.headers))


def recorded(name: str) -> Recorded:
    """A fixture as the service sent it: arxiv.py's recordings (url, status_code, body), a VCR
    cassette (habanero), or a bare body saved as it came (status 200)."""
    path = FIXTURES / name
    if name.startswith("arxiv-id_"):
        data = json.loads(path.read_text(encoding="utf-8"))
        return Recorded(data["status_code"], data["body"].encode("utf-8"), (("content-type", "application/atom+xml"),))
    if path.suffix == ".yaml":
        response = yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"][0]["response"]
        headers = tuple((key, value) for key, values in response["headers"].items() for value in values
                        if key not in ("transfer-encoding", "connection"))
        return Recorded(response["status_code"], response["content"].encode("utf-8"), headers)
    kind = "application/atom+xml" if path.suffix == ".xml" else "application/json"
    return Recorded(200, path.read_bytes(), (("content-type", kind),))


class Replay:
    """An httpx transport answering from a list of (predicate, answer) rules, recording every request.
    An answer is a Recorded response, an exception to raise, or a list of those served in turn."""

    def __init__(self, rules):
        self.rules = rules
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for predicate, answer in self.rules:
            if predicate(request):
                if isinstance(answer, list):
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                if isinstance(answer, Exception):
                    raise answer
                return answer.response()
        return httpx.Response(599, text=f"no rule for {request.url}")


def arxiv_ids(request: httpx.Request) -> str:
    return request.url.params.get("id_list", "")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _ReplayServer

    def do_GET(self):  # noqa: N802 - the http.server API
        self.server.requests.append((self.path, dict(self.headers)))
        url = urlsplit(self.path)
        answer = next((answer for predicate, answer in self.server.rules if predicate(url.path, parse_qs(url.query))),
                      Recorded(404, b"no rule"))
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        self.send_response(answer.status)
        for key, value in answer.headers:
            if key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def log_message(self, *args):  # keep test output clean
        pass


class _ReplayServer(http.server.ThreadingHTTPServer):
    rules: list
    requests: list


@contextmanager
def replay_server(rules):
    """A server on 127.0.0.1 answering GETs from (predicate(path, query), Recorded) rules; yields
    (base URL, the list of (path, headers) it was asked)."""
    server = _ReplayServer(("127.0.0.1", 0), _Handler)
    server.rules = rules
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests
    finally:
        server.shutdown()
        server.server_close()
