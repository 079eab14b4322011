#!/usr/bin/env bash
# Issue 18's side-by-side, in one run, on the same bytes: the awkward 17,000-coin market
# (bench/CryptoEtl.Bench/AwkwardMarket.cs) and the tame one (SyntheticMarket).
#
#   bench/compare.sh [COINS]        (default 17000)
#
# Per market, medians of BENCH_RUNS (default 7) runs:
#   floor        bench/TransformProcess `floor FILE`: a bare Utf8JsonReader pass, whole AOT process
#   floor+csv    the same plus writing every coin's values, bytes unchanged, as CSV lines
#   process      our Transform, whole AOT process with the Lambda functions' publish settings
#   cli          `cryptoetl transform` (native CLI), whole process
#   lambda       the Transform Lambda `bootstrap`, process start -> response posted to a local
#                Runtime API (bench/lambda_coldstart.py)
#   inprocess    TransformStep in a warmed-up JIT process (no process start)
#   pandas       bench/pandas_transform.py (python3-pandas from Debian), whole process
#   duckdb       the same transform as one DuckDB SQL statement (in process, statement time only)
# Whole processes: wall (nanosecond clock around the process alone), CPU (perf stat task-clock,
# else GNU time's user + sys; on a machine other work is loading, CPU time is the steadier figure)
# and peak RSS (GNU time), on separate runs. Ratios and the issue's targets at the end.
# BENCH_OUT (default /tmp/cryptoetl-bench), BENCH_PUBLISH=0 reuses earlier publishes.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
coins="${1:-17000}"
out="${BENCH_OUT:-/tmp/cryptoetl-bench}/compare"
runs="${BENCH_RUNS:-7}"
key=raw/2026/11/25/raw_crypto_data_2026-11-25T12-00-00Z.json
mkdir -p "$out"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time > /dev/null; }
/usr/bin/python3 -c 'import pandas' 2> /dev/null || { apt-get update -qq && apt-get install -y -qq python3-pandas > /dev/null; }

echo "== building and publishing (Release; Native AOT for floor, process, cli, lambda)"
dotnet build bench/CryptoEtl.Bench -c Release --nologo -v quiet > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
bench_dll=bench/CryptoEtl.Bench/bin/Release/net10.0/CryptoEtl.Bench.dll
for target in bench/TransformProcess:tp src/CryptoEtl.Cli:cli src/CryptoEtl.Transform:lambda; do
  name=${target##*:}
  if [ "${BENCH_PUBLISH:-1}" != 0 ] || [ ! -d "$out/$name" ]; then
    dotnet publish "${target%%:*}" -c Release -r linux-x64 -o "$out/$name" --nologo -v quiet > "$out/publish-$name.log" 2>&1 \
      || { cat "$out/publish-$name.log"; exit 1; }
  fi
done

# CPU time: perf's task-clock (0.1 ms) where perf works, else GNU time's user + sys (10 ms steps).
perf=0
if command -v perf > /dev/null && perf stat -x, -e task-clock true > /dev/null 2>&1; then perf=1; fi

# One run of one whole process, recorded under NAME: wall time on a run of the process alone
# (perf and GNU time each add a process start of their own, ~10 ms, that would flatter every
# ratio toward 1), then CPU time and peak RSS on a second run under perf stat and GNU time.
# OUTPUT (a file or folder, or -) is what the process writes: it is removed and synced away
# before each run, untimed, so every run writes a new snapshot as a scheduled run does, and
# none waits on the write-back of the file it replaces (a re-run's extra cost, about 2 ms).
run_once() {
  local name=$1 output=$2 started
  shift 2
  fresh "$output"
  started=$(date +%s%N)
  "$@" > "$out/stdout-$name.txt"
  awk -v ns="$(( $(date +%s%N) - started ))" 'BEGIN {printf "%.1f\n", ns / 1e6}' >> "$out/$name.wall"
  fresh "$output"
  if [ "$perf" = 1 ]; then
    perf stat -x, -o "$out/perf.txt" -e task-clock /usr/bin/time -f '%U %S %M' -o "$out/time.txt" "$@" > "$out/stdout-$name.txt"
    awk -F, '/task-clock/ {printf "%.1f\n", $1}' "$out/perf.txt" >> "$out/$name.cpu"
  else
    /usr/bin/time -f '%U %S %M' -o "$out/time.txt" "$@" > "$out/stdout-$name.txt"
    awk '{print ($1 + $2) * 1000}' "$out/time.txt" >> "$out/$name.cpu"
  fi
  awk '{print $3 / 1024}' "$out/time.txt" >> "$out/$name.rss"
}

fresh() { if [ "$1" != - ]; then rm -rf "$1"; sync; fi; }

# "wall_ms cpu_ms rss_mb": the medians of NAME's runs.
medians() { echo "$(median < "$out/$1.wall") $(median < "$out/$1.cpu") $(median < "$out/$1.rss")"; }

prepare() { # market -> store folder
  local folder="$out/market-$1"
  if [ ! -f "$folder/.done" ]; then
    rm -rf "$folder"
    case "$1" in
      awkward) dotnet "$bench_dll" generate-awkward "$coins" "$folder" > /dev/null ;;
      tame) dotnet "$bench_dll" generate "$coins" "$folder" > /dev/null ;;
      empty) dotnet "$bench_dll" generate 0 "$folder" > /dev/null ;;
    esac
    touch "$folder/.done"
  fi
  echo "$folder"
}

