#!/usr/bin/env bash
# One environment's plan in a line of Markdown, for the job summary ($GITHUB_STEP_SUMMARY): the plan's own summary
# line, or that the plan failed (no saved plan text in <plan-folder>).
#   scripts/ci/plan-summary.sh <plan-folder> <environment>
set -euo pipefail
if [ $# -ne 2 ]; then echo "plan-summary.sh: expected <plan-folder> <environment>, got $# argument(s)" >&2; exit 2; fi
destroy=""
if [ -f "$1/$2.destroy" ]; then destroy=" (environment removed: destroy plan)"; fi
if [ -f "$1/$2.plan.txt" ] && [ -f "$1/$2.tfplan" ]; then
  line=$(grep -E '^(Plan:|No changes\.)' "$1/$2.plan.txt" | head -n 1 || true)
  echo "### Plan of \`$2\`$destroy"
  echo
  echo "${line:-no summary line in the plan output}"
else
  echo "### Plan of \`$2\`: **failed** (no saved plan; see the log of the plan step)"
fi
