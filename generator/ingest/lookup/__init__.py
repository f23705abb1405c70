"""Look papers up by identifier or title: the arXiv API (Atom), Crossref and OpenAlex (JSON).

`client` is the polite HTTP client (rate limit, retries, cache); `arxiv`, `crossref` and `openalex`
turn each service's answers into the importer's `RawRecord`; `resolve` decides which service to ask.
"""
