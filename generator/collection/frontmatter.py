"""Read and write paper files: YAML front matter between `---` lines, then the abstract.

YAML goes through PyYAML only. The loader is strict on purpose: paper files come from
pull requests, so anchors/aliases (alias bombs), duplicate keys and non-mapping front
matter are errors with a line number rather than surprises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from generator.errors import InputError

FENCE = "---"
MAX_DEPTH = 20


class _Constructing:
    """Construction rules both loaders share: duplicate keys and unbuildable values are errors
    with a line number."""

    def construct_object(self, node, deep=False):  # type: ignore[override]
        # PyYAML lets plain Python errors escape for values it recognises but cannot build
        # (`2024-13-45` as a date, an integer of thousands of digits): report them with a line.
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, OverflowError, TypeError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value {node.value[:40]!r} ({error}); put it in quotes",
                node.start_mark) from None

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key: let the schema check report it
                continue
            if duplicate:
                raise yaml.MarkedYAMLError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(_Constructing, yaml.SafeLoader):
    """SafeLoader that refuses aliases (at the alias, for the message) and deep nesting."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed in paper files", event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(
                    None, None, f"nesting deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# libyaml's parser is about ten times faster: used whenever the text cannot hold an alias
# (no '*'), with depth checked on the composed nodes. Otherwise the strict loader reports it.
_FastLoader = type("_FastLoader", (_Constructing, yaml.CSafeLoader), {}) if hasattr(yaml, "CSafeLoader") else None


def _check_depth(node, depth: int = 1) -> None:
    if depth > MAX_DEPTH:
        raise yaml.MarkedYAMLError(None, None, f"nesting deeper than {MAX_DEPTH} levels", node.start_mark)
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_depth(item, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _check_depth(key, depth + 1)
            _check_depth(value, depth + 1)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """SafeDumper that never writes anchors, so what we write our loader reads back."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


@dataclass(frozen=True)
class PaperFile:
    meta: dict[str, Any]
    body: str
    key_lines: dict[str, int]  # 'title', 'tags[1]', 'links[0].url' -> 1-based line in the file
    raw_scalars: dict[str, str]  # top-level key -> the scalar as written, before YAML typed it
    body_line: int  # 1-based line where the body starts


def split(text: str, file: str) -> tuple[str, str, int]:
    """Split a paper file into (yaml text, body, 1-based line of the body)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise InputError(file, 1, "no front matter", fix="start the file with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise InputError(file, 1, "front matter is not closed", fix="end it with a '---' line")


def _load(yaml_text: str):
    """(composed node, value). libyaml when the text cannot hold an alias; on any problem the
    pure-Python strict loader reads it again, so messages and lines are always the same."""
    for loader_class in (_FastLoader if "*" not in yaml_text else None, _StrictLoader):
        if loader_class is None:
            continue
        loader = loader_class(yaml_text)
        try:
            node = loader.get_single_node()
            if node is not None and loader_class is _FastLoader:
                _check_depth(node)
            return node, (loader.construct_document(node) if node is not None else None)
        except (yaml.YAMLError, RecursionError):
            if loader_class is _StrictLoader:
                raise
        finally:
            loader.dispose()
    raise AssertionError("unreachable")


def load(yaml_text: str) -> Any:
    """Front matter as data, without the line map `parse` makes (the importer's quick index)."""
    return _load(yaml_text)[1]


def parse(text: str, file: str) -> PaperFile:
    """Parse a paper file. Raises InputError naming the file and line of a YAML problem."""
    yaml_text, body, body_line = split(text, file)
    try:
        node, meta = _load(yaml_text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark else 1  # +1 for 1-based, +1 for the opening fence
        raise InputError(file, line, f"invalid YAML: {error.problem or error.context}") from None
    except (yaml.YAMLError, RecursionError) as error:
        raise InputError(file, 1, f"invalid YAML: {error}") from None
    if not isinstance(meta, dict):
        kind = "empty" if meta is None else type(meta).__name__
        raise InputError(file, 2, f"front matter must be a mapping of fields, found {kind}",
                         fix="write 'title: ...' style fields between the '---' lines")
    key_lines: dict[str, int] = {}
    raw_scalars: dict[str, str] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_lines[key] = key_node.start_mark.line + 2  # +1 for 1-based, +1 for the fence
            if isinstance(value_node, yaml.ScalarNode):
                raw_scalars[key] = value_node.value
            elif isinstance(value_node, yaml.SequenceNode):
                # 'tags[1]', 'links[0].url': a problem in one item points at that item's line.
                for index, item in enumerate(value_node.value):
                    key_lines[f"{key}[{index}]"] = item.start_mark.line + 2
                    if isinstance(item, yaml.MappingNode):
                        for sub_key, _ in item.value:
                            key_lines[f"{key}[{index}].{sub_key.value}"] = sub_key.start_mark.line + 2
    return PaperFile(meta=meta, body=body.strip("\n"), key_lines=key_lines, raw_scalars=raw_scalars,
                     body_line=body_line)


# Characters PyYAML would write raw although YAML reads them as line breaks or refuses them.
_NEEDS_ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


def _has_awkward_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_NEEDS_ESCAPES.search(value))
    if isinstance(value, dict):
        return any(_has_awkward_text(k) or _has_awkward_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_awkward_text(v) for v in value)
    return False


def dump(meta: dict[str, Any], body: str) -> str:
    """The text of a paper file. Key order is the caller's: stable files, small diffs.
    Non-ASCII text is written as is (readable diffs) unless it holds characters YAML cannot
    carry raw; then the document is written with escapes so it still loads back the same."""
    yaml_text = yaml.dump(
        meta, Dumper=_Dumper, sort_keys=False, allow_unicode=not _has_awkward_text(meta),
        default_flow_style=False, width=10_000,
    )
    return f"{FENCE}\n{yaml_text}{FENCE}\n{body.strip()}\n"
