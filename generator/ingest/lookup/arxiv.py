"""The arXiv API (Atom): papers by id, in batches, and by exact title.

Responses are read by the importer's Atom reader (`readers.atom.read_atom`), so a paper looked up
here and the same paper imported from a saved feed are the same record.
"""

from __future__ import annotations

import re
from dataclasses import replace

from paper_collection.collection.model import Origin, RawRecord
from paper_collection.collection.paper import normalize_title
from paper_collection.errors import InputError
from paper_collection.ingest.lookup.client import LookupClient, LookupFailed
from paper_collection.ingest.readers.atom import read_atom

SERVICE = "arxiv"
FORMAT = "arxiv-api"
BATCH = 50  # ids per request: few requests, responses of a sensible size
TITLE_CANDIDATES = 10


def label(arxiv: str) -> str:
    return f"arXiv:{arxiv}"


def read_feed(text: str, what: str, file: str) -> list[RawRecord]:
    """The records of an arXiv API response; its error entries become LookupFailed."""
    try:
        result = read_atom(text, file)
    except InputError as error:
        if "answered with an error" in error.message:
            raise LookupFailed(what, SERVICE, error.message.removeprefix("the arXiv API "),
                               "check the arXiv id (it looks like 2401.10010 or hep-th/9901001)") from None
        raise LookupFailed(what, SERVICE, f"sent a response that is not a readable Atom feed ({error.message})",
                           "try again later; if it persists, the API may have changed") from None
    return [replace(raw, origin=Origin(label(raw.arxiv) if raw.arxiv else file, 1, FORMAT))
            for raw in result.records]


def fetch_ids(client: LookupClient, ids: list[str]) -> dict[str, RawRecord]:
    """The records of these arXiv ids, by id (versionless); ids arXiv does not know are absent."""
    found: dict[str, RawRecord] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        what = label(batch[0]) if len(batch) == 1 else f"arXiv ids {batch[0]} ... {batch[-1]}"
        response = client.get(SERVICE, client.endpoint(SERVICE),
                              {"id_list": ",".join(batch), "max_results": len(batch)}, what)
        if response.status_code not in (200, 400):  # 400 carries an Atom error entry
            raise LookupFailed(what, SERVICE, f"answered HTTP {response.status_code}",
                               "check the address (--arxiv-api) or try again later")
        for raw in read_feed(response.text, what, "arXiv API"):
            if raw.arxiv:
                found[raw.arxiv.lower()] = raw
    return found


def _phrase(title: str) -> str:
    """The title as words only: quotes and operators in a title would change the query."""
    return " ".join(re.findall(r"\w+", title))


def search_title(client: LookupClient, title: str) -> RawRecord | None:
    """The arXiv paper whose title is exactly `title` (normalised), or None."""
    phrase = _phrase(title)
    if not phrase:
        return None
    what = f"the title {title[:80]!r}"
    response = client.get(SERVICE, client.endpoint(SERVICE),
                          {"search_query": f'ti:"{phrase}"', "max_results": TITLE_CANDIDATES}, what)
    if response.status_code != 200:
        raise LookupFailed(what, SERVICE, f"answered HTTP {response.status_code}",
                           "check the address (--arxiv-api) or try again later")
    wanted = normalize_title(title)
    return next((raw for raw in read_feed(response.text, what, "arXiv API")
                 if normalize_title(raw.title) == wanted), None)
