"""benchmarks/history_bench.py at its small size: it runs both layouts in one run and reports one JSON
document of the expected shape, the sharded layout keeping every folder within the limit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.conftest import ROOT

from fmar.core.record_paths import FOLDER_LIMIT

SMALL = ["--units", "2000", "--commits", "400", "--baseline-commits", "100", "--no-record"]
LAYOUT_KEYS = {
    "records",
    "first_parent_commits",
    "build_repo_s",
    "pack_bytes_after_repack",
    "largest_folder_entries",
    "folders",
    "full_extraction_s",
    "full_extraction_median_s",
    "new_commit_s",
    "one_record_git_commit",
    "deleted_branch",
}


@pytest.mark.slow
def test_the_small_run_reports_both_layouts_and_the_targets() -> None:
    results = sorted((ROOT / "benchmarks" / "results").iterdir())
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "history_bench.py"), *SMALL],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    report = json.loads(done.stdout)
    sharded, flat = report["layouts"]["sharded"], report["layouts"]["flat"]
    assert set(sharded) >= LAYOUT_KEYS and set(flat) >= LAYOUT_KEYS
    assert (sharded["first_parent_commits"], flat["first_parent_commits"]) == (400, 100)

    kinds = report["records_by_kind"]
    assert kinds["market_unit"] == 2000
    assert 1.1 < kinds["application"] / 2000 < 1.3 and 0.8 < kinds["outcome"] / 2000 < 1.0
    assert 1.25 < kinds["event"] / 2000 < 1.45
    assert sharded["records"] == flat["records"] > sum(kinds.values())  # parties and products too

    assert sharded["largest_folder_entries"] <= FOLDER_LIMIT < flat["largest_folder_entries"]
    assert flat["folders"] == 7 < sharded["folders"]
    for layout in (sharded, flat):
        commit, branch = layout["one_record_git_commit"], layout["deleted_branch"]
        assert len(commit["git_commit_runs_s"]) == 5 and commit["new_objects_per_commit"] >= 5
        assert branch["unreachable_objects"] == branch["branch_own_objects"] >= 3 * branch["branch_commits"]
        assert branch["prune_freed_objects"] == branch["unreachable_objects"]
    assert sharded["deleted_branch"]["unreachable_disk_bytes"] < flat["deleted_branch"]["unreachable_disk_bytes"]

    assert set(report["ratios_sharded_vs_flat"]) >= {
        "full_extraction_per_commit",
        "git_commit",
        "new_objects_per_commit",
        "unreachable_bytes_per_branch_commit",
    }
    assert set(report["targets"]) == {"full_extraction_s", "new_commit_s", "git_commit_s", "largest_folder"}
    assert all(target["result"] in ("PASS", "FAIL") for target in report["targets"].values())
    assert report["targets"]["largest_folder"]["result"] == "PASS"
    assert sorted((ROOT / "benchmarks" / "results").iterdir()) == results  # --no-record wrote nothing
