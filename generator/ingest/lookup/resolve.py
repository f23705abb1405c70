"""Which service answers what: identifiers, saved responses (`--from FILE`), and the finders `enrich` uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from paper_collection.collection.identifiers import DOI, arxiv_id, clean_doi
from paper_collection.collection.model import Origin, RawRecord
from paper_collection.collection.paper import normalize_title
from paper_collection.errors import GeneratorError, InputError
from paper_collection.ingest.lookup import arxiv, crossref, openalex
from paper_collection.ingest.lookup.client import LookupClient, LookupFailed
from paper_collection.ingest.readers.atom import read_atom
from paper_collection.ingest.readers.text import decode_input

_HF_PAPERS = re.compile(r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/papers/([^/?#\s]+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Identifier:
    kind: str  # "arxiv" or "doi"
    value: str

    def __str__(self) -> str:
        return arxiv.label(self.value) if self.kind == "arxiv" else crossref.label(self.value)


def parse_identifier(text: str) -> Identifier:
    """An arXiv id (``arXiv:2401.10010``, ``2401.10010v2``, an arxiv.org abs/pdf link, a Hugging Face
    Papers link) or a DOI (``10.1000/xyz``, ``doi:...``, a doi.org link)."""
    value = text.strip()
    hf = _HF_PAPERS.match(value)
    if hf:
        value = hf.group(1)
    found = arxiv_id(value.removesuffix(".pdf"))
    if found:
        return Identifier("arxiv", found)
    doi = clean_doi(value)
    if doi and DOI.match(doi):
        arxiv_doi = _ARXIV_DOI.match(doi)
        if arxiv_doi and arxiv_id(arxiv_doi.group(1)):
            return Identifier("arxiv", arxiv_id(arxiv_doi.group(1)))  # arXiv's own DOIs: ask arXiv
        return Identifier("doi", doi)
    raise GeneratorError(f"'{text}' is not an arXiv id or a DOI; give one like arXiv:2401.10010, "
                         "https://arxiv.org/abs/2401.10010, https://huggingface.co/papers/2401.10010, "
                         "10.1000/xyz123 or https://doi.org/10.1000/xyz123")


def look_up(identifier: Identifier, client: LookupClient) -> RawRecord:
    """The paper with this identifier. Raises LookupFailed when no service knows it."""
    what = str(identifier)
    if identifier.kind == "arxiv":
        record = arxiv.fetch_ids(client, [identifier.value]).get(identifier.value.lower())
        if record is None:
            raise LookupFailed(what, arxiv.SERVICE, "has no paper with this id",
                               "check the id on https://arxiv.org (new papers appear there a day after submission)")
        return record
    record = crossref.fetch_doi(client, identifier.value)
    if record is None:
        record = openalex.fetch_doi(client, identifier.value)
        if record is None:
            raise LookupFailed(what, "crossref", "and OpenAlex have no work with this DOI",
                               "check the DOI on https://doi.org")
    elif not record.abstract.strip():
        other = openalex.fetch_doi(client, identifier.value)  # Crossref often has no abstract
        if other is not None and other.abstract.strip():
            record = replace(record, abstract=other.abstract)
    return record


def records_from_file(path: Path) -> list[RawRecord]:
    """The records of a saved response: an arXiv API feed (Atom), a Crossref work or work list,
    or an OpenAlex work or result list (JSON). Each record's origin is its identifier
    (``arXiv:...``, ``doi:...``), never the local file's name, which is no business of the site."""
    shown = path.as_posix()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GeneratorError(f"--from {shown}: cannot read: {error.strerror}") from None
    text = decode_input(data, shown)
    name = path.name
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        try:
            records = list(read_atom(text, shown).records)
        except InputError as error:
            raise GeneratorError(f"--from {error}") from None
        return [replace(raw, origin=Origin(arxiv.label(raw.arxiv) if raw.arxiv else name, 1, arxiv.FORMAT))
                for raw in records]
    parsed = crossref.parse_json(text, f"--from {shown}", "saved response")
    works = crossref.works_in(parsed)
    if works is not None:
        return [crossref.record_from_work(work, None if work.get("DOI") else name) for work in works]
    works = openalex.works_in(parsed)
    if works is not None:
        return [openalex.record_from_work(work, None if work.get("doi") else name) for work in works]
    raise GeneratorError(f"--from {shown}: not a saved arXiv API feed (Atom), Crossref work (JSON) or "
                         "OpenAlex work (JSON); save the service's response as it came")


