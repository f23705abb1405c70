"""The structured-format readers (BibTeX, JSON, JSONL, Atom, CSV) and format detection.

Each fixture in ``tests/fixtures/formats/`` has its expected reading in ``expected/<name>.json``:
every record field and every rejection, so a change in any reader shows up as a diff.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paper_collection.collection import identifiers
from paper_collection.collection.model import Link, Origin, ReadResult, Rejection
from paper_collection.errors import InputError
from paper_collection.ingest.readers.atom import read_atom
from paper_collection.ingest.readers.bibtex import read_bibtex
from paper_collection.ingest.readers.bibtex import split_authors as bib_authors
from paper_collection.ingest.readers.csvfmt import read_csv
from paper_collection.ingest.readers.csvfmt import split_authors as csv_authors
from paper_collection.ingest.readers.detect import FORMATS, READERS, detect_format, read_input
from paper_collection.ingest.readers.jsonfmt import read_json, read_jsonl
from tests.helpers import SEED_LISTING

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPECTED = {
    "papers.bib": "bibtex",
    "hf_daily_papers.json": "json",
    "plain_list.json": "json",
    "arxiv_snapshot.jsonl": "jsonl",
    "arxiv_api.atom": "atom",
    "papers.csv": "csv",
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("utf-8")


def as_plain(result: ReadResult) -> dict:
    """A ReadResult as the JSON the expected files hold (tuples become lists)."""
    return json.loads(
        json.dumps(
            {
                "records": [dataclasses.asdict(r) for r in result.records],
                "rejected": [dataclasses.asdict(r) for r in result.rejected],
            }
        )
    )


# --- every fixture reads to exactly its expected records ------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reads_to_expected_records(name: str) -> None:
    expected = json.loads((FIXTURES / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    fmt, result = read_input(fixture(name), name)
    assert fmt == expected["format"] == EXPECTED[name]
    assert as_plain(result) == {"records": expected["records"], "rejected": expected["rejected"]}


# --- BibTeX ------------------------------------------------------------------------------------


def test_bibtex_decodes_accents_drops_braces_and_reorders_names() -> None:
    result = read_bibtex(fixture("papers.bib"), "papers.bib")
    first = result.records[0]
    assert first.title == "Sparse Mixture-of-Experts for Low-Resource Translation"
    assert first.authors == ("Jörg Müller", "María García", "Wei Zhang")
    assert first.venue == "Advances in Neural Information Processing Systems"  # @string resolved
    assert (first.year, first.month) == (2023, 12)  # month = dec
    assert first.keywords == ("mixture of experts", "translation", "low-resource")
    assert first.origin == Origin("papers.bib", 4, "bibtex")  # the @inproceedings{ line


def test_bibtex_arxiv_eprint_doi_and_month_name() -> None:
    records = {r.title: r for r in read_bibtex(fixture("papers.bib"), "papers.bib").records}
    sinks = records["Attention Sinks in Long-Context Models"]
    assert (sinks.arxiv, sinks.year, sinks.month, sinks.day) == ("2403.12345", 2024, 3, 20)
    assert sinks.authors == ("René Dubois", "Anna Schön")
    rag = records["Retrieval-Augmented Generation at Scale"]
    assert (rag.doi, rag.month) == ("10.1162/tacl_a_00001", 3)  # month = {March}
    assert rag.links == (Link("doi", "https://doi.org/10.1162/tacl_a_00001"),)
    diffusion = records["Diffusion Policies for Robot Manipulation"]
    assert diffusion.arxiv == "2401.00001"  # from the arxiv.org URL, version dropped
    assert Link("huggingface", "https://huggingface.co/papers/2401.00001") in diffusion.links  # \url{}


def test_bibtex_rejects_untitled_and_malformed_entries_with_their_lines() -> None:
    result = read_bibtex(fixture("papers.bib"), "papers.bib")
    assert result.rejected == (
        Rejection("papers.bib", 39, "BibTeX entry 'nguyen2024vision' has no title"),
        Rejection(
            "papers.bib",
            45,
            "malformed BibTeX entry: Unexpected block start: `@misc`. Was still looking for field-value closing `}`",
        ),
    )
    # the entry after the malformed one is still read
    assert result.records[-1].title == "Diffusion Policies for Robot Manipulation"


def test_bibtex_duplicate_key_is_rejected() -> None:
    text = "@misc{a, title={One}}\n\n@misc{a, title={Two}}\n"
    result = read_bibtex(text, "dup.bib")
    assert [r.title for r in result.records] == ["One"]
    assert result.rejected == (Rejection("dup.bib", 3, "duplicate BibTeX key 'a' (an earlier entry has the same key)"),)


def test_bibtex_without_entries_reads_nothing() -> None:
    assert read_bibtex("% just a comment\n", "empty.bib") == ReadResult(records=())


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("Doe, Jane and Roe, Richard", ("Jane Doe", "Richard Roe")),
        ("Jane Doe AND Richard Roe and others", ("Jane Doe", "Richard Roe")),
        ("{Barnes and Noble} and Smith, John", ("Barnes and Noble", "John Smith")),
        ("King, Jr, Martin", ("Martin King Jr",)),
        (r"Erd{\H{o}}s, Paul and Fran\c{c}ois~Chollet", ("Paul Erdős", "François Chollet")),
    ],
)
def test_bibtex_author_names(field: str, names: tuple[str, ...]) -> None:
    assert bib_authors(field) == names


def test_bibtex_arxiv_from_journal_and_abstract_left_as_is() -> None:
    text = (
        "@article{x,\n  title={On $\\alpha$-Divergences},\n  journal={arXiv preprint arXiv:2301.01234},\n"
        "  abstract={Keeps {braces} and $x$ for cleaning later},\n}\n"
    )
    (record,) = read_bibtex(text, "x.bib").records
    assert record.title == "On α-Divergences"
    assert record.arxiv == "2301.01234"
    assert record.abstract == "Keeps {braces} and $x$ for cleaning later"


# --- JSON and JSONL ----------------------------------------------------------------------------


def test_hf_daily_papers_shape() -> None:
    result = read_json(fixture("hf_daily_papers.json"), "daily.json")
    first = result.records[0]
    assert first.arxiv == "2403.12345"
    assert first.abstract.startswith("We study how sparse autoencoders")  # paper.summary
    assert first.authors == ("Ana Souza", "Kenji Watanabe", "Lars Eriksson")
    assert (first.year, first.month, first.day) == (2024, 3, 19)  # the paper's, not the daily's
    assert first.links == (
        Link("code", "https://github.com/example/sae-scaling"),
        Link("project", "https://example.github.io/sae-scaling/"),
        Link("huggingface", "https://huggingface.co/papers/2403.12345"),
    )
    assert first.origin == Origin("daily.json", 2, "json")  # the line where the item starts
    assert result.rejected == (Rejection("daily.json", 39, "the item has no title"),)


def test_arxiv_snapshot_jsonl_shape() -> None:
    result = read_jsonl(fixture("arxiv_snapshot.jsonl"), "snap.jsonl")
    first, second, third = result.records
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")  # authors_parsed
    assert (first.year, first.month, first.day) == (2007, 4, 2)  # first version, not update_date
    assert (first.doi, first.venue, first.keywords) == (
        "10.1103/PhysRevD.76.013009",
        "Phys.Rev.D76:013009,2007",
        ("hep-ph",),
    )
    assert second.authors == ("Jane Roe", "Rahul Mehta")  # "A and B" string
    assert second.keywords == ("cs.CL", "cs.LG")
    assert second.origin.line == 3  # the blank line 2 is skipped but still counted
    assert third.arxiv == "math/0211159"
    assert (third.year, third.month, third.day) == (2008, 9, 10)  # only update_date given


def test_plain_json_wrapped_list_and_field_aliases() -> None:
    result = read_json(fixture("plain_list.json"), "plain.json")
    chain, summary, description = result.records
    assert [r.origin.line for r in result.records] == [4, 12, 24]
    assert chain.arxiv == "2201.11903" and chain.keywords == ("prompting", "reasoning")
    assert summary.abstract == "Summaries are accepted as abstracts."
    assert summary.authors == ("Ada Lovelace", "Charles Babbage")
    assert (summary.year, summary.month, summary.day) == (2023, 7, None)  # never invent a day
    assert summary.doi == "10.5555/12345678"
    assert description.abstract == "Descriptions work too."
    assert result.rejected == (
        Rejection("plain.json", 25, "the item is a string, not an object with a title"),
        Rejection("plain.json", 26, "the item has no title"),
    )


def test_single_json_object_is_one_record() -> None:
    (record,) = read_json('\n{"title": "Alone", "abstract": "x", "year": "2020"}', "one.json").records
    assert (record.title, record.year, record.month, record.origin.line) == ("Alone", 2020, None, 2)


def test_truncated_json_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        read_json(fixture("truncated.json"), "truncated.json")
    assert str(caught.value) == (
        "truncated.json:3: invalid JSON: Unterminated string starting at column 35 (check the JSON syntax near here)"
    )
    assert (caught.value.line, caught.value.fix) == (3, "check the JSON syntax near here")


def test_invalid_jsonl_line_names_its_line() -> None:
    text = '{"title": "ok"}\n{"title": "bad",}\n'
    with pytest.raises(InputError) as caught:
        read_jsonl(text, "bad.jsonl")
    assert str(caught.value) == (
        "bad.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes at column 17 "
        "(check the JSON syntax near here)"
    )


# --- Atom --------------------------------------------------------------------------------------


def test_arxiv_atom_entry() -> None:
    result = read_atom(fixture("arxiv_api.atom"), "api.atom")
    first, old = result.records
    assert first.arxiv == "2403.12345"  # from <id>, version stripped
    assert first.title == "Scaling Laws for Sparse\n  Autoencoders"  # as in the input
    assert first.authors == ("Ana Souza", "Kenji Watanabe")
    assert (first.year, first.month, first.day) == (2024, 3, 19)  # <published>, not <updated>
    assert (first.doi, first.venue) == ("10.48550/arXiv.2403.12345", "ICLR 2024")
    assert first.keywords == ("cs.CL", "cs.LG")
    assert Link("pdf", "http://arxiv.org/pdf/2403.12345v2") in first.links
    assert Link("arxiv", "http://arxiv.org/abs/2403.12345v2") in first.links
    assert first.abstract.startswith("  We study how sparse autoencoders scale with width & depth.")
    assert first.origin == Origin("api.atom", 10, "atom")  # the <entry> line
    assert old.arxiv == "hep-th/9901001"
    assert result.rejected == (
        Rejection("api.atom", 50, "the Atom entry http://arxiv.org/abs/2403.10000v1 has no title"),
    )


def test_malformed_xml_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        read_atom(fixture("malformed.xml"), "malformed.xml")
    assert str(caught.value) == (
        "malformed.xml:6: malformed XML at column 11: Opening and ending tag mismatch: title line 5 and entry "
        "(check the XML near here)"
    )


def test_xml_entities_are_refused_not_expanded() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>'
    )
    with pytest.raises(InputError) as caught:
        read_atom(bomb, "bomb.xml")
    assert str(caught.value) == (
        "bomb.xml:2: the XML declares a DOCTYPE; Atom feeds have none and entities are not expanded "
        "(remove the <!DOCTYPE ...> declaration)"
    )


def test_arxiv_api_error_feed_is_an_input_error() -> None:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "  <entry>\n    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>\n"
        "    <title>Error</title>\n    <summary>incorrect id format for 1234</summary>\n  </entry>\n</feed>\n"
    )
    with pytest.raises(InputError) as caught:
        read_atom(text, "err.atom")
    assert str(caught.value) == (
        "err.atom:3: the arXiv API answered with an error: incorrect id format for 1234 "
        "(correct the query and download the feed again)"
    )


def test_non_atom_xml_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^rss\.xml:2: not an Atom feed: the document element is <rss>"):
        read_atom('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "rss.xml")


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_quoted_commas_multiline_abstract_and_physical_lines() -> None:
    result = read_csv(fixture("papers.csv"), "papers.csv")
    graph, long_form, smith = result.records
    assert graph.title == "Graph Networks, Revisited"
    assert graph.abstract == "We revisit message passing, and find that simple baselines win."
    assert graph.authors == ("Alice Martin", "Bob Chen")
    assert graph.keywords == ("graphs", "GNN")
    assert long_form.abstract == "First paragraph of the abstract.\n\nSecond paragraph, after a blank line."
    assert long_form.authors == ("Carla Diaz", "Deepak Rao", "Eve Stone")
    assert long_form.arxiv == "2402.01234"
    assert [r.origin.line for r in result.records] == [2, 3, 7]  # rows start on these lines
    assert smith.authors == ("Smith, John",)  # "Last, First" is not split into two people
    assert smith.doi == "10.1000/abc"
    assert result.rejected == (
        Rejection("papers.csv", 6, "the row has 3 fields but the header has 8"),
        Rejection("papers.csv", 8, "the row has no title"),
    )


def test_csv_header_without_title_column() -> None:
    text = "\nname,Summary,Authors\nA,b,c\n"
    with pytest.raises(InputError) as caught:
        read_csv(text, "sheet.csv")
    assert str(caught.value) == (
        "sheet.csv:2: the CSV header has no title column (columns found: 'name', 'Summary', 'Authors') "
        "(name the column of paper titles 'title' (abstracts: 'abstract', authors: 'authors'))"
    )


def test_tsv_with_date_column() -> None:
    text = "TITLE\tDescription\tDate\tarxiv_id\nTabbed\tAn abstract, with a comma\t2024-03-20\t2403.00001v3\n"
    (record,) = read_csv(text, "sheet.tsv").records
    assert (record.title, record.abstract) == ("Tabbed", "An abstract, with a comma")
    assert (record.year, record.month, record.day, record.arxiv) == (2024, 3, 20, "2403.00001")


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Ada Lovelace; Charles Babbage", ("Ada Lovelace", "Charles Babbage")),
        ("Ada Lovelace, Charles Babbage, and Alan Turing", ("Ada Lovelace", "Charles Babbage", "Alan Turing")),
        ("Lovelace, Ada and Babbage, Charles", ("Lovelace, Ada", "Babbage, Charles")),
        ("", ()),
    ],
)
def test_csv_author_splitting(cell: str, names: tuple[str, ...]) -> None:
    assert csv_authors(cell) == names


# --- detection and dispatch --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt"), sorted(EXPECTED.items()))
def test_detects_each_fixture(name: str, fmt: str) -> None:
    assert detect_format(fixture(name)) == fmt


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("% comment\n\n@Article{k,\n title={T}}\n", "bibtex"),
        ("Some notes first\n@inproceedings{k, title={T}}\n", "bibtex"),
        ('\ufeff[\n  {"title": "T"}\n]', "json"),
        ('{"papers": []}', "json"),
        ('{"title": "A"}\n{"title": "B"}\n', "jsonl"),
        ('{"title": "A"}\n{"title": "B", \n', "jsonl"),  # broken second line: the JSONL reader says where
        (fixture("truncated.json"), "json"),
        (fixture("malformed.xml"), "atom"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "atom"),
        ("title,abstract\nT,A\n", "csv"),
        ('"Paper Title";"Authors"\nT;A\n', "csv"),
        ("Mar 20\n\nA Title, With Commas\n\nAn abstract.\n", "listing"),
        ("[1] arXiv:2403.12345 [pdf, other]\nTitle: Something\n", "listing"),
        ("email me @ noon\nTitle\n", "listing"),
        ("", "listing"),
    ],
)
def test_detects_from_content(text: str, fmt: str) -> None:
    assert detect_format(text) == fmt


def test_detects_the_seed_listing() -> None:
    assert detect_format(SEED_LISTING.read_text(encoding="utf-8")) == "listing"


def test_readers_cover_every_format() -> None:
    assert set(READERS) == set(FORMATS) == {"listing", "bibtex", "json", "jsonl", "atom", "csv"}


def test_read_input_forced_format_overrides_detection() -> None:
    text = "title,abstract\nT,A\n"
    fmt, result = read_input(text, "x.txt", fmt="csv")
    assert (fmt, [r.title for r in result.records]) == ("csv", ["T"])
    with pytest.raises(InputError):
        read_input(text, "x.txt", fmt="json")  # forced: not sniffed


def test_read_input_unknown_format() -> None:
    with pytest.raises(InputError) as caught:
        read_input("x", "x.txt", fmt="yaml")
    assert (
        str(caught.value) == "x.txt: unknown input format 'yaml' (use one of: listing, bibtex, json, jsonl, atom, csv)"
    )


# --- shared helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2403.12345", "2403.12345"),
        ("arXiv:2403.12345v3", "2403.12345"),
        ("http://arxiv.org/abs/2403.12345v1", "2403.12345"),
        ("https://arxiv.org/pdf/cond-mat/0102536v2", "cond-mat/0102536"),
        ("10.1000/xyz", None),
        ("", None),
    ],
)
def test_arxiv_ids(value: str, expected: str | None) -> None:
    assert identifiers.arxiv_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-20T17:59:01.000Z", (2024, 3, 20)),
        ("2024-03", (2024, 3, None)),
        ("2024", (2024, None, None)),
        ("Tue, 10 Oct 2023 17:54:58 GMT", (2023, 10, 10)),
        ("yesterday", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_dates_are_never_invented(value: str | None, expected: tuple) -> None:
    assert identifiers.parse_date(value) == expected


@pytest.mark.parametrize(
    ("arxiv", "expected"),
    [
        ("2503.19633", (2025, 3)),  # new style: YYMM.NNNNN, from April 2007
        ("0704.0001", (2007, 4)),  # the first new-style id
        ("hep-th/9901001", (1999, 1)),  # old style: archive/YYMMNNN, from 1991
        ("math.GT/0309136", (2003, 9)),
        ("cs/0112017", (2001, 12)),
        ("2513.00001", None),  # no 13th month
        ("0612.0001", None),  # new-style ids began in April 2007
        ("hep-th/9001001", None),  # arXiv began in August 1991
        ("hep-th/0704001", None),  # old-style ids ended in March 2007
        ("arXiv:2503.19633", None),  # only an id as a paper file holds it
        (None, None),
    ],
)
def test_an_arxiv_id_says_the_month_it_was_given(arxiv: str | None, expected: tuple | None) -> None:
    assert identifiers.arxiv_month(arxiv) == expected


@pytest.mark.parametrize(("value", "month"), [("mar", 3), ("March", 3), ("Sept.", 9), ("03", 3), ("13", None)])
def test_months(value: str, month: int | None) -> None:
    assert identifiers.parse_month(value) == month


# --- robustness: any text either reads or fails as an InputError -------------------------------


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["bibtex", "json", "jsonl", "atom", "csv"]),
    st.text(alphabet=st.sampled_from("@{}[]<>\"',;:\t\n =\\abcxtitle0123"), max_size=80),
)
def test_structured_readers_never_crash(fmt: str, text: str) -> None:
    try:
        result = READERS[fmt](text, "any")
    except InputError:
        return
    assert isinstance(result, ReadResult)
    assert all(record.title.strip() for record in result.records)
