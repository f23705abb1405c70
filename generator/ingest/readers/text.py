"""Turn the bytes of an input file into clean text, or refuse with a message that says why."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from paper_collection.errors import InputError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# C0 controls except \t and \n (\r is handled as a line break before this runs), plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SNIFF = 8192
_CHUNK = 1 << 18  # characters decoded at a time when a file is streamed (peak: a few times this)


def _check_head(head: bytes, file: str) -> None:
    """Refuse what is not text, judged from the first bytes (after a UTF-8 BOM)."""
    if head.startswith(b"%PDF-"):
        raise InputError(
            file, None, "looks like a PDF file, not a text dump", fix="copy the page text into a .txt file"
        )
    # A few stray NULs are copy-paste noise; many of them mean the file is not text at all.
    if head.count(0) > max(2, len(head) // 100):
        raise InputError(file, None, "looks like a binary file, not a text dump", fix="give a plain-text (.txt) file")


def decode_input(data: bytes, file: str) -> str:
    """Decode UTF-8 (BOM stripped), normalise line breaks to LF and drop control characters."""
    if data.startswith(_UTF16_BOMS):
        # A UTF-16 file is not binary, but its NULs would be misreported as such: say what it is.
        raise InputError(file, None, "the file is UTF-16 text, not UTF-8", fix="save the file as UTF-8")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    _check_head(data[:_SNIFF], file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            file,
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at byte offset {exc.start})",
            fix="save the file as UTF-8",
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def read_head(path: Path, file: str) -> bytes:
    """The first bytes of an input, refused as `decode_input` refuses them (UTF-16, PDF, binary)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF + len(_UTF8_BOM))
    except OSError as error:
        raise InputError(file, None, f"cannot read: {error.strerror}") from None
    if head.startswith(_UTF16_BOMS):
        decode_input(head, file)  # raises, with decode_input's words
    _check_head(head.removeprefix(_UTF8_BOM)[:_SNIFF], file)
    return head


def decoded_chunks(path: Path, file: str) -> Iterator[str]:
    """The file's text as `decode_input` makes it, in pieces of a quarter of a megabyte, never all at once:
    the same text joined. A file that is not UTF-8 is refused with `decode_input`'s words (its line
    and byte offset), by reading it whole only then."""
    read_head(path, file)
    try:
        # "utf-8-sig" drops one leading BOM, as decode_input does; newline=None turns "\r\n" and "\r"
        # into "\n", also across pieces.
        with path.open("r", encoding="utf-8-sig", errors="strict", newline=None) as handle:
            while chunk := handle.read(_CHUNK):
                yield _CONTROL.sub("", chunk)  # single characters: the same per piece as on the whole
    except UnicodeDecodeError:
        decode_input(path.read_bytes(), file)  # raises, naming the line and the byte
        raise
    except OSError as error:
        raise InputError(file, None, f"cannot read: {error.strerror}") from None


def lines_of(chunks: Iterator[str]) -> Iterator[str]:
    """The lines of text given in pieces, as ``"".join(chunks).split("\n")`` gives them."""
    rest = ""
    for chunk in chunks:
        lines = (rest + chunk).split("\n") if rest else chunk.split("\n")
        rest = lines.pop()
        yield from lines
    yield rest
