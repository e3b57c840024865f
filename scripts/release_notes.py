"""The release facts the release workflow needs, from pyproject.toml and CHANGELOG.md.

    python scripts/release_notes.py --version   # project.version of pyproject.toml
    python scripts/release_notes.py [VERSION]   # that version's CHANGELOG section (default: project.version)

Exits 1 when CHANGELOG.md has no section for the version, so no release goes out without notes.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.MULTILINE)


def project_version(root: Path = ROOT) -> str:
    return str(tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def released(changelog: str) -> list[str]:
    """Versions with a dated section, newest first (the [Unreleased] section is not one)."""
    return [m["version"] for m in HEADING.finditer(changelog) if m["version"] != "Unreleased" and m["date"]]


def section(changelog: str, version: str) -> str | None:
    """The body of ``version``'s section, without its heading and the link definitions below it."""
    headings = list(HEADING.finditer(changelog))
    for here, after in zip(headings, [*headings[1:], None], strict=True):
        if here["version"] == version:
            body = changelog[here.end() : after.start() if after else len(changelog)]
            body = re.sub(r"^\[[^\]]+\]: \S+\s*$", "", body, flags=re.MULTILINE)
            return body.strip() + "\n"
    return None


def main(argv: list[str]) -> int:
    if argv == ["--version"]:
        print(project_version())
        return 0
    version = argv[0] if argv else project_version()
    notes = section((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), version)
    if notes is None:
        print(f"CHANGELOG.md has no section '## [{version}] - YYYY-MM-DD'", file=sys.stderr)
        return 1
    sys.stdout.write(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
