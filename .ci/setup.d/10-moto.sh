#!/usr/bin/env bash
# Starts one moto_server (S3 + SSM) on 127.0.0.1 for the whole test run and tells the tests where
# it is (CRYPTOETL_TEST_MOTO_URL in .ci/env); tests start their own only when that is unset.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v moto_server >/dev/null 2>&1; then
  echo "moto_server is not on PATH; install it with: pipx install 'moto[server]==5.2.1'" >&2
  exit 1
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
url="http://127.0.0.1:${port}"
log="${TMPDIR:-/tmp}/cryptoetl-moto-${port}.log"

# Its own session, no stdin and its output in a file: .ci/run must not wait on it; .ci/run
# stops it on exit (.ci/pids).
setsid nohup moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 </dev/null &
pid=$!

# Bounded wait: up to 60 s, checking every 0.2 s, failing early if it exited.
for _ in $(seq 1 300); do
  if curl -fsS -o /dev/null "${url}/moto-api/data.json" 2>/dev/null; then
    echo "CRYPTOETL_TEST_MOTO_URL=${url}" >> .ci/env
    echo "$pid" >> .ci/pids
    echo "moto_server ${pid} ready on ${url} (log ${log})"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "moto_server exited before answering:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.2
done

echo "moto_server did not answer on ${url} within 60 s:" >&2
cat "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
