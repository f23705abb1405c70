"""The files kept between runs in the git-ignored `.paper-collection/cache/`, as pure data.

They are JSON (and NumPy's `.npz` without pickled objects), never pickle: a cache folder can come
from elsewhere (CI restores it from a GitHub Actions cache), and unpickling a file runs whatever
code the file names. Reading one of these runs none; the worst a strange file can do is be
ignored. Every file says what it holds (`kind`), in which shape (`version`) and, where it
matters, which code made it (`code`): a file that is missing, cut short, corrupt, of an older
shape or from other code is simply not used (`read` returns None), and the run starts from
scratch, never an error.

`Codec` writes values JSON has no type for (tuples, sets, paths, the project's frozen dataclasses
and named tuples) as lists tagged with their type, and reads back only the classes it was given.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import operator
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePath
from typing import Any

FORMAT = "paper-collection cache"


HEADER_LIMIT = 4096  # bytes: `write_lines`' first line is far shorter
_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON's own: written as they are


class Codec:
    """Encodes plain values and instances of `classes` (dataclasses whose fields are all set by
    `__init__`, or named tuples) as JSON-ready data; decodes only those. Plain values inside are
    handled in place, not by a call each: at 10,000 papers a call per value costs seconds."""

    def __init__(self, *classes: type) -> None:
        self.names: dict[type, tuple[str, Callable[[Any], Any] | None]] = {}
        self.classes: dict[str, type] = {}
        for cls in classes:
            if dataclasses.is_dataclass(cls):
                fields = dataclasses.fields(cls)
                assert all(f.init for f in fields), f"{cls.__name__}: every field must be in __init__"
                # A tuple of every field's value, in one call (a dataclass has no iteration of its own).
                getter = operator.attrgetter(*(f.name for f in fields)) if len(fields) > 1 else \
                    (lambda value, name=fields[0].name: (getattr(value, name),))
            else:
                assert issubclass(cls, tuple) and hasattr(cls, "_fields"), f"{cls.__name__}: not a named tuple"
                getter = None
            self.names[cls] = ("=" + cls.__name__, getter)
            self.classes["=" + cls.__name__] = cls

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        encode, plain = self.encode, _PLAIN
        if kind is tuple or kind is list:
            return ["T" if kind is tuple else "L", *[x if type(x) in plain else encode(x) for x in value]]
        if kind is dict:
            return ["D", *[x if type(x) in plain else encode(x) for pair in value.items() for x in pair]]
        if kind is frozenset or kind is set:
            # Sorted by their text, so the same set is always written the same way.
            items = sorted(map(encode, value), key=lambda item: json.dumps(item, ensure_ascii=False))
            return ["F" if kind is frozenset else "S", *items]
        if isinstance(value, PurePath):
            return ["P", str(value)]
        if kind is datetime.date or kind is datetime.datetime:  # what YAML makes of a date written bare
            return ["Y" if kind is datetime.date else "Z", value.isoformat()]
        known = self.names.get(kind)
        if known is None:
            raise TypeError(f"cannot keep a {kind.__name__} in a cache file")
        name, getter = known
        return [name, *[x if type(x) in plain else encode(x) for x in (value if getter is None else getter(value))]]

    def decode(self, data: Any) -> Any:
        """The value `encode` made `data` from; ValueError (or TypeError) for anything else."""
        kind = type(data)
        if kind is not list:
            if kind in _PLAIN:
                return data
            raise ValueError(f"unexpected {kind.__name__}")
        tag = data[0]
        decode = self.decode
        items = [x if type(x) is not list else decode(x) for x in data[1:]]
        if tag == "T":
            return tuple(items)
        if tag == "L":
            return items
        if tag == "D":
            return dict(zip(items[::2], items[1::2], strict=True))
        if tag == "F":
            return frozenset(items)
        if tag == "S":
            return set(items)
        if tag == "Y" or tag == "Z":
            if len(items) != 1 or type(items[0]) is not str:
                raise ValueError("a date is one string")
            return (datetime.date if tag == "Y" else datetime.datetime).fromisoformat(items[0])
        if tag == "P":
            if len(items) != 1 or type(items[0]) is not str:
                raise ValueError("a path is one string")
            return Path(items[0])
        cls = self.classes.get(tag) if type(tag) is str else None
        if cls is None:
            raise ValueError(f"unknown type {tag!r}")
        return cls(*items)


def dumps(kind: str, version: int, data: Any, code: str = "") -> bytes:
    """A cache file's bytes: what it holds, in which shape, made by which code, and the data."""
    document = {"format": FORMAT, "kind": kind, "version": version, "code": code, "data": data}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def loads(raw: bytes, kind: str, version: int, code: str = "") -> Any:
    """The data of a file `dumps` made with these very `kind`, `version` and `code`, else None."""
    try:
        document = json.loads(raw.decode("utf-8", "surrogatepass"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return document.get("data") if _is_ours(document, kind, version, code) else None


def _is_ours(document: Any, kind: str, version: int, code: str) -> bool:
    return (isinstance(document, dict) and document.get("format") == FORMAT and document.get("kind") == kind
            and document.get("version") == version and document.get("code") == code)


def read(path: Path, kind: str, version: int, code: str = "") -> Any:
    """The data kept at `path` (see `loads`); None when the file is missing or unusable."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return loads(raw, kind, version, code)


def write(path: Path, kind: str, version: int, data: Any, code: str = "") -> None:
    """Keep `data` at `path`, replaced whole; a cache that cannot be written is only slower."""
    from paper_collection.atomic import write_bytes_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, dumps(kind, version, data, code))
    except OSError:
        pass


def write_lines(path: Path, kind: str, version: int, items: Iterable[Any], code: str = "") -> None:
    """Keep `items` at `path`, replaced whole, one JSON line each after a line saying what the file
    holds: a large cache (a 50,000-paper collection's checks are 236 MB) is written and read an
    item at a time, never held twice in memory as one JSON text."""
    from paper_collection.atomic import open_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open_atomic(path) as out:
            out.write(dumps(kind, version, None, code) + b"\n")
            for item in items:
                out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
                          + b"\n")
    except OSError:
        pass


def read_lines(path: Path, kind: str, version: int, code: str = "") -> Iterator[Any] | None:
    """The items `write_lines` kept at `path` with these very `kind`, `version` and `code`, read one
    at a time; None when the file is missing or of another kind. A line that is not JSON raises
    ValueError while iterating (a file cut short or changed by hand: the caller starts afresh)."""
    try:
        source = path.open("rb")
    except OSError:
        return None
    try:
        # Bounded: a file of another shape may be one long line (the checks were, before version 3).
        header = json.loads(source.readline(HEADER_LIMIT).decode("utf-8", "surrogatepass"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        header = None
    if not _is_ours(header, kind, version, code):
        source.close()
        return None
    return _items(source)


def _items(source) -> Iterator[Any]:
    with source:
        for line in source:
            try:
                yield json.loads(line.decode("utf-8", "surrogatepass"))
            except (UnicodeDecodeError, RecursionError) as error:
                raise ValueError(str(error)) from None


def forget(*paths: Path) -> None:
    """Remove files an older version kept (pickles): never read again, only taking room."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
