#!/usr/bin/env bash
# Checks out <commit> into <folder> as a detached git worktree of the current repository, replacing whatever a
# previous run left there (GitLab reuses build folders: a rerun finds the folder and the worktree registration of the
# last run). With no <commit> (gitlab-base.sh found none), <folder> is left empty.
#   scripts/ci/checkout-base.sh <commit or ""> <folder>
set -euo pipefail
if [ $# -ne 2 ]; then echo "checkout-base.sh: expected <commit> <folder>, got $# argument(s)" >&2; exit 2; fi
commit=$1
folder=$2
git worktree remove --force "$folder" 2> /dev/null || true
rm -rf "$folder"
git worktree prune
if [ -z "$commit" ]; then mkdir -p "$folder"; exit 0; fi
if ! git cat-file -e "$commit^{commit}" 2> /dev/null; then git fetch --quiet --depth 1 origin "$commit"; fi
git worktree add --quiet --detach "$folder" "$commit"
