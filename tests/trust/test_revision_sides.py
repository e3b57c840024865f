"""The head of a change read through its fork and the diff's blob ids holds what git's trees say it holds."""

from __future__ import annotations

import subprocess

from trust_scenario import Scenario

from fmar.gitrepo import changes, merge_base, resolve
from fmar.trust.revision import RecordBlobs, Revision, diff_sides, kind_of


def _files(scenario: Scenario, rev: str) -> list[str]:
    return scenario.repo.git("ls-tree", "-r", "--name-only", rev).splitlines()


def test_head_through_the_fork_reads_what_the_trees_hold(scenario: Scenario) -> None:
    root = scenario.root
    scenario.path("registry/market_unit/FENLAND/000xxx/MU-FENLAND-000001.yaml").write_text(
        "changed: yes\n", encoding="utf-8"
    )
    scenario.path("registry/outcome/2024/6/6F/OUT-2024-6FP78NHH.yaml").unlink()
    for rel in ("registry/event/2030/A/AA", "registry/application/2030/B/BB", "registry/party/L"):
        scenario.path(rel).mkdir(parents=True)
    scenario.path("registry/event/2024/4/4Y/EVT-2024-4Y25DN8E.yaml").rename(
        scenario.path("registry/event/2030/A/AA/EVT-2030-AAAAAAAA.yaml")
    )
    scenario.path("registry/application/2030/B/BB/APP-2030-BBBBBBBB.yaml").write_text(
        "kind: application\n", encoding="utf-8"
    )
    scenario.path("registry/party/L/LINK.yaml").symlink_to("../N/NESO.yaml")
    scenario.repo.commit_all("a change")
    blob = (
        subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=b"x\n", capture_output=True, check=True)
        .stdout.decode()
        .strip()
    )
    commit = scenario.repo.git("rev-parse", "HEAD")
    scenario.repo.git("update-index", "--add", "--cacheinfo", f"160000,{commit},registry/party/M/MODULE.yaml")
    scenario.repo.git("update-index", "--cacheinfo", f"100755,{blob},registry/party/N/NESO.yaml")
    scenario.repo.git("commit", "-q", "-m", "a gitlink and a mode")
    base, head = resolve(root, "main"), resolve(root, "pr")
    fork = merge_base(root, base, head)
    old, new = diff_sides(changes(root, fork, head))
    paths = sorted({p for p in _files(scenario, fork) + _files(scenario, head) if kind_of(p)})
    with RecordBlobs(root) as blobs, RecordBlobs(root) as plain:
        before = Revision(root, fork, blobs, known=old)
        after = Revision(root, head, blobs, known=new, like=before)
        for rev, revision in ((fork, before), (head, after)):
            for path in paths:
                found, expected = revision.file(path), plain.read(rev, path)  # git resolves ``rev:path`` itself
                assert (found is None) == (expected is None), (rev, path)
                assert found is None or (found.text or "").encode() == expected, (rev, path)
    assert new["registry/party/M/MODULE.yaml"] is None  # a submodule has no blob
    assert (
        old["registry/event/2030/A/AA/EVT-2030-AAAAAAAA.yaml"] is None
        and new["registry/event/2024/4/4Y/EVT-2024-4Y25DN8E.yaml"] is None
    )
