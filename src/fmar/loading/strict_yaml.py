"""The strict YAML reader: the authority on what a registry file means.

Registry files use a small, safe part of YAML. This reader walks PyYAML's (libyaml) event
stream and builds plain data itself, so nothing is ever constructed from the file, and it
records the line and column of every value for error messages.

It rejects: several documents, directives, anchors, aliases, merge keys, tags, non-string
keys, duplicate keys and absurd nesting. Plain scalars are read with the YAML 1.2 core
schema; a plain scalar that a YAML 1.1 tool (PyYAML, many CI tools) would read differently,
such as ``NO``, ``on``, ``010`` or an unquoted date, is an error that says how to quote it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from fmar.core.catalogue import (
    AMBIGUOUS_PLAIN_VALUE,
    ANCHOR_OR_ALIAS,
    DUPLICATE_KEY,
    KEY_NOT_TEXT,
    MERGE_KEY,
    NOT_A_MAPPING,
    NOT_ONE_DOCUMENT,
    NUMBER_NOT_EXACT_IN_JSON,
    TOO_DEEP,
    YAML_SYNTAX_ERROR,
    YAML_TAG,
)
from fmar.core.findings import Problem, Rule
from fmar.core.numbers import number_problem

#: Deepest nesting of mappings and sequences accepted.
MAX_DEPTH = 16

Location = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")
#: Plain scalars whose YAML 1.1 reading could differ from YAML 1.2: words and digit forms only.
_MAYBE_DIFFERENT = re.compile(r"^(?:[-+.0-9]|[yYnNoO])")
#: Longest decimal integer (in significant digits) read as an int; Python refuses to convert
#: more than 4300 digits, and any integer this long is far out of every range a record allows.
_LONGEST_INT = 4000


def _int10(value: str) -> int | float:
    """A decimal integer; one too long to convert reads as an infinity of its sign, out of range either way."""
    digits = value.lstrip("+-").lstrip("0")
    if len(digits) > _LONGEST_INT:
        return -math.inf if value.startswith("-") else math.inf
    return int(value[0] + digits if value[0] in "+-" and digits else digits or "0")


def resolve_plain(value: str) -> Any:
    """Read a plain scalar with the YAML 1.2 core schema."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT10.match(value):
        return _int10(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return -math.inf if value.startswith("-") else math.inf
    if _NAN.match(value):
        return math.nan
    return value


class _Yaml11:
    """What a YAML 1.1 reader (PyYAML's safe loader) makes of a plain scalar."""

    def __init__(self) -> None:
        self._loader = yaml.SafeLoader("")

    def read(self, value: str) -> Any:
        tag = self._loader.resolve(yaml.ScalarNode, value, (True, False))
        if tag == "tag:yaml.org,2002:str":
            return value
        return self._loader.construct_object(yaml.ScalarNode(tag, value), deep=True)


_YAML11 = _Yaml11()


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def yaml11_trap(value: str) -> str | None:
    """Explain how YAML 1.1 would misread the plain scalar ``value``, or None when both agree."""
    if not _MAYBE_DIFFERENT.match(value):
        return None
    v12 = resolve_plain(value)
    try:
        v11 = _YAML11.read(value)
    except (yaml.YAMLError, ValueError, OverflowError):
        return None
    if _same(v11, v12):
        return None
    kind = type(v11).__name__
    shown = {
        "bool": "a boolean",
        "date": "a date",
        "datetime": "a date and time",
        "int": "an integer",
        "str": "text",
    }.get(kind, kind)
    return f"YAML 1.1 tools read the unquoted {value!r} as {shown} ({v11!r}), YAML 1.2 as {v12!r}"


@dataclass
class SourceMap:
    """Line and column (1-based) of every key and value, by location."""

    values: dict[Location, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Location, tuple[int, int]] = field(default_factory=dict)

    def position(self, location: Location) -> tuple[int, int]:
        """Best position for a location: the key of the value if known, else the nearest parent."""
        loc = tuple(location)
        while True:
            if loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]


