#!/usr/bin/env bash
# The performance bench: one command for every figure in docs/performance.md.
#
#   bench/run.sh [process] [inprocess] [steps] [pipeline] [pacing] [bdn]
#                (default: process inprocess steps pipeline pacing)
#
#   process    Native AOT transform process (bench/TransformProcess, the Lambda's publish settings)
#              on 0, 17,000 and 500,000 synthetic coins: median wall time and peak RSS over RUNS
#              runs (/usr/bin/time -v). Peak above baseline = RSS(N coins) - RSS(0 coins).
#   inprocess  TransformStep in process (JIT, warmed up): median wall and CPU time.
#   steps      Extract in process: a full sweep (pages=all) of 17,000 coins from a local CoinGecko
#              stand-in on 127.0.0.1, stored in a folder. LoadStep into DuckDB of the 17,000- and
#              500,000-row CSVs (the process mode's output): a new table, and a re-run replacing it.
#   pipeline   `cryptoetl run --pages all` on 17,000 coins from the stand-in: wall time per state
#              and in total (Native AOT binary when it publishes, else the JIT build).
#   pacing     Extract's pacing on a simulated clock: full sweeps (70 pages) against a stand-in that
#              enforces 100, 30 or 10 calls in any trailing minute, with and without 8 % injected 429s:
#              calls, calls over the limit, most calls in any 60 s, simulated time against its bound.
#   bdn        BenchmarkDotNet (time and allocations, MemoryDiagnoser) for 250, 17,000, 500,000 coins.
#
# Environment: BENCH_OUT (default /tmp/cryptoetl-bench; the 500,000-coin market is ~0.5 GB),
# BENCH_RUNS (default 5). The machine is shared: the script prints the load average with each
# figure, and CPU time next to wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="${BENCH_OUT:-/tmp/cryptoetl-bench}"
runs="${BENCH_RUNS:-5}"
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(process inprocess steps pipeline pacing)
mkdir -p "$out"

load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (apt)"
  apt-get update -qq && apt-get install -y -qq time > /dev/null
fi

echo "== building bench (Release)"
dotnet build bench/CryptoEtl.Bench -c Release --nologo -v quiet > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
bench_dll=bench/CryptoEtl.Bench/bin/Release/net10.0/CryptoEtl.Bench.dll

market() { # coins -> store folder holding the synthetic raw object (generated once)
  local folder="$out/market-$1"
  if [ ! -f "$folder/.done" ]; then
    rm -rf "$folder"
    dotnet "$bench_dll" generate "$1" "$folder" > /dev/null
    touch "$folder/.done"
  fi
  echo "$folder"
}

raw_key=$(dotnet "$bench_dll" generate 0 "$out/market-0")
touch "$out/market-0/.done"

