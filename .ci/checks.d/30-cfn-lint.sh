#!/usr/bin/env bash
# The SAM template must lint clean: cfn-lint applies the SAM transform and checks the resulting
# CloudFormation against the resource specs (types, limits, references).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v cfn-lint >/dev/null; then
  echo "cfn-lint is not installed (the CI image provides it)" >&2
  exit 1
fi
cfn-lint --version
cfn-lint infra/template.yaml
echo "cfn-lint: infra/template.yaml clean"
