#!/usr/bin/env bash
# The one environment list CI plans and applies (tools/ci/environments.ts): the config's environments in its order,
# then every environment of <base-output> that the head no longer has, as a destroy. A JSON array of
# {"environment": "<name>", "destroy": false|true}: GitHub's plan and apply matrices, GitLab's child pipeline.
#   scripts/ci/environments.sh <head-output> [<base-output>]
# The config is this checkout's (EKS_AUDIT_SIEM_CONFIG, relative to the checkout as synth.sh reads it, else the
# default example): run the head checkout's copy of this script.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then echo "environments.sh: expected <head-output> [<base-output>], got $# argument(s)" >&2; exit 2; fi
project="$(cd "$(dirname "$0")/../.." && pwd)"
folders=()
for f in "$@"; do
  if [ ! -d "$f/stacks" ]; then echo "environments.sh: $f holds no stacks/; allowed: a synthesized output folder" >&2; exit 2; fi
  folders+=("$(cd "$f" && pwd)")
done
cd "$project"
node scripts/run-ts.js tools/ci/environments.ts "${EKS_AUDIT_SIEM_CONFIG:-config/eks-audit-siem.yaml}" "${folders[@]}"
