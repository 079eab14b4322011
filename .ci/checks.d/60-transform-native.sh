#!/usr/bin/env bash
# The Transform code as the Lambda runs it: Native AOT with trim/AOT analyzers and warnings as
# errors (CsvHelper included), then one transform of a 17,000-coin synthetic market. Prints the
# wall time and peak RSS for the record; the targets live in docs/performance.md, not here.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet publish bench/TransformProcess -c Release -r linux-x64 -o "$work/native" --nologo > "$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; exit 1; }
dotnet build bench/CryptoEtl.Bench -c Release --nologo -v quiet > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
key=$(dotnet bench/CryptoEtl.Bench/bin/Release/net10.0/CryptoEtl.Bench.dll generate 17000 "$work/store")
started=$(date +%s%N)
"$work/native/transform-process" "$work/store" "$key" > "$work/output.json"
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
rows=$(grep -o '"rows":[0-9]*' "$work/output.json" | cut -d: -f2)
# The CSV's key carries a write id new for every write (ObjectKeys.Csv): take it from the output.
csv_key=$(grep -o '"csv_key":"[^"]*"' "$work/output.json" | cut -d'"' -f4)
csv_rows=$(( $(grep -c $'\r$' "$work/store/$csv_key") - 1 ))
[ "${rows:-0}" -gt 16000 ] && [ "$rows" = "$csv_rows" ] || { echo "transform-native: output $(cat "$work/output.json"), CSV has $csv_rows rows"; exit 1; }
echo "transform-native: AOT transform of 17,000 coins wrote $rows rows in ${elapsed_ms} ms"