def pick(records: list[RawRecord], identifier: Identifier | None, shown: str) -> RawRecord:
    """The record of `identifier` in a saved response, or its only record."""
    usable = [raw for raw in records if raw.title.strip()]
    if identifier is None:
        if len(usable) == 1:
            return usable[0]
        raise GeneratorError(f"--from {shown}: holds {len(usable)} papers; say which with an arXiv id or DOI")
    for raw in usable:
        value = raw.arxiv if identifier.kind == "arxiv" else raw.doi
        if value and value.lower() == identifier.value.lower():
            return raw
    raise GeneratorError(f"--from {shown}: has no paper {identifier}")


class SavedFinder:
    """Answers from saved responses (`--from FILE`): by arXiv id, DOI or exact title."""

    def __init__(self, records: list[RawRecord], source: str) -> None:
        self.source = source
        self.by_key: dict[tuple[str, str], RawRecord] = {}
        for raw in records:
            for key in _keys(raw.arxiv, raw.doi, raw.title):
                self.by_key.setdefault(key, raw)

    def prepare(self, arxiv_ids: list[str]) -> None:
        pass

    def asked(self, arxiv_value: str | None, doi: str | None) -> str:
        return self.source

    def find(self, arxiv_value: str | None, doi: str | None, title: str) -> tuple[RawRecord, str] | None:
        for key in _keys(arxiv_value, doi, title):
            if key in self.by_key:
                how = {"arxiv": "arXiv id", "doi": "DOI", "title": "exact title"}[key[0]]
                return self.by_key[key], f"{self.source} (by {how})"
        return None


class OnlineFinder:
    """Answers from the services: arXiv ids in batches, DOIs from Crossref, titles from arXiv then Crossref."""

    def __init__(self, client: LookupClient) -> None:
        self.client = client
        self.arxiv_records: dict[str, RawRecord] = {}

    def prepare(self, arxiv_ids: list[str]) -> None:
        wanted = sorted({value.lower() for value in arxiv_ids} - set(self.arxiv_records))
        if wanted:
            self.arxiv_records.update(arxiv.fetch_ids(self.client, wanted))

    def asked(self, arxiv_value: str | None, doi: str | None) -> str:
        return "the arXiv API" if arxiv_value else "Crossref" if doi else "the arXiv API or Crossref"

    def find(self, arxiv_value: str | None, doi: str | None, title: str) -> tuple[RawRecord, str] | None:
        if arxiv_value:
            record = self.arxiv_records.get(arxiv_value.lower())
            return (record, f"the arXiv API ({arxiv.label(arxiv_value)})") if record else None
        if doi:
            record = crossref.fetch_doi(self.client, doi)
            return (record, f"Crossref ({crossref.label(doi)})") if record else None
        record = arxiv.search_title(self.client, title)
        if record is not None:
            return record, "the arXiv API (exact title)"
        record = crossref.search_title(self.client, title)
        return (record, "Crossref (exact title)") if record else None


def _keys(arxiv_value: str | None, doi: str | None, title: str) -> list[tuple[str, str]]:
    keys = []
    if arxiv_value:
        keys.append(("arxiv", arxiv_value.lower()))
    if doi:
        keys.append(("doi", doi.lower()))
    if normalize_title(title):
        keys.append(("title", normalize_title(title)))
    return keys
