#!/usr/bin/env bash
# GitLab: writes the child pipeline (tools/ci/gitlab-child.ts) for the environment list of the synth job on stdout.
# Apply jobs only on the default branch (not in merge request pipelines); `approve destroy` before any apply when
# the synthesized change destroys, replaces or moves something (review exit 3) or an environment is removed.
#   scripts/ci/gitlab-child.sh <environments.json> <base-output> <head-output>
set -euo pipefail
if [ $# -ne 3 ]; then echo "gitlab-child.sh: expected <environments.json> <base-output> <head-output>, got $# argument(s)" >&2; exit 2; fi
here="$(cd "$(dirname "$0")/../.." && pwd)"
flags=()
if [ -z "${CI_MERGE_REQUEST_IID:-}" ] && [ -n "${CI_COMMIT_BRANCH:-}" ] && [ "${CI_COMMIT_BRANCH}" = "${CI_DEFAULT_BRANCH:-}" ]; then flags+=(--apply); fi
status=0
if [ -d "$2/stacks" ] && [ -n "$(ls -A "$2/stacks")" ]; then
  # `review` itself, not review.sh: only its exit code is wanted here, never a backtest of the logs.
  node "$here/scripts/run-ts.js" "$here/tools/review/cli.ts" --fail-on-destroy "$2" "$3" > /dev/null || status=$?
fi
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then exit "$status"; fi
if [ "$status" -eq 3 ] || grep -q '"destroy":true' "$1"; then flags+=(--approve-destroy); fi
node "$here/scripts/run-ts.js" "$here/tools/ci/gitlab-child.ts" "$1" "${flags[@]}"
