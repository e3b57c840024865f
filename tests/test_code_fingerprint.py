"""fmar's code fingerprint (which every cache entry and the build state are tagged with) and the
templates' digest (part of every page's key) follow what the files hold, not when they were
written: a new install of the same code, as each CI run makes, keeps them; one changed byte does not."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import fresh_install, run_installed

from fmar.publish.lists import templates_digest
from fmar.validation.cache import code_fingerprint

DIGESTS = """
import json, fmar
from fmar.publish.lists import templates_digest
from fmar.validation.cache import code_fingerprint
print(json.dumps([fmar.__file__, code_fingerprint(), templates_digest()]))
"""


def _digests(install: Path) -> tuple[str, str]:
    """The code fingerprint and templates digest a process importing fmar from ``install`` computes."""
    imported, code, templates = json.loads(run_installed(install, "-c", DIGESTS))
    assert Path(imported).is_relative_to(install), "the copy must be what is imported"
    return code, templates


def _change_one_byte(path: Path) -> None:
    """Swap the case of one letter of the file's first docstring or comment; size and time kept."""
    info = path.stat()
    raw = bytearray(path.read_bytes())
    start = min(i for i in (raw.find(b'"""'), raw.find(b"#")) if i >= 0)
    at = next(i for i in range(start, len(raw)) if chr(raw[i]).isalpha())
    raw[at] = ord(chr(raw[at]).swapcase())
    path.write_bytes(bytes(raw))
    # The time the old fingerprint was keyed on, put back: only the content says it changed.
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size


def test_a_fresh_install_of_the_same_code_keeps_the_fingerprint_and_templates_digest(tmp_path: Path) -> None:
    here = (code_fingerprint(), templates_digest())
    install = fresh_install(tmp_path / "install")
    assert _digests(install) == here
    for path in (install / "fmar").rglob("*"):  # and every time stamp moved again
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert _digests(install) == here
    again = fresh_install(tmp_path / "again")  # another copy: new inodes as well
    assert _digests(again) == here


def test_one_changed_byte_of_python_changes_the_fingerprint(tmp_path: Path) -> None:
    install = fresh_install(tmp_path / "install")
    code, templates = _digests(install)
    _change_one_byte(install / "fmar" / "core" / "status.py")
    changed_code, changed_templates = _digests(install)
    assert changed_code != code
    assert changed_templates == templates  # status.py renders nothing the templates show


def test_one_changed_byte_of_a_template_or_static_file_changes_both(tmp_path: Path) -> None:
    for changed in ("templates/unit.html", "static/site.css", "fragments.py"):
        install = fresh_install(tmp_path / changed.replace("/", "-"))
        code, templates = _digests(install)
        path = install / "fmar" / "publish" / changed
        if path.suffix == ".py":
            _change_one_byte(path)
        else:  # no docstring: the case of a letter after the first few bytes
            raw = bytearray(path.read_bytes())
            at = next(i for i in range(16, len(raw)) if chr(raw[i]).isalpha())
            raw[at] = ord(chr(raw[at]).swapcase())
            path.write_bytes(bytes(raw))
        changed_code, changed_templates = _digests(install)
        assert changed_code != code, changed
        assert changed_templates != templates, changed
