"""fmar rules: the list of rule codes and what each one says."""

from __future__ import annotations

import json

import click

from fmar.cli.common import format_option
from fmar.core.catalogue import RULES


def rules_markdown() -> str:
    lines = ["# Rule codes", "", "Every finding carries one of these stable codes.", ""]
    area = ""
    for rule in sorted(RULES.values(), key=lambda r: r.code):
        if rule.area != area:
            area = rule.area
            lines += ["", f"## {area}", "", "| Code | Severity | Rule |", "|---|---|---|"]
        lines.append(f"| `{rule.code}` | {rule.severity} | {rule.statement} |")
    return "\n".join(lines) + "\n"


@click.command()
@format_option("text", "json", "markdown")
def rules(fmt: str) -> None:
    """List every validation rule with its stable code."""
    ordered = sorted(RULES.values(), key=lambda r: r.code)
    if fmt == "json":
        data = [{"code": r.code, "severity": str(r.severity), "statement": r.statement} for r in ordered]
        click.echo(json.dumps({"format": "fmar-rules/v1", "rules": data}, indent=2))
    elif fmt == "markdown":
        click.echo(rules_markdown(), nl=False)
    else:
        for r in ordered:
            click.echo(f"{r.code:12} {r.severity:7} {r.statement}")
