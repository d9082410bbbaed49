#!/usr/bin/env bash
# Prints the environments of a synthesized output folder as a JSON array (the plan job's matrix).
#   scripts/ci/environments.sh <output-folder>
set -euo pipefail
if [ $# -ne 1 ]; then echo "environments.sh: expected <output-folder>, got $# argument(s)" >&2; exit 2; fi
if [ ! -d "$1/stacks" ]; then echo "environments.sh: $1 holds no stacks/; allowed: a synthesized output folder" >&2; exit 2; fi
node -e 'const fs=require("fs");const d=process.argv[1]+"/stacks";process.stdout.write(JSON.stringify(fs.readdirSync(d).filter((n)=>fs.existsSync(d+"/"+n+"/cdk.tf.json")).sort())+"\n")' "$1"
