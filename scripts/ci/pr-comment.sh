#!/usr/bin/env bash
# Posts a review file as ONE comment on a pull request, updating the previous one (found by its marker line)
# instead of adding a new comment on every push. Uses the GitHub CLI (`gh api`, GH_TOKEN from the workflow).
#   scripts/ci/pr-comment.sh <owner/repo> <pr-number> <review.md>
set -euo pipefail
if [ $# -ne 3 ]; then echo "pr-comment.sh: expected <owner/repo> <pr-number> <review.md>, got $# argument(s)" >&2; exit 2; fi
repo=$1
pr=$2
marker="<!-- eks-audit-siem-review -->"
# GitHub limits a comment body to 65,536 characters.
body=$(head -c 65000 "$3")
id=$(gh api --paginate "repos/$repo/issues/$pr/comments" --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" -f body="$body" > /dev/null
  echo "updated comment $id"
else
  gh api --method POST "repos/$repo/issues/$pr/comments" -f body="$body" > /dev/null
  echo "created a comment"
fi
