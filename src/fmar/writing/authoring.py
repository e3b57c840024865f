"""Author records: fill in the envelope, sign, validate, and write. Used by every command that writes.

Nothing is written unless the record passes its schema and its single-record rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fmar.core.findings import Problem
from fmar.core.model import KINDS, SCHEMA_VERSION, Record
from fmar.core.numbers import number_problems
from fmar.core.rules.record import check_record
from fmar.loading.schema_errors import problems_from
from fmar.signing.records import sign_data
from fmar.signing.sshsig import PrivateKey
from fmar.writing.writer import dumps, record_path, write_atomic


class RecordRejected(Exception):
    """The record would not be valid; nothing was written."""

    def __init__(self, kind: str, problems: list[Problem]) -> None:
        self.kind = kind
        self.problems = problems
        listed = "; ".join(f"{p.code} {p.message}" for p in problems)
        super().__init__(f"{kind} record rejected: {listed}")


@dataclass(frozen=True)
class Authored:
    record: Record
    data: dict[str, Any]

    @property
    def text(self) -> str:
        return dumps(self.data)


def author(
    kind: str, fields: dict[str, Any], *, key: PrivateKey, signer: str, signed_at: datetime, registry: str
) -> Authored:
    """Sign ``fields`` as a record of ``kind`` for the registry ``registry`` (its identity); raise
    RecordRejected if it would not be valid."""
    data = {"schema_version": SCHEMA_VERSION, "kind": kind, **fields}
    wrong_numbers = number_problems(data)
    if wrong_numbers:  # RFC 8785 cannot hold them, so the record cannot be signed
        raise RecordRejected(kind, wrong_numbers)
    signed = sign_data(data, key, signer, signed_at, registry=registry)
    try:
        record = KINDS[kind].model_validate(signed)
    except ValidationError as error:
        raise RecordRejected(kind, problems_from(kind, error)) from None
    problems = check_record(record, signed)
    if problems:
        raise RecordRejected(kind, problems)
    return Authored(record, signed)


def write(registry: Path, authored: Authored, *, atomic: bool = True) -> Path:
    """Write the record to its path; ``atomic=False`` only for fresh folders nobody reads yet."""
    path = record_path(registry, authored.record.KIND, authored.record.id)
    if atomic:
        write_atomic(path, authored.text)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(authored.text, encoding="utf-8")
    return path
