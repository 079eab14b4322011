#!/usr/bin/env bash
# A long local history and what it costs: 15-minute snapshots of 500 coins, grown to a day (96
# snapshots), a month (2,880) and a year (35,040: 17.5 million rows), and at each size the figures
# of a schedule that runs for months, each printed with its target:
#   - about the newest snapshot (v_latest_snapshot, v_market_timeseries, v_movers): <= 100 ms, flat;
#   - the trend views over the last 7 days: <= 1 s at a year;
#   - a load of one more snapshot (DuckDbWarehouse.LoadSnapshotAsync): flat in history;
#   - `cryptoetl report`: <= 2 s and <= 512 MB peak RSS at a year;
#   - `cryptoetl query --format csv "select * from v_coin_changes"`: completes, its memory flat.
# The warehouse is made by the project's own code (bench/CryptoEtl.Bench/HistoryTiming.cs: the
# table, views and snapshot index of DuckDbWarehouse.OpenAsync; the rows by one INSERT ... SELECT
# per day of snapshots). Medians of BENCH_RUNS (default 3); the processes' peak RSS by GNU time.
#
#   bench/history.sh [day] [month] [year]      (default: all three; each grows the same warehouse)
#
# BENCH_OUT (default /tmp/cryptoetl-history) keeps the warehouse (about 1.5 GB at a year).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="${BENCH_OUT:-/tmp/cryptoetl-history}"
runs="${BENCH_RUNS:-3}"
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(day month year)
mkdir -p "$out/data"

if [ ! -x /usr/bin/time ]; then
  echo "== installing GNU time (apt)"
  apt-get update -qq && apt-get install -y -qq time > /dev/null
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
dotnet build bench/CryptoEtl.Bench -c Release --nologo -v q >/dev/null
dotnet build src/CryptoEtl.Cli -c Release --nologo -v q >/dev/null
bench=(dotnet bench/CryptoEtl.Bench/bin/Release/net10.0/CryptoEtl.Bench.dll)
cli=(dotnet src/CryptoEtl.Cli/bin/Release/net10.0/cryptoetl.dll)
db="$out/data/warehouse.duckdb"

# One process under GNU time: prints "WALL_S MAX_RSS_KB".
timed() { /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >"$out/stdout.txt"; cat "$out/time.txt"; }

for scale in "${scales[@]}"; do
  case "$scale" in
    day) snapshots=96 ;;
    month) snapshots=2880 ;;
    year) snapshots=35040 ;;
    *) echo "unknown scale $scale (day, month or year)" >&2; exit 2 ;;
  esac
  echo "== $scale: $(cut -d' ' -f1-3 /proc/loadavg) load average"
  "${bench[@]}" history-grow "$db" "$snapshots"
  "${bench[@]}" history-figures "$db" "$runs"

  walls=(); peak=0
  for _ in $(seq "$runs"); do
    read -r wall rss < <(timed "${cli[@]}" report --data-dir "$out/data" --out "$out/report-$scale.html")
    walls+=("$wall"); [ "$rss" -gt "$peak" ] && peak=$rss
  done
  wall=$(printf '%s\n' "${walls[@]}" | median)
  echo "  cryptoetl report: ${wall} s median (target <= 2 s), peak RSS $((peak / 1024)) MB (target <= 512 MB), $(stat -c %s "$out/report-$scale.html") bytes of HTML"

  lines=$(/usr/bin/time -f '%e %M' -o "$out/time.txt" "${cli[@]}" query --data-dir "$out/data" --format csv "select * from v_coin_changes" | wc -l)
  read -r wall rss <"$out/time.txt"
  echo "  cryptoetl query \"select * from v_coin_changes\" (csv): $((lines - 1)) rows in ${wall} s, peak RSS $((rss / 1024)) MB (target: completes, memory flat in history)"
done