for mode in "${modes[@]}"; do
  case "$mode" in
    process)
      echo "== publishing transform-process (Native AOT)"
      dotnet publish bench/TransformProcess -c Release -r linux-x64 -o "$out/transform-process" --nologo -v quiet > "$out/publish.log" 2>&1 \
        || { cat "$out/publish.log"; exit 1; }
      baseline_kb=
      for coins in 0 17000 500000; do
        folder=$(market "$coins")
        walls=(); rss=()
        for _ in $(seq "$runs"); do
          # GNU time's own clock has 10 ms steps: time the run with nanoseconds around it.
          started=$(date +%s%N)
          /usr/bin/time -v -o "$out/time.txt" "$out/transform-process/transform-process" "$folder" "$raw_key" > "$out/output.json"
          walls+=("$(( ($(date +%s%N) - started) / 1000000 ))")
          rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")")
        done
        wall=$(printf '%s\n' "${walls[@]}" | median)
        peak=$(printf '%s\n' "${rss[@]}" | median)
        [ -n "$baseline_kb" ] || baseline_kb=$peak
        echo "process transform coins=$coins runs=$runs wall_median_ms=$wall peak_rss_median_mb=$((peak / 1024)) above_baseline_mb=$(((peak - baseline_kb) / 1024)) rows=$(grep -o '"rows":[0-9]*' "$out/output.json" | cut -d: -f2) load=[$(load)]"
      done
      ;;
    inprocess)
      for coins in 250 17000 500000; do
        runs_in=41; [ "$coins" -lt 500000 ] || runs_in=7
        [ "$coins" -gt 250 ] || runs_in=201
        echo "inprocess $(dotnet "$bench_dll" cpu "$coins" "$runs_in") load=[$(load)]"
      done
      ;;
    steps)
      echo "steps $(dotnet "$bench_dll" extract 17000 "$runs") load=[$(load)]"
      for coins in 17000 500000; do
        folder=$(market "$coins")
        if [ ! -f "$folder/processed/2026/11/25/processed_crypto_data_2026-11-25T12-00-00Z.quality.json" ]; then
          echo "steps: no CSV for $coins coins yet: run the process mode first" >&2
          exit 1
        fi
        load_runs=$runs; [ "$coins" -lt 500000 ] || load_runs=1
        echo "steps $(dotnet "$bench_dll" load "$folder" "$load_runs") load=[$(load)]"
      done
      ;;
    pipeline)
      cli=("$out/cli/cryptoetl")
      if ! dotnet publish src/CryptoEtl.Cli -c Release -r linux-x64 -o "$out/cli" --nologo -v quiet > "$out/cli-publish.log" 2>&1; then
        echo "pipeline: the Native AOT publish of the CLI failed (see $out/cli-publish.log); timing the JIT build"
        dotnet build src/CryptoEtl.Cli -c Release --nologo -v quiet > "$out/cli-build.log" 2>&1 || { cat "$out/cli-build.log"; exit 1; }
        cli=(dotnet src/CryptoEtl.Cli/bin/Release/net10.0/cryptoetl.dll)
      fi
      dotnet "$bench_dll" serve 17000 1800 > "$out/standin.url" &
      standin=$!
      trap 'kill "$standin" 2> /dev/null || true' EXIT
      for _ in $(seq 100); do [ -s "$out/standin.url" ] && break; sleep 0.2; done
      url=$(head -n 1 "$out/standin.url")
      totals=(); extract=(); transform=(); loads=()
      for i in $(seq "$runs"); do
        rm -rf "$out/pipeline-data"
        started=$(date +%s%N)
        "${cli[@]}" run --coingecko-url "$url" --pages all --rate 100000 --data-dir "$out/pipeline-data" > "$out/pipeline.log" 2>&1 \
          || { cat "$out/pipeline.log"; exit 1; }
        totals+=("$(( ($(date +%s%N) - started) / 1000000 ))")
        step() { grep -o "succeeded $1 ([0-9.]* s)" "$out/pipeline.log" | grep -o '[0-9.]*' | awk '{print $1*1000}'; }
        extract+=("$(step Extract)"); transform+=("$(step Transform)"); loads+=("$(step Load)")
      done
      kill "$standin" 2> /dev/null || true
      echo "pipeline run coins=17000 runs=$runs total_median_ms=$(printf '%s\n' "${totals[@]}" | median) extract_median_ms=$(printf '%s\n' "${extract[@]}" | median) transform_median_ms=$(printf '%s\n' "${transform[@]}" | median) load_median_ms=$(printf '%s\n' "${loads[@]}" | median) cli=${cli[*]##*/} load=[$(load)]"
      ;;
    pacing)
      dotnet "$bench_dll" pacing
      ;;
    bdn)
      dotnet "$bench_dll" --filter '*TransformBenchmarks*' --artifacts "$out/bdn"
      ;;
    *)
      echo "bench/run.sh: unknown mode $mode (process, inprocess, steps, pipeline, pacing, bdn)" >&2
      exit 2
      ;;
  esac
done
