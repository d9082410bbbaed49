#!/usr/bin/env bash
# Prints `run-id=<id>` of the successful pull-request workflow run of the pull request merged as <commit>: the run
# whose saved plans were reviewed, which the apply workflow downloads. Uses the GitHub CLI (GH_TOKEN).
#   scripts/ci/reviewed-run.sh <owner/repo> <commit>
set -euo pipefail
if [ $# -ne 2 ]; then echo "reviewed-run.sh: expected <owner/repo> <commit>, got $# argument(s)" >&2; exit 2; fi
head=$(gh api "repos/$1/commits/$2/pulls" --jq '[.[] | select(.merged_at != null)][0].head.sha // empty')
if [ -z "$head" ]; then echo "reviewed-run.sh: commit $2 is not the merge of a pull request; allowed: changes reach main through reviewed pull requests" >&2; exit 1; fi
id=$(gh api "repos/$1/actions/workflows/pull-request.yml/runs?head_sha=$head&status=success" --jq '.workflow_runs[0].id // empty')
if [ -z "$id" ]; then echo "reviewed-run.sh: no successful pull-request run for head $head; nothing reviewed to apply" >&2; exit 1; fi
echo "run-id=$id"
