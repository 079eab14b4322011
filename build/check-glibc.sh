#!/usr/bin/env bash
# Fails when a published bootstrap needs a newer glibc than provided.al2023 has (2.34): such a
# binary would not even start in Lambda ("version `GLIBC_2.xx' not found").
# Usage: build/check-glibc.sh [binary ...]   (default: every artifacts/publish/*/*/bootstrap)
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${MAX_GLIBC:-2.34}"

binaries=("$@")
if [ ${#binaries[@]} -eq 0 ]; then
  shopt -s nullglob
  binaries=(artifacts/publish/*/*/bootstrap)
fi
if [ ${#binaries[@]} -eq 0 ]; then
  echo "check-glibc: no binaries; run build/package-lambdas.sh first" >&2
  exit 1
fi

status=0
for binary in "${binaries[@]}"; do
  # The versions of the dynamic symbols the binary imports, e.g. GLIBC_2.34 for __libc_start_main.
  needed=$(readelf --dyn-syms --wide "$binary" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  if [ -z "$needed" ]; then
    echo "check-glibc: $binary imports no versioned glibc symbol; is it a dynamically linked ELF?" >&2
    status=1
  elif [ "$(printf '%s\n%s\n' "$needed" "$limit" | sort -V | tail -n 1)" != "$limit" ]; then
    echo "FAIL $binary needs GLIBC_$needed, above $limit:"
    readelf --dyn-syms --wide "$binary" | grep -oE "[A-Za-z0-9_]+@+GLIBC_$needed( |$)" | sed 's/^/       /' | sort -u
    status=1
  else
    echo "ok   $binary needs GLIBC_$needed <= $limit"
  fi
done
exit $status
