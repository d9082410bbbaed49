#!/usr/bin/env bash
# The PR comment: review of base vs head, with every saved plan's JSON of <plan-folder> folded in.
#   scripts/ci/review.sh <base-output-folder> <head-output-folder> [<plan-folder>]
# Markdown on stdout; exit code of `review` (3 when something would be destroyed, with REVIEW_FAIL_ON_DESTROY=1).
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then echo "review.sh: expected <base-output-folder> <head-output-folder> [<plan-folder>], got $# argument(s)" >&2; exit 2; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
args=()
if [ "${REVIEW_FAIL_ON_DESTROY:-0}" = "1" ]; then args+=(--fail-on-destroy); fi
if [ $# -eq 3 ]; then
  for f in "$3"/*.plan.json; do
    [ -e "$f" ] || continue
    args+=(--plan "$(basename "$f" .plan.json)=$f")
  done
fi
echo "<!-- eks-audit-siem-review -->"
node "$here/scripts/run-ts.js" "$here/tools/review-cli.ts" "${args[@]}" "$1" "$2"
