#!/usr/bin/env bash
# Prints the role ARN of <environment> from a JSON object of roles by environment (AWS_PLAN_ROLES, AWS_APPLY_ROLES:
# {"staging": "arn:aws:iam::111111111111:role/eks-audit-siem-plan", ...}); exit 2 naming the environment when absent.
#   scripts/ci/role-for.sh <roles-json> <environment>
set -euo pipefail
if [ $# -ne 2 ]; then echo "role-for.sh: expected <roles-json> <environment>, got $# argument(s)" >&2; exit 2; fi
node -e '
let roles;
try { roles = JSON.parse(process.argv[1]); } catch { roles = undefined; }
const arn = roles && typeof roles === "object" ? roles[process.argv[2]] : undefined;
if (typeof arn !== "string" || !/^arn:aws[a-z-]*:iam::\d{12}:role\//.test(arn)) {
  process.stderr.write(`role-for.sh: no role ARN for environment ${JSON.stringify(process.argv[2])} in the roles variable; allowed: {"<environment>": "arn:<partition>:iam::<account>:role/<name>"}\n`);
  process.exit(2);
}
process.stdout.write(arn + "\n");
' "$1" "$2"
