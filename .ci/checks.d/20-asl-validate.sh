#!/usr/bin/env bash
# Validates every state machine definition against the Amazon States Language schema (including
# JSONPath expressions and resource ARNs), the same checks the Step Functions console runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for definition in statemachine/*.asl.json; do
  npx --yes asl-validator@4 --json-path "$definition" || status=1
done
exit "$status"
