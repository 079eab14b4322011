#!/usr/bin/env bash
# The local report in a real browser: builds a report from real local runs of the recorded
# market, renders it in headless Chromium, and checks through the browser's DOM that every chart
# has its data points and that the page logged nothing to the console (no script errors, no
# Content-Security-Policy violations = nothing tried to load from the network).
# REPORT_SCREENSHOT=path keeps the desktop screenshot (docs/report.png is made this way).
set -euo pipefail
cd "$(dirname "$0")/../.."

. .ci/chromium.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Two real offline runs of the CLI (Extract over the recorded CoinGecko market, Transform, Load
# into DuckDB, through the state machine) an hour apart, so the time-series charts are drawn too;
# `run` ends by writing data/report.html.
data="$work/data"
report="$data/report.html"
dotnet build src/CryptoEtl.Cli -c Release --nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "report-browser: could not build the CLI"; exit 1; }
for at in 2024-12-19T09:45:00Z 2024-12-19T10:45:00Z; do
  dotnet run --project src/CryptoEtl.Cli -c Release --no-build -- run --offline --data-dir "$data" \
    --input "{\"fetch_time\":\"$at\"}" >"$work/run.log" 2>&1 \
    || { cat "$work/run.log"; echo "report-browser: cryptoetl run --offline failed"; exit 1; }
done
[ -s "$report" ] || { echo "report-browser: no report was written"; exit 1; }

chrome() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic --hide-scrollbars \
    --user-data-dir="$(mktemp -d -p "$work")" --enable-logging=stderr --v=0 "$@"
}

# Console output is what a person's devtools would show; the page must show none.
console_errors() { grep -hE ':CONSOLE(:|\()' "$@" || true; }

# The detector must see a broken page, or silence proves nothing.
printf '%s' "<!doctype html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"><script>broken()</script>" >"$work/broken.html"
chrome --dump-dom "file://$work/broken.html" >/dev/null 2>"$work/broken.err"
if [ -z "$(console_errors "$work/broken.err")" ]; then
  echo "report-browser: the console check saw nothing on a broken page"; exit 1
fi

chrome --dump-dom "file://$report" >"$work/dom.html" 2>"$work/dom.err"
chrome --window-size=1280,1960 --screenshot="$work/desktop.png" "file://$report" >/dev/null 2>"$work/desktop.err"
chrome --window-size=390,3200 --screenshot="$work/phone.png" "file://$report" >/dev/null 2>"$work/phone.err"

status=0
errors=$(console_errors "$work/dom.err" "$work/desktop.err" "$work/phone.err")
if [ -n "$errors" ]; then
  echo "report-browser: the page logged to the console:"; echo "$errors"; status=1
fi

for png in desktop phone; do
  size=$(stat -c %s "$work/$png.png" 2>/dev/null || echo 0)
  if [ "$size" -lt 20000 ]; then
    echo "report-browser: the $png screenshot is missing or blank ($size bytes)"; status=1
  fi
done

# Every chart section declares data-points; the browser's DOM must hold that many marks.
python3 - "$work/dom.html" <<'PY' || status=1
import sys
from html.parser import HTMLParser

MARKS = {
    "top-market-cap": ("rect", "bar"),
    "dominance": ("circle", "slice"),
    "price-changes": ("rect", "bin"),
    "gainers": ("tr", "mover"),
    "losers": ("tr", "mover"),
    "history-market-cap": ("circle", "point"),
    "history-btc-dominance": ("circle", "point"),
}

class Counter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section, self.declared, self.found = None, {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("id") in MARKS:
            self.section = a["id"]
            self.declared[self.section] = int(a.get("data-points", "-1"))
            self.found[self.section] = 0
        elif self.section:
            mark_tag, mark_class = MARKS[self.section]
            if tag == mark_tag and mark_class in (a.get("class") or "").split():
                self.found[self.section] += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.section = None

counter = Counter()
counter.feed(open(sys.argv[1], encoding="utf-8").read())
ok = True
for section in MARKS:
    declared, found = counter.declared.get(section), counter.found.get(section, 0)
    if declared is None or declared <= 0 or found != declared:
        print(f"report-browser: {section}: {found} marks in the DOM, {declared} declared")
        ok = False
    else:
        print(f"report-browser: {section}: {found} marks")
sys.exit(0 if ok else 1)
PY

if [ -n "${REPORT_SCREENSHOT:-}" ]; then
  cp "$work/desktop.png" "$REPORT_SCREENSHOT"
  cp "$work/phone.png" "${REPORT_SCREENSHOT%.png}-phone.png"
fi

[ "$status" -eq 0 ] && echo "report-browser: ok (every chart drawn, console clean, screenshots taken)"
exit "$status"
