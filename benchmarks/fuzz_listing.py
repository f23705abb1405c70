"""Fuzz the dump parser: bytes -> decode_input -> detect_format -> reader -> paper_from_record.

    python benchmarks/fuzz_listing.py --seconds 300

Runs hypothesis-generated inputs (raw bytes, listing-shaped text built from real dump lines and
hostile strings, and every format forced on the same text) until the time is up, then prints
how many inputs it tried. Properties checked on every input:

* nothing raises except `InputError` (a message naming the file);
* every record has a non-empty title and abstract and a line inside the input;
* `paper_from_record` gives a Paper with a title or a Rejection with a reason, never an exception.

The test suite runs it for a few seconds (tests/test_robustness.py); a person runs it for minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from paper_collection.collection.model import Rejection  # noqa: E402
from paper_collection.errors import InputError  # noqa: E402
from paper_collection.ingest.readers.detect import FORMATS, read_input  # noqa: E402
from paper_collection.ingest.readers.text import decode_input  # noqa: E402
from paper_collection.ingest.records import paper_from_record  # noqa: E402

SEED = ROOT / "tests" / "fixtures" / "seed" / "huggingface-papers-mar-20.txt"
SEED_LINES = [line for line in SEED.read_text(encoding="utf-8").split("\n")][:120]
HOSTILE = [
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "@misc{k, title={x}}", "{\"title\": 1}",
    "title,abstract", "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>", "\ufeff", "\r", "\r\n",
    "\x00", "\u202e", "\u200b", "Mar 20", "Submitted by x", "42", "$x^2$", "\\href{https://a.b}{c}", "---",
]

LINES = st.sampled_from(SEED_LINES + HOSTILE + ["", "", ""]) | st.text(max_size=60)
TEXT = st.lists(LINES, max_size=40).map("\n".join)
DATA = st.one_of(st.binary(max_size=2000), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")))
FORMAT = st.none() | st.sampled_from(FORMATS)

tried = 0


def check(data: bytes, fmt: str | None) -> None:
    global tried
    tried += 1
    try:
        text = decode_input(data, "fuzz.txt")
        _, result = read_input(text, "fuzz.txt", fmt)
    except InputError as error:
        assert str(error).startswith("fuzz.txt"), str(error)
        return
    lines = text.count("\n") + 1
    for record in result.records:
        assert record.title.strip(), record  # an abstract may be missing: the importer decides
        assert 1 <= record.origin.line <= lines, (record.origin.line, lines)
        paper = paper_from_record(record, added="2024-01-01")
        if isinstance(paper, Rejection):
            assert paper.reason
        else:
            assert paper.title.strip()
    for rejection in result.rejected:
        assert rejection.reason


def run(seconds: float, seed: int | None) -> int:
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1

        @settings(max_examples=500, deadline=None, database=None, derandomize=False, print_blob=True,
                  suppress_health_check=list(HealthCheck))
        @given(data=DATA, fmt=FORMAT)
        def fuzz(data, fmt):
            if time.monotonic() < deadline:
                check(data, fmt)

        if seed is not None:
            fuzz = __import__("hypothesis").seed(seed + rounds)(fuzz)
        fuzz()
    return tried


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="how long to run (default 180)")
    parser.add_argument("--seed", type=int, help="make the run reproducible")
    args = parser.parse_args(argv)
    started = time.monotonic()
    count = run(args.seconds, args.seed)
    elapsed = time.monotonic() - started
    print(f"tried {count} inputs in {elapsed:.0f} s ({count / max(elapsed, 1e-9):.0f}/s); no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
