#!/usr/bin/env bash
# Prints `region=<region>` of a stack's default AWS provider (the environment's primary region), for the AWS
# credentials step: STS is called in the environment's own region and partition (GovCloud: us-gov-west-1, whose
# STS endpoint is in the aws-us-gov partition), never a hard-coded us-east-1.
#   scripts/ci/stack-region.sh <stack-folder or its cdk.tf.json (e.g. plans/<env>.cdk.tf.json, saved by plan.sh)>
set -euo pipefail
if [ $# -ne 1 ]; then echo "stack-region.sh: expected <stack-folder>, got $# argument(s)" >&2; exit 2; fi
file=$1
if [ -d "$file" ]; then file="$file/cdk.tf.json"; fi
if [ ! -f "$file" ]; then echo "stack-region.sh: $file not found; allowed: a synthesized stack folder or its cdk.tf.json" >&2; exit 2; fi
node -e '
const aws = ((JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).provider ?? {}).aws ?? []);
const main = (Array.isArray(aws) ? aws : [aws]).find((p) => p.alias === undefined);
if (typeof main?.region !== "string") { process.stderr.write(`stack-region.sh: ${process.argv[1]} has no default AWS provider with a region\n`); process.exit(2); }
process.stdout.write(`region=${main.region}\n`);
' "$file"
