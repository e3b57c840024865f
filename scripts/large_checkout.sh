#!/usr/bin/env bash
# Tune a full checkout of a national registry (445,000 files) so that a one-record `git commit` costs
# what the record costs, not one lstat per file of the work tree. See docs/layout.md, "Working with a
# national registry in Git"; benchmarks/history_bench.py measures a commit with and without this.
#
#   bash scripts/large_checkout.sh [WORK_TREE]      (default: the current directory)
#
# What it sets, in the work tree's repository configuration only:
#   feature.manyFiles  index version 4 (the layout's long shared path prefixes stored once) and the
#                      untracked cache;
#   core.splitIndex    a commit rewrites a small index of what changed, not the 50 MB shared one;
#   core.fsmonitor     Git asks a file-system monitor what changed instead of checking every file:
#                      Git's own daemon where the platform has one (macOS, Windows), else Watchman
#                      through the hook Git ships (Linux: `apt install watchman`). Without either it
#                      says so and leaves the monitor off.
# Exit status: 0 tuned (with a monitor), 3 tuned without a monitor, 2 not a Git work tree.
set -euo pipefail

tree="${1:-.}"
if ! git -C "$tree" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "large_checkout: $tree is not a Git work tree" >&2
    exit 2
fi
cd "$tree"

git config feature.manyFiles true
git config core.splitIndex true

monitor=""
# on a platform with Git's daemon, its status says whether it is watching; elsewhere it is not supported
if git fsmonitor--daemon status 2>&1 | grep -q "fsmonitor-daemon is"; then
    git config core.fsmonitor true
    monitor="Git's fsmonitor daemon"
elif command -v watchman >/dev/null 2>&1; then
    hooks="$(git rev-parse --path-format=absolute --git-path hooks)"
    sample="$(git --exec-path)/../../share/git-core/templates/hooks/fsmonitor-watchman.sample"
    if [ ! -f "$sample" ]; then
        echo "large_checkout: Git's fsmonitor-watchman hook is not at $sample" >&2
    else
        mkdir -p "$hooks"
        install -m 0755 "$sample" "$hooks/fsmonitor-watchman"
        git config core.fsmonitor "$hooks/fsmonitor-watchman"
        monitor="Watchman ($hooks/fsmonitor-watchman)"
    fi
fi

# Rewrite the index in the new form now.
git update-index --index-version 4 --split-index --untracked-cache
if [ "${monitor#Watchman}" != "$monitor" ]; then
    # Watchman crawls the work tree once (seconds at 445,000 files); until it has, the hook tells Git
    # that everything may have changed. A query is answered only after the crawl: wait for it here.
    watchman watch "$(pwd)" >/dev/null
    printf '["query", "%s", {"expression": ["false"], "fields": ["name"], "sync_timeout": 600000}]' "$(pwd)" |
        watchman -j >/dev/null
fi
# One status fills the untracked cache and stores the monitor's token in the index; the next ones,
# and every commit, ask the monitor what changed since.
git status --porcelain >/dev/null
git status --porcelain >/dev/null

echo "large_checkout: $(pwd): index version 4, split index, untracked cache"
if [ -n "$monitor" ]; then
    echo "large_checkout: file-system monitor: $monitor"
    exit 0
fi
echo "large_checkout: no file-system monitor (Git has no daemon here and watchman is not installed);" \
    "a commit still checks every file" >&2
exit 3
