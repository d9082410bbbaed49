#!/usr/bin/env bash
# GitLab: exchanges the job's OIDC ID token (AWS_ID_TOKEN, `id_tokens:` in .gitlab-ci.yml) for short-lived
# credentials of <role-arn> and prints them as `export` lines: eval "$(scripts/ci/aws-web-identity.sh <role-arn>)".
# (GitHub Actions does the same with aws-actions/configure-aws-credentials.)
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then echo "aws-web-identity.sh: expected <role-arn>, got ${1:-nothing}; set the environment's role variable" >&2; exit 2; fi
if [ -z "${AWS_ID_TOKEN:-}" ]; then echo "aws-web-identity.sh: AWS_ID_TOKEN is empty; allowed: a job with id_tokens: AWS_ID_TOKEN (aud sts.amazonaws.com)" >&2; exit 2; fi
aws sts assume-role-with-web-identity --role-arn "$1" --role-session-name "gitlab-${CI_PROJECT_ID:-local}-${CI_JOB_ID:-0}" \
  --web-identity-token "$AWS_ID_TOKEN" --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text |
  awk '{ printf "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s\n", $1, $2, $3 }'
