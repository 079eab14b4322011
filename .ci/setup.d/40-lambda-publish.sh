#!/usr/bin/env bash
# Publishes the three Lambda functions (Native AOT) and their zips once, before the tests: the
# AOT end-to-end tests start these binaries (CRYPTOETL_TEST_LAMBDA_PUBLISH) instead of publishing
# again, and checks.d/40-lambda-package.sh inspects the same files.
set -euo pipefail
cd "$(dirname "$0")/../.."
case "$(uname -m)" in
  aarch64 | arm64) rid=linux-arm64 ;;
  *) rid=linux-x64 ;;
esac
started=$(date +%s)
bash build/package-lambdas.sh "$rid"
echo "CRYPTOETL_TEST_LAMBDA_PUBLISH=$PWD/artifacts/publish/$rid" >> .ci/env
echo "lambda: published and zipped in $(( $(date +%s) - started ))s"
