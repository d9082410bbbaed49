#!/usr/bin/env bash
# Refuses (exit 2) a stack whose state would stay on the CI runner: a `local` backend, or none (Terraform's default,
# local). A runner's files are gone after the job (GitHub-hosted runners are fresh VMs, GitLab runners reuse or
# discard build folders at will), so the next apply would find no state and create everything again: AWS "already
# exists" errors, duplicate Datadog rules. Called by plan.sh and apply.sh before terraform runs.
#   scripts/ci/require-remote-state.sh <stack-folder> <caller>
# Reads the backend that cdk.tf.json (the config's `backend`) declares; override files are not consulted (the
# offline test tier keeps its state local through one, on a machine that is not a CI runner).
set -euo pipefail
if [ $# -ne 2 ]; then echo "require-remote-state.sh: expected <stack-folder> <caller>, got $# argument(s)" >&2; exit 2; fi
stack=$1
env=$(basename "$stack")
backend=$(node -e '
const b = (JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).terraform ?? {}).backend ?? {};
process.stdout.write(Object.keys(b).join(",") || "none");
' "$stack/cdk.tf.json")
if [ "$backend" = "local" ] || [ "$backend" = "none" ]; then
  cat >&2 <<MSG
$2: environment $env keeps its state on this runner (backend: $backend); allowed in CI: a remote backend. A CI runner's files are gone after the job, so the next apply would find no state and create everything again. Configure S3 state for $env in config/eks-audit-siem.yaml: backend: {type: s3, bucket: <state bucket>, region: <bucket region>} (key defaults to eks-audit-siem/$env.tfstate, encrypted, locked with use_lockfile), then move existing state there with terraform init -migrate-state. Local state is for a laptop.
MSG
  exit 2
fi
