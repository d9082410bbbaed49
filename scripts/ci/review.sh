#!/usr/bin/env bash
# The PR comment: review of base vs head, with every saved plan of <plan-folder> folded in (its JSON) and shown
# collapsed at the end (its text); with <environments.json> (environments.sh), every listed environment without a
# saved plan is said first to have failed.
#   scripts/ci/review.sh <base-output-folder> <head-output-folder> [<plan-folder> [<environments.json>]]
# Markdown on stdout; exit code of `review` (3 when something would be destroyed, replaced or moved, with
# REVIEW_FAIL_ON_DESTROY=1). REVIEW_BACKTEST (optional): a sample of the audit logs the rules see, kept by CI (a file,
# a directory, a quoted glob or an s3:// prefix, e.g. last night's day of the Datadog archive): each detection rule
# the change adds, alters or removes then shows its estimated signals per day before -> after on it (review
# --backtest, docs/backtest.md); unset, the review says nothing of it and this script says so on stderr.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 4 ]; then echo "review.sh: expected <base-output-folder> <head-output-folder> [<plan-folder> [<environments.json>]], got $# argument(s)" >&2; exit 2; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
args=()
if [ "${REVIEW_FAIL_ON_DESTROY:-0}" = "1" ]; then args+=(--fail-on-destroy); fi
if [ -n "${REVIEW_BACKTEST:-}" ]; then
  args+=(--backtest "$REVIEW_BACKTEST")
else
  echo "review.sh: REVIEW_BACKTEST is not set: no backtest of the changed detection rules (set it to a sample of the audit logs to see their signals per day before and after)" >&2
fi
if [ $# -ge 3 ]; then
  for f in "$3"/*.plan.json; do
    [ -e "$f" ] || continue
    args+=(--plan "$(basename "$f" .plan.json)=$f")
  done
  for f in "$3"/*.plan.txt; do
    [ -e "$f" ] || continue
    args+=(--plan-text "$(basename "$f" .plan.txt)=$f")
  done
fi
if [ $# -eq 4 ]; then
  for env in $(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).map((e)=>e.environment).join(" "))' "$4"); do
    if [ ! -f "$3/$env.plan.json" ]; then args+=(--missing-plan "$env"); fi
  done
fi
echo "<!-- eks-audit-siem-review -->"
node "$here/scripts/run-ts.js" "$here/tools/review/cli.ts" "${args[@]}" "$1" "$2"
