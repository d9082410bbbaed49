#!/usr/bin/env bash
# terraform init (providers locked) and plan -out for one environment of a synthesized output folder.
#   scripts/ci/plan.sh <output-folder> <environment> <plan-folder> [--destroy]
# Writes into <plan-folder>: <env>.tfplan (the saved plan apply.sh applies), <env>.plan.json (terraform show -json,
# for review), <env>.plan.txt (the human plan), <env>.cdk.tf.json (the configuration the plan was made from) and its
# <env>.cdk.tf.json.sha256, <env>.terraform.lock.hcl, and <env>.destroy with --destroy.
# --destroy: an environment removed from the config (environments.sh marks it), planned with `plan -destroy` from
# the base's output; apply.sh applies it from the saved configuration, as main no longer synthesizes it. The saved plan holds no API key: the key variable is ephemeral (see docs/reference.md, Pipelines).
# Lock file: <TF_LOCK_DIR>/stacks/<env>/.terraform.lock.hcl (default cdktf.out/, where docs/reference.md has it committed)
# when it exists, else the stack's own.
# Refuses a stack with local state (require-remote-state.sh). Waits up to TF_LOCK_TIMEOUT (default 10m) for the state
# lock another plan or apply of the environment holds, instead of failing at once.
# TF_PLAN_DETAILED_EXITCODE=1 (drift detection): plan with -detailed-exitcode and exit 3 after writing everything
# when the plan has changes (the infrastructure or state differs from the configuration).
# TF_PLAN_EXTRA_ARGS adds plan arguments (the offline test tier passes -refresh=false -lock=false).
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ] || { [ $# -eq 4 ] && [ "$4" != "--destroy" ]; }; then
  echo "plan.sh: expected <output-folder> <environment> <plan-folder> [--destroy], got: $*" >&2
  exit 2
fi
out=$1
env=$2
destroy=()
if [ $# -eq 4 ]; then destroy=(-destroy); fi
stack="$out/stacks/$env"
if [ ! -f "$stack/cdk.tf.json" ]; then echo "plan.sh: $stack/cdk.tf.json not found; allowed: an environment synthesized into $out" >&2; exit 2; fi
"$(dirname "$0")/require-remote-state.sh" "$stack" plan.sh
mkdir -p "$3"
plans="$(cd "$3" && pwd)"
lockfile="${TF_LOCK_DIR:-cdktf.out}/stacks/$env/.terraform.lock.hcl"
if [ -f "$lockfile" ] && [ ! "$lockfile" -ef "$stack/.terraform.lock.hcl" ]; then cp "$lockfile" "$stack/.terraform.lock.hcl"; fi
lockmode=()
if [ -f "$stack/.terraform.lock.hcl" ]; then
  lockmode=(-lockfile=readonly)
else
  echo "plan.sh: no lock file for $env (looked for $lockfile and in $stack/); providers are not locked, see scripts/ci/lock.sh" >&2
fi
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
terraform -chdir="$stack" init -input=false -no-color "${lockmode[@]}" >&2
# shellcheck disable=SC2086 # TF_PLAN_EXTRA_ARGS is a list of arguments
rm -f "$plans/$env.destroy"
detailed=()
if [ "${TF_PLAN_DETAILED_EXITCODE:-0}" = "1" ]; then detailed=(-detailed-exitcode); fi
status=0
# -detailed-exitcode: 0 no changes, 1 error, 2 changes (https://developer.hashicorp.com/terraform/cli/commands/plan#detailed-exitcode)
terraform -chdir="$stack" plan -input=false -no-color -lock-timeout="${TF_LOCK_TIMEOUT:-10m}" "${destroy[@]}" "${detailed[@]}" ${TF_PLAN_EXTRA_ARGS:-} -out="$plans/$env.tfplan" > "$plans/$env.plan.txt" || status=$?
if [ "$status" -ne 0 ] && { [ "$status" -ne 2 ] || [ ${#detailed[@]} -eq 0 ]; }; then
  cat "$plans/$env.plan.txt" >&2
  exit "$status"
fi
terraform -chdir="$stack" show -json "$plans/$env.tfplan" > "$plans/$env.plan.json"
cp "$stack/cdk.tf.json" "$plans/$env.cdk.tf.json"
sha256sum < "$stack/cdk.tf.json" | cut -d' ' -f1 > "$plans/$env.cdk.tf.json.sha256"
if [ ${#destroy[@]} -gt 0 ]; then : > "$plans/$env.destroy"; fi
cp "$stack/.terraform.lock.hcl" "$plans/$env.terraform.lock.hcl"
grep -E '^(Plan:|No changes\.|Changes to Outputs)' "$plans/$env.plan.txt" || true
if [ "$status" -eq 2 ]; then
  echo "plan.sh: $env has changes: the infrastructure or its state differs from the configuration (drift, or an unapplied change)" >&2
  exit 3
fi
