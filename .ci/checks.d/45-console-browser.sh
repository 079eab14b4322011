#!/usr/bin/env bash
# The web console of `cryptoetl serve` in headless Chromium, driven through the DevTools protocol
# (puppeteer-core from npm, with the system's chromium): tests/console-browser/console-flow.mjs.
# CONSOLE_SCREENSHOT=path keeps the execution page's screenshot; DOCS_SCREENSHOTS=1 redraws
# docs/console.png (README.md, "Get going", says how).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -z "${DOCS_SCREENSHOTS:-}" ] || CONSOLE_SCREENSHOT=docs/console.png

. .ci/chromium.sh

work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# puppeteer-core 24.9 runs on node >= 18 and downloads no browser.
npm install --prefix "$work/node" --no-audit --no-fund --silent puppeteer-core@24.9.0 >"$work/npm.log" 2>&1 \
  || { cat "$work/npm.log"; echo "console-browser: npm install puppeteer-core failed"; exit 1; }
cp tests/console-browser/console-flow.mjs "$work/node/"

dotnet build src/CryptoEtl.Cli -c Release --nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "console-browser: could not build the CLI"; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# The built binary itself (not `dotnet run`, whose child would outlive a kill of its pid).
src/CryptoEtl.Cli/bin/Release/net10.0/cryptoetl serve --offline --data-dir "$work/data" --port "$port" \
  >"$work/serve.log" 2>&1 </dev/null &
server=$!
# Bounded wait: up to 60 s for the first page.
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:${port}/" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; echo "console-browser: cryptoetl serve exited"; exit 1; }
  sleep 0.2
done

node "$work/node/console-flow.mjs" "http://127.0.0.1:${port}" "$browser" "${CONSOLE_SCREENSHOT:+$work/console.png}" \
  || { echo "--- serve log"; cat "$work/serve.log"; exit 1; }
if [ -n "${CONSOLE_SCREENSHOT:-}" ]; then
  cp "$work/console.png" "$CONSOLE_SCREENSHOT"
fi
