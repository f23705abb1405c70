"""Ingest: read dumps and exports (`readers/`), turn records into papers (`records`, `clean`),
and write them into the collection (`importer`, `add`)."""
