"""A polite HTTP client for the services papers are looked up in (arXiv, Crossref, OpenAlex).

Polite means: a User-Agent naming the project and a contact, at most one request per
`min_interval` seconds to each host (arXiv asks for 3 s), a few retries with backoff that honour
`Retry-After` on 429/502/503/504, timeouts, and an on-disk cache (hishel, SQLite) so that a
second run asks nothing it asked before. The layers, outermost first:

    httpx.Client -> hishel CacheTransport -> PoliteTransport (rate limit, retries) -> network

so a cached answer is served at once, without waiting its turn. Clock and sleep are
injectable: tests check the waiting without waiting.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from paper_collection.errors import GeneratorError

SERVICES = {"arxiv": "the arXiv API", "crossref": "Crossref", "openalex": "OpenAlex",
            "huggingface": "the Hugging Face API"}
DEFAULT_ENDPOINTS = {
    "arxiv": "https://export.arxiv.org/api/query",
    "crossref": "https://api.crossref.org",
    "openalex": "https://api.openalex.org",
    "huggingface": "https://huggingface.co/api",
}
ENDPOINT_ENV = {name: f"PAPER_COLLECTION_{name.upper()}_API" for name in SERVICES}
FEED = "feed"  # a watch's RSS or Atom feed: its address is in watch.yml, not an option
MAILTO_ENV = "PAPER_COLLECTION_MAILTO"
CACHE_ENV = "PAPER_COLLECTION_CACHE"
INTERVAL_ENV = "PAPER_COLLECTION_MIN_INTERVAL"
DEFAULT_CACHE = Path(".cache") / "lookup"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = "paper-collection/0.1 (static site generator for paper collections; paper lookups)"

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class LookupFailed(GeneratorError):
    """A lookup that could not be answered: names the paper, the service, what happened and the fix."""

    def __init__(self, what: str, service: str, problem: str, fix: str) -> None:
        self.what = what
        self.service = service
        super().__init__(f"{what}: {SERVICES.get(service, f'the {service}')} {problem}; {fix}")


@dataclass(frozen=True)
class LookupSettings:
    endpoints: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ENDPOINTS))
    mailto: str | None = None
    project_url: str | None = None  # the collection's repository, named in the User-Agent
    min_interval: float = 3.0  # seconds between two requests to one host (arXiv's terms ask for 3)
    timeout: float = 30.0
    retries: int = 3  # further tries after a timeout or a 429/5xx answer
    max_wait: float = 300.0  # a Retry-After longer than this is reported instead of waited for
    cache_dir: Path | None = DEFAULT_CACHE
    cache_days: float = 30.0

    @classmethod
    def from_environment(cls, root: Path, environ: Mapping[str, str] = os.environ, *,
                         endpoints: Mapping[str, str | None] | None = None, mailto: str | None = None,
                         min_interval: float | None = None, cache_dir: Path | None = None,
                         no_cache: bool = False) -> LookupSettings:
        """Settings from command-line values, else environment variables, else the defaults."""
        chosen = {name: ((endpoints or {}).get(name) or environ.get(ENDPOINT_ENV[name]) or default).rstrip("/")
                  for name, default in DEFAULT_ENDPOINTS.items()}
        for name, url in chosen.items():
            if not url.startswith(("http://", "https://")):
                raise GeneratorError(f"--{name}-api / {ENDPOINT_ENV[name]}: '{url}' is not an http(s) URL")
        interval = min_interval
        if interval is None and environ.get(INTERVAL_ENV):
            try:
                interval = float(environ[INTERVAL_ENV])
            except ValueError:
                raise GeneratorError(f"{INTERVAL_ENV}: '{environ[INTERVAL_ENV]}' is not a number of seconds") from None
        if interval is not None and interval < 0:
            raise GeneratorError(f"--min-interval: {interval} is negative")
        cache = None if no_cache else (cache_dir or Path(environ.get(CACHE_ENV) or DEFAULT_CACHE))
        if cache is not None and not cache.is_absolute():
            cache = root / cache
        project = environ.get("REPO_URL") or (f"{environ['GITHUB_SERVER_URL']}/{environ['GITHUB_REPOSITORY']}"
                                              if environ.get("GITHUB_SERVER_URL") and environ.get("GITHUB_REPOSITORY")
                                              else None)
        return cls(endpoints=chosen, mailto=(mailto or environ.get(MAILTO_ENV) or "").strip() or None,
                   project_url=project, min_interval=3.0 if interval is None else interval, cache_dir=cache)

    @property
    def user_agent(self) -> str:
        project = f"; +{self.project_url}" if self.project_url else ""
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"{USER_AGENT[:-1]}{project}{contact})"


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait (``Retry-After: 120`` or an HTTP date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class PoliteTransport(httpx.BaseTransport):
    """Waits its turn per host, and retries timeouts and 429/5xx answers with backoff."""

    def __init__(self, inner: httpx.BaseTransport, settings: LookupSettings, *, clock: Clock = time.monotonic,
                 sleep: Sleep = time.sleep, progress: Callable[[str], None] | None = None) -> None:
        self.inner = inner
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        self.progress = progress
        self.last_sent: dict[str, float] = {}
        self.sent = 0  # requests that reached the network (for tests and the report)

    def _wait_turn(self, host: str) -> None:
        last = self.last_sent.get(host)
        if last is not None:
            wait = self.settings.min_interval - (self.clock() - last)
            if wait > 0:
                self.sleep(wait)
        self.last_sent[host] = self.clock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        for attempt in range(self.settings.retries + 1):
            self._wait_turn(host)
            self.sent += 1
            try:
                response = self.inner.handle_request(request)
            except httpx.TimeoutException:
                if attempt == self.settings.retries:
                    raise
                self._pause(self._backoff(attempt), f"{host} did not answer in time")
                continue
            if response.status_code not in RETRY_STATUSES or attempt == self.settings.retries:
                return response
            asked = retry_after(response)
            if asked is not None and asked > self.settings.max_wait:
                return response  # the caller says how long the service asked to wait
            response.read()
            response.close()
            self._pause(self._backoff(attempt) if asked is None else asked,
                        f"{host} answered HTTP {response.status_code}")
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return max(self.settings.min_interval, 0.1) * 2 ** attempt

    def _pause(self, seconds: float, reason: str) -> None:
        if self.progress:
            self.progress(f"{reason}; trying again in {seconds:g} s")
        self.sleep(seconds)
        # The pause counts as the gap between requests; the next one need not wait again.
        for host in self.last_sent:
            self.last_sent[host] = min(self.last_sent[host], self.clock() - self.settings.min_interval)

    def close(self) -> None:
        self.inner.close()


class LookupClient:
    """GET requests to the lookup services, each failure turned into a `LookupFailed` message."""

    def __init__(self, settings: LookupSettings, *, transport: httpx.BaseTransport | None = None,
                 clock: Clock = time.monotonic, sleep: Sleep = time.sleep,
                 progress: Callable[[str], None] | None = None) -> None:
        self.settings = settings
        self.polite = PoliteTransport(transport or httpx.HTTPTransport(), settings, clock=clock, sleep=sleep,
                                      progress=progress)
        outer: httpx.BaseTransport = self.polite
        if settings.cache_dir is not None:
            outer = _cache_transport(self.polite, settings)
        self.http = httpx.Client(transport=outer, timeout=settings.timeout, follow_redirects=True,
                                 headers={"User-Agent": settings.user_agent})
        self.from_cache = 0

    def endpoint(self, service: str) -> str:
        return self.settings.endpoints[service]

    def get(self, service: str, url: str, params: Mapping[str, str | int], what: str) -> httpx.Response:
        """The response (any status: callers decide what 404 means), or LookupFailed for a
        timeout, no connection, or a service that kept refusing."""
        query = dict(params)
        if service in ("crossref", "openalex") and self.settings.mailto:
            query["mailto"] = self.settings.mailto  # Crossref's and OpenAlex's polite pool
        tries = self.settings.retries + 1
        try:
            response = self.http.get(url, params=query)
        except httpx.TimeoutException:
            raise LookupFailed(what, service, f"did not answer within {self.settings.timeout:g} s ({tries} tries)",
                               "try again later, or save a response and use --from FILE") from None
        except httpx.HTTPError as error:
            where = (f"--{service}-api, {ENDPOINT_ENV[service]}" if service in ENDPOINT_ENV
                     else "in watch.yml")
            raise LookupFailed(what, service, f"cannot be reached at {url} ({error})",
                               f"check the network connection or the address ({where})") from None
        caching = response.extensions.get("caching") or {}  # hishel's CacheStatus, a TypedDict
        self.from_cache += bool(caching.get("from_cache"))
        if response.status_code == 429:
            asked = retry_after(response)
            wait = f" and asks to wait {asked:g} s" if asked is not None else ""
            raise LookupFailed(what, service, f"refused the request as too many (HTTP 429, {tries} tries){wait}",
                               "wait a while and run the command again (answers so far are cached)")
        if response.status_code >= 500:
            raise LookupFailed(what, service, f"failed with HTTP {response.status_code} ({tries} tries)",
                               "the service is having problems; try again later")
        return response

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> LookupClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _cache_transport(inner: httpx.BaseTransport, settings: LookupSettings) -> httpx.BaseTransport:
    """hishel's cache in `settings.cache_dir`: successful GETs, by URL, for `cache_days`
    (the services send no caching headers worth following for this use)."""
    import sqlite3

    from hishel import SqliteStorage
    from hishel.httpx import CacheTransport

    assert settings.cache_dir is not None
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        storage = SqliteStorage(database_path=settings.cache_dir / "http-cache.sqlite",
                                default_ttl=settings.cache_days * 86400)
    except (OSError, sqlite3.Error) as error:
        raise GeneratorError(f"cannot use the cache folder {settings.cache_dir}: {error}; "
                             "give another with --cache DIR, or use --no-cache") from None
    return CacheTransport(next_transport=inner, storage=storage)
