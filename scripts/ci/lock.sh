#!/usr/bin/env bash
# Writes the lock file of every synthesized environment, with the checksums of every platform CI and developers use,
# into <output-folder>/stacks/<env>/.terraform.lock.hcl and (when different) <TF_LOCK_DIR>/stacks/<env>/ (default
# cdktf.out/: commit them as docs/reference.md's "Provider lock files" shows). plan.sh then inits with -lockfile=readonly, so
# a provider version or checksum can only change through a reviewed commit.
#   scripts/ci/lock.sh <output-folder>
# TF_LOCK_EXTRA_ARGS replaces the platform list (the offline test tier passes -fs-mirror=<dir> -platform=linux_amd64).
set -euo pipefail
if [ $# -ne 1 ]; then echo "lock.sh: expected <output-folder>, got $# argument(s)" >&2; exit 2; fi
lockdir=${TF_LOCK_DIR:-cdktf.out}
export CHECKPOINT_DISABLE=1
if [ ! -d "$1/stacks" ]; then echo "lock.sh: $1 holds no stacks/; allowed: a synthesized output folder" >&2; exit 2; fi
for env in $(node -e 'const fs=require("fs");const d=process.argv[1]+"/stacks";process.stdout.write(fs.readdirSync(d).filter((n)=>fs.existsSync(d+"/"+n+"/cdk.tf.json")).sort().join(" "))' "$1"); do
  # shellcheck disable=SC2086
  terraform -chdir="$1/stacks/$env" providers lock -no-color ${TF_LOCK_EXTRA_ARGS:--platform=linux_amd64 -platform=linux_arm64 -platform=darwin_arm64 -platform=darwin_amd64} >&2
  target="$lockdir/stacks/$env/.terraform.lock.hcl"
  mkdir -p "$(dirname "$target")"
  if [ ! "$target" -ef "$1/stacks/$env/.terraform.lock.hcl" ]; then cp "$1/stacks/$env/.terraform.lock.hcl" "$target"; fi
  echo "$target"
done
