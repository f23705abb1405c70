"""Read and write paper files: YAML front matter between `---` lines, then the abstract.

YAML goes through PyYAML only. The loader is strict on purpose: paper files come from
pull requests, so anchors/aliases (alias bombs), duplicate keys and non-mapping front
matter are errors with a line number rather than surprises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from paper_collection.errors import InputError

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


class YAMLProblem(InputError):
    """A YAML mistake in a paper file, explained: the field it is in, when known."""

    def __init__(self, file: str, line: int, message: str, field: str = "") -> None:
        self.field = field
        super().__init__(file, line, message)


# `title: value` or `- title: value` (a key in a list item): the key, and where its value starts.
_KEY_LINE = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)?)(?P<key>[^\s#'\"\[\]{},:-][^#:]*?):(?:[ \t]+|$)")
_ITEM_LINE = re.compile(r"^(?P<indent>[ \t]*-[ \t]+)")


def _value_start(line: str) -> tuple[str, int] | None:
    """(key, column where the value starts) of a 'key: value' or '- value' line."""
    match = _KEY_LINE.match(line)
    if match:
        return match.group("key").strip(), match.end()
    match = _ITEM_LINE.match(line)
    return ("", match.end()) if match else None


def _double_quoted(key: str, value: str) -> str:
    """`key: "value"`: a JSON string is a valid YAML double-quoted scalar (escapes included)."""
    return f'{key}: {json.dumps(value, ensure_ascii=False)}' if key else f"- {json.dumps(value, ensure_ascii=False)}"


def _unclosed_quote(yaml_text: str, error: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """(line, quote character) where a quoted value opens that runs on to the line of the error: PyYAML
    reports an unclosed quote where the text ends, or where a later quote happens to close it."""
    if error.context == "while scanning a quoted scalar" and error.context_mark is not None:
        mark = error.context_mark
        return mark.line, yaml_text[mark.index]
    problem = error.problem_mark
    if problem is None:
        return None
    found = None
    try:
        for token in yaml.scan(yaml_text, Loader=yaml.SafeLoader):
            if (isinstance(token, yaml.ScalarToken) and token.style in ("'", '"')
                    and token.start_mark.line < token.end_mark.line == problem.line):
                found = token.start_mark.line, token.style
            if token.start_mark.index >= problem.index:
                break
    except yaml.YAMLError:
        pass
    return found


def _enclosing_key(lines: list[str], line_number: int) -> str:
    """The top-level field a list item or an indented line belongs to."""
    for line in reversed(lines[:line_number]):
        match = _KEY_LINE.match(line)
        if match and not match.group("indent"):
            return match.group("key").strip()
    return ""


def explain_yaml_error(error: yaml.MarkedYAMLError, yaml_text: str) -> tuple[int, str, str]:
    """(0-based line in the YAML text, field, message) for a YAML error, in the words of the person
    who wrote the file: PyYAML's problem text and mark say what and where, the line says why."""
    lines = yaml_text.split("\n")
    problem = error.problem or ""
    mark = error.problem_mark or error.context_mark
    line_number = mark.line if mark else 0
    line = lines[line_number] if line_number < len(lines) else ""
    start = _value_start(line)
    own = start[0] if start else ""  # the key on the line itself ("" for a list item)
    key = own or _enclosing_key(lines, line_number)

    if problem.startswith("found unknown escape character") and start:
        value = line[start[1]:].strip()
        inner = value[1:-1] if len(value) > 1 and value.endswith('"') else value[1:]
        return line_number, key, ("inside double quotes a backslash starts an escape such as \\n; write each "
                                  f"backslash twice: {_double_quoted(own, inner)}")
    unclosed = _unclosed_quote(yaml_text, error)
    if unclosed is not None:
        opened, quote = unclosed
        opening = lines[opened]
        found = _value_start(opening)
        name = found[0] if found else ""
        value = opening[opening.index(quote) + 1:].strip()
        return opened, name, (f"the {quote} that opens the value is never closed; close it on the same line, "
                              f"best with double quotes: {_double_quoted(name, value)}")
    if "'\\t'" in problem and mark is not None:
        indent = len(line) - len(line.lstrip(" \t"))
        if mark.column < indent or not line[:mark.column].strip() or line[:mark.column].strip() == "-":
            return line_number, key, "this line is indented with a tab, which YAML does not allow; indent with spaces"
        value = line[start[1]:].strip() if start else line.strip()
        return line_number, key, ("a tab inside the value; replace it with a space, or put the value in double "
                                  f"quotes: {_double_quoted(own, value.replace(chr(9), ' '))}")
    if problem == "mapping values are not allowed here" and mark is not None:
        if start and start[0] and mark.column >= start[1]:  # a second ': ' on the line, inside the value
            value = line[start[1]:].strip()
            what = f"the {key}" if key else "the value"
            return line_number, key, (f"a ': ' inside the value reads as a new field; put {what} in double quotes: "
                                      f"{_double_quoted(key, value)}")
        return line_number, _enclosing_key(lines, line_number), (
            "this line has ': ' but continues the value of the line above; start a field at the beginning of "
            "its line, or put a long value in double quotes on one line")
    if start and mark is not None and mark.column > start[1]:
        value = line[start[1]:].rstrip()
        quote = value[:1]
        if quote in ("'", '"') and problem.startswith("expected"):
            inner = value[1:-1] if value.endswith(quote) and len(value) > 1 else value[1:]
            if quote == "'" and "'" in inner.replace("''", ""):
                return line_number, key, ("an apostrophe ends a value in single quotes; write it twice ('') or "
                                          f"use double quotes: {_double_quoted(own, inner)}")
            return line_number, key, ("text follows the closing quote; put the whole value in double quotes: "
                                      f"{_double_quoted(own, value)}")
    if problem.startswith("duplicate key"):
        return line_number, key, "this field is given twice; keep one of the two lines"
    if problem.startswith("expected <block end>") or problem.startswith("expected <block mapping start>"):
        return line_number, key, ("this line is not lined up with the lines above; start each field at the "
                                  "beginning of a line and line up the '- ' items of a list under each other")
    if problem == "could not find expected ':'" and error.context_mark is not None:
        where = error.context_mark.line
        return where, "", ("this line is neither a field ('name: value') nor a list item ('- value'); "
                           "add the ': ' or remove the line")
    if error.context in ("while parsing a flow sequence", "while parsing a flow mapping") and error.context_mark:
        closer = "]" if "sequence" in error.context else "}"
        where = error.context_mark.line
        found = _value_start(lines[where])
        return (where, found[0] if found else "",
                f"the list opened here is not closed; end it with '{closer}' on this line")
    return line_number, key, f"invalid YAML: {problem or error.context}"


def load_document(text: str, file: str) -> Any:
    """A whole YAML file (such as removed.yml) with the paper files' strict loader and explained errors."""
    try:
        return _load(text)[1]
    except yaml.MarkedYAMLError as error:
        line, field, message = explain_yaml_error(error, text)
        raise YAMLProblem(file, line + 1, message, field=field) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise InputError(file, 1, f"invalid YAML: {error}") from None


def parse(text: str, file: str) -> PaperFile:
    """Parse a paper file. Raises InputError naming the file and line of a YAML problem."""
    yaml_text, body, body_line = split(text, file)
    try:
        node, meta = _load(yaml_text)
    except yaml.MarkedYAMLError as error:
        line, field, message = explain_yaml_error(error, yaml_text)
        raise YAMLProblem(file, line + 2, message, field=field) from None  # +1 for 1-based, +1 for the fence
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
