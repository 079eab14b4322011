#!/usr/bin/env bash
# The README's first command, as a newcomer types it, then the same run from the Native AOT
# `cryptoetl` binary users get: both must load the recorded market into DuckDB.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet run --project src/CryptoEtl.Cli -c Release -- run --offline --data-dir "$work/jit" > "$work/jit.log"
rows=$(dotnet run --project src/CryptoEtl.Cli -c Release --no-build -- query --data-dir "$work/jit" --format csv "SELECT count(*) FROM crypto_data" | tail -n 1)
[ "$rows" -gt 0 ] || { echo "dotnet run: no rows loaded"; cat "$work/jit.log"; exit 1; }

dotnet publish src/CryptoEtl.Cli -c Release -r linux-x64 -o "$work/native" > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
start=$(date +%s%N)
"$work/native/cryptoetl" run --offline --data-dir "$work/native-data" > "$work/native.log"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
native_rows=$("$work/native/cryptoetl" query --data-dir "$work/native-data" --format csv "SELECT count(*) FROM crypto_data" | tail -n 1)
[ "$native_rows" = "$rows" ] || { echo "native binary loaded $native_rows rows, dotnet run $rows"; cat "$work/native.log"; exit 1; }
echo "cli: dotnet run and the native binary both loaded $rows rows; native offline run took ${elapsed_ms} ms; binary $(du -h "$work/native/cryptoetl" | cut -f1)"
