#!/usr/bin/env bash
# Cold start of the Transform function, process start -> first response posted to the Runtime
# API: the Native AOT `bootstrap` against the same code under the JIT (`dotnet bootstrap.dll`
# from a framework-dependent publish). One event per process, median of RUNS runs each.
# The event: Transform of a raw object (250 recorded coins) in a local folder store.
# Usage: bench/lambda-coldstart.sh [runs]        Not a test: numbers go to docs/lambda.md.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-9}"
rid=linux-x64
project=src/CryptoEtl.Transform/CryptoEtl.Transform.csproj
aot="artifacts/publish/$rid/transform/bootstrap"
jit="artifacts/bench/jit/transform"

if [ ! -x "$aot" ]; then
  dotnet publish "$project" -c Release -r "$rid" -o "$(dirname "$aot")" --nologo -v quiet
fi
dotnet publish "$project" -c Release -r "$rid" -p:PublishAot=false --self-contained false -o "$jit" --nologo -v quiet

store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
key=raw/2024/12/19/raw_crypto_data_2024-12-19T12-00-00Z.json
python3 - "$store/$key" <<'PY'
import json, os, sys
# A raw object in the documented format (src/CryptoEtl.Core/RawSnapshot.cs), CoinGecko bytes verbatim.
data = "tests/data/coingecko"
markets = open(f"{data}/coins_markets_usd_p1_250_2024-12-19_sparkline_all_pct.json").read()
glob = open(f"{data}/global_2022-11-27.json").read()
base = "https://api.coingecko.com/api/v3"
metadata = {
    "source": "CoinGecko", "attribution": "Data provided by CoinGecko", "fetch_time": "2024-12-19T12:00:00Z",
    "vs_currency": "usd", "per_page": 250, "pages_requested": "1", "pages_fetched": 1, "complete": True,
    "next_page": None, "urls": [f"{base}/coins/markets?vs_currency=usd&per_page=250&page=1"], "global_url": f"{base}/global",
}
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
with open(sys.argv[1], "w") as f:
    f.write('{"metadata":' + json.dumps(metadata) + ',"global":' + glob + ',"pages":[' + markets + ']}')
PY

python3 bench/lambda_coldstart.py --runs "$runs" --event "{\"raw_key\":\"$key\"}" \
  --env "CRYPTOETL_STORE=$store" --env AWS_LAMBDA_FUNCTION_NAME=bench-transform \
  "aot=$aot" "jit=dotnet $jit/bootstrap.dll"
