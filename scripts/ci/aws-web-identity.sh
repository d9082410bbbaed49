#!/usr/bin/env bash
# GitLab: exchanges the job's OIDC ID token (AWS_ID_TOKEN, `id_tokens:` in the CI file) for short-lived credentials
# of <role-arn> and writes them as `export` lines to <file>, which the job then sources:
#   scripts/ci/aws-web-identity.sh <role-arn> .aws-credentials.env && . ./.aws-credentials.env
# Any failure exits non-zero and writes no file, so the job stops: never `eval "$(...)"`, whose status is eval's
# (0 for empty input), which let a job go on with whatever credentials the runner had.
# (GitHub Actions does the same with aws-actions/configure-aws-credentials.)
set -euo pipefail
if [ $# -ne 2 ] || [ -z "$1" ]; then echo "aws-web-identity.sh: expected <role-arn> <file>, got ${1:-no role}; set the environment's role in AWS_PLAN_ROLES / AWS_APPLY_ROLES" >&2; exit 2; fi
if [ -z "${AWS_ID_TOKEN:-}" ]; then echo "aws-web-identity.sh: AWS_ID_TOKEN is empty; allowed: a job with id_tokens: AWS_ID_TOKEN (aud sts.amazonaws.com)" >&2; exit 2; fi
rm -f "$2"
creds=$(aws sts assume-role-with-web-identity --role-arn "$1" --role-session-name "gitlab-${CI_PROJECT_ID:-local}-${CI_JOB_ID:-0}" \
  --web-identity-token "$AWS_ID_TOKEN" --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
read -r key secret token <<< "$creds"
if [ -z "${key:-}" ] || [ -z "${secret:-}" ] || [ -z "${token:-}" ] || [ "$key" = "None" ]; then
  echo "aws-web-identity.sh: AWS returned no credentials for $1; the job stops here" >&2
  exit 1
fi
umask 077
printf 'export AWS_ACCESS_KEY_ID=%q AWS_SECRET_ACCESS_KEY=%q AWS_SESSION_TOKEN=%q\n' "$key" "$secret" "$token" > "$2"