empty=$(prepare empty)
rm -f "$out"/*.wall "$out"/*.cpu "$out"/*.rss
for _ in $(seq "$runs"); do run_once baseline "$empty/processed" "$out/tp/transform-process" "$empty" "$key"; done
read -r _ _ baseline_rss <<< "$(medians baseline)"
echo "baseline: transform-process on an empty market peaks at ${baseline_rss} MB RSS"

for market in awkward tame; do
  folder=$(prepare "$market")
  raw="$folder/$key"
  size_mb=$(awk -v b="$(stat -c %s "$raw")" 'BEGIN {printf "%.1f", b / 1e6}')
  # The CLI gets a store of its own (the same raw object, hard-linked): each figure writes and
  # clears only its own output.
  rm -rf "$out/cli-$market"
  mkdir -p "$(dirname "$out/cli-$market/objects/$key")"
  ln "$raw" "$out/cli-$market/objects/$key" 2> /dev/null || cp "$raw" "$out/cli-$market/objects/$key"
  # Builds and market generation leave dirty pages behind; their write-back must not land in
  # the first figures measured.
  sync
  echo "== $market market: $coins coins, $size_mb MB raw, runs=$runs (interleaved), load=[$(load)]"
  # Our processes in rounds, one run of each per round, so that a noisy moment of the machine
  # falls on all of them alike; one unmeasured round first. pandas (a second a run) runs in a
  # batch of its own afterwards.
  rm -f "$out"/*.wall "$out"/*.cpu "$out"/*.rss
  for round in $(seq 0 "$runs"); do
    run_once floor - "$out/tp/transform-process" floor "$raw"
    run_once floorcsv "$out/floor.csv" "$out/tp/transform-process" floor "$raw" "$out/floor.csv"
    run_once process "$folder/processed" "$out/tp/transform-process" "$folder" "$key"
    run_once cli "$out/cli-$market/objects/processed" "$out/cli/cryptoetl" transform --data-dir "$out/cli-$market" --input "{\"raw_key\":\"$key\"}"
    if [ "$round" = 0 ]; then rm -f "$out"/*.wall "$out"/*.cpu "$out"/*.rss; fi
  done
  for _ in $(seq "$runs"); do run_once pandas "$out/pandas.csv" /usr/bin/python3 bench/pandas_transform.py "$raw" "$out/pandas.csv"; done
  read -r floor_wall floor_cpu floor_rss <<< "$(medians floor)"
  read -r floorcsv_wall floorcsv_cpu floorcsv_rss <<< "$(medians floorcsv)"
  read -r proc_wall proc_cpu proc_rss <<< "$(medians process)"
  read -r cli_wall cli_cpu cli_rss <<< "$(medians cli)"
  read -r pandas_wall pandas_cpu pandas_rss <<< "$(medians pandas)"
  rows=$(grep -o '"rows":[0-9]*' "$out/stdout-process.txt" | cut -d: -f2)
  lambda_wall=$(python3 bench/lambda_coldstart.py --runs "$runs" --event "{\"raw_key\":\"$key\"}" \
    --env "CRYPTOETL_STORE=$folder" --env AWS_LAMBDA_FUNCTION_NAME=bench-transform "lambda=$out/lambda/bootstrap" \
    | tail -n 1 | grep -o '[0-9.]*}' | tr -d '}')
  inprocess=$(dotnet "$bench_dll" "$([ "$market" = awkward ] && echo cpu-awkward || echo cpu)" "$coins" 21)
  in_wall=$(grep -o 'wall_median_ms=[0-9.]*' <<< "$inprocess" | cut -d= -f2)
  in_cpu=$(grep -o 'cpu_median_ms=[0-9.]*' <<< "$inprocess" | cut -d= -f2)
  duckdb=$(dotnet "$bench_dll" duckdb-sql "$raw" "$out/duckdb.csv" 3)
  duck_ms=$(grep -o 'median_ms=[0-9.]*' <<< "$duckdb" | cut -d= -f2)

  printf '%-10s %9s %9s %9s %s\n' figure wall_ms cpu_ms rss_mb note
  printf '%-10s %9s %9s %9s %s\n' floor "$floor_wall" "$floor_cpu" "$floor_rss" "bare Utf8JsonReader pass, AOT process"
  printf '%-10s %9s %9s %9s %s\n' floor+csv "$floorcsv_wall" "$floorcsv_cpu" "$floorcsv_rss" "the same + CSV bytes written"
  printf '%-10s %9s %9s %9s %s\n' process "$proc_wall" "$proc_cpu" "$proc_rss" "our Transform, AOT process, $rows rows; $(awk -v a="$proc_rss" -v b="$baseline_rss" 'BEGIN {printf "%.0f", a - b}') MB above baseline"
  printf '%-10s %9s %9s %9s %s\n' cli "$cli_wall" "$cli_cpu" "$cli_rss" "cryptoetl transform, native"
  printf '%-10s %9s %9s %9s %s\n' lambda "$lambda_wall" - - "Transform Lambda bootstrap, start -> response"
  printf '%-10s %9s %9s %9s %s\n' inprocess "$in_wall" "$in_cpu" - "TransformStep, warmed JIT, no process start"
  printf '%-10s %9s %9s %9s %s\n' pandas "$pandas_wall" "$pandas_cpu" "$pandas_rss" "bench/pandas_transform.py, whole process"
  printf '%-10s %9s %9s %9s %s\n' duckdb "$duck_ms" - - "DuckDB SQL statement, in process ($(grep -o 'rows=[0-9]*' <<< "$duckdb"))"
  echo "ratios ($market): process/floor wall $(ratio "$proc_wall" "$floor_wall")x cpu $(ratio "$proc_cpu" "$floor_cpu")x;" \
    "process/floor+csv wall $(ratio "$proc_wall" "$floorcsv_wall")x cpu $(ratio "$proc_cpu" "$floorcsv_cpu")x;" \
    "pandas/process wall $(ratio "$pandas_wall" "$proc_wall")x cpu $(ratio "$pandas_cpu" "$proc_cpu")x;" \
    "pandas/cli wall $(ratio "$pandas_wall" "$cli_wall")x; duckdb/process wall $(ratio "$duck_ms" "$proc_wall")x"
  verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN {print ((dir == "<=" ? v <= t : v >= t) ? "met" : "NOT met")}'; }
  echo "targets ($market): process within 2x the floor: wall $(verdict "$(ratio "$proc_wall" "$floor_wall")" 2 "<="), cpu $(verdict "$(ratio "$proc_cpu" "$floor_cpu")" 2 "<=");" \
    "pandas >= 15x: wall $(verdict "$(ratio "$pandas_wall" "$proc_wall")" 15 ">="), cpu $(verdict "$(ratio "$pandas_cpu" "$proc_cpu")" 15 ">=");" \
    "memory above baseline <= 32 MB: $(verdict "$(awk -v a="$proc_rss" -v b="$baseline_rss" 'BEGIN {print a - b}')" 32 "<=")"
done
