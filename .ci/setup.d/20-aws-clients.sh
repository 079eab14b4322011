#!/usr/bin/env bash
# The real clients tests/CryptoEtl.Server.Tests drives `cryptoetl serve` with: the aws CLI and
# boto3. Installed from PyPI when missing (the tests skip, saying so, without the aws CLI).
set -euo pipefail
if command -v aws >/dev/null 2>&1 && python3 -c "import boto3" >/dev/null 2>&1; then
  echo "aws CLI and boto3 present: $(aws --version 2>&1)"
  exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check awscli boto3
command -v aws >/dev/null 2>&1 || { echo "aws CLI still not on PATH after pip install" >&2; exit 1; }
echo "installed: $(aws --version 2>&1)"
