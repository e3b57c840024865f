"""Findings as text for people, JSON for tools, and GitHub Actions workflow commands for CI."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from fmar.core.findings import Finding, Severity

FORMATS = ("text", "json", "github")
#: GitHub shows at most 10 annotations of each kind per step; the rest go to the step summary.
GITHUB_ANNOTATION_CAP = 10


def counts(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    return errors, len(findings) - errors


def summary_line(findings: Sequence[Finding], files: int) -> str:
    errors, warnings = counts(findings)
    if not findings:
        return f"{files:,} files checked: no findings"
    return f"{files:,} files checked: {errors:,} errors, {warnings:,} warnings"


def text(findings: Sequence[Finding], files: int, out: TextIO) -> None:
    for f in findings:
        out.write(f"{f.path}:{f.line}:{f.column}: {f.severity} {f.code} {f.message}\n")
        out.write(f"    at {f.json_path}")
        if f.hint:
            out.write(f"; fix: {f.hint}")
        out.write("\n")
    out.write(summary_line(findings, files) + "\n")


def as_json(findings: Sequence[Finding], files: int, out: TextIO) -> None:
    errors, warnings = counts(findings)
    document = {
        "format": "fmar-findings/v1",
        "files": files,
        "errors": errors,
        "warnings": warnings,
        "findings": [f.to_json() for f in findings],
    }
    out.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding], files: int, out: TextIO) -> None:
    """Workflow commands for the first findings of each severity, the full table to the step summary."""
    shown = {Severity.ERROR: 0, Severity.WARNING: 0}
    for f in findings:
        if shown[f.severity] >= GITHUB_ANNOTATION_CAP:
            continue
        shown[f.severity] += 1
        level = "error" if f.severity is Severity.ERROR else "warning"
        properties = f"file={_escape_property(f.path)},line={f.line},col={f.column},title={_escape_property(f.code)}"
        body = f"{f.message} (at {f.json_path})" + (f"\nfix: {f.hint}" if f.hint else "")
        out.write(f"::{level} {properties}::{_escape_data(body)}\n")
    hidden = len(findings) - sum(shown.values())
    line = summary_line(findings, files)
    if hidden:
        line += f" ({hidden:,} more than GitHub annotates: see the job summary)"
    out.write(line + "\n")
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as handle:
            handle.write(markdown(findings, files))


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def markdown(findings: Sequence[Finding], files: int) -> str:
    lines = ["## fmar validation", "", summary_line(findings, files), ""]
    if findings:
        lines += ["| Severity | Code | File | Line | Field | Message | Fix |", "|---|---|---|---|---|---|---|"]
        lines += [
            f"| {f.severity} | {f.code} | {_cell(f.path)} | {f.line} | `{_cell(f.json_path)}` | "
            f"{_cell(f.message)} | {_cell(f.hint)} |"
            for f in findings
        ]
    return "\n".join(lines) + "\n"


def write(fmt: str, findings: Sequence[Finding], files: int, out: TextIO) -> None:
    {"text": text, "json": as_json, "github": github}[fmt](findings, files, out)
