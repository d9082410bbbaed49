#!/usr/bin/env bash
# Synthesizes a project folder's config into an output folder: what the PR job runs for the base and the head.
#   scripts/ci/synth.sh <project-folder> <output-folder>
# Needs node and the project's node_modules (npm ci); no terraform, no credentials.
set -euo pipefail
if [ $# -ne 2 ]; then echo "synth.sh: expected <project-folder> <output-folder>, got $# argument(s)" >&2; exit 2; fi
project=$1
out=$2
mkdir -p "$(dirname "$out")"
out_abs="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
(cd "$project" && CDKTF_OUTDIR="$out_abs" npm run --silent synth)
