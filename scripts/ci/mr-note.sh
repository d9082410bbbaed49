#!/usr/bin/env bash
# GitLab: posts a review file as ONE merge request note, updating the previous one (found by its marker line).
# Needs GITLAB_REVIEW_TOKEN (a project access token with the api scope, masked CI/CD variable) and GitLab's
# predefined CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID.
#   scripts/ci/mr-note.sh <review.md>
set -euo pipefail
if [ $# -ne 1 ]; then echo "mr-note.sh: expected <review.md>, got $# argument(s)" >&2; exit 2; fi
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
auth=(--header "PRIVATE-TOKEN: $GITLAB_REVIEW_TOKEN")
id=$(curl -fsS "${auth[@]}" "$api?per_page=100" | node -e 'const n=JSON.parse(require("fs").readFileSync(0,"utf8")).find((x)=>x.body.startsWith("<!-- eks-audit-siem-review -->"));process.stdout.write(n?String(n.id):"")')
if [ -n "$id" ]; then
  curl -fsS "${auth[@]}" --request PUT --data-urlencode "body@$1" "$api/$id" > /dev/null && echo "updated note $id"
else
  curl -fsS "${auth[@]}" --request POST --data-urlencode "body@$1" "$api" > /dev/null && echo "created a note"
fi
