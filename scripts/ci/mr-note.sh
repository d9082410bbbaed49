#!/usr/bin/env bash
# GitLab: posts a review file as ONE merge request note, updating the previous one, found by its marker line AND its
# author (the user of GITLAB_REVIEW_TOKEN, asked from the API), so nobody else's note is overwritten. A review
# longer than a note holds is cut at a line with an explicit "Truncated" note (tools/ci/comment-body.ts).
# Needs GITLAB_REVIEW_TOKEN (a project access token with the api scope; a masked, NOT protected CI/CD variable, as
# merge request pipelines from feature branches get no protected variable) and GitLab's predefined CI_API_V4_URL,
# CI_PROJECT_ID, CI_MERGE_REQUEST_IID.
#   scripts/ci/mr-note.sh <review.md>
set -euo pipefail
if [ $# -ne 1 ]; then echo "mr-note.sh: expected <review.md>, got $# argument(s)" >&2; exit 2; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
auth=(--header "PRIVATE-TOKEN: $GITLAB_REVIEW_TOKEN")
body=$(mktemp)
trap 'rm -f "$body"' EXIT
node "$here/scripts/run-ts.js" "$here/tools/ci/comment-body.ts" 1000000 < "$1" > "$body"
me=$(curl -fsS "${auth[@]}" "$CI_API_V4_URL/user" | node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(0,"utf8")).id))')
id=$(curl -fsS "${auth[@]}" "$api?per_page=100" | node -e 'const n=JSON.parse(require("fs").readFileSync(0,"utf8")).find((x)=>String(x.author.id)===process.argv[1]&&x.body.startsWith("<!-- eks-audit-siem-review -->"));process.stdout.write(n?String(n.id):"")' "$me")
if [ -n "$id" ]; then
  curl -fsS "${auth[@]}" --request PUT --data-urlencode "body@$body" "$api/$id" > /dev/null && echo "updated note $id"
else
  curl -fsS "${auth[@]}" --request POST --data-urlencode "body@$body" "$api" > /dev/null && echo "created a note"
fi