@dataclass
class Parsed:
    data: dict[str, Any] | None
    source_map: SourceMap
    problems: list[Problem]


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self) -> None:
        self.smap = SourceMap()
        self.problems: list[Problem] = []

    def problem(self, rule: Rule, mark: Any, message: str, hint: str, location: Location = ()) -> None:
        line, column = _pos(mark)
        self.problems.append(Problem(rule, message, hint, location, line, column))

    def node(self, events: Any, event: Any, location: Location, depth: int) -> Any:
        if isinstance(event, yaml.AliasEvent):
            self.problem(
                ANCHOR_OR_ALIAS,
                event.start_mark,
                f"alias *{event.anchor} is not allowed",
                "write the value out in full; registry files use no anchors or aliases",
                location,
            )
            return None
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.problem(
                ANCHOR_OR_ALIAS,
                event.start_mark,
                f"anchor &{anchor} is not allowed",
                f"remove '&{anchor}'; registry files use no anchors or aliases",
                location,
            )
        tag = getattr(event, "tag", None)
        implicit: Any = getattr(event, "implicit", True)  # (plain, quoted) for a scalar, a bool otherwise
        explicit_tag = (
            tag is not None
            and not (isinstance(event, yaml.ScalarEvent) and tag == "!" and implicit[1])
            and not (not isinstance(event, yaml.ScalarEvent) and implicit)
        )
        if explicit_tag:
            self.problem(
                YAML_TAG,
                event.start_mark,
                f"tag {tag} is not allowed",
                "remove the tag; quote the value if it is text",
                location,
            )
        self.smap.values[location] = _pos(event.start_mark)
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event, location)
        if depth >= MAX_DEPTH:
            self.problem(
                TOO_DEEP,
                event.start_mark,
                f"nesting deeper than {MAX_DEPTH} levels",
                "registry records are at most a few levels deep; flatten the structure",
                location,
            )
            raise _Abort
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            for nxt in events:
                if isinstance(nxt, yaml.SequenceEndEvent):
                    return items
                items.append(self.node(events, nxt, (*location, len(items)), depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            return self.mapping(events, event, location, depth)
        raise _Abort  # pragma: no cover - libyaml guarantees a node here

    def scalar(self, event: Any, location: Location) -> Any:
        plain = not event.style and event.implicit[0]
        if not plain:
            return event.value
        value = resolve_plain(event.value)
        wrong_number = number_problem(value, event.value, location)
        if wrong_number:
            self.problem(NUMBER_NOT_EXACT_IN_JSON, event.start_mark, *wrong_number, location)
            return None
        trap = yaml11_trap(event.value)
        if trap:
            self.problem(
                AMBIGUOUS_PLAIN_VALUE,
                event.start_mark,
                trap,
                f"quote it ('{event.value}') if you mean text, or write it the one way both versions agree on",
                location,
            )
        return value

    def mapping(self, events: Any, start: Any, location: Location, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_event in events:
            if isinstance(key_event, yaml.MappingEndEvent):
                return result
            key_mark = key_event.start_mark
            key = self.node(events, key_event, (*location, "<key>"), depth + 1)
            self.smap.values.pop((*location, "<key>"), None)
            value_event = next(events)
            if key == "<<" and isinstance(key_event, yaml.ScalarEvent) and not key_event.style:
                self.problem(
                    MERGE_KEY,
                    key_mark,
                    "merge key '<<' is not allowed",
                    "write every field out in full",
                    location,
                )
                self.node(events, value_event, (*location, "<<"), depth + 1)
                continue
            if not isinstance(key, str):
                self.problem(
                    KEY_NOT_TEXT,
                    key_mark,
                    f"key {key!r} is not text",
                    "keys are field names; quote it if it really is one",
                    location,
                )
                self.node(events, value_event, (*location, "<key>"), depth + 1)
                continue
            child = (*location, key)
            if key in result:
                first = self.smap.keys.get(child, (0, 0))[0]
                self.problem(
                    DUPLICATE_KEY,
                    key_mark,
                    f"duplicate key {key!r} (first at line {first})",
                    "keep one of them: YAML tools disagree on which one wins",
                    child,
                )
                self.node(events, value_event, (*location, "<duplicate>"), depth + 1)
                continue
            self.smap.keys[child] = _pos(key_mark)
            result[key] = self.node(events, value_event, child, depth + 1)
        raise _Abort  # pragma: no cover


class _Abort(Exception):
    """Stop reading a file after a problem that makes the rest meaningless."""


_BRACKET = re.compile(r"[\[\]{}]")


def _deep_flow_prefix(text: str) -> str | None:
    """The text up to the bracket that opens flow nesting deeper than ``MAX_DEPTH``, if one does.

    libyaml scans a whole line ahead before it hands out the first event of it, and recent
    PyYAML releases stop at a nesting limit of their own while doing so: without this, a line of
    a thousand ``[`` would be refused by the library's rule (another code, another column), not
    by ours. Reading only the text up to the offending bracket lets the reader meet the deep
    node itself and refuse it with TOO_DEEP. The bracket count ignores quoting: a count that
    is wrong only makes the reader look at a prefix whose verdict is then not used.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text[: match.end()]
        elif depth:
            depth -= 1
    return None


def parse_strict(text: str) -> Parsed:
    """Parse ``text`` (already checked for encoding and characters) into data, a source map and problems."""
    prefix = _deep_flow_prefix(text)
    if prefix is not None:
        parsed = _parse(prefix)
        if any(problem.rule == TOO_DEEP for problem in parsed.problems):
            return parsed
    return _parse(text)


def _parse(text: str) -> Parsed:
    builder = _Builder()
    data: Any = None
    try:
        events = iter(yaml.parse(text, Loader=yaml.CSafeLoader))
        next(events)  # StreamStart
        documents = 0
        for event in events:
            if isinstance(event, yaml.StreamEndEvent):
                break
            if not isinstance(event, yaml.DocumentStartEvent):
                continue
            documents += 1
            if event.version or event.tags:
                builder.problem(
                    NOT_ONE_DOCUMENT,
                    event.start_mark,
                    "YAML directives (%YAML, %TAG) are not allowed",
                    "remove the directive line",
                )
            if documents > 1:
                builder.problem(
                    NOT_ONE_DOCUMENT,
                    event.start_mark,
                    "a registry file holds exactly one document",
                    "split the file: one record per file, and no '---' separators between records",
                )
                break
            node_event = next(events)
            data = builder.node(events, node_event, (), 0)
            next(events)  # DocumentEnd
    except _Abort:
        data = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _pos(mark) if mark else (1, 1)
        message = exc.problem or "not valid YAML"
        if exc.context:
            message = f"{exc.context}: {message}"
        builder.problems.append(
            Problem(YAML_SYNTAX_ERROR, f"YAML syntax error: {message}", _syntax_hint(message), (), line, column)
        )
        data = None
    except yaml.YAMLError as exc:
        builder.problems.append(Problem(YAML_SYNTAX_ERROR, f"YAML syntax error: {exc}", "check the file's YAML syntax"))
        data = None
    if builder.problems:
        return Parsed(None, builder.smap, builder.problems)
    if data is None or not isinstance(data, dict):
        shown = "empty" if data is None else f"a {type(data).__name__}"
        builder.problems.append(
            Problem(NOT_A_MAPPING, f"the file is {shown}, not a record", "a record is a mapping of fields: 'kind: ...'")
        )
        return Parsed(None, builder.smap, builder.problems)
    return Parsed(data, builder.smap, [])


def _syntax_hint(message: str) -> str:
    if "tab" in message:
        return "indent with spaces, never tabs"
    if "mapping values are not allowed" in message:
        return "quote text that contains ': ' or put a space after each key's colon only"
    if "could not find expected ':'" in message:
        return "every line of a mapping needs 'key: value'; check the indentation of this and the previous line"
    return "check indentation and quoting at this line; a YAML linter such as yamllint shows more"
