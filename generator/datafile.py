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
import json
from pathlib import Path, PurePath
from typing import Any

FORMAT = "paper-collection cache"


class Codec:
    """Encodes plain values and instances of `classes` (dataclasses whose fields are all set by
    `__init__`, or named tuples) as JSON-ready data; decodes only those."""

    def __init__(self, *classes: type) -> None:
        self.names: dict[type, str] = {}
        self.classes: dict[str, type] = {}
        for cls in classes:
            if dataclasses.is_dataclass(cls):
                assert all(f.init for f in dataclasses.fields(cls)), f"{cls.__name__}: every field must be in __init__"
            else:
                assert issubclass(cls, tuple) and hasattr(cls, "_fields"), f"{cls.__name__}: not a named tuple"
            self.names[cls] = "=" + cls.__name__
            self.classes["=" + cls.__name__] = cls

    def encode(self, value: Any) -> Any:
        kind = type(value)
        if value is None or kind is str or kind is int or kind is float or kind is bool:
            return value
        encode = self.encode
        if kind is tuple:
            return ["T", *map(encode, value)]
        if kind is list:
            return ["L", *map(encode, value)]
        if kind is dict:
            return ["D", *(x for key, item in value.items() for x in (encode(key), encode(item)))]
        if kind is frozenset or kind is set:
            # Sorted by their text, so the same set is always written the same way.
            items = sorted(map(encode, value), key=lambda item: json.dumps(item, ensure_ascii=False))
            return ["F" if kind is frozenset else "S", *items]
        if isinstance(value, PurePath):
            return ["P", str(value)]
        name = self.names.get(kind)
        if name is None:
            raise TypeError(f"cannot keep a {kind.__name__} in a cache file")
        if dataclasses.is_dataclass(value):
            return [name, *(encode(getattr(value, f.name)) for f in dataclasses.fields(value))]
        return [name, *map(encode, value)]

    def decode(self, data: Any) -> Any:
        """The value `encode` made `data` from; ValueError (or TypeError) for anything else."""
        kind = type(data)
        if kind is not list:
            if data is None or kind is str or kind is int or kind is float or kind is bool:
                return data
            raise ValueError(f"unexpected {kind.__name__}")
        tag = data[0]
        decode = self.decode
        if tag == "T":
            return tuple(map(decode, data[1:]))
        if tag == "L":
            return list(map(decode, data[1:]))
        if tag == "D":
            items = list(map(decode, data[1:]))
            return dict(zip(items[::2], items[1::2], strict=True))
        if tag == "F":
            return frozenset(map(decode, data[1:]))
        if tag == "S":
            return set(map(decode, data[1:]))
        if tag == "P":
            if len(data) != 2 or type(data[1]) is not str:
                raise ValueError("a path is one string")
            return Path(data[1])
        cls = self.classes.get(tag) if type(tag) is str else None
        if cls is None:
            raise ValueError(f"unknown type {tag!r}")
        return cls(*map(decode, data[1:]))


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
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("kind") != kind \
            or document.get("version") != version or document.get("code") != code:
        return None
    return document.get("data")


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


def forget(*paths: Path) -> None:
    """Remove files an older version kept (pickles): never read again, only taking room."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
