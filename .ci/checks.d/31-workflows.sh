#!/usr/bin/env bash
# GitHub workflows: schema-valid (action-validator, pinned) and every repo path they name exists,
# so a renamed script breaks CI here instead of the next deploy.
set -euo pipefail
cd "$(dirname "$0")/../.."
validator="@action-validator/cli@0.6.0"
status=0
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ ${#workflows[@]} -eq 0 ]; then
  echo "no workflows under .github/workflows" >&2
  exit 1
fi
for wf in "${workflows[@]}"; do
  if npx --yes "$validator" "$wf"; then
    echo "action-validator: $wf ok"
  else
    echo "action-validator: $wf invalid" >&2
    status=1
  fi
  # Paths into the repo's own folders (scripts, templates, local workflows); build outputs such as
  # artifacts/ are made by the workflow and not checked.
  while IFS= read -r ref; do
    ref="${ref#./}"
    if [ -e "$ref" ]; then
      echo "  $wf -> $ref exists"
    else
      echo "$wf references $ref, which is not in the repo" >&2
      status=1
    fi
  done < <(perl -nle 'print $1 while m{(?<![\w./-])(?:\./)?((?:\.ci|\.github|build|infra|statemachine|src|tests|bench|docs|scripts)/[\w./-]*[\w-])}g' "$wf" | sort -u)
done
exit "$status"
