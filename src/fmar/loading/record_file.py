"""Read one registry file into a validated record, or into problems that say what is wrong."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fmar.core.catalogue import ID_NOT_FILE_NAME, KIND_NOT_FOLDER, UNKNOWN_SCHEMA_VERSION, UNREADABLE_FILE
from fmar.core.findings import Problem
from fmar.core.model import KINDS, SCHEMA_VERSION, Record
from fmar.core.rules.record import check_record
from fmar.loading.comments import comment_problems
from fmar.loading.fast_yaml import parse_fast
from fmar.loading.schema_errors import problems_from
from fmar.loading.strict_yaml import SourceMap, parse_strict
from fmar.loading.text import decode
from fmar.signing.seal import Seal, seal_of


@dataclass(slots=True)
class LoadedFile:
    """The outcome of reading one file: the record if it is valid, and every problem with its position."""

    path: str
    kind: str
    record: Record | None
    problems: list[Problem] = field(default_factory=list)
    #: The seal of the record's signature (``fmar.signing.seal``), for a valid record read with seals.
    seal: Seal | None = None


_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def read_bytes(path: str) -> bytes:
    """The bytes of the file at ``path``, read with ``os.read``: ``Path.read_bytes`` builds a path
    and a buffered file object for each file, a fifth of the time it takes to read a record file."""
    fd = os.open(path, _READ)
    try:
        parts = []
        while part := os.read(fd, 1 << 16):
            parts.append(part)
    finally:
        os.close(fd)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def parse_text(text: str) -> tuple[dict[str, Any] | None, SourceMap | None, list[Problem]]:
    """Data of a record file's text: the fast reader when it can vouch for it, else the strict one."""
    data = parse_fast(text)
    if data is not None:
        return data, None, []
    parsed = parse_strict(text)
    return parsed.data, parsed.source_map, parsed.problems


def check_data(kind: str, stem: str, data: dict[str, Any]) -> tuple[Record | None, list[Problem]]:
    """Validate parsed data as a record of ``kind`` stored in ``<stem>.yaml``."""
    problems: list[Problem] = []
    if data.get("kind") != kind:
        problems.append(
            Problem(
                KIND_NOT_FOLDER,
                f"kind {data.get('kind')!r} in a file under registry/{kind}/",
                f"write 'kind: {kind}' or move the file to the folder of its kind",
                ("kind",),
            )
        )
        return None, problems
    if data.get("id") != stem:
        problems.append(
            Problem(
                ID_NOT_FILE_NAME,
                f"id {data.get('id')!r} differs from the file name {stem}.yaml",
                f"write 'id: {stem}' or rename the file to match the id",
                ("id",),
            )
        )
    version = data.get("schema_version")
    if type(version) is int and not 1 <= version <= SCHEMA_VERSION:
        problems.append(
            Problem(
                UNKNOWN_SCHEMA_VERSION,
                f"schema_version {version} is not one this release reads (1 to {SCHEMA_VERSION})",
                "write the version fmar wrote the record with, or upgrade fmar",
                ("schema_version",),
            )
        )
        return None, problems
    try:
        record = KINDS[kind].model_validate(data)
    except ValidationError as error:
        problems.extend(problems_from(kind, error))
        return None, problems
    problems.extend(check_record(record, data))
    return (None if problems else record), problems


def locate(problems: list[Problem], text: str, source_map: SourceMap | None) -> list[Problem]:
    """Give every problem without a position the line and column of its location in ``text``."""
    if all(problem.line for problem in problems):
        return problems
    if source_map is None:
        source_map = parse_strict(text).source_map
    located = []
    for problem in problems:
        if not problem.line:
            line, column = source_map.position(problem.location)
            problem = problem._replace(line=line, column=column)
        located.append(problem)
    return located


def load_file(root: Path, relpath: str, kind: str) -> LoadedFile:
    """Read and check ``root/relpath``, a file of ``kind``. Never raises on bad content."""
    return read_record(root, relpath, kind)[0]


def read_record(root: Path, relpath: str, kind: str, *, seal: bool = True) -> tuple[LoadedFile, dict[str, Any] | None]:
    """``load_file``, and the data the record was made from (None when the file has no valid record);
    ``seal``: also the seal of a valid record's signature (``LoadedFile.seal``)."""
    try:
        raw = read_bytes(f"{root}/{relpath}")
    except OSError as exc:
        problem = Problem(UNREADABLE_FILE, f"cannot read the file: {exc.strerror}", "check its permissions", (), 1, 1)
        return LoadedFile(relpath, kind, None, [problem]), None
    text, problems = decode(raw)
    if text is None:
        return LoadedFile(relpath, kind, None, problems), None
    data, source_map, problems = parse_text(text)
    # Comments change no value, so the record stands (and what refers to it resolves); the file does not.
    commented = comment_problems(text) if "#" in text else []
    if data is None:
        return LoadedFile(relpath, kind, None, locate(problems, text, source_map) + commented), None
    stem = relpath.rsplit("/", 1)[-1].removesuffix(".yaml")
    record, problems = check_data(kind, stem, data)
    if problems:
        return LoadedFile(relpath, kind, record, locate(problems, text, source_map) + commented), None
    return LoadedFile(relpath, kind, record, commented, seal_of(data) if seal else None), data
