#!/usr/bin/env bash
# GitLab: prints the commit to synthesize as the base of the review, or nothing when there is none.
#   merge request pipeline     CI_MERGE_REQUEST_DIFF_BASE_SHA (the MR's diff base)
#   push with a previous tip   CI_COMMIT_BEFORE_SHA
#   otherwise                  the first parent of CI_COMMIT_SHA (fetched): CI_COMMIT_BEFORE_SHA is all zeros for the
#                              first push of a branch and for manual, scheduled and API-triggered pipelines
#                              (https://docs.gitlab.com/ci/variables/predefined_variables/)
# Nothing (and exit 0) for a root commit: the review then compares against no stacks.
set -euo pipefail
if [ -n "${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}" ]; then echo "$CI_MERGE_REQUEST_DIFF_BASE_SHA"; exit 0; fi
before=${CI_COMMIT_BEFORE_SHA:-}
if [ -n "$before" ] && [ -n "${before//0/}" ]; then echo "$before"; exit 0; fi
commit=${CI_COMMIT_SHA:-$(git rev-parse HEAD)}
git fetch --quiet --depth 2 origin "$commit" 2> /dev/null || true
git rev-parse --verify --quiet "$commit^" || true
