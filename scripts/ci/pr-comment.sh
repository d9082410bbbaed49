#!/usr/bin/env bash
# Posts a review file as ONE comment on a pull request, updating the previous one instead of adding a new comment
# on every push. The previous one is found by its marker line AND its author (REVIEW_COMMENT_AUTHOR, default
# github-actions[bot], the author of comments made with the workflow's GITHUB_TOKEN), so a comment someone else
# starts with the marker is never overwritten. A review longer than a comment holds (65,536 characters) is cut at a
# line with an explicit "Truncated" note (tools/ci/comment-body.ts). Uses the GitHub CLI (`gh api`, GH_TOKEN).
#   scripts/ci/pr-comment.sh <owner/repo> <pr-number> <review.md>
set -euo pipefail
if [ $# -ne 3 ]; then echo "pr-comment.sh: expected <owner/repo> <pr-number> <review.md>, got $# argument(s)" >&2; exit 2; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
repo=$1
pr=$2
marker="<!-- eks-audit-siem-review -->"
author=${REVIEW_COMMENT_AUTHOR:-github-actions[bot]}
body=$(node "$here/scripts/run-ts.js" "$here/tools/ci/comment-body.ts" 65536 < "$3")
id=$(gh api --paginate "repos/$repo/issues/$pr/comments" --jq ".[] | select(.user.login == \"$author\" and (.body | startswith(\"$marker\"))) | .id" | head -n 1)
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" -f body="$body" > /dev/null
  echo "updated comment $id"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" -f body="$body" > /dev/null
  echo "created a comment"
fi
