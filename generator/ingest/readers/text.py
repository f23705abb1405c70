"""Turn the bytes of an input file into clean text, or refuse with a message that says why."""

from __future__ import annotations

import re

from generator.errors import InputError

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# C0 controls except \t and \n (\r is handled as a line break before this runs), plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SNIFF = 8192


def decode_input(data: bytes, file: str) -> str:
    """Decode UTF-8 (BOM stripped), normalise line breaks to LF and drop control characters."""
    if data.startswith(_UTF16_BOMS):
        # A UTF-16 file is not binary, but its NULs would be misreported as such: say what it is.
        raise InputError(file, None, "the file is UTF-16 text, not UTF-8", fix="save the file as UTF-8")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    head = data[:_SNIFF]
    if head.startswith(b"%PDF-"):
        raise InputError(
            file, None, "looks like a PDF file, not a text dump", fix="copy the page text into a .txt file"
        )
    # A few stray NULs are copy-paste noise; many of them mean the file is not text at all.
    if head.count(0) > max(2, len(head) // 100):
        raise InputError(file, None, "looks like a binary file, not a text dump", fix="give a plain-text (.txt) file")
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
