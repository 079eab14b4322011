#!/usr/bin/env bash
# Publishes the three Lambda functions as Native AOT `bootstrap` binaries and zips each with
# `bootstrap` at the zip root: artifacts/extract.zip, artifacts/transform.zip, artifacts/load.zip.
# The published folders stay in artifacts/publish/<rid>/<function>/ for the glibc check and tests.
#
# Usage: build/package-lambdas.sh [linux-x64 | linux-arm64 | x86_64 | arm64]
# Default: this machine's architecture. Native AOT compiles for the machine it runs on; cross
# compiling needs a cross linker and sysroot (see docs/lambda.md).
set -euo pipefail
cd "$(dirname "$0")/.."

arch="${1:-${LAMBDA_ARCHITECTURE:-$(uname -m)}}"
case "$arch" in
  linux-x64 | x86_64 | x64 | amd64) rid=linux-x64 ;;
  linux-arm64 | arm64 | aarch64) rid=linux-arm64 ;;
  *) echo "package-lambdas: unknown architecture '$arch' (use linux-x64 or linux-arm64)" >&2; exit 2 ;;
esac

out="$PWD/artifacts"
mkdir -p "$out"

zip_bootstrap() { # folder zipfile: bootstrap (executable) at the root, nothing else
  local folder=$1 archive=$2
  rm -f "$archive"
  if command -v zip > /dev/null; then
    (cd "$folder" && zip -q -X -9 "$archive" bootstrap)
  else
    python3 - "$folder/bootstrap" "$archive" <<'PY'
import sys, zipfile
source, archive = sys.argv[1], sys.argv[2]
info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
info.external_attr = (0o100755 << 16)  # a regular file, rwxr-xr-x: Lambda executes it
info.compress_type = zipfile.ZIP_DEFLATED
with open(source, "rb") as f, zipfile.ZipFile(archive, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
PY
  fi
}

for function in extract transform load; do
  project="src/CryptoEtl.${function^}/CryptoEtl.${function^}.csproj"
  publish="$out/publish/$rid/$function"
  rm -rf "$publish"
  echo "== $function ($rid)"
  started=$(date +%s)
  dotnet publish "$project" -c Release -r "$rid" -o "$publish" --nologo -v quiet
  [ -x "$publish/bootstrap" ] || { echo "package-lambdas: no executable $publish/bootstrap" >&2; exit 1; }
  zip_bootstrap "$publish" "$out/$function.zip"
  echo "   bootstrap $(stat -c %s "$publish/bootstrap") bytes, $function.zip $(stat -c %s "$out/$function.zip") bytes, $(( $(date +%s) - started ))s"
done
