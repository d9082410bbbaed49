#!/usr/bin/env bash
# Applies exactly the reviewed saved plan of one environment.
#   scripts/ci/apply.sh <output-folder> <environment> <plan-folder>
# A destroy plan (<plan-folder>/<env>.destroy, an environment removed from the config) is applied from the
# configuration saved with it, written to <output-folder>/removed/<env>/; refused (exit 4) while <output-folder> still
# synthesizes the environment.
# Refuses (exit 4) when <output-folder>'s stack is not the configuration the plan was made from (the branch moved
# after review: plan again). Terraform itself refuses a saved plan whose state changed since ("Saved plan is stale").
# Refuses a stack with local state (require-remote-state.sh); waits up to TF_LOCK_TIMEOUT (default 10m) for the lock.
set -euo pipefail
if [ $# -ne 3 ]; then echo "apply.sh: expected <output-folder> <environment> <plan-folder>, got $# argument(s)" >&2; exit 2; fi
out=$1
env=$2
stack="$out/stacks/$env"
plans="$(cd "$3" && pwd)"
if [ -f "$plans/$env.destroy" ]; then
  # A removed environment's destroy plan: <out> (main) no longer synthesizes it; apply from the saved configuration.
  if [ -f "$stack/cdk.tf.json" ]; then
    echo "apply.sh: $env has a destroy plan but $stack/cdk.tf.json exists (the environment is in the config again); plan and review again" >&2
    exit 4
  fi
  stack="$out/removed/$env"
  mkdir -p "$stack"
  if [ -f "$plans/$env.cdk.tf.json" ]; then cp "$plans/$env.cdk.tf.json" "$stack/cdk.tf.json"; fi
fi
for f in "$stack/cdk.tf.json" "$plans/$env.tfplan" "$plans/$env.cdk.tf.json.sha256" "$plans/$env.terraform.lock.hcl"; do
  if [ ! -f "$f" ]; then echo "apply.sh: $f not found; allowed: an output folder and the plan folder plan.sh wrote" >&2; exit 2; fi
done
"$(dirname "$0")/require-remote-state.sh" "$stack" apply.sh
now=$(sha256sum < "$stack/cdk.tf.json" | cut -d' ' -f1)
if [ "$now" != "$(cat "$plans/$env.cdk.tf.json.sha256")" ]; then
  echo "apply.sh: $stack/cdk.tf.json is not the configuration the reviewed plan of $env was made from; plan and review again" >&2
  exit 4
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
cp "$plans/$env.terraform.lock.hcl" "$stack/.terraform.lock.hcl"
terraform -chdir="$stack" init -input=false -no-color -lockfile=readonly >&2
terraform -chdir="$stack" apply -input=false -no-color -lock-timeout="${TF_LOCK_TIMEOUT:-10m}" "$plans/$env.tfplan"
