"""The base files the path-spelling check compares with are those git's own pathspecs find.

``existing_like`` lists only the folders on the way to a path and searches them as bytes; git's
``:(icase,literal)`` and ``:(glob)*[! -~]*`` pathspecs (what the check asked git before) match every
path of the tree instead. Both must find the same files, tricky names included.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata

from tests.conftest import GitRepo

from fmar import gitrepo
from fmar.trust.checkout import existing_like

NAMES = [
    "registry/party/N/NESO.yaml",
    "registry/party/neso.yaml/inside.yaml",
    "REGISTRY/Party/Neso.yaml",
    "Registry/x.yaml",
    unicodedata.normalize("NFC", "docs/Café/notes.md"),
    unicodedata.normalize("NFD", "docs/Café/other.md"),
    "docs/ünï/deep/file.md",
    "docs/plain.md",
    "a\tb.txt",
    "ctl\x01name/x.md",
    "weird*name/x.md",
    "sub/[x]/y.md",
    "Kelvin/\u212a.md",
]


def _oracle(repo: GitRepo, spelled: list[str], odd_in: list[str]) -> set[str]:
    specs = [f":(icase,literal){path}" for path in spelled]
    for folder in odd_in:
        escaped = re.sub(r"([*?\[\]\\])", r"\\\1", folder)
        pattern = f"{escaped}/*[! -~]*" if folder else "*[! -~]*"
        specs += [f":(glob){pattern}", f":(glob){pattern}/**"]
    empty = repo.git("hash-object", "-t", "tree", "/dev/null")
    listed = repo.git("-c", "core.quotepath=off", "diff-tree", "-r", "-z", "--name-only", empty, "HEAD", "--", *specs)
    return {path for path in listed.split("\0") if path}


def test_listing_walk_finds_what_git_pathspecs_find(git_repo: GitRepo) -> None:
    blob = (
        subprocess.run(
            ["git", "hash-object", "-w", "--stdin"], cwd=git_repo.path, input=b"x\n", capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    for name in NAMES:
        git_repo.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")
    git_repo.git("update-index", "--add", "--cacheinfo", f"160000,{blob},docs/module")
    git_repo.git("commit", "-q", "-m", "tricky names")
    questions = [
        (["registry/party/neso.yaml", "registry/party/n/neso.yaml"], [""]),
        (
            ["registry/PARTY/NESO.YAML", "registry/PARTY/n/NESO.YAML", "registry/party/new.yaml"],
            ["", "registry", "registry/party"],
        ),
        (["Registry"], [""]),
        ([unicodedata.normalize("NFD", "docs/café/NOTES.md")], ["", "docs"]),
        (["docs/CAFÉ"], ["", "docs", unicodedata.normalize("NFC", "docs/Café")]),
        (["A\tB.TXT", "CTL\x01NAME"], [""]),
        (["WEIRD*NAME/X.MD", "sub/[X]/Y.md", "docs/MODULE"], ["", "sub", "weird*name"]),
        (["kelvin/k.md", "docs/plain.md/more"], ["", "Kelvin"]),
        (["nothing/here.yaml"], []),
    ]
    for spelled, odd_in in questions:
        assert existing_like(gitrepo.Folders(git_repo.path), "HEAD", spelled, odd_in) == _oracle(
            git_repo, spelled, odd_in
        ), spelled
